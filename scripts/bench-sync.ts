/**
 * Sync benchmark: `npm run bench:sync [-- --count N] [--only hotel|internet-cafe]` (default 1,000,000).
 * It runs the compiled build (`npm run build` first, then `node dist/scripts/bench-sync.js`), the
 * code a deployment runs (the Dockerfile's `node dist/src/main.js`): under tsx the loader's own
 * thread and caches add about 55 MB to every process. `npx tsx scripts/bench-sync.ts` still works.
 *
 * The source simulators run in a child process (`scripts/simulators.ts --bench N`), so this process
 * measures only the adapters and the sync engine. For the hotel system (XML, GB18030) and the
 * internet-café change feed, in one run on the same rows:
 * 1. the adapter over HTTP (fetch + decode + parse + validate + map, no database), recording every
 *    response body to a scratch file;
 * 2. the parser alone over the same bytes: the same adapter code replaying the recorded bodies
 *    (decode + parse + validate + map, no network);
 * 3. a bare COPY of the same rows into the same tables (rolled back);
 * 4. the sync engine end to end into PostgreSQL, fetching from the simulator;
 * 5. a re-run with nothing changed from the saved cursor, and 6. one from no cursor.
 * Phases 4–6 run in a child process of their own (`--sync-child`) that holds only what a platform
 * replica's sync holds, so its peak RSS (the kernel's high-water mark, reset per phase) is the sync
 * engine's and not this harness's: phases 1–3 keep every id in maps to write the COPY files.
 * Prints records/s, peak RSS and where the CPU went (per process and thread, from /proc) beside the
 * limits; the target is end to end ≥ 50% of min(parser alone, COPY). Works in a fresh scratch
 * database that it drops at the end.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  createWriteStream,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { AxiosInstance } from 'axios';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { copyText } from '../src/db/copy-rows.js';
import { createHotelAdapter } from '../adapters/hotel/adapter.js';
import { HotelPageWorker } from '../adapters/hotel/page-pool.js';
import { hotelConfigSchema } from '../adapters/hotel/schema.js';
import { createInternetCafeAdapter } from '../adapters/internet-cafe/adapter.js';
import { internetCafeConfigSchema } from '../adapters/internet-cafe/schema.js';
import { createSourceHttp } from '../adapters/source-kit/http.js';
import type { SourceAdapter, SourceRecord } from '../adapters/types.js';
import { loadConfig } from '../src/config/config.js';
import { migrate, openOrm } from '../src/db/orm.js';
import { scriptDatabase } from '../src/db/script-database.js';
import { buildServices } from '../src/services.js';
import { SOURCE_SYSTEM_OF } from '../src/modules/sync/sync-writer.js';
import { createLogger } from '../src/shared/logger.js';
import { cpuDelta, cpuSnapshot } from './bench-cpu.js';
import { vacuumWhereDue } from './bench-database.js';
import type { RunCounts } from '../src/modules/sync/sync.service.js';
import { SERVER_NODE_FLAGS } from '../src/config/server-node-flags.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const N = arg('--count') === undefined ? 1_000_000 : Number(arg('--count'));
const only = arg('--only');
/** `inline` runs the sync engine's hotel page parsing on the main thread (A/B against the worker). */
const hotelParse = arg('--hotel-parse') ?? 'worker';
if (!Number.isInteger(N) || N < 100 || (only !== undefined && only !== 'hotel' && only !== 'internet-cafe')) {
  console.error('usage: npm run bench:sync -- [--count N] [--only hotel|internet-cafe]   (N ≥ 100)');
  process.exit(2);
}

let peakRss = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 100);
const mb = (b: number) => `${(b / 1_048_576).toFixed(0)} MB`;
const perSec = (n: number, ms: number) => (n * 1000) / ms;
const rate = (n: number, ms: number) => `${Math.round(perSec(n, ms)).toLocaleString('en')} rec/s`;
async function timed<T>(f: () => Promise<T>): Promise<{ ms: number; value: T; rss: number }> {
  global.gc?.();
  peakRss = process.memoryUsage().rss;
  const t0 = performance.now();
  const value = await f();
  return { ms: performance.now() - t0, value, rss: Math.max(peakRss, process.memoryUsage().rss) };
}

