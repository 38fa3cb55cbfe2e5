/**
 * Pure core of the verifiable draw (双随机): canonical pool and parameter serialisation, key
 * derivation, the counter-mode SM3 stream, unbiased integers and stratified selection.
 *
 * Runs unchanged in Node and in a browser: no Node imports; the hash function is injected.
 * The normative description is docs/draw-algorithm.md; this file must agree with it byte for byte.
 */
import { TargetCategory } from '../targets/target-category.js';
import { PackedPoolTarget } from './packed-target.js';

/** A hash fed in pieces: `update` consumes its argument before returning (the caller reuses it). */
export interface IncrementalHash {
  update(data: Uint8Array): void;
  digest(): Uint8Array;
}

/**
 * SM3 (or any 32-byte hash) over a byte string. Must not retain or mutate its input.
 * `incremental`, when present, hashes the same bytes given in pieces: large pools are then hashed
 * chunk by chunk without ever holding their whole serialisation.
 */
export type HashFn = ((data: Uint8Array) => Uint8Array) & { readonly incremental?: () => IncrementalHash };

/** Version tag of this algorithm; also the domain-separation prefix of the key derivation. */
export const ALGORITHM_VERSION = 'shuangsui-draw/1';

/** Inspector status as the roster knows it; only ACTIVE inspectors can be assigned. */
export type InspectorStatus = 'ACTIVE' | 'ON_LEAVE' | 'RETIRED';

/** Statuses accepted in an inspector pool. */
export const INSPECTOR_STATUSES: readonly InspectorStatus[] = ['ACTIVE', 'ON_LEAVE', 'RETIRED'];

/**
 * One target of the pool: its stratum and the attributes that inspector assignment reads.
 * All of it is frozen (hashed) before the draw so nothing that influences the result can change
 * once the public entropy is known.
 */
export interface PoolTarget {
  /** Opaque target id, e.g. `T-350322-000123`. */
  id: string;
  /** Stratum key, e.g. `HOTEL|A|350322510000`; selection quotas are per stratum. */
  stratum: string;
  category: TargetCategory;
  /** Department (派出所) code responsible for the target. */
  departmentCode: string;
  /** Ids of persons related to the target (legal representative, manager, …); used for recusal. */
  relatedPersonIds: readonly string[];
  /** Inspector ids of the previous inspection team of this target; used for rotation. */
  lastTeam: readonly string[];
}

/** An inspector as the roster provides it (input of {@link freezeInspectorPool}). */
export interface Inspector {
  id: string;
  departmentCode: string;
  /** Department codes whose approved joint pool (联合检查人员库) this inspector belongs to. */
  poolDepartmentCodes: readonly string[];
  /** Law-enforcement certificate validity, inclusive, `YYYY-MM-DD`. */
  certificateValidFrom: string;
  certificateValidTo: string;
  status: InspectorStatus;
  qualifiedCategories: readonly TargetCategory[];
  /** Inspections already assigned to this inspector in the current period. */
  currentLoad: number;
}

/** A registered relationship requiring recusal (回避): to a target, to a person, or both. */
export interface Relationship {
  inspectorId: string;
  targetId?: string;
  personId?: string;
}

/** An inspector with its recusal relationships folded in: the canonical, published form. */
export interface PoolInspector extends Inspector {
  recusalTargetIds: readonly string[];
  recusalPersonIds: readonly string[];
}

/** Requested number of random picks in one stratum. */
export interface StratumQuota {
  stratum: string;
  quota: number;
}

/**
 * Parameters of one draw. Canonicalised by {@link canonicaliseParams} and hashed into the key.
 * Must-include ids are selected in addition to the stratum quota (they do not consume it).
 */
export interface DrawParams {
  /** Id of the inspection plan (抽查计划) this draw belongs to; binds the draw to the plan. */
  planId: string;
  /** `YYYY-MM-DD`; certificates must be valid on this date. */
  plannedDate: string;
  /** Random picks per stratum; strata not listed get 0. Each listed stratum must exist in the pool. */
  quotas: readonly StratumQuota[];
  /** Target ids that are always selected (e.g. complaint follow-ups); each must be in the pool. */
  mustInclude: readonly string[];
  /** Inspectors per target; at least 2. */
  teamSize: number;
  /** Maximum load per inspector: currentLoad + assignments in this draw ≤ workloadCap. */
  workloadCap: number;
}

/** Selection outcome of one stratum. Selected ids = `mustInclude` followed by `drawn`. */
export interface StratumResult {
  stratum: string;
  /** Number of pool targets in the stratum. */
  size: number;
  /** Requested quota (0 when the stratum has none). */
  quota: number;
  /** Must-include ids of this stratum, in UTF-8 byte order. */
  mustInclude: string[];
  /** Randomly drawn ids in draw order; length = min(quota, size − mustInclude.length). */
  drawn: string[];
}

