import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeGb18030 } from '../source-kit/encoding.js';
import { isSourceError } from '../source-kit/source.errors.js';
import { processHotelPage } from './page.js';
import { HotelPageWorker } from './page-pool.js';

const fixture = (name: string): Buffer => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
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
});
