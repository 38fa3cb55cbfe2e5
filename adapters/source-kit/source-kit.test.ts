import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeGb18030, encodeGb18030 } from './encoding.js';
import { backoffDelay, defaultRetryPolicy, parseRetryAfter, withRetry, type RetryClock } from './retry.js';
import { parseXmlSafely } from './safe-xml.js';
import { OrderedSimStore, compareKeys, type OrderedKey } from './sim-store.js';
import { SourceError } from './source.errors.js';

function fakeClock(): RetryClock & { sleeps: number[] } {
  let t = 1_000_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => t,
    sleep: async (ms) => {
      sleeps.push(ms);
      t += ms;
    },
  };
}

const transient = (details = {}): SourceError =>
  new SourceError('HTTP_ERROR', 'HTTP 503', { transient: true, details });

describe('withRetry', () => {
  it('retries transient errors with capped full-jitter backoff', async () => {
    const clock = fakeClock();
    let calls = 0;
    const v = await withRetry(
      async () => {
        if (++calls < 4) throw transient();
        return 'ok';
      },
      { clock, random: () => 0.999, policy: { baseDelayMs: 100, maxDelayMs: 250 } },
    );
    expect(v).toBe('ok');
    expect(clock.sleeps).toEqual([99, 199, 249]);
    expect(backoffDelay(10, defaultRetryPolicy, () => 0.5)).toBe(15_000);
  });

  it('honours Retry-After when longer than the jittered delay', async () => {
    const clock = fakeClock();
    let calls = 0;
    await withRetry(
      async () => {
        if (++calls === 1)
          throw new SourceError('RATE_LIMITED', '429', { transient: true, details: { retryAfterMs: 3000 } });
      },
      { clock, random: () => 0 },
    );
    expect(clock.sleeps).toEqual([3000]);
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-11-20T02:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter('Fri, 20 Nov 2026 02:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Fri, 20 Nov 2026 01:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(undefined, now)).toBeNull();
  });

  it('does not retry permanent errors', async () => {
    let calls = 0;
    const err = await withRetry(
      async () => {
        calls++;
        throw new SourceError('AUTH_FAILED', 'bad key', { transient: false });
      },
      { clock: fakeClock() },
    ).catch((e: unknown) => e);
    expect((err as SourceError).code).toBe('AUTH_FAILED');
    expect(calls).toBe(1);
  });

  it('gives up after max attempts or the time budget with RETRY_EXHAUSTED', async () => {
    let calls = 0;
    const err = await withRetry(
      async () => {
        calls++;
        throw transient();
      },
      { clock: fakeClock(), policy: { maxAttempts: 3 } },
    ).catch((e: unknown) => e);
    expect((err as SourceError).code).toBe('RETRY_EXHAUSTED');
    expect(((err as SourceError).cause as SourceError).code).toBe('HTTP_ERROR');
    expect(calls).toBe(3);
    const clock = fakeClock();
    const budget = await withRetry(
      async () => {
        throw transient({ retryAfterMs: 60_000 });
      },
      { clock, policy: { budgetMs: 100_000, maxAttempts: 100 } },
    ).catch((e: unknown) => e);
    expect((budget as SourceError).code).toBe('RETRY_EXHAUSTED');
    expect(clock.sleeps).toEqual([60_000]);
  });
});

describe('GB18030', () => {
  it('round-trips characters outside GBK (U+20000) and drops a BOM', () => {
    const text = '𠀀旅馆 ABC 0350322000077';
    const bytes = encodeGb18030(text);
    expect([...bytes.subarray(0, 4)]).toEqual([0x95, 0x32, 0x82, 0x36]);
    expect(decodeGb18030(bytes)).toBe(text);
    expect(decodeGb18030(Buffer.concat([Buffer.from([0x84, 0x31, 0x95, 0x33]), bytes]))).toBe(text);
  });
});

describe('parseXmlSafely: hostile corpus', () => {
  let trap: Server;
  let port = 0;
  let connections = 0;
  beforeAll(async () => {
    trap = createServer((s) => {
      connections++;
      s.destroy();
    });
    await new Promise<void>((r) => trap.listen(0, '127.0.0.1', () => r()));
    port = (trap.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise<void>((r) => trap.close(() => r()));
    expect(connections).toBe(0);
  });

  const refused = (name: string, xml: () => string, code: string): void => {
    it(`${name} → ${code}, quickly, without network`, () => {
      const started = Date.now();
      const err = (() => {
        try {
          parseXmlSafely(xml(), { arrayPaths: [] });
          return null;
        } catch (e) {
          return e as SourceError;
        }
      })();
      expect(err?.code).toBe(code);
      expect(Date.now() - started).toBeLessThan(2000);
    });
  };

  refused(
    'external entity',
    () => `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "http://127.0.0.1:${port}/x">]><r>&x;</r>`,
    'XML_DOCTYPE_REFUSED',
  );
  refused(
    'parameter entities',
    () => `<!DOCTYPE r [<!ENTITY % p SYSTEM "http://127.0.0.1:${port}/p.dtd"> %p;]><r/>`,
    'XML_DOCTYPE_REFUSED',
  );
  refused(
    'billion laughs',
    () =>
      `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">` +
      Array.from(
        { length: 9 },
        (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`,
      ).join('') +
      `]><lolz>&lol9;</lolz>`,
    'XML_DOCTYPE_REFUSED',
  );
  refused(
    'quadratic blow-up',
    () => `<!DOCTYPE r [<!ENTITY a "${'x'.repeat(50_000)}">]><r>${'&a;'.repeat(50_000)}</r>`,
    'XML_DOCTYPE_REFUSED',
  );
  refused('lower-case doctype', () => `<!doctype r><r/>`, 'XML_DOCTYPE_REFUSED');
  refused('10,000-deep nesting', () => '<a>'.repeat(10_000) + '</a>'.repeat(10_000), 'XML_LIMIT_EXCEEDED');
  refused('oversize document', () => `<r>${'x'.repeat(17 * 1024 * 1024)}</r>`, 'XML_LIMIT_EXCEEDED');

  it('leaves an undeclared entity reference as literal text', () => {
    expect(parseXmlSafely('<r>&xxe;</r>', { arrayPaths: [] })).toEqual({ r: '&xxe;' });
  });

  it('handles __proto__ / constructor element and attribute names without polluting prototypes', () => {
    const doc = parseXmlSafely(
      '<r><__proto__><polluted>yes</polluted></__proto__><constructor prototype="1">x</constructor></r>',
      {
        arrayPaths: [],
      },
    ) as { r: Record<string, unknown> };
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(doc.r)).toBe(Object.prototype);
    expect(Object.keys(doc.r).sort()).toEqual(['unsafe-__proto__', 'unsafe-constructor']);
  });

  it('handles a numeric-reference flood and huge attribute counts within 2 s', () => {
    let started = Date.now();
    const flood = parseXmlSafely(`<r>${'&#20013;'.repeat(300_000)}</r>`, { arrayPaths: [] }) as { r: string };
    expect(flood.r.length).toBe(300_000);
    expect(Date.now() - started).toBeLessThan(2000);
    started = Date.now();
    const attrs = Array.from({ length: 50_000 }, (_, i) => `a${i}="${i}"`).join(' ');
    parseXmlSafely(`<r ${attrs}/>`, { arrayPaths: [] });
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('parseXmlSafely: correctness corpus', () => {
  it('keeps strings, decodes references and CDATA, strips namespaces, honours isArray', () => {
    const xml =
      '<?xml version="1.0"?><lg:R xmlns:lg="urn:x" n="007"><lg:L><lg:I v="600.00">&#20013;&#x20000;&amp;&lt;</lg:I></lg:L>' +
      '<lg:C><![CDATA[a&amp;<b>]]></lg:C><lg:Z>0042</lg:Z><lg:X>35032219800101123X</lg:X></lg:R>';
    const doc = parseXmlSafely(xml, { arrayPaths: ['R.L.I'] }) as { R: Record<string, unknown> };
    expect(doc.R['@_n']).toBe('007');
    expect(JSON.parse(JSON.stringify(doc.R.L))).toEqual({ I: [{ '#text': '中𠀀&<', '@_v': '600.00' }] });
    expect(doc.R.C).toBe('a&amp;<b>');
    expect(doc.R.Z).toBe('0042');
    expect(doc.R.X).toBe('35032219800101123X');
  });
});

describe('OrderedSimStore', () => {
  it('pages like a sorted list, with overrides, at any offset', () => {
    const n = 200;
    const base = 1_000_000;
    const genId = (i: number): string => `G${String(i).padStart(5, '0')}`;
    const store = new OrderedSimStore<OrderedKey>({
      generatedCount: n,
      baseAt: base,
      stepMs: 10,
      generatedId: genId,
      indexOfId: (id) => (/^G\d{5}$/.test(id) ? Number(id.slice(1)) : null),
      generate: (i) => ({ at: base + i * 10, id: genId(i) }),
      keyOf: (k) => k,
    });
    const truth = new Map<string, OrderedKey>();
    for (let i = 0; i < n; i++) truth.set(genId(i), { at: base + i * 10, id: genId(i) });
    const put = (k: OrderedKey): void => {
      store.put(k);
      truth.set(k.id, k);
    };
    put({ at: base + 55, id: 'G00003' });
    put({ at: base + 55, id: 'X1' });
    put({ at: base - 5, id: 'X0' });
    put({ at: base + 5000, id: 'G00100' });
    put({ at: base + 1990, id: 'G00150' });
    const sorted = [...truth.values()].sort(compareKeys);
    expect(store.size).toBe(sorted.length);
    for (const lower of [
      { at: -Infinity, id: '' },
      { at: base + 55, id: '' },
      { at: base + 55, id: 'G00003' },
      { at: base + 1990, id: 'G00199' },
    ]) {
      for (const inclusive of [true, false]) {
        const expected = sorted.filter((k) => {
          const c = compareKeys(k, lower);
          return inclusive ? c >= 0 : c > 0;
        });
        expect(store.countAfter(lower, inclusive)).toBe(expected.length);
        for (const skip of [0, 1, 7, 50, expected.length]) {
          expect([...store.iterateAfter(lower, inclusive, skip)]).toEqual(expected.slice(skip));
        }
      }
    }
  });

  it('pages the end of 1,000,000 generated records without materialising them', () => {
    const store = new OrderedSimStore<number>({
      generatedCount: 1_000_000,
      baseAt: 0,
      stepMs: 1000,
      generatedId: (i) => String(i).padStart(7, '0'),
      indexOfId: (id) => Number(id),
      generate: (i) => i,
      keyOf: (i) => ({ at: i === 999_500 ? 2e12 : i * 1000, id: String(i).padStart(7, '0') }),
    });
    store.put(999_500);
    const started = Date.now();
    const it = store.iterateAfter({ at: -Infinity, id: '' }, true, 999_000);
    const page: number[] = [];
    for (const v of it) {
      page.push(v);
      if (page.length === 500) break;
    }
    expect(page[0]).toBe(999_000);
    expect(page).not.toContain(999_500);
    expect([...store.iterateAfter({ at: -Infinity, id: '' }, true, 999_999)]).toEqual([999_500]);
    expect(Date.now() - started).toBeLessThan(500);
  });
});
