import { decodeGb18030, encodeGb18030 } from '../source-kit/encoding.js';
import type { SourceTarget } from '../types.js';
import { mapHotel } from './mapper.js';
import { hotelIdOf, hotelUpdatedAtOf, parseHotelPage, validateHotel } from './schema.js';

/** One hotel of a page: mapped, or quarantined with its reason and original bytes. */
export interface ProcessedHotel {
  id: string | null;
  at: string | null;
  result: { ok: true; record: SourceTarget } | { ok: false; reason: string; raw: Buffer };
}

/** A page after decoding, parsing, validating and mapping: all the CPU work of a page. */
export interface ProcessedPage {
  code: string;
  message: string;
  hotels: ProcessedHotel[];
}

/**
 * Decodes (GB18030), parses, validates and maps one response body. Pure: it does not depend on
 * the cursor, so it may run in a worker thread. Quarantined raw bytes are the element's own
 * GB18030 bytes. Throws what `parseHotelPage` throws (`MALFORMED_DOCUMENT`, `XML_DOCTYPE_REFUSED`,
 * `XML_LIMIT_EXCEEDED`).
 */
export function processHotelPage(body: Uint8Array): ProcessedPage {
  const text = decodeGb18030(body);
  const page = parseHotelPage(text);
  return {
    code: page.code,
    message: page.message,
    hotels: page.hotels.map(({ node, span }, i): ProcessedHotel => {
      const v = validateHotel(node, `Hotel[${i}]`);
      return {
        id: hotelIdOf(node),
        at: hotelUpdatedAtOf(node),
        result: v.ok
          ? { ok: true, record: mapHotel(v.value) }
          : {
              ok: false,
              reason: v.reason,
              raw: span
                ? encodeGb18030(text.slice(span.start, span.end))
                : Buffer.from(JSON.stringify(node), 'utf8'),
            },
      };
    }),
  };
}
