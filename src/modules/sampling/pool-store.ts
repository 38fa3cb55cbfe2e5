import { createGunzip, gzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import {
  writeCanonicalTargets,
  type FrozenInspectorPool,
  type FrozenTargetPool,
  type PoolInspector,
  type PoolTarget,
} from '../draw/algorithm.js';
import { PackedPoolTarget } from '../draw/packed-target.js';
import type { TargetCategory } from '../targets/target-category.js';

/** The pools of a draw attempt as stored (`sampling_draw.pools_gz`). */
export interface StoredPools {
  targetPool: PoolTarget[];
  inspectorPool: PoolInspector[];
}

/** First line of the current storage format; older rows hold one JSON document instead. */
const HEADER = 'shuangsui-pools/2\n';
const LF = 0x0a;
const TAB = 0x09;

/**
 * Gzipped storage of a frozen attempt's pools without ever building them as one string: the header
 * line, the target pool's canonical serialisation (docs/draw-algorithm.md §3.1, streamed in 1 MiB
 * gzip members), then one line of inspector-pool JSON. Concatenated gzip members are one valid gzip
 * stream. Example: `decodePools(encodePools(t, i))` gives the same pools (hashes equal).
 */
export function encodePools(targets: FrozenTargetPool, inspectors: FrozenInspectorPool): Buffer {
  const members: Buffer[] = [gzipSync(HEADER, { level: 1 })];
  writeCanonicalTargets(targets, (bytes) => members.push(gzipSync(bytes, { level: 1 })));
  members.push(gzipSync(JSON.stringify(inspectors.inspectors), { level: 1 }));
  return Buffer.concat(members);
}

function intern(map: Map<string, string>, value: string): string {
  const known = map.get(value);
  if (known !== undefined) return known;
  map.set(value, value);
  return value;
}

/** Parses one canonical target line `buf[pos, end)` (end = index of its LF) into a packed target. */
function parseTargetLine(
  buf: Buffer,
  pos: number,
  end: number,
  shared: Map<string, string>,
  at: number,
): PackedPoolTarget {
  const fail = (): never => {
    throw new Error(`stored draw pools: malformed target line at byte ${at}`);
  };
  const fields: number[] = [];
  for (let p = pos, k = 0; k < 4; k++) {
    const tab = buf.indexOf(TAB, p);
    if (tab < 0 || tab > end) fail();
    fields.push(tab);
    p = tab + 1;
  }
  const [t1, t2, t3, t4] = fields as [number, number, number, number];
  const lists: (string | null)[] = [];
  let p = t4 + 1;
  for (let l = 0; l < 2; l++) {
    let q = p;
    while (q < end && buf[q] !== TAB) q++;
    const count = Number(buf.toString('latin1', p, q));
    if (q === p || !Number.isSafeInteger(count) || count < 0) fail();
    if (count === 0) {
      lists.push(null);
      p = q + 1;
      continue;
    }
    let r = q + 1;
    for (let n = 0; n < count; n++) {
      const tab = buf.indexOf(TAB, r);
      r = tab < 0 || tab > end ? end : tab;
      if (n < count - 1) r++;
    }
    lists.push(buf.toString('utf8', q + 1, r));
    p = r + 1;
  }
  if (p - 1 !== end) fail();
  return new PackedPoolTarget(
    buf.toString('utf8', pos, t1),
    intern(shared, buf.toString('utf8', t1 + 1, t2)),
    intern(shared, buf.toString('utf8', t2 + 1, t3)) as TargetCategory,
    intern(shared, buf.toString('utf8', t3 + 1, t4)),
    lists[0] ?? null,
    lists[1] ?? null,
  );
}

/**
 * Reads stored pools back: targets as {@link PackedPoolTarget}s parsed straight from the canonical
 * lines (strata, categories and departments shared), inspectors from their JSON. The bytes are
 * inflated as a stream and parsed line by line, so the uncompressed pool (≈150 MB for a city) is
 * never held whole. Rows written before this format (one JSON document `{targetPool,
 * inspectorPool}`) are read as they were.
 * @throws Error when the stored bytes are neither format.
 */
export async function decodePools(gz: Buffer): Promise<StoredPools> {
  const shared = new Map<string, string>();
  const targetPool: PoolTarget[] = [];
  const rest: Buffer[] = [];
  let carry: Buffer = Buffer.alloc(0);
  let consumed = 0;
  let state: 'header' | 'targets' | 'inspectors' | 'legacy' = 'header';
  for await (const chunk of Readable.from([gz]).pipe(createGunzip({ chunkSize: 1 << 20 }))) {
    const buf = carry.length ? Buffer.concat([carry, chunk as Buffer]) : (chunk as Buffer);
    let pos = 0;
    if (state === 'header') {
      if (buf.length === 0) continue;
      if (buf[0] === 0x7b) state = 'legacy';
      else if (buf.length < HEADER.length) {
        carry = buf;
        continue;
      } else if (buf.toString('latin1', 0, HEADER.length) !== HEADER) {
        throw new Error('stored draw pools: unknown format');
      } else {
        state = 'targets';
        pos = HEADER.length;
      }
    }
    if (state === 'targets') {
      // Target lines end where the inspector JSON (a `[` line) begins.
      while (pos < buf.length && buf[pos] !== 0x5b) {
        const end = buf.indexOf(LF, pos);
        if (end < 0) break;
        targetPool.push(parseTargetLine(buf, pos, end, shared, consumed + pos));
        pos = end + 1;
      }
      if (pos < buf.length && buf[pos] === 0x5b) state = 'inspectors';
    }
    if (state === 'inspectors' || state === 'legacy') {
      rest.push(buf.subarray(pos));
      carry = Buffer.alloc(0);
    } else {
      carry = Buffer.from(buf.subarray(pos));
    }
    consumed += pos;
  }
  if (state === 'legacy') return JSON.parse(Buffer.concat(rest).toString('utf8')) as StoredPools;
  if (state === 'header') throw new Error('stored draw pools: unknown format');
  if (state === 'targets') {
    throw new Error(`stored draw pools: malformed target line at byte ${consumed}`);
  }
  const inspectorPool = JSON.parse(Buffer.concat(rest).toString('utf8')) as PoolInspector[];
  return { targetPool, inspectorPool };
}
