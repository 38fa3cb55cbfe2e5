import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeGb18030, encodeGb18030 } from '../source-kit/encoding.js';
import { SourceError } from '../source-kit/source.errors.js';
import { createHotelAdapter, formatHotelCursor, parseHotelCursor } from './adapter.js';
import { mapHotel } from './mapper.js';
import { hotelConfigSchema, parseHotelPage, validateHotel } from './schema.js';
import { generateHotelSourceRecord, renderHotelXml, startHotelSimulator } from './simulator.js';

const fixture = (name: string): Buffer => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));

describe('hotel schema + mapper on fixtures', () => {
  const text = decodeGb18030(fixture('page-mixed.gb18030.xml'));
  const page = parseHotelPage(text);

  it('decodes the GB18030 page with a BOM, CDATA, references, 𠀀 and leading zeros', () => {
    expect(page.code).toBe('0');
    expect(page.total).toBe(3);
    expect(page.hotels).toHaveLength(3);
    const first = validateHotel(page.hotels[0]?.node, 'Hotel[0]');
    expect(first.ok && mapHotel(first.value)).toEqual({
      kind: 'TARGET',
      sourceSystem: 'hotel',
      sourceId: '3503220100012',
      category: 'HOTEL',
      name: '仙游县鲤城宾馆&会所',
      uscc: '92350322MA2YB4L570',
      licenceNos: [{ kind: 'SPECIAL_TRADE', number: '闽公特旅字〔2019〕第0123号' }],
      address: '仙游县鲤城街道八二五大街 18 号',
      regionCode: '350322',
      jurisdictionCode: '350322510000',
      jurisdictionName: '鲤城派出所',
      status: 'OPERATING',
      grade: null,
      blacklisted: false,
      abnormalListed: null,
      complaints90d: null,
      violations: [],
      incidents: [],
      persons: [
        {
          role: 'LEGAL_REP',
          name: '张三',
          idType: '111',
          idNumber: '35032219800101123X',
          phone: '13800000000',
        },
      ],
      geo: { lat: '25.3621', lng: '118.6913' },
      attributes: {
        rooms: 42,
        beds: 80,
        star: 0,
        foreignGuests: false,
        registrationRate: '0.97',
        unregisteredGuests30d: 3,
        uploadDelayHours30d: '2.50',
      },
      sourceUpdatedAt: '2026-11-20T10:15:00+08:00',
    });
    const second = validateHotel(page.hotels[1]?.node, 'Hotel[1]');
    if (!second.ok) throw new Error(second.reason);
    const t = mapHotel(second.value);
    expect(t.sourceId).toBe('0350322000077');
    expect(t.name).toBe('中𠀀客栈 & 茶<舍>');
    expect(t.uscc).toBe(' 92350322ma2yb4l57x ');
    expect(t.address).toBe('仙游县𠀀村 007 号');
    expect(t.status).toBe('CLOSED');
    expect(t.blacklisted).toBe(true);
    expect(t.attributes.rooms).toBe(7);
    expect(t.attributes.registrationRate).toBeNull();
    expect(t.geo).toBeNull();
    expect(t.persons[0]).toMatchObject({ name: '𠀀四', idType: '414', idNumber: 'E01234567' });
  });

  it('names every bad field of a malformed hotel', () => {
    const bad = validateHotel(page.hotels[2]?.node, 'Hotel[2]');
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.reason).toContain('Hotel[2].Legal.IdNo: expected string, got object');
      expect(bad.reason).toContain('Hotel[2].Rooms: expected non-negative integer');
    }
    const span = page.hotels[2]?.span;
    expect(span && text.slice(span.start, span.end)).toMatch(
      /^<lg:Hotel id="3503220100099"[\s\S]*<\/lg:Hotel>$/,
    );
  });

  it('handles a single <lg:Hotel> as a one-element list', () => {
    const single = parseHotelPage(decodeGb18030(fixture('page-single.gb18030.xml')));
    expect(single.hotels).toHaveLength(1);
    const v = validateHotel(single.hotels[0]?.node, 'Hotel[0]');
    expect(v.ok && v.value.id).toBe('3503220100100');
  });

  it('reads body error codes and detects truncated pages', () => {
    expect(parseHotelPage(decodeGb18030(fixture('error-1001.gb18030.xml'))).code).toBe('1001');
    const err = (() => {
      try {
        parseHotelPage(decodeGb18030(fixture('page-truncated.gb18030.xml')));
      } catch (e) {
        return e as SourceError;
      }
      return null;
    })();
    expect(err?.code).toBe('MALFORMED_DOCUMENT');
    expect(err?.transient).toBe(true);
  });

  it('renders and re-reads generated hotels through GB18030 unchanged', () => {
    for (const i of [0, 2, 3, 4, 5, 7, 19]) {
      const h = generateHotelSourceRecord(i, 'seed');
      const xml = `<lg:Response xmlns:lg="urn:gaj:lgxx:1.0" code="0"><lg:Hotels>${renderHotelXml(h)}</lg:Hotels></lg:Response>`;
      const p = parseHotelPage(decodeGb18030(encodeGb18030(xml)));
      const v = validateHotel(p.hotels[0]?.node, 'Hotel[0]');
      if (!v.ok) throw new Error(v.reason);
      expect(v.value.id).toBe(h.id);
      expect(v.value.name).toBe(h.name);
      expect(v.value.uscc).toBe(h.uscc === '' ? null : h.uscc);
      expect(v.value.legal?.idNo).toBe(h.legal?.idNo);
    }
  });
});

