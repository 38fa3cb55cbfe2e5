import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Log levels pino understands. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Validated, typed configuration. Only this module reads `process.env`. */
export interface AppConfig {
  port: number;
  host: string;
  /** External PostgreSQL; when null the embedded one is started under `dataDir`. */
  databaseUrl: string | null;
  dataDir: string;
  jwtSecret: Uint8Array;
  jwtSecretSource: 'env' | 'generated';
  logLevel: LogLevel;
  /** Introspection is decided here, never by NODE_ENV. */
  introspection: boolean;
  /** SM4 keyring for ID numbers at rest: `k1:<64 hex>,k2:<64 hex>`; last is current. */
  piiKeyring: string;
  piiKeyringSource: 'env' | 'generated';
  /** HMAC-SM3 key (64 hex) for the blind index of ID numbers; kept across keyring rotations. */
  piiIndexKey: string;
  /** Load the demo county into an empty database on start. */
  demo: boolean;
  demoScale: number;
  /** Maximum GraphQL request body in bytes. */
  bodyLimitBytes: number;
  /** Run the simulated external systems beside the platform (demo). */
  simulators: boolean;
  // @register:config-fields
}

/** Thrown when configuration is invalid; lists every bad key at once. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

type Env = Record<string, string | undefined>;

function readOrCreateSecret(file: string, make: () => string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(path.dirname(file), { recursive: true });
  const value = make();
  writeFileSync(file, value + '\n', { mode: 0o600 });
  return value;
}

/**
 * Reads and validates configuration from the environment.
 * Secrets that are unset are generated once into `dataDir` for local use.
 * @throws ConfigError listing every bad key.
 */
export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): AppConfig {
  const problems: string[] = [];
  const int = (key: string, def: number, min: number, max: number): number => {
    const raw = env[key];
    if (raw === undefined || raw === '') return def;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      problems.push(`${key}: expected an integer from ${min} to ${max}, got "${raw}"`);
      return def;
    }
    return Number(raw);
  };
  const bool = (key: string, def: boolean): boolean => {
    const raw = env[key];
    if (raw === undefined || raw === '') return def;
    if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
    if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
    problems.push(`${key}: expected true or false, got "${raw}"`);
    return def;
  };

  const port = int('PORT', 4000, 0, 65535);
  const host = env.HOST && env.HOST !== '' ? env.HOST : '0.0.0.0';
  let databaseUrl: string | null = null;
  if (env.DATABASE_URL) {
    try {
      const u = new URL(env.DATABASE_URL);
      if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
        problems.push(
          `DATABASE_URL: expected a postgres:// or postgresql:// URL, got protocol "${u.protocol}"`,
        );
      } else databaseUrl = env.DATABASE_URL;
    } catch {
      problems.push('DATABASE_URL: expected a URL such as postgres://user:pass@host:5432/db');
    }
  }
  const dataDir = path.resolve(cwd, env.DATA_DIR && env.DATA_DIR !== '' ? env.DATA_DIR : '.data');
  const logLevelRaw = (env.LOG_LEVEL ?? 'info').toLowerCase();
  let logLevel: LogLevel = 'info';
  if ((LOG_LEVELS as readonly string[]).includes(logLevelRaw)) logLevel = logLevelRaw as LogLevel;
  else problems.push(`LOG_LEVEL: expected one of ${LOG_LEVELS.join(', ')}, got "${env.LOG_LEVEL}"`);

  let jwtSecretSource: AppConfig['jwtSecretSource'] = 'env';
  let jwtSecretRaw = env.JWT_SECRET ?? '';
  if (jwtSecretRaw !== '' && Buffer.byteLength(jwtSecretRaw) < 32) {
    problems.push('JWT_SECRET: expected at least 32 bytes (HS256)');
  }
  let piiKeyring = env.PII_KEYRING ?? '';
  let piiKeyringSource: AppConfig['piiKeyringSource'] = 'env';
  if (
    piiKeyring !== '' &&
    !/^[A-Za-z0-9_-]+:[0-9a-fA-F]{64}(,[A-Za-z0-9_-]+:[0-9a-fA-F]{64})*$/.test(piiKeyring)
  ) {
    problems.push('PII_KEYRING: expected "keyId:<64 hex chars>[,keyId:<64 hex>…]" (the last key is current)');
  }
  let piiIndexKey = env.PII_INDEX_KEY ?? '';
  if (piiIndexKey !== '' && !/^[0-9a-fA-F]{64}$/.test(piiIndexKey)) {
    problems.push('PII_INDEX_KEY: expected 64 hex characters');
  }
  const introspection = bool('GRAPHQL_INTROSPECTION', false);
  const demo = bool('DEMO', true);
  const demoScale = int('DEMO_SCALE', 3000, 1, 2_000_000);
  const bodyLimitBytes = int('BODY_LIMIT_BYTES', 1_048_576, 1024, 50 * 1_048_576);
  const simulators = bool('SIMULATORS', demo);
  // @register:config-parse (push to problems, never throw)

  if (problems.length > 0) throw new ConfigError(problems);

  if (jwtSecretRaw === '') {
    jwtSecretSource = 'generated';
    jwtSecretRaw = readOrCreateSecret(path.join(dataDir, 'jwt-secret'), () =>
      randomBytes(32).toString('hex'),
    );
  }
  if (piiKeyring === '') {
    piiKeyringSource = 'generated';
    piiKeyring = readOrCreateSecret(
      path.join(dataDir, 'pii-keyring'),
      () => `k1:${randomBytes(32).toString('hex')}`,
    );
  }
  if (piiIndexKey === '') {
    piiIndexKey = readOrCreateSecret(path.join(dataDir, 'pii-index-key'), () =>
      randomBytes(32).toString('hex'),
    );
  }
  return {
    port,
    host,
    databaseUrl,
    dataDir,
    jwtSecret: new TextEncoder().encode(jwtSecretRaw),
    jwtSecretSource,
    logLevel,
    introspection,
    piiKeyring,
    piiKeyringSource,
    piiIndexKey,
    demo,
    demoScale,
    bodyLimitBytes,
    simulators,
    // @register:config-values
  };
}
