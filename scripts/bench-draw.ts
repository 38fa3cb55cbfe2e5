/**
 * Benchmark of the verifiable draw at city scale (not a test; prints numbers):
 *
 *   npm run bench:draw [-- --targets=1000000 --inspectors=2000] [-- --fresh] [-- --lock]
 *
 * The demo county (demo generator, bulk SQL) is loaded ONCE into a persistent embedded PostgreSQL
 * under `<tmpdir>/shuangsui-bench` (or the server at DATABASE_URL), by a CHILD process, so this
 * process holds only the draw and a second run skips the ~10-minute load (`--fresh` reloads).
 * Then it makes a one-month plan over every department's roster with the seed's rules and times:
 * loading the pools (bulk SQL), freeze+hash, selection, assignment — next to
 * `ORDER BY random() LIMIT n` on the same table in the same run. Peak RSS of this process from the OS
 * (maxRSS), also after the pool load and after the freeze.
 *
 * `--lock` measures the service path instead (alone in the process, so the peak RSS is its own):
 * commit + draw + lock of the same plan through the real
 * `DrawService` (inspections, audit rows and events written), inside one transaction that is
 * ROLLED BACK at the end, so the persisted bench database stays clean. Prints each step's time and
 * the peak RSS after the lock.
 */
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { benchServer, loadedBenchDatabase } from './bench-database.js';
import { loadConfig } from '../src/config/config.js';
import { createLogger } from '../src/shared/logger.js';
import { openOrm } from '../src/db/orm.js';
import { buildServices } from '../src/services.js';
import { loadDemoCounty } from '../src/modules/seed/demo-loader.js';
import { SamplingPlan } from '../src/modules/sampling/sampling-plan.entity.js';
import { periodOf } from '../src/modules/rules/schedule.js';
import {
  deriveKey,
  freezeInspectorPool,
  freezeTargetPool,
  hashParams,
  indexOfTarget,
  selectTargets,
} from '../src/modules/draw/algorithm.js';
import { assignInspectors, InfeasibleAssignmentError } from '../src/modules/draw/assignment.js';
import { generateSeed, sm3Node } from '../src/modules/draw/sm3-node.js';
import { makeContext } from '../src/graphql/context.js';
import { Role } from '../src/graphql/auth.js';
import type { Services } from '../src/services.js';
import type { EntityManager } from '@mikro-orm/postgresql';

function arg(name: string, fallback: number): number {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.split('=')[1]) : fallback;
}

const TARGETS = arg('targets', 1_000_000);
const INSPECTORS = arg('inspectors', 2000);
const FRESH = process.argv.includes('--fresh');
const LOCK = process.argv.includes('--lock');
const LOAD_INTO = process.argv.find((x) => x.startsWith('--load-into='))?.slice('--load-into='.length);
const BENCH_DIR = path.join(os.tmpdir(), 'shuangsui-bench');
const log = createLogger('warn');

/** Marker stored as the database comment once the demo is fully loaded (a crash mid-load leaves none). */
function loadedMarker(): string {
  return `shuangsui-bench loaded targets=${TARGETS} inspectors=${INSPECTORS}`;
}

/** Child-process half: loads the demo county into `url` and exits (its memory dies with it). */
async function loadChild(url: string): Promise<void> {
  const config = loadConfig({ DATABASE_URL: url, DATA_DIR: BENCH_DIR, DEMO: 'false' });
  const orm = await openOrm({ url, useAppRole: false });
  const services = buildServices(config, { orm, databaseUrl: url, log });
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await loadDemoCounty(client, services, { scale: TARGETS, inspectors: INSPECTORS, batchSize: 5000 });
  await client.query('analyze');
  await client.end();
  await orm.close(true);
}

function runLoaderChild(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        ...process.execArgv,
        fileURLToPath(import.meta.url),
        `--load-into=${url}`,
        `--targets=${TARGETS}`,
        `--inspectors=${INSPECTORS}`,
      ],
      { stdio: 'inherit' },
    );
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`loader exited with ${code}`))));
  });
}

/** Database with the demo loaded: reused when its marker matches, else (re)created by the child. */
function prepareDatabase(adminUrl: string): Promise<string> {
  return loadedBenchDatabase(adminUrl, {
    name: `bench_draw_${TARGETS}_${INSPECTORS}`,
    marker: loadedMarker(),
    fresh: FRESH,
    migrateFirst: true,
    what: `${TARGETS} targets and ${INSPECTORS} inspectors in a child process`,
    load: runLoaderChild,
  });
}

