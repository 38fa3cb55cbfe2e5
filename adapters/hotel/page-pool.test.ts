import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeGb18030 } from '../source-kit/encoding.js';
import { isSourceError } from '../source-kit/source.errors.js';
import { processHotelPage } from './page.js';
import { HotelPageWorker } from './page-pool.js';
import { generateHotelSourceRecords, renderHotelXml } from './simulator.js';

const fixture = (name: string): Buffer => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));

/** A page document of `count` generated hotels, GB18030. */
const generatedPage = (count: number): Buffer =>
  encodeGb18030(
    `<?xml version="1.0" encoding="GB18030"?>\n<lg:Response xmlns:lg="urn:gaj:lgxx:1.0" code="0000" message="ok">` +
      `<lg:Page no="1" size="${count}" total="${count}"/><lg:Hotels>` +
      [...generateHotelSourceRecords(count, 'pool')].map((h) => renderHotelXml(h)).join('') +
      `</lg:Hotels></lg:Response>`,
  );
const pages = new HotelPageWorker();

afterAll(async () => {
  await pages.close();
});

/** The worker's answer or error, beside the inline one. */
async function both(body: Buffer) {
  const inline = (() => {
    try {
      return { page: processHotelPage(body) };
    } catch (e) {
      return { error: e };
    }
  })();
  const viaWorker = await pages.process(Buffer.from(body)).then(
    (page) => ({ page }),
    (error: unknown) => ({ error }),
  );
  return { inline, viaWorker };
}

describe('hotel pages processed in a worker thread', () => {
  it('gives what processHotelPage gives inline: records, quarantined reasons and raw bytes', async () => {
    const { inline, viaWorker } = await both(fixture('page-mixed.gb18030.xml'));
    expect('page' in viaWorker).toBe(true);
    expect(viaWorker).toEqual(inline);
    const page = (viaWorker as { page: ReturnType<typeof processHotelPage> }).page;
    const bad = page.hotels.filter((h) => !h.result.ok);
    expect(bad.length).toBeGreaterThan(0);
    for (const h of bad) if (!h.result.ok) expect(Buffer.isBuffer(h.result.raw)).toBe(true);
    expect(page.hotels.some((h) => h.result.ok)).toBe(true);
  });

  it('raises the same coded SourceErrors: truncated (transient) and DOCTYPE refused', async () => {
    const truncated = await both(fixture('page-truncated.gb18030.xml'));
    const doctype = await both(
      encodeGb18030(
        '<?xml version="1.0" encoding="GB18030"?><!DOCTYPE x [<!ENTITY a "b">]><Response code="0"/>',
      ),
    );
    for (const { inline, viaWorker } of [truncated, doctype]) {
      const a = (inline as { error: unknown }).error;
      const b = (viaWorker as { error: unknown }).error;
      expect(isSourceError(a)).toBe(true);
      expect(isSourceError(b)).toBe(true);
      if (isSourceError(a) && isSourceError(b)) {
        expect([b.code, b.transient, b.message]).toEqual([a.code, a.transient, a.message]);
      }
    }
    expect((truncated.viaWorker as { error: { code: string } }).error.code).toBe('MALFORMED_DOCUMENT');
    expect((doctype.viaWorker as { error: { code: string } }).error.code).toBe('XML_DOCTYPE_REFUSED');
  });

  it('keeps serving after many pages in flight at once', async () => {
    const body = fixture('page-single.gb18030.xml');
    const results = await Promise.all(Array.from({ length: 20 }, () => pages.process(Buffer.from(body))));
    const expected = processHotelPage(body);
    for (const r of results) expect(r).toEqual(expected);
  });

  it('parses a full contract page (500 hotels) within its default heap bound', async () => {
    const body = generatedPage(500);
    const page = await pages.process(Buffer.from(body));
    expect(page.hotels).toHaveLength(500);
    expect(page).toEqual(processHotelPage(body));
  });

  it('refuses a page too big for its heap with XML_LIMIT_EXCEEDED, then serves the next page', async () => {
    const small = new HotelPageWorker(8);
    try {
      const err = await small.process(generatedPage(20_000)).then(
        () => null,
        (e: unknown) => e,
      );
      expect(isSourceError(err)).toBe(true);
      if (isSourceError(err)) expect([err.code, err.transient]).toEqual(['XML_LIMIT_EXCEEDED', false]);
      const body = fixture('page-single.gb18030.xml');
      expect(await small.process(Buffer.from(body))).toEqual(processHotelPage(body));
    } finally {
      await small.close();
    }
  });
});
