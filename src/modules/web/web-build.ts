import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { webPaths } from './web-paths.js';

/** Files outside `web/` that the pages bundle (the pure draw core and shared texts). */
const SHARED_SOURCES = ['src/modules/draw', 'src/shared/errors.ts', 'src/modules/targets/target-category.ts'];

function newestMtime(entry: string, skip: Set<string>): number {
  const stat = statSync(entry, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  // Directory times change with the build's own lock and output: only files count.
  let newest = 0;
  for (const name of readdirSync(entry)) {
    if (skip.has(name)) continue;
    newest = Math.max(newest, newestMtime(path.join(entry, name), skip));
  }
  return newest;
}

/** Whether `web/dist` is older than any source it is built from (or missing). */
export function webBuildIsStale(): boolean {
  const { webDir, distDir } = webPaths();
  const stamp = statSync(path.join(distDir, '.build-stamp'), { throwIfNoEntry: false });
  if (!stamp) return true;
  const repo = path.dirname(webDir);
  const sources = Math.max(
    newestMtime(webDir, new Set(['dist', '.build-lock', 'node_modules'])),
    ...SHARED_SOURCES.map((s) => newestMtime(path.join(repo, s), new Set())),
  );
  return sources > stamp.mtimeMs;
}

function runVite(webDir: string): Promise<void> {
  const repo = path.dirname(webDir);
  const vite = path.join(repo, 'node_modules', 'vite', 'bin', 'vite.js');
  return new Promise((resolve, reject) => {
    // A child process: the build must run in production mode whatever NODE_ENV the caller has.
    const child = spawn(process.execPath, [vite, 'build', webDir], {
      cwd: repo,
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`vite build failed (exit ${code}):\n${output.slice(-4000)}`)),
    );
  });
}

/**
 * Builds the pages into `web/dist` when they are missing or older than their sources; safe when
 * several processes call it at once (a lock directory; the others wait and then find it fresh).
 *
 * @returns whether this call built.
 * @throws Error with Vite's output when the build fails, or after 5 minutes waiting for the lock.
 */
export async function buildWebIfStale(opts: { force?: boolean } = {}): Promise<boolean> {
  const { webDir, distDir } = webPaths();
  const lock = path.join(webDir, '.build-lock');
  const deadline = Date.now() + 5 * 60_000;
  for (;;) {
    if (!opts.force && !webBuildIsStale()) return false;
    try {
      mkdirSync(lock);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      // A lock this old was left by a killed build.
      if (age > 3 * 60_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`, { cause: e });
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    if (!opts.force && !webBuildIsStale()) return false;
    const started = Date.now();
    await runVite(webDir);
    const stamp = path.join(distDir, '.build-stamp');
    writeFileSync(stamp, new Date(started).toISOString() + '\n');
    // Dated at the build's start: a source saved during the build still counts as newer.
    utimesSync(stamp, started / 1000, started / 1000);
    return true;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