/** Starts the simulators in a child process; resolves with their URLs. */
async function startChildSimulators(count: number) {
  // `simulators.ts` under tsx, `simulators.js` in the compiled build the bench normally runs.
  const script = fileURLToPath(
    new URL(`./simulators${path.extname(fileURLToPath(import.meta.url))}`, import.meta.url),
  );
  const execArgv = process.execArgv.filter((a) => !a.startsWith('--cpu-prof') && !a.startsWith('--expose'));
  const child = spawn(process.execPath, [...execArgv, script, '--bench', String(count)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const first = await Promise.race([
    once(lines, 'line') as Promise<string[]>,
    once(child, 'exit').then(([code]) => {
      throw new Error(`simulators exited with ${String(code)}`);
    }),
  ]);
  const urls = JSON.parse(first[0] as string) as { hotel: string; cafe: string };
  return {
    ...urls,
    pid: child.pid,
    close: async () => {
      child.stdin.end();
      if (child.exitCode === null) await once(child, 'exit');
    },
  };
}

/** COPY FROM STDIN of a file's rows (COPY text format). */
async function copyFromFile(client: pg.Client, sql: string, file: string): Promise<void> {
  await pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), client.query(copyFrom(sql)));
}

type Http = Pick<AxiosInstance, 'request'>;

/**
 * An HTTP client that records every response (url, status, body) to `file`, length-prefixed.
 * `writeMs` accumulates the time spent writing, which the caller subtracts from the adapter's time.
 */
function recordingHttp(file: string) {
  const real = createSourceHttp();
  const fd = openSync(file, 'w');
  const stats = { writeMs: 0, bytes: 0 };
  const http: Http = {
    request: (async (cfg: { url: string }) => {
      const res = await real.request<ArrayBuffer>(cfg);
      const w0 = performance.now();
      const url = Buffer.from(cfg.url, 'utf8');
      const body = Buffer.from(res.data);
      const head = Buffer.alloc(12);
      head.writeUInt32LE(res.status, 0);
      head.writeUInt32LE(url.length, 4);
      head.writeUInt32LE(body.length, 8);
      writeSync(fd, head);
      writeSync(fd, url);
      writeSync(fd, body);
      stats.bytes += body.length;
      stats.writeMs += performance.now() - w0;
      return res;
    }) as Http['request'],
  };
  return { http: http as AxiosInstance, stats, close: () => closeSync(fd) };
}

/** Replays recorded responses in order (the adapter must ask for the same URLs). */
function replayHttp(file: string) {
  const fd = openSync(file, 'r');
  let pos = 0;
  const read = (n: number): Buffer => {
    const b = Buffer.allocUnsafe(n);
    let got = 0;
    while (got < n) {
      const k = readSync(fd, b, got, n - got, pos);
      if (k === 0) throw new Error('replay: recording ended early');
      got += k;
      pos += k;
    }
    return b;
  };
  const http: Http = {
    request: (async (cfg: { url: string }) => {
      const head = read(12);
      const url = read(head.readUInt32LE(4)).toString('utf8');
      const body = read(head.readUInt32LE(8));
      if (url !== cfg.url) throw new Error(`replay: expected a request for ${url}, got ${cfg.url}`);
      const data = body.buffer.slice(body.byteOffset, body.byteOffset + body.length);
      return { status: head.readUInt32LE(0), headers: {}, data };
    }) as Http['request'],
  };
  return { http: http as AxiosInstance, close: () => closeSync(fd) };
}

