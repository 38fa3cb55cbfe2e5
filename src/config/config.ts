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
  /** Exchange: our SM2 signing keys `keyId=path.pem@validFrom[..validTo];…`; empty → one generated into dataDir. */
  exchangeSigningKeys: { keyId: string; path: string; validFrom: Date; validTo: Date | null }[];
  /** Exchange: run the outbox dispatcher loop in this replica. */
  exchangeDispatcher: boolean;
  /** Exchange: attempts and hours before a message is dead-lettered; lease seconds of a claimed message. */
  exchangeMaxAttempts: number;
  exchangeMaxAgeHours: number;
  exchangeLeaseSeconds: number;
  /** Exchange: message-log retention in days (default 5 years). */
  exchangeRetentionDays: number;
  /**
   * GraphQL protection (src/graphql/protection/): introspection for ADMIN tokens, the trusted-documents
   * mode, the cost ceiling per operation, cost budgets per role per minute and operations per token per
   * minute (0 = no limit). Budgets and rates are per replica (in memory).
   */
  protection: {
    introspectionForAdmin: boolean;
    trustedDocuments: 'off' | 'audit' | 'enforce';
    maxCost: number;
    costBudgets: Record<string, number>;
    rateLimitPerMinute: number;
  };
  /** Bearer token required by GET /metrics; null leaves it open (intranet scrape). */
  metricsToken: string | null;
  /** `log` writes one span per GraphQL operation into the structured log; `off` traces nothing. */
  tracing: 'off' | 'log';
  /** Inbound source systems (sync module); url null = not configured (with SIMULATORS: the demo simulators). */
  sync: {
    hotel: { url: string | null; apiKey: string; pageSize: number; schedule: string | null };
    entertainment: {
      url: string | null;
      clientId: string;
      clientSecret: string;
      pageSize: number;
      schedule: string | null;
    };
    cafe: { url: string | null; appId: string; secret: string; pageSize: number; schedule: string | null };
    /** Largest roster file accepted by the upload route. */
    rosterUploadMaxBytes: number;
    /** Transactions writing a run's batches at once (1 or 2; `SYNC_WRITERS`, default 2). */
    writers: number;
  };
  /** Days after a person's last link to a target ends before the person is anonymised. */
  piiRetentionDays: number;
  /** Inspections: clocks in working days (publication 20, objection 10, appeal 10, referral approval 3), evidence limit. */
  inspections: {
    clocks: import('../modules/inspections/inspection-rules.js').ClockSettings;
    evidenceMaxBytes: number;
    blacklistValidityDays: number;
  };
  /** Scorecards (督促): a department below this rate (percent) on any measure is flagged for 通报批评. */
  scorecardThresholdPercent: number;
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
  const exchangeSigningKeys: AppConfig['exchangeSigningKeys'] = [];
  for (const part of (env.EXCHANGE_SIGNING_KEYS ?? '').split(';').filter((x) => x.trim() !== '')) {
    const m = /^([A-Za-z0-9_.-]{1,64})=([^@]+)@(.+)$/.exec(part.trim());
    const [fromRaw, toRaw] = m ? m[3]!.split('..') : [];
    const from = fromRaw ? new Date(fromRaw) : null;
    const to = toRaw ? new Date(toRaw) : null;
    if (!m || !from || Number.isNaN(from.getTime()) || (to && Number.isNaN(to.getTime()))) {
      problems.push(
        `EXCHANGE_SIGNING_KEYS: expected "keyId=/path/key.pem@2026-01-01T00:00:00+08:00[..validTo]", got "${part}"`,
      );
      continue;
    }
    exchangeSigningKeys.push({ keyId: m[1]!, path: path.resolve(cwd, m[2]!), validFrom: from, validTo: to });
  }
  const exchangeDispatcher = bool('EXCHANGE_DISPATCHER', true);
  const exchangeMaxAttempts = int('EXCHANGE_MAX_ATTEMPTS', 12, 1, 1000);
  const exchangeMaxAgeHours = int('EXCHANGE_MAX_AGE_HOURS', 48, 1, 24 * 365);
  const exchangeLeaseSeconds = int('EXCHANGE_LEASE_SECONDS', 60, 5, 3600);
  const exchangeRetentionDays = int('EXCHANGE_RETENTION_DAYS', 1826, 1, 36500);
  const trustedRaw = (env.TRUSTED_DOCUMENTS ?? 'off').toLowerCase();
  if (!['off', 'audit', 'enforce'].includes(trustedRaw))
    problems.push(`TRUSTED_DOCUMENTS: expected off, audit or enforce, got "${env.TRUSTED_DOCUMENTS}"`);
  const costBudgets: Record<string, number> = {
    ADMIN: 200_000,
    SUPERVISOR: 100_000,
    INSPECTOR: 50_000,
    ANALYST: 100_000,
    EXCHANGE: 50_000,
    PUBLIC: 20_000,
  };
  for (const part of (env.GRAPHQL_COST_BUDGETS ?? '').split(',').filter((x) => x.trim() !== '')) {
    const m = /^(ADMIN|SUPERVISOR|INSPECTOR|ANALYST|EXCHANGE|PUBLIC):(\d{1,9})$/.exec(part.trim());
    if (m) costBudgets[m[1]!] = Number(m[2]);
    else
      problems.push(
        `GRAPHQL_COST_BUDGETS: expected "ROLE:points,…" (cost points per minute, 0 = unlimited), got "${part}"`,
      );
  }
  const protection: AppConfig['protection'] = {
    introspectionForAdmin: bool('GRAPHQL_INTROSPECTION_ADMIN', false),
    trustedDocuments: trustedRaw === 'audit' || trustedRaw === 'enforce' ? trustedRaw : 'off',
    maxCost: int('GRAPHQL_MAX_COST', 5000, 10, 10_000_000),
    costBudgets,
    rateLimitPerMinute: int('GRAPHQL_RATE_LIMIT_PER_MINUTE', 1200, 0, 10_000_000),
  };
  const metricsToken = env.METRICS_TOKEN && env.METRICS_TOKEN !== '' ? env.METRICS_TOKEN : null;
  if (metricsToken !== null && metricsToken.length < 16)
    problems.push('METRICS_TOKEN: expected at least 16 characters');
  const tracingRaw = (env.TRACING ?? 'off').toLowerCase();
  if (tracingRaw !== 'off' && tracingRaw !== 'log')
    problems.push(`TRACING: expected off or log, got "${env.TRACING}"`);
  const tracing: AppConfig['tracing'] = tracingRaw === 'log' ? 'log' : 'off';
  const syncCron = (key: string, def: string): string | null => {
    const raw = env[key];
    if (raw === undefined || raw === '') return def;
    if (raw.toLowerCase() === 'off') return null;
    if (!/^\S+( \S+){4}$/.test(raw.trim())) {
      problems.push(`${key}: expected a five-field cron expression (Asia/Shanghai) or "off", got "${raw}"`);
      return def;
    }
    return raw.trim();
  };
  const syncUrl = (key: string): string | null => {
    const raw = env[key];
    if (raw === undefined || raw === '') return null;
    try {
      const u = new URL(raw);
      if (u.protocol === 'http:' || u.protocol === 'https:') return raw;
    } catch {
      // reported below
    }
    problems.push(`${key}: expected an http(s) URL, got "${raw}"`);
    return null;
  };
  const sync: AppConfig['sync'] = {
    hotel: {
      url: syncUrl('SYNC_HOTEL_URL'),
      apiKey: env.SYNC_HOTEL_API_KEY ?? '',
      pageSize: int('SYNC_HOTEL_PAGE_SIZE', 500, 1, 500),
      schedule: syncCron('SYNC_SCHEDULE_HOTEL', '*/15 * * * *'),
    },
    entertainment: {
      url: syncUrl('SYNC_ENTERTAINMENT_URL'),
      clientId: env.SYNC_ENTERTAINMENT_CLIENT_ID ?? '',
      clientSecret: env.SYNC_ENTERTAINMENT_CLIENT_SECRET ?? '',
      pageSize: int('SYNC_ENTERTAINMENT_PAGE_SIZE', 200, 1, 200),
      schedule: syncCron('SYNC_SCHEDULE_ENTERTAINMENT', '*/15 * * * *'),
    },
    cafe: {
      url: syncUrl('SYNC_CAFE_URL'),
      appId: env.SYNC_CAFE_APP_ID ?? '',
      secret: env.SYNC_CAFE_SECRET ?? '',
      pageSize: int('SYNC_CAFE_PAGE_SIZE', 500, 1, 1000),
      schedule: syncCron('SYNC_SCHEDULE_CAFE', '*/5 * * * *'),
    },
    rosterUploadMaxBytes: int('ROSTER_UPLOAD_MAX_BYTES', 32 * 1_048_576, 1024, 512 * 1_048_576),
    writers: int('SYNC_WRITERS', 2, 1, 2),
  };
  const piiRetentionDays = int('PII_RETENTION_DAYS', 1825, 30, 36500);
  const inspections = {
    clocks: {
      publicationWorkingDays: int('PUBLICATION_WORKING_DAYS', 20, 1, 120),
      objectionWorkingDays: int('BLACKLIST_OBJECTION_WORKING_DAYS', 10, 1, 60),
      appealWorkingDays: int('APPEAL_SLA_WORKING_DAYS', 10, 1, 60),
      referralApprovalWorkingDays: int('REFERRAL_APPROVAL_WORKING_DAYS', 3, 1, 30),
      referralTransferHours: int('REFERRAL_TRANSFER_HOURS', 24, 1, 240),
      reviewWorkingDays: int('REVIEW_WORKING_DAYS', 5, 1, 60),
    },
    evidenceMaxBytes: int('EVIDENCE_MAX_BYTES', 20 * 1_048_576, 1024, 500 * 1_048_576),
    blacklistValidityDays: int('BLACKLIST_VALIDITY_DAYS', 365, 1, 3650),
  };
  const scorecardThresholdPercent = int('SCORECARD_THRESHOLD_PERCENT', 90, 1, 100);
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
    exchangeSigningKeys,
    exchangeDispatcher,
    exchangeMaxAttempts,
    exchangeMaxAgeHours,
    exchangeLeaseSeconds,
    exchangeRetentionDays,
    protection,
    metricsToken,
    tracing,
    sync,
    piiRetentionDays,
    inspections,
    scorecardThresholdPercent,
    // @register:config-values
  };
}