class RollBack extends Error {}

/**
 * Commit + draw + lock of `template`'s plan through the real DrawService, in one transaction that
 * is rolled back (nothing persists). Prints each step's time and the peak RSS.
 */
async function lockPhase(root: EntityManager, services: Services, template: SamplingPlan): Promise<void> {
  const times: Record<string, number> = {};
  const rss: Record<string, number> = {};
  let counts = '';
  try {
    await root.transactional(async (em) => {
      const plan = em.create(SamplingPlan, {
        regionCode: template.regionCode,
        departmentCodes: template.departmentCodes,
        leadDepartmentCode: template.leadDepartmentCode,
        periodLabel: template.periodLabel,
        periodStart: template.periodStart,
        periodEnd: template.periodEnd,
        plannedDate: template.plannedDate,
        teamSize: template.teamSize,
        workloadCap: template.workloadCap,
        createdBy: 'bench',
      });
      await em.flush();
      const ctx = makeContext({
        requestId: 'bench-lock',
        user: { sub: 'bench', role: Role.ADMIN, dept: null, name: null },
        em,
        log,
        services,
      });
      let t = performance.now();
      const draw = await services.draws.commit(ctx, plan.id, null);
      times.commit = performance.now() - t;
      rss.commit = process.resourceUsage().maxRSS;
      t = performance.now();
      await services.draws.draw(ctx, draw.id, null);
      times.draw = performance.now() - t;
      rss.draw = process.resourceUsage().maxRSS;
      t = performance.now();
      await services.draws.lock(ctx, draw.id);
      times.lock = performance.now() - t;
      const conn = em.getConnection();
      const trx = em.getTransactionContext();
      const n = await conn.execute<{ a: number; i: number; e: number }[]>(
        `select (select count(*) from draw_assignment where draw_id = ?)::int as a,
                (select count(*) from inspection where assignment_id in
                   (select id from draw_assignment where draw_id = ?))::int as i,
                (select count(*) from event_log where topic = 'inspectionAssigned'
                   and entity_id in (select id::text from draw_assignment where draw_id = ?))::int as e`,
        [draw.id, draw.id, draw.id],
        'all',
        trx,
      );
      counts = `${n[0]!.a} assignments, ${n[0]!.i} inspections, ${n[0]!.e} inspectionAssigned events`;
      throw new RollBack();
    });
  } catch (e) {
    if (!(e instanceof RollBack)) throw e;
  }
  const ms = (x: number | undefined) => `${(x ?? 0).toFixed(0).padStart(8)} ms`;
  console.log('');
  console.log(`service path (rolled back): ${counts}`);
  console.log(`commit (load, freeze, store pools)  ${ms(times.commit)}`);
  console.log(`draw (decode pools, compute)        ${ms(times.draw)}`);
  console.log(`lock (assignments, inspections, …)  ${ms(times.lock)}`);
  console.log(
    `peak RSS after the lock             ${(process.resourceUsage().maxRSS / 1024).toFixed(0).padStart(8)} MB ` +
      `(after commit: ${((rss.commit ?? 0) / 1024).toFixed(0)} MB, after draw: ${((rss.draw ?? 0) / 1024).toFixed(0)} MB)`,
  );
}

