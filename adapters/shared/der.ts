/**
 * Minimal strict DER reader and writer: just what SM2 keys (PKCS#8, SEC1, SubjectPublicKeyInfo) and
 * GM/T 0009 signatures (`SEQUENCE { r INTEGER, s INTEGER }`) need. Every reader throws a plain `Error`
 * on anything that is not canonical DER; callers turn that into their own coded error.
 */

/** One decoded TLV: tag byte, the content bytes, and where the whole element ends in its input. */
export interface DerElement {
  readonly tag: number;
  readonly content: Uint8Array;
  readonly end: number;
}

export const DER_TAG = {
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  OID: 0x06,
  SEQUENCE: 0x30,
  CONTEXT_0: 0xa0,
  CONTEXT_1: 0xa1,
} as const;

/** Reads one element starting at `offset`; refuses indefinite, non-minimal or overlong lengths. */
export function readDer(input: Uint8Array, offset = 0): DerElement {
  if (offset + 2 > input.length) throw new Error('DER: truncated header');
  const tag = input[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new Error('DER: multi-byte tags unsupported');
  let length = input[offset + 1]!;
  let pos = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 3) throw new Error('DER: bad length');
    if (pos + count > input.length) throw new Error('DER: truncated length');
    length = 0;
    for (let i = 0; i < count; i++) length = (length << 8) | input[pos + i]!;
    if (length < 0x80 || input[pos] === 0) throw new Error('DER: non-minimal length');
    pos += count;
  }
  const end = pos + length;
  if (end > input.length) throw new Error('DER: truncated content');
  return { tag, content: input.subarray(pos, end), end };
}

/** Reads an element and checks its tag. */
export function expectDer(input: Uint8Array, offset: number, tag: number): DerElement {
  const el = readDer(input, offset);
  if (el.tag !== tag)
    throw new Error(`DER: expected tag 0x${tag.toString(16)}, got 0x${el.tag.toString(16)}`);
  return el;
}

/** Splits the content of a constructed element into its children; the children must fill it exactly. */
export function derChildren(content: Uint8Array): DerElement[] {
  const out: DerElement[] = [];
  let pos = 0;
  while (pos < content.length) {
    const el = readDer(content, pos);
    out.push(el);
    pos = el.end;
  }
  return out;
}

/** Decodes a DER INTEGER that must be positive and minimally encoded. */
export function derPositiveInteger(content: Uint8Array): bigint {
  if (content.length === 0) throw new Error('DER: empty INTEGER');
  if (content[0]! & 0x80) throw new Error('DER: negative INTEGER');
  if (content.length > 1 && content[0] === 0 && !(content[1]! & 0x80))
    throw new Error('DER: non-minimal INTEGER');
  let v = 0n;
  for (const b of content) v = (v << 8n) | BigInt(b);
  return v;
}

/** Decodes an OBJECT IDENTIFIER to dotted form. */
export function derOid(content: Uint8Array): string {
  if (content.length === 0) throw new Error('DER: empty OID');
  const parts: number[] = [];
  let v = 0;
  for (const b of content) {
    v = v * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      parts.push(v);
      v = 0;
    }
  }
  const first = parts.shift()!;
  const a = first < 80 ? Math.floor(first / 40) : 2;
  return [a, first - a * 40, ...parts].join('.');
}

/** Encodes one TLV. */
export function derEncode(tag: number, content: Uint8Array): Uint8Array {
  const len = content.length;
  let header: number[];
  if (len < 0x80) header = [tag, len];
  else if (len < 0x100) header = [tag, 0x81, len];
  else if (len < 0x10000) header = [tag, 0x82, len >> 8, len & 0xff];
  else throw new Error('DER: element too long');
  const out = new Uint8Array(header.length + len);
  out.set(header, 0);
  out.set(content, header.length);
  return out;
}

/** Concatenates byte arrays. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

/** Encodes a non-negative bigint as a DER INTEGER. */
export function derInteger(v: bigint): Uint8Array {
  let hex = v.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let bytes = hexToBytes(hex);
  if (bytes[0]! & 0x80) bytes = concatBytes(new Uint8Array([0]), bytes);
  return derEncode(DER_TAG.INTEGER, bytes);
}

/** Encodes a dotted OID. */
export function derOidEncode(oid: string): Uint8Array {
  const nums = oid.split('.').map(Number);
  const body: number[] = [];
  const arcs = [nums[0]! * 40 + nums[1]!, ...nums.slice(2)];
  for (const arc of arcs) {
    const chunk: number[] = [arc & 0x7f];
    let rest = Math.floor(arc / 128);
    while (rest > 0) {
      chunk.unshift((rest & 0x7f) | 0x80);
      rest = Math.floor(rest / 128);
    }
    body.push(...chunk);
  }
  return derEncode(DER_TAG.OID, new Uint8Array(body));
}

/** Lower-case hex of bytes. */
export function bytesToHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Bytes of an even-length hex string. */
export function hexToBytes(hex: string): Uint8Array {
  if (hex.length % 2 || !/^[0-9a-fA-F]*$/.test(hex)) throw new Error('hex: malformed');
  return new Uint8Array(Buffer.from(hex, 'hex'));
}
