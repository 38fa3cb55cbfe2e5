import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RecordRandom, fakeIdNumber, fakeName, fakePhone } from '../source-kit/sim-random.js';
import { delay, send, sendJson, startSimServer, type RunningServer } from '../source-kit/sim-server.js';
import { OrderedSimStore, compareKeys, type OrderedKey } from '../source-kit/sim-store.js';
import { formatShanghai, toEpochMs } from '../source-kit/time.js';

/** A venue as the simulated system serves it (the contract's JSON shape; extra fields allowed). */
export interface VenueSimRecord {
  venueCode: string;
  modifiedAt: string;
  name?: string | null;
  uscc?: string | null;
  category?: string | null;
  securityGrade?: 'A' | 'B' | 'C' | null;
  businessStatus?: 'OPEN' | 'SUSPENDED' | 'CLOSED' | null;
  address?: string | null;
  jurisdiction?: { code: string | null; name: string | null } | null;
  legalRep?: {
    name: string | null;
    idType: string | null;
    idNumber: string | null;
    phone: string | null;
  } | null;
  manager?: {
    name: string | null;
    idType: string | null;
    idNumber: string | null;
    phone: string | null;
  } | null;
  approvedCapacity?: number | null;
  privateRooms?: number | null;
  areaM2?: number | null;
  cultureLicenseNo?: string | null;
  filingNo?: string | null;
  openedOn?: string | null;
  complaints90d?: number | null;
  incidents?: { date: string; kind: string; caseNo?: string | null }[] | null;
  [extra: string]: unknown;
}

/** Faults the entertainment simulator can inject; counters decrement per request. */
export interface EntertainmentSimFaults {
  latencyMs?: number;
  /** The next N venue requests answer 503. */
  http5xx?: number;
  /** The next N venue requests answer 429 with `Retry-After: retryAfterSec` (default 1). */
  rateLimit?: number;
  retryAfterSec?: number;
  /** The next N venue requests answer 401 invalid_token (their token is revoked, as on expiry). */
  tokenExpiry?: number;
  /** The next N requests that carry a cursor answer 400 bad_cursor. */
  badCursor?: number;
  /** The next N venue bodies are cut short. */
  truncate?: number;
  /** Every k-th venue of a page is malformed (`venueCode` kept, `approvedCapacity` a string, `openedOn` bad). */
  malformedEvery?: number;
  duplicates?: boolean;
  outOfOrder?: boolean;
}

/** Options of `startEntertainmentSimulator`. */
export interface EntertainmentSimOptions {
  port?: number;
  clientId: string;
  clientSecret: string;
  records?: VenueSimRecord[];
  generate?: { count: number; seed: string | number };
  /** Token lifetime, default 600 s. */
  tokenTtlSec?: number;
  /** Requests per second before 429 (contract: 5). */
  rateLimitPerSecond?: number;
  now?: () => number;
}

/** A running entertainment simulator. */
export interface EntertainmentSimulator extends RunningServer {
  setFaults(faults: EntertainmentSimFaults): void;
  clearFaults(): void;
  /** Changes a venue and bumps its `modifiedAt` past every existing one. */
  update(venueCode: string, patch: Partial<Omit<VenueSimRecord, 'venueCode' | 'modifiedAt'>>): VenueSimRecord;
  upsert(record: VenueSimRecord): void;
  get(venueCode: string): VenueSimRecord | undefined;
  /** Revokes every issued token, as if they had all expired. */
  expireTokens(): void;
  readonly requests: number;
  readonly tokensIssued: number;
}

const GENERATED_BASE = Date.parse('2026-02-01T00:00:00.000+08:00');
const STEP_MS = 1001;
const CATEGORIES = ['KTV', 'DANCE_HALL', 'ARCADE', 'PERFORMANCE_BAR', 'OTHER'];
const STATIONS: [string, string][] = [
  ['350322510000', '鲤城派出所'],
  ['350322520000', '鲤南派出所'],
  ['350322550000', '度尾派出所'],
];

/** Code of generated venue i (`350322E00017` style). */
export function generatedVenueCode(index: number): string {
  return `350322E${String(index).padStart(5, '0')}`;
}

function indexOfVenueCode(code: string): number | null {
  const m = /^350322E(\d{5,})$/.exec(code);
  if (!m) return null;
  const i = Number(m[1]);
  return generatedVenueCode(i) === code ? i : null;
}

/**
 * Generated venue `index` of `seed`: deterministic. Some venues are ungraded (`null`), some have
 * null or missing objects, and some carry unknown extra fields, as the contract warns.
 */
