/**
 * Sync benchmark: `npm run bench:sync [-- --count N]` (default 1,000,000).
 *
 * For the hotel system (XML, GB18030, via its simulator) and the internet-café change feed, in one
 * run on the same rows: (1) the adapter alone (HTTP + decode + parse + validate + map, no database),
 * (2) a bare COPY of the same rows into the same table (rolled back), (3) the sync engine end to
 * end into PostgreSQL, (4) a re-run from no cursor with nothing changed. Prints records/s and peak
 * RSS beside the limits. Works in a fresh scratch database that it drops at the end.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream, createReadStream, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import pg from 'pg';
import { createHotelAdapter } from '../adapters/hotel/adapter.js';
import { hotelConfigSchema } from '../adapters/hotel/schema.js';
import { startHotelSimulator } from '../adapters/hotel/simulator.js';
import { createInternetCafeAdapter } from '../adapters/internet-cafe/adapter.js';
import { internetCafeConfigSchema } from '../adapters/internet-cafe/schema.js';
import { startInternetCafeSimulator } from '../adapters/internet-cafe/simulator.js';
import type { SourceAdapter, SourceRecord } from '../adapters/types.js';
import { loadConfig } from '../src/config/config.js';
import { migrate, openOrm } from '../src/db/orm.js';
import { scriptDatabase } from '../src/db/script-database.js';
import { buildServices } from '../src/services.js';
import { SOURCE_SYSTEM_OF } from '../src/modules/sync/sync-writer.js';
import { createLogger } from '../src/shared/logger.js';

const countArg = process.argv.indexOf('--count');
const N = countArg > 0 ? Number(process.argv[countArg + 1]) : 1_000_000;
if (!Number.isInteger(N) || N < 100) {
  console.error('usage: npm run bench:sync -- [--count N]   (N ≥ 100)');
  process.exit(2);
}

let peakRss = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 100);
const mb = (b: number) => `${(b / 1_048_576).toFixed(0)} MB`;
const rate = (n: number, ms: number) => `${Math.round((n * 1000) / ms).toLocaleString('en')} rec/s`;
async function timed<T>(f: () => Promise<T>): Promise<{ ms: number; value: T; rss: number }> {
  peakRss = process.memoryUsage().rss;
  const t0 = performance.now();
  const value = await f();
  return { ms: performance.now() - t0, value, rss: Math.max(peakRss, process.memoryUsage().rss) };
}

/** A minimal COPY FROM STDIN for `pg` (no pg-copy-streams in the tree): streams a file as copy data. */
function copyFromFile(client: pg.Client, sql: string, file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let failed: Error | null = null;
    const submittable = {
      submit(connection: { query(text: string): void }) {
        connection.query(sql);
      },
      handleCopyInResponse(connection: { sendCopyFromChunk(b: Buffer): void; endCopyFrom(): void }) {
        const rs = createReadStream(file, { highWaterMark: 1 << 20 });
        rs.on('data', (c) => connection.sendCopyFromChunk(c as Buffer));
        rs.on('end', () => connection.endCopyFrom());
      },
      handleCommandComplete() {},
      handleReadyForQuery() {
        if (failed) reject(failed);
        else resolve();
      },
      handleError(e: Error) {
        failed = e;
      },
    };
    void client.query(submittable as never);
  });
}

const tsv = (v: unknown) =>
  v === null || v === undefined
    ? '\\N'
    : String(v).replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n');

/** Drains an adapter without the database, writing COPY rows of what it delivered. */
async function adapterAlone(adapter: SourceAdapter<unknown>, targetsFile: string, personsFile: string) {
  const targets = createWriteStream(targetsFile);
  const persons = createWriteStream(personsFile);
  let records = 0;
  let fetched = 0;
  let writeMs = 0;
  const t0 = performance.now();
  for await (const b of adapter.pull(null)) {
    fetched += b.fetched;
    records += b.records.length;
    const w0 = performance.now();
    let tchunk = '';
    let pchunk = '';
    for (const r of b.records as SourceRecord[]) {
      if (r.kind === 'TARGET') {
        tchunk += `${[randomUUID(), r.regionCode ?? '350322', r.category, r.name, r.uscc, r.jurisdictionCode ?? '350322510000', r.status ?? 'OPERATING', r.blacklisted ?? false, JSON.stringify(r.attributes), SOURCE_SYSTEM_OF[r.sourceSystem], r.sourceId].map(tsv).join('\t')}\n`;
      } else if (r.kind === 'STAFF') {
        pchunk += `${[randomUUID(), r.name, `${r.siteSourceId}|${r.idNumber}`].map(tsv).join('\t')}\n`;
      }
    }
    if (!targets.write(tchunk)) await once(targets, 'drain');
    if (pchunk && !persons.write(pchunk)) await once(persons, 'drain');
    writeMs += performance.now() - w0;
  }
  targets.end();
  persons.end();
  await Promise.all([once(targets, 'finish'), once(persons, 'finish')]);
  // The COPY file writing is not the adapter's work: subtract it.
  return { records, fetched, ms: performance.now() - t0 - writeMs };
}

