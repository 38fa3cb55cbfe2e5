import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RecordRandom, fakeIdNumber, fakeName } from '../source-kit/sim-random.js';
import { delay, send, sendJson, startSimServer, type RunningServer } from '../source-kit/sim-server.js';
import { formatShanghai } from '../source-kit/time.js';

/** SITE payload as the simulated system sends it. */
export interface CafeSiteSimRecord {
  siteCode: string;
  name: string;
  uscc: string | null;
  cultureLicenseNo: string | null;
  terminals: number;
  address: string;
  policeStation: { code: string; name: string };
  legalRep: { name: string; idType: string; idNumber: string } | null;
  abnormalListed: boolean;
  complaints90d: number;
  auditGapHours30d: number;
  violations: { date: string; type: string; decisionNo?: string; fineYuan?: number }[];
  status: 'OPEN' | 'SUSPENDED' | 'REVOKED';
}

/** STAFF payload. */
export interface CafeStaffSimRecord {
  siteCode: string;
  idNumber: string;
  name: string;
  role: 'LEGAL_REP' | 'MANAGER' | 'CASHIER' | 'SECURITY' | 'OTHER';
  since: string;
}

/** One entry of the change feed. */
export interface CafeChange {
  seq: number;
  op: 'UPSERT' | 'DELETE';
  entity: 'SITE' | 'STAFF';
  at: string;
  data: Record<string, unknown>;
}

/** Faults the internet-café simulator can inject. */
export interface InternetCafeSimFaults {
  latencyMs?: number;
  /** The next N requests answer 503. */
  http5xx?: number;
  /** The next N bodies are cut short. */
  truncate?: number;
  /** Expire the whole log now: any `afterSeq` below the current last seq answers 410 SEQ_EXPIRED. */
  seqExpired?: boolean;
  /** Every k-th change of a page is malformed (bad `terminals` / `since`). */
  malformedEvery?: number;
  duplicates?: boolean;
  outOfOrder?: boolean;
}

/** Options of `startInternetCafeSimulator`. */
export interface InternetCafeSimOptions {
  port?: number;
  appId: string;
  secret: string;
  /** Explicit sites (each becomes a SITE upsert at the start of the log, with its staff). */
  records?: { site: CafeSiteSimRecord; staff?: CafeStaffSimRecord[] }[];
  /** Generated sites: site i contributes SITE, STAFF, STAFF entries at log positions 3i…3i+2. */
  generate?: { count: number; seed: string | number };
  now?: () => number;
}

/** A running internet-café simulator. */
export interface InternetCafeSimulator extends RunningServer {
  setFaults(faults: InternetCafeSimFaults): void;
  clearFaults(): void;
  /** Appends a SITE upsert with the patched site. */
  update(siteCode: string, patch: Partial<Omit<CafeSiteSimRecord, 'siteCode'>>): CafeSiteSimRecord;
  /** Appends a SITE upsert. */
  upsertSite(site: CafeSiteSimRecord): void;
  /** Appends a SITE delete (also valid for a code never seen). */
  deleteSite(siteCode: string): void;
  upsertStaff(staff: CafeStaffSimRecord): void;
  deleteStaff(siteCode: string, idNumber: string): void;
  /** Current site state, if present. */
  getSite(siteCode: string): CafeSiteSimRecord | undefined;
  /** Current staff of a site. */
  getStaff(siteCode: string): CafeStaffSimRecord[];
  readonly lastSeq: number;
  readonly requests: number;
}

const GENERATED_BASE = Date.parse('2026-03-01T00:00:00+08:00');
const STATIONS: [string, string][] = [
  ['350322520000', '鲤南派出所'],
  ['350322510000', '鲤城派出所'],
];
const ROLES = ['MANAGER', 'CASHIER', 'SECURITY', 'OTHER'] as const;

/** 14-digit code of generated site i: region 350322 + `10` + 6-digit serial. */
export function generatedSiteCode(index: number): string {
  return `35032210${String(index).padStart(6, '0')}`;
}