/** Thrown when draw input is malformed; `field` names the offending value. */
export class DrawInputError extends Error {
  readonly code = 'DRAW_INVALID_INPUT';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'DrawInputError';
  }
}

const encoder = new TextEncoder();

/** UTF-8 bytes of a string. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Lower-case hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += (bytes[i] as number).toString(16).padStart(2, '0');
  return out;
}

/** Bytes of an even-length hex string; throws {@link DrawInputError} on anything else. */
export function fromHex(hex: string, field = 'hex'): Uint8Array {
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(hex)) throw new DrawInputError(field, `expected hex, got "${hex}"`);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function checkedHash(hash: HashFn, data: Uint8Array): Uint8Array {
  const digest = hash(data);
  if (digest.length !== 32) throw new Error(`hash function returned ${digest.length} bytes, expected 32`);
  return digest;
}

/**
 * Order of strings by their UTF-8 bytes (= Unicode code point order).
 * JavaScript's `<` compares UTF-16 code units, which differs for characters above U+FFFF versus
 * U+E000–U+FFFF; this comparator is the canonical order everywhere in the draw.
 */
export function compareUtf8(a: string, b: string): number {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x !== y) {
      if (x >= 0xd800 && y >= 0xd800) {
        // Surrogates (supplementary code points) must sort after U+E000–U+FFFF.
        x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
        y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
      }
      return x - y;
    }
  }
  return a.length - b.length;
}

// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const PLAIN_TEXT = /^[^\u0000-\u001f\u007f\ud800-\udfff]+$/;
// eslint-disable-next-line no-control-regex -- as above
const WELL_FORMED_TEXT = /^(?:[^\u0000-\u001f\u007f\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff])+$/;
const ABOVE_D7FF = /[\ud800-\uffff]/;

