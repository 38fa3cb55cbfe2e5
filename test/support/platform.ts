import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/shared/logger.js';
import { startPlatform, type Platform } from '../../src/app.js';
import { mintToken, Role } from '../../src/graphql/auth.js';
import { cloneDatabase } from './db.js';

export interface GqlResult<T = Record<string, unknown>> {
  status: number;
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

export interface TestPlatform {
  platform: Platform;
  url: string;
  jwtSecretHex: string;
  piiKeyring: string;
  piiIndexKey: string;
  logs: string[];
  queries: string[];
  token(role: Role, dept?: string | null, sub?: string): Promise<string>;
  gql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    token?: string,
  ): Promise<GqlResult<T>>;
  stop(): Promise<void>;
}

/** Starts the whole platform on a cloned database and an ephemeral port. */
export async function startTestPlatform(
  opts: {
    demoScale?: number;
    demo?: boolean;
    env?: Record<string, string>;
    sameDatabaseAs?: TestPlatform;
  } = {},
): Promise<TestPlatform> {
  const db = opts.sameDatabaseAs
    ? { url: opts.sameDatabaseAs.platform.databaseUrl, drop: async () => undefined }
    : await cloneDatabase();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'shuangsui-tp-'));
  const config = loadConfig({
    DATABASE_URL: db.url,
    DATA_DIR: dataDir,
    ...(opts.sameDatabaseAs
      ? {
          JWT_SECRET: opts.sameDatabaseAs.jwtSecretHex,
          PII_KEYRING: opts.sameDatabaseAs.piiKeyring,
          PII_INDEX_KEY: opts.sameDatabaseAs.piiIndexKey,
        }
      : {}),
    PORT: '0',
    HOST: '127.0.0.1',
    DEMO: opts.demo === false ? 'false' : 'true',
    SIMULATORS: 'false',
    DEMO_SCALE: String(opts.demoScale ?? 300),
    LOG_LEVEL: 'info',
    ...opts.env,
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logs.push(chunk.toString('utf8'));
      cb();
    },
  });
  const log = createLogger('debug', sink);
  const queries: string[] = [];
  const platform = await startPlatform(config, log, { onQuery: (sql) => queries.push(sql) });
  const url = `http://127.0.0.1:${platform.port}/graphql`;
  return {
    platform,
    url,
    jwtSecretHex: new TextDecoder().decode(config.jwtSecret),
    piiKeyring: config.piiKeyring,
    piiIndexKey: config.piiIndexKey,
    logs,
    queries,
    token: (role, dept = null, sub) =>
      mintToken(config.jwtSecret, { sub: sub ?? `test-${role.toLowerCase()}`, role, dept, name: null }),
    gql: async (query, variables, token) => {
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await res.json()) as GqlResult;
      return { ...body, status: res.status } as never;
    },
    stop: async () => {
      await platform.stop();
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export { Role };