/** COPY files of what an adapter delivered (see `drain`). */
interface CopyFiles {
  /** Previous sessions' limit: targets (11 columns) and each staff record as a bare person row. */
  targets: string;
  persons: string;
  /** Every row the sync writes, every column: targets, persons (IDs, phones as long as their tokens), links. */
  fullTargets: string;
  fullPersons: string;
  fullLinks: string;
}

/** Stand-in of an SM4 token's length (the bare COPY does no encryption). */
const TOKEN =
  'v1.k1.AAAAAAAAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB.CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC';
const HASH = 'f'.repeat(64);

/** Drains an adapter without the database; optionally writes COPY rows of what it delivered. */
async function drain(adapter: SourceAdapter<unknown>, copyFiles?: CopyFiles) {
  const out = copyFiles
    ? {
        targets: createWriteStream(copyFiles.targets),
        persons: createWriteStream(copyFiles.persons),
        fullTargets: createWriteStream(copyFiles.fullTargets),
        fullPersons: createWriteStream(copyFiles.fullPersons),
        fullLinks: createWriteStream(copyFiles.fullLinks),
      }
    : null;
  // Ids of the full COPY: one target per source id, one person per ID number, one link per triple.
  const targetIds = new Map<string, string>();
  const personIds = new Map<string, string>();
  const links = new Set<string>();
  let records = 0;
  let fetched = 0;
  let writeMs = 0;
  const t0 = performance.now();
  for await (const b of adapter.pull(null)) {
    fetched += b.fetched;
    records += b.records.length;
    if (!out) continue;
    const w0 = performance.now();
    const chunk = { targets: '', persons: '', fullTargets: '', fullPersons: '', fullLinks: '' };
    const person = (name: string, idType: string | null, idNumber: string, phone: string | null): string => {
      let id = personIds.get(idNumber);
      if (!id) {
        id = randomUUID();
        personIds.set(idNumber, id);
        chunk.fullPersons += copyText([
          [
            id,
            name,
            idType,
            TOKEN,
            `${HASH.slice(0, 46)}${idNumber}`,
            idNumber.replace(/^(.{6}).*(.{4})$/, '$1********$2'),
            true,
            phone ? TOKEN : null,
            phone ? '138****0000' : null,
            HASH,
          ],
        ]);
      }
      return id;
    };
    const link = (target: string, p: string, role: string, since: string | null) => {
      const key = `${target}|${p}|${role}`;
      if (links.has(key)) return;
      links.add(key);
      chunk.fullLinks += copyText([[randomUUID(), target, p, role, since]]);
    };
    for (const r of b.records as SourceRecord[]) {
      if (r.kind === 'TARGET') {
        chunk.targets += copyText([
          [
            randomUUID(),
            r.regionCode ?? '350322',
            r.category,
            r.name,
            r.uscc,
            r.jurisdictionCode ?? '350322510000',
            r.status ?? 'OPERATING',
            r.blacklisted ?? false,
            JSON.stringify(r.attributes),
            SOURCE_SYSTEM_OF[r.sourceSystem],
            r.sourceId,
          ],
        ]);
        if (targetIds.has(r.sourceId)) continue;
        const id = randomUUID();
        targetIds.set(r.sourceId, id);
        chunk.fullTargets += copyText([
          [
            id,
            r.regionCode ?? '350322',
            r.category,
            r.name,
            r.uscc,
            r.uscc,
            true,
            JSON.stringify(r.licenceNos),
            r.address,
            r.jurisdictionCode ?? '350322510000',
            r.status ?? 'OPERATING',
            r.grade,
            r.blacklisted ?? false,
            r.abnormalListed ?? false,
            r.complaints90d ?? 0,
            JSON.stringify(r.violations),
            JSON.stringify(r.incidents),
            JSON.stringify(r.attributes),
            SOURCE_SYSTEM_OF[r.sourceSystem],
            r.sourceId,
            r.sourceUpdatedAt,
            HASH,
          ],
        ]);
        for (const p of r.persons) {
          if (p.idNumber) link(id, person(p.name, p.idType, p.idNumber, p.phone), p.role, null);
        }
      } else if (r.kind === 'STAFF') {
        chunk.persons += copyText([[randomUUID(), r.name, `${r.siteSourceId}|${r.idNumber}`]]);
        const site = targetIds.get(r.siteSourceId);
        if (site) link(site, person(r.name, null, r.idNumber, null), r.role, r.since);
      }
    }
    for (const k of Object.keys(chunk) as (keyof typeof chunk)[]) {
      if (chunk[k] && !out[k].write(chunk[k])) await once(out[k], 'drain');
    }
    writeMs += performance.now() - w0;
  }
  if (out) {
    for (const w of Object.values(out)) w.end();
    await Promise.all(Object.values(out).map((w) => once(w, 'finish')));
  }
  // The COPY file writing is not the adapter's work: subtract it.
  return { records, fetched, ms: performance.now() - t0 - writeMs };
}

