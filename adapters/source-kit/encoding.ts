import iconv from 'iconv-lite';

const gb18030Decoder = new TextDecoder('gb18030');

/**
 * Decodes GB18030 bytes (a superset of GBK, including 4-byte sequences such as U+20000 𠀀)
 * and drops a leading byte-order mark (GB18030 `84 31 95 33`, or a stray UTF-8 `EF BB BF`).
 */
export function decodeGb18030(bytes: Uint8Array): string {
  let start = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3;
  const text = gb18030Decoder.decode(start === 0 ? bytes : bytes.subarray(start));
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Encodes text as GB18030 bytes (Node's TextEncoder only writes UTF-8). */
export function encodeGb18030(text: string): Buffer {
  return iconv.encode(text, 'gb18030');
}

/** Decodes UTF-8 JSON bytes, dropping a BOM. */
export function decodeUtf8(bytes: Uint8Array): string {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