describe('hotel config and cursor', () => {
  it('lists every bad config field', () => {
    expect(() => hotelConfigSchema({ baseUrl: 'ftp://x', apiKey: '', pageSize: 900 })).toThrow(
      'hotel config invalid: baseUrl: expected http(s) URL without query; apiKey: expected non-empty string, got string; pageSize: expected integer 1–500, got number',
    );
    expect(hotelConfigSchema({ baseUrl: 'http://lgxx.local/', apiKey: 'k' })).toEqual({
      baseUrl: 'http://lgxx.local',
      apiKey: 'k',
      pageSize: 500,
      timeoutMs: 30_000,
    });
  });

  it('round-trips the cursor and refuses garbage', () => {
    const c = { updatedSince: '2026-11-20T10:15:00+08:00', seen: ['0350322000077'] };
    expect(parseHotelCursor(formatHotelCursor(c))).toEqual(c);
    expect(() => parseHotelCursor('page=3')).toThrow(SourceError);
  });
});

describe('hotel simulator', () => {
  it('serves GB18030 with the contract content type and a 13-char id starting with 0', async () => {
    const sim = await startHotelSimulator({ apiKey: 'k', generate: { count: 60, seed: 1 } });
    try {
      const res = await fetch(`${sim.url}/lgxx/v1/hotels?page=1&pageSize=1000`, {
        headers: { 'X-Api-Key': 'k' },
      });
      expect(res.headers.get('content-type')).toBe('application/xml; charset=GB18030');
      const text = decodeGb18030(new Uint8Array(await res.arrayBuffer()));
      expect(text).toMatch(/^<\?xml version="1.0" encoding="GB18030"\?>/);
      const page = parseHotelPage(text);
      expect(page.hotels).toHaveLength(60);
      expect(text).toContain('id="0503220000007"');
      const past = parseHotelPage(
        decodeGb18030(
          new Uint8Array(
            await (
              await fetch(`${sim.url}/lgxx/v1/hotels?page=9&pageSize=10`, { headers: { 'X-Api-Key': 'k' } })
            ).arrayBuffer(),
          ),
        ),
      );
      expect(past.hotels).toEqual([]);
      expect(past.total).toBe(60);
    } finally {
      await sim.close();
    }
  });

  it('keeps records that share an updatedAt across a page boundary (no loss, no repeat)', async () => {
    const at = '2026-11-20T10:15:00+08:00';
    const records = Array.from({ length: 7 }, (_, i) => ({
      ...generateHotelSourceRecord(i, 's'),
      updatedAt: at,
    }));
    const sim = await startHotelSimulator({ apiKey: 'k', records });
    try {
      const adapter = createHotelAdapter(hotelConfigSchema({ baseUrl: sim.url, apiKey: 'k', pageSize: 3 }));
      const got: string[] = [];
      let cursor: string | null = null;
      for await (const b of adapter.pull(null)) {
        got.push(...b.records.map((r) => (r.kind === 'TARGET' ? r.sourceId : '')));
        cursor = b.cursor;
      }
      expect(got.sort()).toEqual(records.map((r) => r.id).sort());
      const again: string[] = [];
      for await (const b of adapter.pull(cursor)) again.push(...b.records.map((r) => r.kind));
      expect(again).toEqual([]);
    } finally {
      await sim.close();
    }
  });
});