/** Times COPY of the files into the tables, in a transaction rolled back at the end. */
async function bareCopy(url: string, steps: [sql: string, file: string][]): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  c.on('error', (e) => console.error('COPY connection error:', e.message));
  await c.connect();
  try {
    await c.query('begin');
    const t0 = performance.now();
    for (const [sql, file] of steps) await copyFromFile(c, sql, file);
    const ms = performance.now() - t0;
    await c.query('rollback');
    return ms;
  } finally {
    await c.end();
  }
}

interface SourceUrls {
  hotel: string;
  cafe: string;
}

/**
 * The bench's adapters. The sync engine's hotel adapter parses in a worker thread (`pages`), as
 * buildSources configures it; the adapter-only phases (over HTTP, parser alone) run the same page
 * code inline, single-threaded.
 */
function makeAdapter(
  id: string,
  urls: SourceUrls,
  http?: AxiosInstance,
  pages?: HotelPageWorker,
): SourceAdapter<unknown> {
  if (id === 'hotel') {
    return createHotelAdapter(hotelConfigSchema({ baseUrl: urls.hotel, apiKey: 'bench', pageSize: 500 }), {
      logger: createLogger('warn'),
      http,
      processPage: pages ? (body) => pages.process(body) : undefined,
    }) as SourceAdapter<unknown>;
  }
  return createInternetCafeAdapter(
    internetCafeConfigSchema({
      baseUrl: urls.cafe,
      appId: 'bench',
      secret: 'bench',
      max: 1000,
      snapshotPageSize: 1000,
    }),
    { logger: createLogger('warn'), http },
  ) as SourceAdapter<unknown>;
}

/** What the sync child reports of one phase. */
interface PhaseReport {
  phase: 'e2e' | 'fromCursor' | 'rerun';
  at: 'start' | 'end';
  ms?: number;
  /** Peak RSS of the child during the phase (VmHWM, reset at its start), bytes. */
  peakRss?: number;
  counts?: RunCounts;
}

/** Peak RSS since the last reset (`/proc/self/status` VmHWM), or the current RSS where unreadable. */
function highWaterMark(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {
    // not Linux
  }
  return process.memoryUsage().rss;
}

/** Resets the kernel's RSS high-water mark of this process (Linux ≥ 4.0; a no-op elsewhere). */
function resetHighWaterMark(): void {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    // not Linux, or not permitted: VmHWM then holds the process's peak so far
  }
}

/**
 * Child mode: the sync engine alone, as a replica runs it (services, ORM pool, the hotel page
 * worker), over the parent's scratch database and simulators. Reports each phase as a JSON line.
 */