/** Non-empty, well-formed Unicode, no C0 control characters or DEL (TAB and LF are separators). */
function checkText(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new DrawInputError(field, `expected a string, got ${describe(value)}`);
  if (!PLAIN_TEXT.test(value) && !WELL_FORMED_TEXT.test(value)) {
    throw new DrawInputError(
      field,
      `expected non-empty text without control characters or lone surrogates, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function checkCount(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new DrawInputError(field, `expected a non-negative integer, got ${describe(value)}`);
  }
  return value;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Checks a calendar date `YYYY-MM-DD` (proleptic Gregorian). */
export function isValidDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] as number;
  return day <= days;
}

function checkDate(value: unknown, field: string): string {
  if (typeof value !== 'string' || !isValidDate(value)) {
    throw new DrawInputError(field, `expected a date YYYY-MM-DD, got ${describe(value)}`);
  }
  return value;
}

const CATEGORIES: ReadonlySet<string> = new Set(Object.values(TargetCategory));

function checkCategory(value: unknown, field: string): TargetCategory {
  if (typeof value !== 'string' || !CATEGORIES.has(value)) {
    throw new DrawInputError(field, `expected a target category code, got ${describe(value)}`);
  }
  return value as TargetCategory;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

/** Sorted (UTF-8 order), de-duplicated copy of a list of texts; returns the input when already canonical. */
function canonicalSet<T extends string>(values: unknown, field: string, check = checkText): readonly T[] {
  if (!Array.isArray(values)) throw new DrawInputError(field, `expected an array, got ${describe(values)}`);
  let canonical = true;
  for (let i = 0; i < values.length; i++) {
    check(values[i], `${field}[${i}]`);
    if (i > 0 && compareUtf8(values[i - 1] as string, values[i] as string) >= 0) canonical = false;
  }
  if (canonical) return values as T[];
  const sorted = (values as T[]).slice().sort(compareUtf8);
  return sorted.filter((v, i) => i === 0 || v !== sorted[i - 1]);
}

/** UTF-8 output built from many small strings, joined and encoded in batches of moderate size. */
class Utf8Writer {
  private readonly chunks: Uint8Array[] = [];
  private total = 0;
  private readonly pending: string[] = [];

  write(text: string): void {
    this.pending.push(text);
    if (this.pending.length >= 8192) this.flush();
  }

  bytes(): Uint8Array {
    this.flush();
    if (this.chunks.length === 1) return this.chunks[0] as Uint8Array;
    const out = new Uint8Array(this.total);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const chunk = encoder.encode(this.pending.join(''));
    this.pending.length = 0;
    this.chunks.push(chunk);
    this.total += chunk.length;
  }
}

function listField(values: readonly string[]): string {
  return values.length === 0 ? '0' : `${values.length}\t${values.join('\t')}`;
}

/**
 * A target pool in canonical order with its hash, ready for selection.
 * `targets` are sorted by id (UTF-8 byte order) with canonical (sorted, de-duplicated) lists.
 */
export interface FrozenTargetPool {
  readonly targets: readonly PoolTarget[];
  /** Distinct strata, UTF-8 byte order. */
  readonly strata: readonly string[];
  /** For each target (same index as `targets`), the index of its stratum in `strata`. */
  readonly stratumOf: Int32Array;
  /**
   * The canonical serialisation (docs/draw-algorithm.md §3.1). When the hash was fed incrementally it
   * is rebuilt on first read, so a draw that only needs the hash never holds it.
   */
  readonly canonical: Uint8Array;
  /** SM3 of `canonical`, lower-case hex. */
  readonly hash: string;
}

/** True for non-empty printable ASCII (U+0020–U+007E): valid text by {@link checkText}, one byte per unit. */
function isPrintableAscii(value: unknown): value is string {
  if (typeof value !== 'string' || value.length === 0) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

const TAB = 0x09;
const LF = 0x0a;
const SINK_CHUNK = 1 << 20;

/**
 * UTF-8 bytes written straight into 1 MiB chunks (no intermediate strings), each full chunk handed to
 * `emit`, which must consume it before returning (the chunk is reused).
 */
class ByteSink {
  private readonly buf = new Uint8Array(SINK_CHUNK);
  private pos = 0;

  constructor(private readonly emit: (bytes: Uint8Array) => void) {}

  /** Writes already-validated text. */
  text(value: string): void {
    const len = value.length;
    if (len * 3 > SINK_CHUNK - this.pos) {
      this.flush();
      if (len * 3 > SINK_CHUNK) {
        this.emit(encoder.encode(value));
        return;
      }
    }
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < len; i++) {
      const c = value.charCodeAt(i);
      if (c >= 0x80) {
        p = this.pos + encoder.encodeInto(value, buf.subarray(this.pos)).written;
        break;
      }
      buf[p++] = c;
    }
    this.pos = p;
  }

  bytes(value: Uint8Array): void {
    if (value.length > SINK_CHUNK - this.pos) {
      this.flush();
      if (value.length > SINK_CHUNK) {
        this.emit(value);
        return;
      }
    }
    this.buf.set(value, this.pos);
    this.pos += value.length;
  }

  byte(value: number): void {
    if (this.pos === SINK_CHUNK) this.flush();
    this.buf[this.pos++] = value;
  }

  /** Decimal digits of a non-negative safe integer. */
  count(value: number): void {
    if (value < 10) this.byte(0x30 + value);
    else this.text(String(value));
  }

  flush(): void {
    if (this.pos === 0) return;
    this.emit(this.buf.subarray(0, this.pos));
    this.pos = 0;
  }
}

/** Validates a related-person or last-team list and returns its canonical form (the input when already so). */
function canonicalList(values: readonly string[], field: string): readonly string[] {
  if (!Array.isArray(values)) return canonicalSet<string>(values, field);
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    // For printable ASCII, `<` is UTF-8 order; anything else takes the general path.
    if (!isPrintableAscii(value) || (i > 0 && !((values[i - 1] as string) < value))) {
      return canonicalSet<string>(values, field);
    }
  }
  return values;
}

/**
 * Number of items of a TAB-joined list (null or '' = none) when it is canonical as it stands —
 * non-empty printable-ASCII items in strictly ascending order — else −1.
 */
function canonicalJoinedCount(text: string | null): number {
  if (!text) return 0;
  let count = 1;
  let start = 0;
  let prevStart = -1;
  let prevEnd = -1;
  const len = text.length;
  for (let i = 0; i <= len; i++) {
    const c = i === len ? TAB : text.charCodeAt(i);
    if (c === TAB) {
      if (i === start) return -1;
      if (prevStart >= 0 && !(text.slice(prevStart, prevEnd) < text.slice(start, i))) return -1;
      prevStart = start;
      prevEnd = i;
      start = i + 1;
      if (i < len) count++;
    } else if (c < 0x20 || c > 0x7e) {
      return -1;
    }
  }
  return count;
}

function writeJoined(sink: ByteSink, count: number, text: string | null): void {
  sink.count(count);
  if (count > 0) {
    sink.byte(TAB);
    sink.text(text as string);
  }
}

function writeList(sink: ByteSink, values: readonly string[]): void {
  sink.count(values.length);
  for (let j = 0; j < values.length; j++) {
    sink.byte(TAB);
    sink.text(values[j] as string);
  }
}

/** The canonical lines of an already frozen (validated, ordered, canonical-list) pool. */
function serialiseTargets(targets: readonly PoolTarget[], sink: ByteSink): void {
  for (const t of targets) {
    sink.text(`${t.id}\t${t.stratum}\t${t.category}\t${t.departmentCode}\t`);
    writeList(sink, t.relatedPersonIds);
    sink.byte(TAB);
    writeList(sink, t.lastTeam);
    sink.byte(LF);
  }
  sink.flush();
}

/**
 * Streams the canonical serialisation of a frozen pool (the bytes its hash covers) in chunks of up
 * to 1 MiB; `emit` must consume each chunk before returning (the buffer is reused).
 */
export function writeCanonicalTargets(pool: FrozenTargetPool, emit: (bytes: Uint8Array) => void): void {
  serialiseTargets(pool.targets, new ByteSink(emit));
}

function collectBytes(write: (sink: ByteSink) => void): Uint8Array {
  const chunks: Uint8Array[] = [];
  write(new ByteSink((bytes) => chunks.push(bytes.slice())));
  return concatBytes(chunks);
}

/**
 * Validates, sorts and hashes a target pool.
 *
 * Line per target, in id order: `id TAB stratum TAB category TAB departmentCode TAB
 * <k> [TAB personId]×k TAB <m> [TAB inspectorId]×m LF`, UTF-8.
 * Input already in UTF-8 id order (e.g. `ORDER BY id COLLATE "C"`) skips the sort (checked in O(n)).
 * With `hash.incremental` the bytes go to the hash in 1 MiB chunks and `canonical` is built lazily.
 *
 * @throws DrawInputError on an empty pool, a duplicate id, a bad category or bad text.
 */
export function freezeTargetPool(targets: readonly PoolTarget[], hash: HashFn): FrozenTargetPool {
  if (!Array.isArray(targets) || targets.length === 0) {
    throw new DrawInputError('targetPool', 'expected at least one target');
  }
  const n = targets.length;
  let sorted = true;
  let needsCodePointOrder = false;
  for (let i = 0; i < n; i++) {
    const t = targets[i] as PoolTarget;
    if (typeof t !== 'object' || t === null)
      throw new DrawInputError(`targetPool[${i}]`, 'expected an object');
    const id = t.id;
    if (!isPrintableAscii(id)) {
      checkText(id, `targetPool[${i}].id`);
      if (!needsCodePointOrder && ABOVE_D7FF.test(id)) needsCodePointOrder = true;
    }
    if (i > 0 && sorted) {
      const prev = (targets[i - 1] as PoolTarget).id;
      if (!(prev < id)) sorted = false;
    }
  }
  let ordered: PoolTarget[];
  if (sorted && !needsCodePointOrder) {
    ordered = targets.slice();
  } else if (needsCodePointOrder) {
    ordered = targets.slice().sort((a, b) => compareUtf8(a.id, b.id));
  } else {
    // Without characters at or above U+D800, UTF-16 order equals UTF-8 order and `<` is ~3x faster.
    ordered = targets.slice().sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  const incremental = hash.incremental?.();
  const chunks: Uint8Array[] = [];
  const sink = new ByteSink(
    incremental ? (bytes) => incremental.update(bytes) : (bytes) => chunks.push(bytes.slice()),
  );

  // Category and department almost always follow from the stratum: validate and encode them once per stratum.
  const byStratum = new Map<
    string,
    { index: number; category: string; departmentCode: string; middle: Uint8Array }
  >();
  const firstSeen: string[] = [];
  const firstSeenIndex = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let t = ordered[i] as PoolTarget;
    if (i > 0 && (ordered[i - 1] as PoolTarget).id === t.id) {
      throw new DrawInputError('targetPool', `duplicate target id ${JSON.stringify(t.id)}`);
    }
    let info = byStratum.get(t.stratum);
    if (info === undefined) {
      checkText(t.stratum, `targetPool[id=${t.id}].stratum`);
      info = { index: firstSeen.length, category: '', departmentCode: '', middle: new Uint8Array(0) };
      byStratum.set(t.stratum, info);
      firstSeen.push(t.stratum);
    }
    let middle: Uint8Array;
    if (t.category === info.category && t.departmentCode === info.departmentCode) {
      middle = info.middle;
    } else {
      checkCategory(t.category, `targetPool[id=${t.id}].category`);
      checkText(t.departmentCode, `targetPool[id=${t.id}].departmentCode`);
      middle = utf8(`\t${t.stratum}\t${t.category}\t${t.departmentCode}\t`);
      if (info.category === '')
        Object.assign(info, { category: t.category, departmentCode: t.departmentCode, middle });
    }
    firstSeenIndex[i] = info.index;
    sink.text(t.id);
    sink.bytes(middle);
    if (t instanceof PackedPoolTarget) {
      // Its lists are TAB-joined text: when already canonical, that text IS the serialised list.
      const k = canonicalJoinedCount(t.personsText);
      const m = canonicalJoinedCount(t.lastTeamText);
      if (k >= 0 && m >= 0) {
        writeJoined(sink, k, t.personsText);
        sink.byte(TAB);
        writeJoined(sink, m, t.lastTeamText);
        sink.byte(LF);
        continue;
      }
    }
    // Read each list once: a target may compute it on every read (PackedPoolTarget).
    const relatedIn = t.relatedPersonIds;
    const lastTeamIn = t.lastTeam;
    const related = canonicalList(relatedIn, `targetPool[id=${t.id}].relatedPersonIds`);
    const lastTeam = canonicalList(lastTeamIn, `targetPool[id=${t.id}].lastTeam`);
    if (related !== relatedIn || lastTeam !== lastTeamIn) {
      // A plain copy (not a spread, which would drop accessor properties).
      t = {
        id: t.id,
        stratum: t.stratum,
        category: t.category,
        departmentCode: t.departmentCode,
        relatedPersonIds: related,
        lastTeam,
      };
      ordered[i] = t;
    }
    writeList(sink, related);
    sink.byte(TAB);
    writeList(sink, lastTeam);
    sink.byte(LF);
  }
  sink.flush();
  const strata = firstSeen.slice().sort(compareUtf8);
  const rank = new Int32Array(firstSeen.length);
  for (let s = 0; s < strata.length; s++)
    rank[(byStratum.get(strata[s] as string) as { index: number }).index] = s;
  const stratumOf = new Int32Array(n);
  for (let i = 0; i < n; i++) stratumOf[i] = rank[firstSeenIndex[i] as number] as number;

  if (incremental) {
    const digest = incremental.digest();
    if (digest.length !== 32) throw new Error(`hash function returned ${digest.length} bytes, expected 32`);
    let canonical: Uint8Array | undefined;
    return {
      targets: ordered,
      strata,
      stratumOf,
      hash: toHex(digest),
      get canonical(): Uint8Array {
        canonical ??= collectBytes((s) => serialiseTargets(ordered, s));
        return canonical;
      },
    };
  }
  const canonical = concatBytes(chunks);
  return { targets: ordered, strata, stratumOf, canonical, hash: toHex(checkedHash(hash, canonical)) };
}

/** An inspector pool in canonical order with its hash. */
export interface FrozenInspectorPool {
  readonly inspectors: readonly PoolInspector[];
  readonly canonical: Uint8Array;
  readonly hash: string;
}

/**
 * Folds recusal relationships into the inspectors, validates, sorts by id and hashes.
 *
 * Line per inspector, in id order: `id TAB departmentCode TAB status TAB certificateValidFrom TAB
 * certificateValidTo TAB currentLoad TAB <list poolDepartmentCodes> TAB <list qualifiedCategories>
 * TAB <list recusalTargetIds> TAB <list recusalPersonIds> LF`, where `<list>` is the count followed
 * by the sorted, de-duplicated items, TAB-separated.
 * Relationships naming an inspector outside the pool are ignored: they cannot affect the draw.
 * Inspectors that already carry `recusalTargetIds`/`recusalPersonIds` (a published record) keep them.
 *
 * @throws DrawInputError on an empty pool, a duplicate id, a relationship with neither a target
 * nor a person, or malformed attributes.
 */
export function freezeInspectorPool(
  inspectors: readonly (Inspector | PoolInspector)[],
  relationships: readonly Relationship[],
  hash: HashFn,
): FrozenInspectorPool {
  if (!Array.isArray(inspectors) || inspectors.length === 0) {
    throw new DrawInputError('inspectorPool', 'expected at least one inspector');
  }
  const byId = new Map<string, { targets: string[]; persons: string[] }>();
  inspectors.forEach((inspector, i) => {
    if (typeof inspector !== 'object' || inspector === null) {
      throw new DrawInputError(`inspectorPool[${i}]`, 'expected an object');
    }
    const id = checkText(inspector.id, `inspectorPool[${i}].id`);
    if (byId.has(id))
      throw new DrawInputError('inspectorPool', `duplicate inspector id ${JSON.stringify(id)}`);
    const folded = inspector as Partial<PoolInspector>;
    byId.set(id, {
      targets: folded.recusalTargetIds === undefined ? [] : [...folded.recusalTargetIds],
      persons: folded.recusalPersonIds === undefined ? [] : [...folded.recusalPersonIds],
    });
  });
  if (!Array.isArray(relationships)) {
    throw new DrawInputError('relationships', `expected an array, got ${describe(relationships)}`);
  }
  relationships.forEach((rel, i) => {
    const field = `relationships[${i}]`;
    checkText(rel?.inspectorId, `${field}.inspectorId`);
    if (rel.targetId === undefined && rel.personId === undefined) {
      throw new DrawInputError(field, 'expected a targetId or a personId');
    }
    const entry = byId.get(rel.inspectorId);
    if (rel.targetId !== undefined) {
      checkText(rel.targetId, `${field}.targetId`);
      entry?.targets.push(rel.targetId);
    }
    if (rel.personId !== undefined) {
      checkText(rel.personId, `${field}.personId`);
      entry?.persons.push(rel.personId);
    }
  });

  const pool: PoolInspector[] = inspectors.map((inspector) => {
    const field = `inspectorPool[id=${inspector.id}]`;
    checkText(inspector.departmentCode, `${field}.departmentCode`);
    if (!INSPECTOR_STATUSES.includes(inspector.status)) {
      throw new DrawInputError(
        `${field}.status`,
        `expected ACTIVE, ON_LEAVE or RETIRED, got ${describe(inspector.status)}`,
      );
    }
    checkDate(inspector.certificateValidFrom, `${field}.certificateValidFrom`);
    checkDate(inspector.certificateValidTo, `${field}.certificateValidTo`);
    checkCount(inspector.currentLoad, `${field}.currentLoad`);
    const recusal = byId.get(inspector.id) as { targets: string[]; persons: string[] };
    return {
      id: inspector.id,
      departmentCode: inspector.departmentCode,
      poolDepartmentCodes: canonicalSet<string>(
        inspector.poolDepartmentCodes,
        `${field}.poolDepartmentCodes`,
      ),
      certificateValidFrom: inspector.certificateValidFrom,
      certificateValidTo: inspector.certificateValidTo,
      status: inspector.status,
      qualifiedCategories: canonicalSet<TargetCategory>(
        inspector.qualifiedCategories,
        `${field}.qualifiedCategories`,
        checkCategory,
      ),
      currentLoad: inspector.currentLoad,
      recusalTargetIds: canonicalSet<string>(recusal.targets, `${field}.recusalTargetIds`),
      recusalPersonIds: canonicalSet<string>(recusal.persons, `${field}.recusalPersonIds`),
    };
  });
  pool.sort((a, b) => compareUtf8(a.id, b.id));
  const writer = new Utf8Writer();
  for (const p of pool) {
    writer.write(
      `${p.id}\t${p.departmentCode}\t${p.status}\t${p.certificateValidFrom}\t${p.certificateValidTo}\t${p.currentLoad}\t` +
        `${listField(p.poolDepartmentCodes)}\t${listField(p.qualifiedCategories)}\t` +
        `${listField(p.recusalTargetIds)}\t${listField(p.recusalPersonIds)}\n`,
    );
  }
  const canonical = writer.bytes();
  return { inspectors: pool, canonical, hash: toHex(checkedHash(hash, canonical)) };
}

/**
 * Validates params and returns them in canonical form: quotas sorted by stratum (UTF-8 order),
 * must-include ids sorted. Duplicates are refused rather than merged.
 *
 * @throws DrawInputError naming the field (e.g. `params.teamSize` when below 2).
 */
export function canonicaliseParams(params: DrawParams): DrawParams {
  if (typeof params !== 'object' || params === null) throw new DrawInputError('params', 'expected an object');
  checkText(params.planId, 'params.planId');
  checkDate(params.plannedDate, 'params.plannedDate');
  if (!Number.isSafeInteger(params.teamSize) || params.teamSize < 2) {
    throw new DrawInputError(
      'params.teamSize',
      `expected an integer of at least 2, got ${describe(params.teamSize)}`,
    );
  }
  checkCount(params.workloadCap, 'params.workloadCap');
  if (!Array.isArray(params.quotas)) throw new DrawInputError('params.quotas', 'expected an array');
  const quotas = params.quotas.map((q, i) => {
    if (typeof q !== 'object' || q === null)
      throw new DrawInputError(`params.quotas[${i}]`, 'expected an object');
    return {
      stratum: checkText(q.stratum, `params.quotas[${i}].stratum`),
      quota: checkCount(q.quota, `params.quotas[${i}].quota`),
    };
  });
  quotas.sort((a, b) => compareUtf8(a.stratum, b.stratum));
  for (let i = 1; i < quotas.length; i++) {
    if ((quotas[i] as StratumQuota).stratum === (quotas[i - 1] as StratumQuota).stratum) {
      throw new DrawInputError(
        'params.quotas',
        `stratum ${JSON.stringify((quotas[i] as StratumQuota).stratum)} listed twice`,
      );
    }
  }
  if (!Array.isArray(params.mustInclude)) throw new DrawInputError('params.mustInclude', 'expected an array');
  params.mustInclude.forEach((id, i) => checkText(id, `params.mustInclude[${i}]`));
  const mustInclude = params.mustInclude.slice().sort(compareUtf8);
  for (let i = 1; i < mustInclude.length; i++) {
    if (mustInclude[i] === mustInclude[i - 1]) {
      throw new DrawInputError('params.mustInclude', `id ${JSON.stringify(mustInclude[i])} listed twice`);
    }
  }
  return {
    planId: params.planId,
    plannedDate: params.plannedDate,
    quotas,
    mustInclude,
    teamSize: params.teamSize,
    workloadCap: params.workloadCap,
  };
}

/** JSON with object keys sorted (RFC 8785 for the strings and integers used here), no whitespace. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error(`canonical JSON holds integers only, got ${value}`);
    return String(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  throw new Error(`canonical JSON cannot hold ${typeof value}`);
}

/** Canonical params JSON (after {@link canonicaliseParams}) and its SM3 hex. */
export function hashParams(params: DrawParams, hash: HashFn): { canonical: string; hash: string } {
  const canonical = canonicalJson(canonicaliseParams(params));
  return { canonical, hash: toHex(checkedHash(hash, utf8(canonical))) };
}

/** The value published before the draw: SM3(seed), lower-case hex. Seed must be 32 bytes. */
export function commitSeed(seed: Uint8Array, hash: HashFn): string {
  if (!(seed instanceof Uint8Array) || seed.length !== 32) {
    throw new DrawInputError(
      'seed',
      `expected 32 bytes, got ${seed instanceof Uint8Array ? seed.length : describe(seed)}`,
    );
  }
  return toHex(checkedHash(hash, seed));
}

/** Hash inputs of the key; all hashes are 64-char lower-case hex. */
export interface KeyMaterial {
  seed: Uint8Array;
  /** Public entropy typed at draw time; `''` when none. */
  entropy: string;
  targetPoolHash: string;
  inspectorPoolHash: string;
  paramsHash: string;
}

/**
 * key = SM3( UTF-8("shuangsui-draw/1") ‖ 0x00 ‖ seed ‖ SM3(UTF-8(entropy)) ‖ targetPoolHash ‖
 * inspectorPoolHash ‖ paramsHash ), each hash as its 32 raw bytes (17+32×5 = 177 bytes in).
 */
export function deriveKey(material: KeyMaterial, hash: HashFn): Uint8Array {
  commitSeed(material.seed, hash);
  if (
    typeof material.entropy !== 'string' ||
    (material.entropy !== '' && !WELL_FORMED_TEXT.test(material.entropy))
  ) {
    throw new DrawInputError('entropy', 'expected text without control characters or lone surrogates');
  }
  const hashBytes = (hex: string, field: string): Uint8Array => {
    if (!/^[0-9a-f]{64}$/.test(hex))
      throw new DrawInputError(field, `expected 64 lower-case hex digits, got ${describe(hex)}`);
    return fromHex(hex, field);
  };
  return checkedHash(
    hash,
    concatBytes([
      utf8(`${ALGORITHM_VERSION}\u0000`),
      material.seed,
      checkedHash(hash, utf8(material.entropy)),
      hashBytes(material.targetPoolHash, 'targetPoolHash'),
      hashBytes(material.inspectorPoolHash, 'inspectorPoolHash'),
      hashBytes(material.paramsHash, 'paramsHash'),
    ]),
  );
}

/** Source of uniformly distributed 32-bit unsigned integers. */
export interface WordSource {
  nextWord(): number;
}

/** Label of the selection stream of one stratum: `"SELECT" 0x00 stratum`. */
export function selectionLabel(stratum: string): string {
  return `SELECT\u0000${stratum}`;
}

/** Label of the assignment stream of one target: `"ASSIGN" 0x00 targetId`. */
export function assignmentLabel(targetId: string): string {
  return `ASSIGN\u0000${targetId}`;
}

/**
 * Counter-mode stream: block_i = SM3(key ‖ UTF-8(label) ‖ uint64be(i)), i = 0, 1, …; each block
 * yields eight big-endian 32-bit words, consumed in order. Blocks are computed lazily.
 */
export class DrawStream implements WordSource {
  private readonly input: Uint8Array;
  private readonly counterView: DataView;
  private readonly hash: HashFn;
  private block: DataView | undefined;
  private wordIndex = 8;
  private counter = 0;

  constructor(key: Uint8Array, label: string, hash: HashFn) {
    if (key.length !== 32) throw new DrawInputError('key', `expected 32 bytes, got ${key.length}`);
    const labelBytes = utf8(label);
    this.input = new Uint8Array(32 + labelBytes.length + 8);
    this.input.set(key, 0);
    this.input.set(labelBytes, 32);
    this.counterView = new DataView(this.input.buffer, 32 + labelBytes.length, 8);
    this.hash = hash;
  }

  nextWord(): number {
    if (this.wordIndex === 8) {
      this.counterView.setUint32(0, Math.floor(this.counter / 0x100000000));
      this.counterView.setUint32(4, this.counter >>> 0);
      const digest = checkedHash(this.hash, this.input);
      this.block = new DataView(digest.buffer, digest.byteOffset, 32);
      this.counter++;
      this.wordIndex = 0;
    }
    return (this.block as DataView).getUint32(4 * this.wordIndex++);
  }
}

const TWO_32 = 0x100000000;

/**
 * Uniform integer in [0, n) by rejection: take words w until w < floor(2^32 / n)·n, return w mod n.
 * n = 1 returns 0 without consuming a word. No modulo bias.
 *
 * @throws RangeError unless 1 ≤ n ≤ 2^32 is an integer.
 */
export function uniformInt(source: WordSource, n: number): number {
  if (!Number.isInteger(n) || n < 1 || n > TWO_32)
    throw new RangeError(`uniformInt: n must be in [1, 2^32], got ${n}`);
  if (n === 1) return 0;
  const limit = Math.floor(TWO_32 / n) * n;
  for (;;) {
    const w = source.nextWord();
    if (w < limit) return w % n;
  }
}

/**
 * Partial Fisher–Yates in place over `items`: for j = 0…k−1, r = j + uniformInt(len − j),
 * swap items[j] and items[r]. Afterwards items[0…k−1] is the sample in draw order.
 */
export function partialShuffle(items: Int32Array | number[], k: number, source: WordSource): void {
  const len = items.length;
  if (k > len) throw new RangeError(`partialShuffle: cannot pick ${k} of ${len}`);
  for (let j = 0; j < k; j++) {
    const r = j + uniformInt(source, len - j);
    const tmp = items[j] as number;
    items[j] = items[r] as number;
    items[r] = tmp;
  }
}

/** Index of a target id in a frozen pool (binary search in UTF-8 order), or −1. */
export function indexOfTarget(pool: FrozenTargetPool, id: string): number {
  const { targets } = pool;
  let lo = 0;
  let hi = targets.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const c = compareUtf8((targets[mid] as PoolTarget).id, id);
    if (c === 0) return mid;
    if (c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/**
 * Stratified selection. Strata in UTF-8 order; in each, its must-include ids first (all selected,
 * not counted against the quota), then a partial Fisher–Yates over the remaining ids (in id order)
 * with the stream labelled {@link selectionLabel} picks min(quota, remaining) of them.
 *
 * @throws DrawInputError when a quota names a stratum absent from the pool or a must-include id
 * is not in the pool.
 */
export function selectTargets(
  pool: FrozenTargetPool,
  params: DrawParams,
  key: Uint8Array,
  hash: HashFn,
): StratumResult[] {
  const canonical = canonicaliseParams(params);
  const { targets, strata, stratumOf } = pool;
  const n = targets.length;
  const stratumPosition = new Map<string, number>();
  strata.forEach((s, i) => stratumPosition.set(s, i));
  const quotas = new Int32Array(strata.length);
  canonical.quotas.forEach((q, i) => {
    const s = stratumPosition.get(q.stratum);
    if (s === undefined) {
      throw new DrawInputError(
        `params.quotas[${i}].stratum`,
        `no target of the pool is in stratum ${JSON.stringify(q.stratum)}`,
      );
    }
    quotas[s] = q.quota;
  });
  const forced = new Uint8Array(n);
  const forcedCount = new Int32Array(strata.length);
  canonical.mustInclude.forEach((id, i) => {
    const index = indexOfTarget(pool, id);
    if (index < 0)
      throw new DrawInputError(`params.mustInclude[${i}]`, `target ${JSON.stringify(id)} is not in the pool`);
    forced[index] = 1;
    forcedCount[stratumOf[index] as number]++;
  });

  const start = new Int32Array(strata.length + 1);
  for (let i = 0; i < n; i++) start[(stratumOf[i] as number) + 1]++;
  for (let s = 0; s < strata.length; s++) start[s + 1] = (start[s + 1] as number) + (start[s] as number);
  const remainingStart = new Int32Array(strata.length);
  const forcedStart = new Int32Array(strata.length);
  for (let s = 0; s < strata.length; s++) {
    forcedStart[s] = start[s] as number;
    remainingStart[s] = (start[s] as number) + (forcedCount[s] as number);
  }
  // Per stratum: its must-include indices, then its remaining indices, each in id order.
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const s = stratumOf[i] as number;
    if (forced[i] === 1) order[forcedStart[s]++] = i;
    else order[remainingStart[s]++] = i;
  }

  const results: StratumResult[] = [];
  for (let s = 0; s < strata.length; s++) {
    const from = start[s] as number;
    const to = start[s + 1] as number;
    const mustCount = forcedCount[s] as number;
    const remaining = order.subarray(from + mustCount, to);
    const k = Math.min(quotas[s] as number, remaining.length);
    const stratum = strata[s] as string;
    partialShuffle(remaining, k, new DrawStream(key, selectionLabel(stratum), hash));
    const mustInclude: string[] = [];
    for (let i = from; i < from + mustCount; i++)
      mustInclude.push((targets[order[i] as number] as PoolTarget).id);
    const drawn: string[] = [];
    for (let j = 0; j < k; j++) drawn.push((targets[remaining[j] as number] as PoolTarget).id);
    results.push({ stratum, size: to - from, quota: quotas[s] as number, mustInclude, drawn });
  }
  return results;
}