export function generateEntertainmentSourceRecord(index: number, seed: string | number): VenueSimRecord {
  const r = new RecordRandom(`ent:${seed}`, index);
  const [code, stationName] = r.pick(STATIONS);
  const v: VenueSimRecord = {
    venueCode: generatedVenueCode(index),
    name: `仙游县${r.pick(['星光', '金色年华', '欢乐谷', '蓝调', '𠀀乐'])}${r.pick(['KTV', '歌舞厅', '电玩城', '酒吧'])}${index}店`,
    uscc: index % 7 === 3 ? null : `91350322MA${r.digits(7)}${r.pick(['X', 'K', '2'])}`,
    category: r.pick(CATEGORIES),
    securityGrade: index % 6 === 0 ? null : r.pick(['A', 'B', 'C'] as const),
    businessStatus: r.chance(0.85) ? 'OPEN' : r.pick(['SUSPENDED', 'CLOSED'] as const),
    address: `仙游县鲤城街道解放路 ${r.int(1, 200)} 号`,
    jurisdiction: index % 10 === 9 ? null : { code, name: stationName },
    legalRep: { name: fakeName(r), idType: '111', idNumber: fakeIdNumber(r), phone: fakePhone(r) },
    manager:
      index % 4 === 1 ? null : { name: fakeName(r), idType: '111', idNumber: fakeIdNumber(r), phone: null },
    approvedCapacity: r.int(20, 500),
    privateRooms: r.int(0, 40),
    areaM2: r.int(100, 2000) + r.int(0, 9) / 10,
    cultureLicenseNo: `3503221${r.digits(8)}`,
    filingNo: `仙公娱备〔${2015 + (index % 10)}〕${index}号`,
    openedOn: `20${10 + (index % 15)}-0${1 + (index % 9)}-1${index % 10}`,
    complaints90d: r.int(0, 6),
    incidents: r.chance(0.2)
      ? [{ date: '2026-09-14', kind: 'FIGHT', caseNo: `A350322510000${r.digits(10)}` }]
      : [],
    modifiedAt: formatShanghai(GENERATED_BASE + index * STEP_MS, { millis: true }),
  };
  if (index % 8 === 5) {
    delete v.incidents;
    v.x_riskTags = ['NIGHT'];
    v.inspectionPlan = { year: 2026 };
  }
  return v;
}

/** Lazily yields `count` generated venues. */
export function* generateEntertainmentSourceRecords(
  count: number,
  seed: string | number,
): Generator<VenueSimRecord> {
  for (let i = 0; i < count; i++) yield generateEntertainmentSourceRecord(i, seed);
}

function encodeCursor(k: OrderedKey, modifiedAt: string): string {
  return Buffer.from(JSON.stringify({ m: modifiedAt, v: k.id }), 'utf8').toString('base64');
}

function decodeCursor(c: string): OrderedKey | null {
  try {
    const o = JSON.parse(Buffer.from(c, 'base64').toString('utf8')) as { m?: unknown; v?: unknown };
    const at = typeof o.m === 'string' ? toEpochMs(o.m) : null;
    return at !== null && typeof o.v === 'string' ? { at, id: o.v } : null;
  } catch {
    return null;
  }
}

/**
 * Starts a simulator of the entertainment system following `entertainment-system.md`: OAuth2
 * client credentials with expiring tokens, cursor paging ordered by (modifiedAt, venueCode),
 * exclusive `modifiedAfter`, limit 1–200, a 5 requests/s rate limit answering 429 with
 * `Retry-After`, 400 `bad_cursor`, and runtime-switchable faults.
 */