/** Generated site `index` of `seed` (deterministic). */
export function generateInternetCafeSourceRecord(index: number, seed: string | number): CafeSiteSimRecord {
  const r = new RecordRandom(`wb:${seed}`, index);
  const [code, name] = r.pick(STATIONS);
  return {
    siteCode: generatedSiteCode(index),
    name: `仙游县${r.pick(['极速', '星际', '𠀀龙', '蓝光'])}网咖${index}店`,
    uscc: index % 10 === 3 ? null : `91350322MA${r.digits(7)}${r.pick(['X', 'F', '1'])}`,
    cultureLicenseNo: `闽网文〔20${15 + (index % 10)}〕${String(index % 10000).padStart(4, '0')}-001号`,
    terminals: r.int(30, 300),
    address: `仙游县鲤南镇${r.pick(['金鲤路', '新华路'])} ${r.int(1, 99)} 号`,
    policeStation: { code, name },
    legalRep: { name: fakeName(r), idType: '111', idNumber: fakeIdNumber(r) },
    abnormalListed: r.chance(0.05),
    complaints90d: r.int(0, 8),
    auditGapHours30d: r.int(0, 5),
    violations: r.chance(0.15)
      ? [
          {
            date: '2026-03-02',
            type: 'MINOR_ADMITTED',
            decisionNo: `仙公网行罚决字〔2026〕${index}号`,
            fineYuan: 5000,
          },
        ]
      : [],
    status: r.chance(0.9) ? 'OPEN' : r.pick(['SUSPENDED', 'REVOKED'] as const),
  };
}

/** Generated staff member `j` (0 or 1) of generated site `index`. */
export function generateInternetCafeStaffRecord(
  index: number,
  j: number,
  seed: string | number,
): CafeStaffSimRecord {
  const r = new RecordRandom(`wb-staff:${seed}:${j}`, index);
  return {
    siteCode: generatedSiteCode(index),
    idNumber: fakeIdNumber(r),
    name: fakeName(r),
    role: r.pick(ROLES),
    since: `2026-0${1 + r.int(0, 8)}-01`,
  };
}

/** Lazily yields `count` generated sites. */
export function* generateInternetCafeSourceRecords(
  count: number,
  seed: string | number,
): Generator<CafeSiteSimRecord> {
  for (let i = 0; i < count; i++) yield generateInternetCafeSourceRecord(i, seed);
}

/** Sequence number of generated log entry e: increasing, with gaps. */
function genSeq(e: number): number {
  return 1000 + e * 3 + (((e * 2654435761) >>> 0) % 2);
}

const staffKey = (siteCode: string, idNumber: string): string => `STAFF:${siteCode}:${idNumber}`;

/**
 * Starts a simulator of the internet-café system following `internet-cafe-system.md`: HMAC-SHA256
 * signed requests (±300 s, nonces remembered 10 min, 403 AUTH_FAILED), an append-only change feed
 * with gapped sequence numbers (`afterSeq` exclusive, `max` 1–1000), 410 SEQ_EXPIRED below the
 * retention floor, and `/wb/feed/v1/snapshot?page=&size=` answering
 * `{ snapshotSeq, page, size, total, hasMore, changes: [UPSERT…] }`.
 */