async function syncChild(spec: {
  url: string;
  urls: SourceUrls;
  id: string;
  hotelParse: string;
}): Promise<void> {
  const config = loadConfig({ ...process.env, DEMO: 'false', SIMULATORS: 'false' });
  const log = createLogger('warn');
  const orm = await openOrm({ url: spec.url, useAppRole: true, poolMax: 4 });
  const services = buildServices(config, { orm, databaseUrl: spec.url, log });
  services.sync.useScheduler(services.scheduler);
  const pages = spec.id === 'hotel' && spec.hotelParse === 'worker' ? new HotelPageWorker() : undefined;
  const adapter = makeAdapter(spec.id, spec.urls, undefined, pages);
  services.sync.configure(adapter, null);
  const report = (r: PhaseReport) => process.stdout.write(`${JSON.stringify(r)}\n`);
  const phase = async (name: PhaseReport['phase']) => {
    global.gc?.();
    resetHighWaterMark();
    report({ phase: name, at: 'start' });
    const t0 = performance.now();
    const counts = await services.sync.run(adapter.id);
    report({ phase: name, at: 'end', ms: performance.now() - t0, peakRss: highWaterMark(), counts });
  };
  await phase('e2e');
  await phase('fromCursor');
  await orm.em
    .fork()
    .getConnection()
    .execute(`update sync_cursor set cursor = null where adapter = ?`, [adapter.id]);
  await phase('rerun');
  await orm.close(true);
  await pages?.close();
}

/** Cumulative autovacuum work on the roster tables (PostgreSQL 18's per-table totals, in ms). */
async function maintenanceTotals(c: pg.Client): Promise<Map<string, number[]>> {
  const r = await c.query<{ relname: string; v: number; vt: number; a: number; at: number }>(
    `select relname, autovacuum_count::int as v, total_autovacuum_time::float8 as vt,
            autoanalyze_count::int as a, total_autoanalyze_time::float8 as at
       from pg_stat_user_tables where relname in ('target', 'person', 'target_person')`,
  );
  return new Map(r.rows.map((x) => [x.relname, [x.v, x.vt, x.a, x.at]]));
}

/** "target 3 vacuums 12.1 s, 5 analyzes 2.0 s; …" between two maintenanceTotals. */
function maintenanceDelta(before: Map<string, number[]>, after: Map<string, number[]>): string {
  const parts = [...after].map(([t, [v = 0, vt = 0, a = 0, at = 0]]) => {
    const [v0 = 0, vt0 = 0, a0 = 0, at0 = 0] = before.get(t) ?? [];
    return `${t} ${v - v0} vacuums ${((vt - vt0) / 1000).toFixed(1)} s, ${a - a0} analyzes ${((at - at0) / 1000).toFixed(1)} s`;
  });
  return parts.join('; ') || 'none';
}

/**
 * Runs the sync child for one source; answers its phase reports with the CPU each phase used,
 * split by process and thread (the child, its threads, PostgreSQL, the simulators).
 */