export async function startEntertainmentSimulator(
  opts: EntertainmentSimOptions,
): Promise<EntertainmentSimulator> {
  const seed = opts.generate?.seed ?? 0;
  const store = new OrderedSimStore<VenueSimRecord>({
    generatedCount: opts.generate?.count ?? 0,
    baseAt: GENERATED_BASE,
    stepMs: STEP_MS,
    generatedId: generatedVenueCode,
    indexOfId: indexOfVenueCode,
    generate: (i) => generateEntertainmentSourceRecord(i, seed),
    keyOf: (v) => ({ at: toEpochMs(v.modifiedAt) ?? 0, id: v.venueCode }),
  });
  for (const v of opts.records ?? []) store.put(v);
  const now = opts.now ?? Date.now;
  const ttl = opts.tokenTtlSec ?? 600;
  const perSecond = opts.rateLimitPerSecond ?? 5;
  const tokens = new Map<string, number>();
  const window: number[] = [];
  let faults: EntertainmentSimFaults = {};
  let requests = 0;
  let tokensIssued = 0;
  let lastStamp = Number.NEGATIVE_INFINITY;

  const take = (k: 'http5xx' | 'rateLimit' | 'tokenExpiry' | 'badCursor' | 'truncate'): boolean => {
    const n = faults[k] ?? 0;
    if (n <= 0) return false;
    faults = { ...faults, [k]: n - 1 };
    return true;
  };
  const stamp = (): string => {
    lastStamp = Math.max(now(), lastStamp + 1, store.maxAt() + 1);
    return formatShanghai(lastStamp, { millis: true });
  };

  const token = (req: IncomingMessage, res: ServerResponse, body: Buffer): void => {
    const form = new URLSearchParams(body.toString('utf8'));
    if (form.get('grant_type') !== 'client_credentials') {
      sendJson(res, 400, { error: 'unsupported_grant_type' });
      return;
    }
    if (form.get('client_id') !== opts.clientId || form.get('client_secret') !== opts.clientSecret) {
      sendJson(res, 401, { error: 'invalid_client' });
      return;
    }
    const value = randomBytes(24).toString('base64url');
    tokens.set(value, now() + ttl * 1000);
    tokensIssued++;
    sendJson(res, 200, { access_token: value, token_type: 'Bearer', expires_in: ttl });
  };

  const venues = (req: IncomingMessage, res: ServerResponse, url: URL): void => {
    const t = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const exp = t === undefined ? undefined : tokens.get(t);
    if (t === undefined || exp === undefined || exp <= now()) {
      sendJson(res, 401, { error: 'invalid_token' });
      return;
    }
    if (take('tokenExpiry')) {
      tokens.delete(t);
      sendJson(res, 401, { error: 'invalid_token' });
      return;
    }
    const limitRaw = url.searchParams.get('limit') ?? '100';
    const afterRaw = url.searchParams.get('modifiedAfter');
    const cursorRaw = url.searchParams.get('cursor');
    const afterMs = afterRaw === null ? Number.NEGATIVE_INFINITY : toEpochMs(afterRaw);
    if (!/^\d{1,3}$/.test(limitRaw) || Number(limitRaw) < 1 || Number(limitRaw) > 200 || afterMs === null) {
      sendJson(res, 400, { error: 'invalid_request' });
      return;
    }
    let lower: OrderedKey = { at: afterMs, id: '\uffff' };
    if (cursorRaw !== null) {
      const k = decodeCursor(cursorRaw);
      if (k === null || take('badCursor')) {
        sendJson(res, 400, { error: 'bad_cursor' });
        return;
      }
      if (compareKeys(k, lower) > 0) lower = k;
    }
    const limit = Number(limitRaw);
    const page: VenueSimRecord[] = [];
    let more = false;
    for (const v of store.iterateAfter(lower, false)) {
      if (page.length === limit) {
        more = true;
        break;
      }
      page.push(v);
    }
    const last = page[page.length - 1];
    const nextCursor =
      more && last
        ? encodeCursor({ at: toEpochMs(last.modifiedAt) ?? 0, id: last.venueCode }, last.modifiedAt)
        : null;
    let data: unknown[] = page.map((v, k) =>
      faults.malformedEvery && (k + 1) % faults.malformedEvery === 0
        ? { ...v, approvedCapacity: '三百', openedOn: '2019/05/01' }
        : v,
    );
    if (faults.duplicates && data.length > 0) data = [...data, data[0]];
    if (faults.outOfOrder) data = [...data].reverse();
    const bytes = Buffer.from(JSON.stringify({ data, nextCursor }), 'utf8');
    if (take('truncate')) {
      send(res, 200, 'application/json; charset=utf-8', bytes.subarray(0, Math.floor(bytes.length / 2)));
      return;
    }
    send(res, 200, 'application/json; charset=utf-8', bytes);
  };

  const handler = async (req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> => {
    requests++;
    if (faults.latencyMs) await delay(faults.latencyMs);
    const url = new URL(req.url ?? '/', 'http://sim');
    const t = now();
    while (window.length > 0 && (window[0] as number) <= t - 1000) window.shift();
    window.push(t);
    const isVenues = req.method === 'GET' && url.pathname === '/api/v2/venues';
    if (window.length > perSecond || (isVenues && take('rateLimit'))) {
      sendJson(res, 429, { error: 'rate_limited' }, { 'Retry-After': String(faults.retryAfterSec ?? 1) });
      return;
    }
    if (req.method === 'POST' && url.pathname === '/oauth/token') return token(req, res, body);
    if (!isVenues) return sendJson(res, 404, { error: 'not_found' });
    if (take('http5xx')) return sendJson(res, 503, { error: 'unavailable' });
    venues(req, res, url);
  };

  const server = await startSimServer(opts.port ?? 0, handler);
  return {
    ...server,
    setFaults(f) {
      faults = { ...faults, ...f };
    },
    clearFaults() {
      faults = {};
    },
    update(venueCode, patch) {
      const current = store.get(venueCode);
      if (!current) throw new Error(`entertainment simulator: no venue ${venueCode}`);
      const next: VenueSimRecord = { ...current, ...patch, venueCode, modifiedAt: stamp() };
      store.put(next);
      return next;
    },
    upsert(record) {
      store.put(record.modifiedAt ? record : { ...record, modifiedAt: stamp() });
    },
    get: (code) => store.get(code),
    expireTokens() {
      tokens.clear();
    },
    get requests() {
      return requests;
    },
    get tokensIssued() {
      return tokensIssued;
    },
  };
}