async function main(): Promise<void> {
  if (LOAD_INTO) return loadChild(LOAD_INTO);
  const server = await benchServer(BENCH_DIR, log);
  try {
    const url = await prepareDatabase(server.adminUrl);
    const config = loadConfig({ DATABASE_URL: url, DATA_DIR: BENCH_DIR, DEMO: 'false' });
    const orm = await openOrm({ url, useAppRole: false });
    const services = buildServices(config, { orm, databaseUrl: url, log });
    let t: number;

    const em = orm.em.fork();
    const depts = await em
      .getConnection()
      .execute<{ code: string }[]>(
        `select code from department where cardinality(categories) > 0 order by code = 'ZA' desc, code`,
      );
    const plannedDate = '2026-12-07';
    const period = periodOf(plannedDate, 1);
    const plan = em.create(SamplingPlan, {
      regionCode: '350322',
      departmentCodes: depts.map((d) => d.code),
      leadDepartmentCode: depts[0]!.code,
      periodLabel: period.label,
      periodStart: period.start,
      periodEnd: period.end,
      plannedDate,
      teamSize: 2,
      // Speed, not staffing, is measured: the cap must not end the draw early.
      workloadCap: 1_000_000,
      createdBy: 'bench',
      id: randomUUID(),
    });

    if (LOCK) {
      // Alone in the process, so its peak RSS is its own.
      await lockPhase(orm.em.fork(), services, plan);
      await orm.close(true);
      return;
    }
    const rssBefore = process.resourceUsage().maxRSS;
    t = performance.now();
    const pools = await services.plans.loadPools(em, plan);
    const tLoad = performance.now() - t;
    const rssLoad = process.resourceUsage().maxRSS;
    const heapLoad = process.memoryUsage().heapUsed;

    t = performance.now();
    const targetPool = freezeTargetPool(pools.targets, sm3Node);
    const inspectorPool = freezeInspectorPool(pools.inspectors, pools.relationships, sm3Node);
    const params = {
      planId: plan.id,
      plannedDate,
      quotas: pools.strata.filter((s) => s.quota > 0).map((s) => ({ stratum: s.stratum, quota: s.quota })),
      mustInclude: pools.mustInclude,
      teamSize: 2,
      workloadCap: 1_000_000,
    };
    const paramsHash = hashParams(params, sm3Node).hash;
    const tFreeze = performance.now() - t;
    const rssFreeze = process.resourceUsage().maxRSS;

    t = performance.now();
    const seed = generateSeed();
    const key = deriveKey(
      {
        seed,
        entropy: '',
        targetPoolHash: targetPool.hash,
        inspectorPoolHash: inspectorPool.hash,
        paramsHash,
      },
      sm3Node,
    );
    const strata = selectTargets(targetPool, params, key, sm3Node);
    const tSelect = performance.now() - t;
    const order = strata
      .flatMap((s) => [...s.mustInclude, ...s.drawn])
      .map((id) => targetPool.targets[indexOfTarget(targetPool, id)]!);

    t = performance.now();
    let outcome = '';
    try {
      const teams = assignInspectors(order, inspectorPool.inspectors, params, key, sm3Node);
      outcome = `${teams.length} teams`;
    } catch (e) {
      if (!(e instanceof InfeasibleAssignmentError)) throw e;
      outcome = `INFEASIBLE at ${e.constraint}`;
    }
    const tAssign = performance.now() - t;
    const peakRss = process.resourceUsage().maxRSS;

    const n = order.length;
    t = performance.now();
    await em.getConnection().execute(`select id from target order by random() limit ${n}`);
    const tRandom = performance.now() - t;

    const ms = (x: number) => `${x.toFixed(0).padStart(8)} ms`;
    console.log('');
    console.log(
      `pool: ${targetPool.targets.length} targets in ${targetPool.strata.length} strata, ${inspectorPool.inspectors.length} inspectors`,
    );
    console.log(`selected: ${n} (${pools.mustInclude.length} must-include); assignment: ${outcome}`);
    console.log('phase                                   time');
    console.log(`load pools (bulk SQL, COLLATE "C")  ${ms(tLoad)}`);
    console.log(`freeze + hash (SM3)                 ${ms(tFreeze)}`);
    console.log(`select (stratified Fisher–Yates)    ${ms(tSelect)}`);
    console.log(`assign (constraints, teams of 2)    ${ms(tAssign)}`);
    console.log(`draw total (freeze+select+assign)   ${ms(tFreeze + tSelect + tAssign)}`);
    console.log(
      `baseline ORDER BY random() LIMIT n  ${ms(tRandom)}   (selection only: no freeze, no proof, no teams)`,
    );
    console.log(
      `peak RSS                            ${(peakRss / 1024).toFixed(0).padStart(8)} MB (before pools: ${(rssBefore / 1024).toFixed(0)} MB, ` +
        `after load: ${(rssLoad / 1024).toFixed(0)} MB with ${(heapLoad / 2 ** 20).toFixed(0)} MB heap in use, after freeze: ${(rssFreeze / 1024).toFixed(0)} MB)`,
    );
    await orm.close(true);
  } finally {
    await server.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