async function bareCopy(url: string, targetsFile: string, personsFile: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  c.on('error', (e) => console.error('COPY connection error:', e.message));
  await c.connect();
  try {
    await c.query('begin');
    const t0 = performance.now();
    await copyFromFile(
      c,
      `copy target (id, region_code, category, name, uscc_raw, jurisdiction_code, status, hotel_blacklisted, attributes, source_system, source_id) from stdin`,
      targetsFile,
    );
    await copyFromFile(c, `copy person (id, name, id_index) from stdin`, personsFile);
    const ms = performance.now() - t0;
    await c.query('rollback');
    return ms;
  } finally {
    await c.end();
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
const results: string[] = [];
try {
  await migrate(url);
  const orm = await openOrm({ url, useAppRole: true, poolMax: 4 });
  const services = buildServices(config, { orm, databaseUrl: url, log });
  services.sync.useScheduler(services.scheduler);
  console.log(
    `bench:sync — ${N.toLocaleString('en')} hotels and ${N.toLocaleString('en')} café feed changes, ${os.cpus().length} cores`,
  );

  const hotelSim = await startHotelSimulator({ apiKey: 'bench', generate: { count: N, seed: 'bench' } });
  const hotel = createHotelAdapter(
    hotelConfigSchema({ baseUrl: hotelSim.url, apiKey: 'bench', pageSize: 500 }),
    {
      logger: log,
    },
  ) as SourceAdapter<unknown>;
  const cafeSites = Math.ceil(N / 3);
  const cafeSim = await startInternetCafeSimulator({
    appId: 'bench',
    secret: 'bench',
    generate: { count: cafeSites, seed: 'bench' },
  });
  const cafe = createInternetCafeAdapter(
    internetCafeConfigSchema({
      baseUrl: cafeSim.url,
      appId: 'bench',
      secret: 'bench',
      max: 1000,
      snapshotPageSize: 1000,
    }),
    { logger: log },
  ) as SourceAdapter<unknown>;

  for (const [name, adapter] of [
    ['hotel (XML GB18030)', hotel],
    ['internet-café feed', cafe],
  ] as const) {
    const tf = path.join(tmp, `${adapter.id}-targets.tsv`);
    const pf = path.join(tmp, `${adapter.id}-persons.tsv`);
    const alone = await timed(() => adapterAlone(adapter, tf, pf));
    const n = alone.value.records;
    const copyMs = await bareCopy(url, tf, pf);
    services.sync.configure(adapter, null);
    const e2e = await timed(() => services.sync.run(adapter.id));
    await orm.em
      .fork()
      .getConnection()
      .execute(`update sync_cursor set cursor = null where adapter = ?`, [adapter.id]);
    const rerun = await timed(() => services.sync.run(adapter.id));
    const limit = Math.min((n * 1000) / alone.value.ms, (n * 1000) / copyMs);
    const e2eRate = (n * 1000) / e2e.ms;
    results.push(
      [
        `${name}: ${n.toLocaleString('en')} records`,
        `  adapter alone (HTTP+parse+validate+map): ${(alone.value.ms / 1000).toFixed(1)} s  ${rate(n, alone.value.ms)}  peak RSS ${mb(alone.rss)}`,
        `  bare COPY of the same rows:              ${(copyMs / 1000).toFixed(1)} s  ${rate(n, copyMs)}`,
        `  sync end to end:                         ${(e2e.ms / 1000).toFixed(1)} s  ${rate(n, e2e.ms)}  peak RSS ${mb(e2e.rss)}  (${e2e.value.inserted} inserted, ${e2e.value.staffJoined} staff links)`,
        `    = ${((e2eRate / limit) * 100).toFixed(0)}% of min(adapter alone, COPY)  (target ≥ 50%)`,
        `  re-run, nothing changed (from no cursor): ${(rerun.ms / 1000).toFixed(1)} s  ${rate(n, rerun.ms)}  ${(e2e.ms / rerun.ms).toFixed(1)}× faster than the first run (target ≥ 3×); wrote ${rerun.value.inserted + rerun.value.updated} rows`,
      ].join('\n'),
    );
    console.log(results[results.length - 1]);
  }
  await hotelSim.close();
  await cafeSim.close();
  await orm.close(true);
} catch (e) {
  console.error('bench failed:', e);
  process.exitCode = 1;
} finally {
  clearInterval(sampler);
  await admin.query(`drop database if exists ${benchDb} with (force)`).catch(() => undefined);
  await admin.end();
  await server.close();
  rmSync(tmp, { recursive: true, force: true });
}
