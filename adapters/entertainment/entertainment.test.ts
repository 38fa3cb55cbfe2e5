import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createEntertainmentAdapter, parseEntertainmentCursor } from './adapter.js';
import { mapVenue } from './mapper.js';
import { entertainmentConfigSchema, validateVenue, validateVenuePage } from './schema.js';
import { startEntertainmentSimulator } from './simulator.js';

const page = JSON.parse(
  readFileSync(new URL('./fixtures/venues-page.json', import.meta.url), 'utf8'),
) as unknown;

describe('entertainment schema + mapper on fixtures', () => {
  const env = validateVenuePage(page);
  if (!env.ok) throw new Error(env.reason);
  const [full, sparse, bad] = env.value.data;

  it('maps the contract example, keeping decimals and codes as strings', () => {
    const v = validateVenue(full, 'data[0]');
    if (!v.ok) throw new Error(v.reason);
    const t = mapVenue(v.value);
    expect(t).toMatchObject({
      sourceId: '350322E00017',
      category: 'ENTERTAINMENT',
      grade: 'B',
      status: 'OPERATING',
      regionCode: '350322',
      uscc: '91350322MA31C7Q2XK',
      complaints90d: 2,
      licenceNos: [
        { kind: 'CULTURE', number: '350322120190004' },
        { kind: 'POLICE_FILING', number: '仙公娱备〔2019〕17号' },
      ],
      incidents: [{ date: '2026-09-14', kind: 'FIGHT', caseNo: 'A3503225100002026090012' }],
      attributes: {
        venueCategory: 'KTV',
        approvedCapacity: 300,
        privateRooms: 24,
        areaM2: '860.5',
        openedOn: '2019-05-01',
      },
      sourceUpdatedAt: '2026-11-21T09:00:00.123+08:00',
    });
    expect(t.persons.map((p) => [p.role, p.idNumber, p.phone])).toEqual([
      ['LEGAL_REP', '350322197508124511', '13900000000'],
      ['MANAGER', '350322199002280022', null],
    ]);
  });

  it('tolerates nulls, missing objects and unknown fields; ungraded stays null', () => {
    const v = validateVenue(sparse, 'data[1]');
    if (!v.ok) throw new Error(v.reason);
    const t = mapVenue(v.value);
    expect(t.grade).toBeNull();
    expect(t.status).toBe('SUSPENDED');
    expect(t.persons).toEqual([]);
    expect(t.jurisdictionCode).toBeNull();
    expect(t.sourceId).toBe('035032E00001');
    expect(t.name).toBe('𠀀乐电玩城');
    expect(t.incidents).toEqual([]);
  });

  it('names every bad field of a malformed venue', () => {
    const v = validateVenue(bad, 'data[2]');
    expect(v.ok).toBe(false);
    if (!v.ok) {
      expect(v.reason).toContain('data[2].securityGrade: expected one of A|B|C');
      expect(v.reason).toContain('data[2].approvedCapacity: expected non-negative integer, got string');
    }
  });

  it('lists every bad config field and refuses a foreign cursor', () => {
    expect(() => entertainmentConfigSchema({ baseUrl: 'http://x?y=1', limit: 500 })).toThrow(
      /baseUrl: .*; clientId: .*; clientSecret: .*; limit: expected integer 1–200/,
    );
    expect(() => parseEntertainmentCursor('{"v":2}')).toThrow(/CURSOR|cursor/);
  });
});

describe('entertainment simulator and client', () => {
  it('honours the real 5 requests/s limit and reuses one token until it expires', async () => {
    const sim = await startEntertainmentSimulator({
      clientId: 'c',
      clientSecret: 's',
      generate: { count: 40, seed: 3 },
      tokenTtlSec: 600,
    });
    try {
      const adapter = createEntertainmentAdapter(
        entertainmentConfigSchema({ baseUrl: sim.url, clientId: 'c', clientSecret: 's', limit: 4 }),
        { retry: { baseDelayMs: 1, maxDelayMs: 5, maxAttempts: 10 } },
      );
      const started = Date.now();
      let n = 0;
      for await (const b of adapter.pull(null)) n += b.records.length;
      expect(n).toBe(40);
      expect(sim.tokensIssued).toBe(1);
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
      sim.expireTokens();
      const after = sim.tokensIssued;
      for await (const _ of adapter.pull(null)) void _;
      expect(sim.tokensIssued).toBe(after + 1);
    } finally {
      await sim.close();
    }
  });
});