export async function startInternetCafeSimulator(
  opts: InternetCafeSimOptions,
): Promise<InternetCafeSimulator> {
  const seed = opts.generate?.seed ?? 0;
  const count = opts.generate?.count ?? 0;
  const genEntries = count * 3;
  const now = opts.now ?? Date.now;
  /** Changes after the generated history, ascending seq. */
  const log: CafeChange[] = [];
  /** Current state of entities touched after generation (null = deleted). */
  const current = new Map<string, { change: CafeChange } | null>();
  /** Generated entries whose entity has been changed since, ascending. */
  const shadowed: number[] = [];
  let nextSeq = genEntries > 0 ? genSeq(genEntries - 1) + 2 : 1000;
  let oldestSeq = 0;
  let faults: InternetCafeSimFaults = {};
  let requests = 0;
  const nonces = new Map<string, number>();

  const genEntry = (e: number): CafeChange => {
    const i = Math.floor(e / 3);
    const j = e % 3;
    const at = formatShanghai(GENERATED_BASE + e * 1000);
    return j === 0
      ? {
          seq: genSeq(e),
          op: 'UPSERT',
          entity: 'SITE',
          at,
          data: { ...generateInternetCafeSourceRecord(i, seed) },
        }
      : {
          seq: genSeq(e),
          op: 'UPSERT',
          entity: 'STAFF',
          at,
          data: { ...generateInternetCafeStaffRecord(i, j - 1, seed) },
        };
  };
  const entryKey = (c: CafeChange): string =>
    c.entity === 'SITE'
      ? `SITE:${c.data.siteCode as string}`
      : staffKey(c.data.siteCode as string, c.data.idNumber as string);
  /** Generated entry index of an entity key, if the generator made it. */
  const genIndexOf = (key: string): number | null => {
    const m = /^(SITE|STAFF):35032210(\d{6})(?::(.+))?$/.exec(key);
    if (!m) return null;
    const i = Number(m[2]);
    if (i >= count) return null;
    if (m[1] === 'SITE') return i * 3;
    for (const j of [0, 1])
      if (generateInternetCafeStaffRecord(i, j, seed).idNumber === m[3]) return i * 3 + 1 + j;
    return null;
  };
  const append = (
    op: CafeChange['op'],
    entity: CafeChange['entity'],
    data: Record<string, unknown>,
  ): void => {
    const change: CafeChange = {
      seq: nextSeq,
      op,
      entity,
      at: formatShanghai(Math.max(now(), GENERATED_BASE)),
      data,
    };
    nextSeq += 1 + (nextSeq % 3);
    log.push(change);
    const key = entryKey(change);
    current.delete(key);
    current.set(key, op === 'DELETE' ? null : { change });
    const g = genIndexOf(key);
    if (g !== null) {
      let lo = 0;
      let hi = shadowed.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((shadowed[mid] as number) < g) lo = mid + 1;
        else hi = mid;
      }
      if (shadowed[lo] !== g) shadowed.splice(lo, 0, g);
    }
  };
  for (const { site, staff } of opts.records ?? []) {
    append('UPSERT', 'SITE', { ...site });
    for (const s of staff ?? []) append('UPSERT', 'STAFF', { ...s });
  }
  const lastSeq = (): number =>
    log.length > 0 ? (log[log.length - 1] as CafeChange).seq : genEntries > 0 ? genSeq(genEntries - 1) : 0;
  const take = (k: 'http5xx' | 'truncate'): boolean => {
    const n = faults[k] ?? 0;
    if (n <= 0) return false;
    faults = { ...faults, [k]: n - 1 };
    return true;
  };
  const shadowedBelowOrAt = (e: number): number => {
    let lo = 0;
    let hi = shadowed.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((shadowed[mid] as number) <= e) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };

  const authFailure = (req: IncomingMessage): string | null => {
    const h = (k: string): string => (typeof req.headers[k] === 'string' ? (req.headers[k] as string) : '');
    const appId = h('x-app-id');
    const ts = h('x-timestamp');
    const nonce = h('x-nonce');
    const sig = h('x-signature');
    if (appId !== opts.appId) return 'unknown app id';
    if (!/^\d{1,12}$/.test(ts) || Math.abs(Number(ts) - Math.floor(now() / 1000)) > 300)
      return 'stale timestamp';
    if (nonce.length < 16) return 'nonce too short';
    const t = now();
    for (const [n, seen] of nonces) if (seen < t - 600_000) nonces.delete(n);
    if (nonces.has(nonce)) return 'replayed nonce';
    const expected = createHmac('sha256', opts.secret)
      .update(`${appId}\n${ts}\n${nonce}\n${req.method ?? ''}\n${req.url ?? ''}`, 'utf8')
      .digest();
    const given = Buffer.from(sig, 'hex');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'bad signature';
    nonces.set(nonce, t);
    return null;
  };

  const malform = (c: CafeChange, k: number): CafeChange =>
    faults.malformedEvery && (k + 1) % faults.malformedEvery === 0
      ? { ...c, data: { ...c.data, terminals: '一百二十', since: '2026/10/01' } }
      : c;

  const sendBody = (res: ServerResponse, value: unknown): void => {
    const bytes = Buffer.from(JSON.stringify(value), 'utf8');
    if (take('truncate'))
      send(res, 200, 'application/json; charset=utf-8', bytes.subarray(0, Math.floor(bytes.length / 2)));
    else send(res, 200, 'application/json; charset=utf-8', bytes);
  };

  const changes = (res: ServerResponse, url: URL): void => {
    const a = url.searchParams.get('afterSeq') ?? '0';
    const m = url.searchParams.get('max') ?? '500';
    if (!/^\d{1,15}$/.test(a) || !/^\d{1,4}$/.test(m) || Number(m) < 1 || Number(m) > 1000) {
      sendJson(res, 400, { code: 'BAD_REQUEST', reason: 'afterSeq/max' });
      return;
    }
    const afterSeq = Number(a);
    const max = Number(m);
    if (afterSeq < oldestSeq) {
      sendJson(res, 410, { code: 'SEQ_EXPIRED', oldestSeq });
      return;
    }
    const out: CafeChange[] = [];
    let e = Math.max(0, Math.floor((afterSeq - 1000) / 3));
    while (e < genEntries && genSeq(e) <= afterSeq) e++;
    for (; e < genEntries && out.length < max; e++) out.push(genEntry(e));
    let li = 0;
    while (li < log.length && (log[li] as CafeChange).seq <= afterSeq) li++;
    for (; li < log.length && out.length < max; li++) out.push(log[li] as CafeChange);
    const hasMore = e < genEntries || li < log.length;
    let page = out.map(malform);
    const pageLast = page.length > 0 ? (page[page.length - 1] as CafeChange).seq : afterSeq;
    if (faults.duplicates && page.length > 0) page = [...page, page[0] as CafeChange];
    if (faults.outOfOrder) page = [...page].reverse();
    sendBody(res, { lastSeq: pageLast, hasMore, changes: page });
  };

  const snapshot = (res: ServerResponse, url: URL): void => {
    const p = url.searchParams.get('page') ?? '1';
    const s = url.searchParams.get('size') ?? '500';
    if (!/^[1-9]\d{0,8}$/.test(p) || !/^[1-9]\d{0,3}$/.test(s) || Number(s) > 1000) {
      sendJson(res, 400, { code: 'BAD_REQUEST', reason: 'page/size' });
      return;
    }
    const page = Number(p);
    const size = Number(s);
    const live = [...current.values()].filter((v): v is { change: CafeChange } => v !== null);
    const genLive = genEntries - shadowed.length;
    const total = genLive + live.length;
    const out: CafeChange[] = [];
    let r = (page - 1) * size;
    while (out.length < size && r < total) {
      if (r < genLive) {
        let e = r;
        for (;;) {
          const next = r + shadowedBelowOrAt(e);
          if (next === e) break;
          e = next;
        }
        out.push(genEntry(e));
      } else {
        const { change } = live[r - genLive] as { change: CafeChange };
        out.push({ ...change, op: 'UPSERT' });
      }
      r++;
    }
    sendBody(res, {
      snapshotSeq: lastSeq(),
      page,
      size,
      total,
      hasMore: r < total,
      changes: out.map(malform),
    });
  };

  const handler = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    requests++;
    if (faults.latencyMs) await delay(faults.latencyMs);
    const url = new URL(req.url ?? '/', 'http://sim');
    const route = req.method === 'GET' ? url.pathname : '';
    if (route !== '/wb/feed/v1/changes' && route !== '/wb/feed/v1/snapshot') {
      sendJson(res, 404, { code: 'NOT_FOUND' });
      return;
    }
    const denied = authFailure(req);
    if (denied !== null) return sendJson(res, 403, { code: 'AUTH_FAILED', reason: denied });
    if (take('http5xx')) return sendJson(res, 503, { code: 'UNAVAILABLE' });
    if (route === '/wb/feed/v1/changes') changes(res, url);
    else snapshot(res, url);
  };

  const server = await startSimServer(opts.port ?? 0, handler);
  const getSite = (siteCode: string): CafeSiteSimRecord | undefined => {
    const key = `SITE:${siteCode}`;
    if (current.has(key)) {
      const v = current.get(key);
      return v ? (v.change.data as unknown as CafeSiteSimRecord) : undefined;
    }
    const g = genIndexOf(key);
    return g === null ? undefined : generateInternetCafeSourceRecord(g / 3, seed);
  };
  return {
    ...server,
    setFaults(f) {
      if (f.seqExpired) oldestSeq = lastSeq();
      faults = { ...faults, ...f };
    },
    clearFaults() {
      faults = {};
    },
    update(siteCode, patch) {
      const site = getSite(siteCode);
      if (!site) throw new Error(`internet-cafe simulator: no site ${siteCode}`);
      const next = { ...site, ...patch, siteCode };
      append('UPSERT', 'SITE', { ...next });
      return next;
    },
    upsertSite: (site) => append('UPSERT', 'SITE', { ...site }),
    deleteSite: (siteCode) => append('DELETE', 'SITE', { siteCode }),
    upsertStaff: (staff) => append('UPSERT', 'STAFF', { ...staff }),
    deleteStaff: (siteCode, idNumber) => append('DELETE', 'STAFF', { siteCode, idNumber }),
    getSite,
    getStaff(siteCode) {
      const out: CafeStaffSimRecord[] = [];
      const m = /^35032210(\d{6})$/.exec(siteCode);
      if (m && Number(m[1]) < count) {
        for (const j of [0, 1]) {
          const s = generateInternetCafeStaffRecord(Number(m[1]), j, seed);
          if (!current.has(staffKey(siteCode, s.idNumber))) out.push(s);
        }
      }
      for (const [k, v] of current) {
        if (v && k.startsWith(`STAFF:${siteCode}:`)) out.push(v.change.data as unknown as CafeStaffSimRecord);
      }
      return out;
    },
    get lastSeq() {
      return lastSeq();
    },
    get requests() {
      return requests;
    },
  };
}