async function runSyncChild(
  spec: { url: string; urls: SourceUrls; id: string; hotelParse: string },
  simsPid?: number,
) {
  const script = fileURLToPath(import.meta.url);
  const execArgv = process.execArgv.filter((a) => !a.startsWith('--cpu-prof'));
  // The sync runs inside the API server process: with the V8 flags the server is deployed with.
  const child = spawn(
    process.execPath,
    [...SERVER_NODE_FLAGS, ...execArgv, script, '--sync-child', JSON.stringify(spec)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const out = new Map<PhaseReport['phase'], PhaseReport & { cpu: string; autovacuum: string }>();
  let before = new Map<string, number>();
  let vacuumBefore = new Map<string, number[]>();
  const procs = () => ({ sync: child.pid, simulators: simsPid });
  const stats = new pg.Client({ connectionString: spec.url });
  await stats.connect();
  try {
    for await (const line of createInterface({ input: child.stdout })) {
      if (!line.startsWith('{')) continue;
      const r = JSON.parse(line) as PhaseReport;
      if (r.at === 'start') {
        before = cpuSnapshot(procs());
        vacuumBefore = await maintenanceTotals(stats);
      } else {
        const cpu = cpuDelta(before, cpuSnapshot(procs()), r.ms ?? 1);
        out.set(r.phase, {
          ...r,
          cpu,
          autovacuum: maintenanceDelta(vacuumBefore, await maintenanceTotals(stats)),
        });
      }
    }
  } finally {
    await stats.end();
  }
  const [code] =
    child.exitCode === null ? ((await once(child, 'exit')) as [number | null]) : [child.exitCode];
  const get = (p: PhaseReport['phase']) => {
    const r = out.get(p);
    if (code !== 0 || !r?.counts || r.ms === undefined || r.peakRss === undefined) {
      throw new Error(`sync child exited with ${String(code)} before reporting ${p}`);
    }
    return r as Required<PhaseReport> & { cpu: string; autovacuum: string };
  };
  return { e2e: get('e2e'), fromCursor: get('fromCursor'), rerun: get('rerun') };
}

const childArg = arg('--sync-child');
if (childArg !== undefined) {
  try {
    await syncChild(JSON.parse(childArg) as Parameters<typeof syncChild>[0]);
    process.exit(0);
  } catch (e) {
    console.error('sync child failed:', e);
    process.exit(1);
  }
}

const config = loadConfig({ ...process.env, DEMO: 'false', SIMULATORS: 'false' });
const log = createLogger('warn');
const server = await scriptDatabase(config, log);
const benchDb = `shuangsui_bench_${process.pid}`;
const admin = new pg.Client({ connectionString: server.url });
await admin.connect();
await admin.query(`create database ${benchDb}`);
const url = (() => {
  const u = new URL(server.url);
  u.pathname = `/${benchDb}`;
  return u.toString();
})();
const tmp = mkdtempSync(path.join(os.tmpdir(), 'bench-sync-'));
const sims = await startChildSimulators(N);
try {
  await migrate(url);
  console.log(
    `bench:sync — ${N.toLocaleString('en')} hotels and ${N.toLocaleString('en')} café feed changes, ${os.cpus().length} cores; simulators in a child process, the sync in a child process of its own`,
  );

  const sources = [
    { name: 'hotel (XML GB18030)', id: 'hotel' },
    { name: 'internet-café feed', id: 'internet-cafe' },
  ].filter((s) => only === undefined || s.id === only);
  for (const { name, id } of sources) {
    const make = (http: AxiosInstance) => makeAdapter(id, sims, http);
    const copyFiles: CopyFiles = {
      targets: path.join(tmp, `${id}-targets.tsv`),
      persons: path.join(tmp, `${id}-persons.tsv`),
      fullTargets: path.join(tmp, `${id}-full-targets.tsv`),
      fullPersons: path.join(tmp, `${id}-full-persons.tsv`),
      fullLinks: path.join(tmp, `${id}-full-links.tsv`),
    };
    const recording = path.join(tmp, `${id}.responses`);

    const rec = recordingHttp(recording);
    const overHttp = await timed(() => drain(make(rec.http), copyFiles));
    rec.close();
    const httpMs = overHttp.value.ms - rec.stats.writeMs;
    const n = overHttp.value.records;

    const replay = replayHttp(recording);
    const parse = await timed(() => drain(make(replay.http)));
    replay.close();
    if (parse.value.records !== n) throw new Error(`replay gave ${parse.value.records} records, not ${n}`);

    const copyMs = await bareCopy(url, [
      [
        `copy target (id, region_code, category, name, uscc_raw, uscc_normalised, uscc_valid, licence_nos, address,
           jurisdiction_code, status, grade, hotel_blacklisted, abnormal_listed, complaints90d, violations, incidents,
           attributes, source_system, source_id, source_updated_at, sync_hash) from stdin`,
        copyFiles.fullTargets,
      ],
      [
        `copy person (id, name, id_type, id_enc, id_index, id_masked, id_valid, phone_enc, phone_masked, sync_hash) from stdin`,
        copyFiles.fullPersons,
      ],
      [`copy target_person (id, target_id, person_id, role, since) from stdin`, copyFiles.fullLinks],
    ]);
    const partialCopyMs = await bareCopy(url, [
      [
        `copy target (id, region_code, category, name, uscc_raw, jurisdiction_code, status, hotel_blacklisted, attributes, source_system, source_id) from stdin`,
        copyFiles.targets,
      ],
      [`copy person (id, name, id_index) from stdin`, copyFiles.persons],
    ]);
    for (const f of Object.values(copyFiles)) rmSync(f, { force: true });
    // Each rolled-back COPY left its rows behind as dead tuples (two million in target and person at
    // 1M), which autovacuum then cleaned up during the timed sync: a deployment's first sync finds
    // no such garbage, so it is vacuumed away first, untimed.
    const v0 = performance.now();
    await vacuumWhereDue(url);
    const vacuumMs = performance.now() - v0;

    const { e2e, fromCursor, rerun } = await runSyncChild({ url, urls: sims, id, hotelParse }, sims.pid);

    const limit = Math.min(perSec(n, parse.value.ms), perSec(n, copyMs));
    const e2eRate = perSec(n, e2e.ms);
    const line = [
      `${name}: ${n.toLocaleString('en')} records (${(rec.stats.bytes / 1_048_576).toFixed(0)} MB of response bodies)`,
      `  adapter over HTTP (fetch+decode+parse+validate+map):  ${(httpMs / 1000).toFixed(1)} s  ${rate(n, httpMs)}  peak RSS ${mb(overHttp.rss)}`,
      `  parser alone over the same bytes (decode+parse+validate+map, replayed): ${(parse.value.ms / 1000).toFixed(1)} s  ${rate(n, parse.value.ms)}  peak RSS ${mb(parse.rss)}`,
      `  bare COPY of every row the sync writes (targets, persons, links; all columns): ${(copyMs / 1000).toFixed(1)} s  ${rate(n, copyMs)}`,
      `  (previous sessions' COPY limit, targets with 11 columns + staff as bare person rows, no links: ${(partialCopyMs / 1000).toFixed(1)} s  ${rate(n, partialCopyMs)})`,
      `  (the COPYs' rolled-back rows vacuumed away before the sync, untimed: ${(vacuumMs / 1000).toFixed(1)} s)`,
      `  sync end to end (from the simulator over HTTP${id === 'hotel' ? `; pages parsed ${hotelParse === 'worker' ? 'in a worker thread' : 'inline'}` : ''}): ${(e2e.ms / 1000).toFixed(1)} s  ${rate(n, e2e.ms)}  peak RSS ${mb(e2e.peakRss)}  (${e2e.counts.inserted} inserted, ${e2e.counts.staffJoined} staff links)`,
      `    = ${((e2eRate / limit) * 100).toFixed(0)}% of min(parser alone, COPY)  (target ≥ 50%)`,
      `    CPU during it (share of one core): ${e2e.cpu}`,
      `    autovacuum during it: ${e2e.autovacuum}`,
      `  re-run, nothing changed, from the saved cursor: ${(fromCursor.ms / 1000).toFixed(2)} s  ${(e2e.ms / fromCursor.ms).toFixed(0)}× faster than the first run (target ≥ 3×); wrote ${fromCursor.counts.inserted + fromCursor.counts.updated} rows`,
      `  re-run, nothing changed, from no cursor:        ${(rerun.ms / 1000).toFixed(1)} s  ${rate(n, rerun.ms)}  ${(e2e.ms / rerun.ms).toFixed(1)}× faster than the first run; peak RSS ${mb(rerun.peakRss)}; wrote ${rerun.counts.inserted + rerun.counts.updated} rows`,
    ].join('\n');
    console.log(line);
    rmSync(recording, { force: true });
  }
} catch (e) {
  console.error('bench failed:', e);
  process.exitCode = 1;
} finally {
  clearInterval(sampler);
  await sims.close();
  await admin.query(`drop database if exists ${benchDb} with (force)`).catch(() => undefined);
  await admin.end();
  await server.close();
  rmSync(tmp, { recursive: true, force: true });
}
