import 'reflect-metadata';
import { ConfigError, loadConfig } from './config/config.js';
import { createLogger } from './shared/logger.js';
import { startPlatform } from './app.js';
import { AppError } from './shared/errors.js';
import { handleSignalsOurselves } from './db/embedded-postgres.js';

let config;
try {
  config = loadConfig();
} catch (e) {
  if (e instanceof ConfigError) {
    process.stderr.write(`${e.message}\n`);
    process.exit(2);
  }
  throw e;
}
const log = createLogger(config.logLevel);

try {
  const platform = await startPlatform(config, log);
  const base = `http://localhost:${platform.port}`;
  log.info({ graphql: `${base}/graphql`, ws: `ws://localhost:${platform.port}/graphql` }, 'Shuangsui is up');
  process.stdout.write(
    [
      '',
      `  双随 Shuangsui is running`,
      `  GraphQL (HTTP + WebSocket): ${base}/graphql`,
      `  Health: ${base}/healthz   Readiness: ${base}/readyz`,
      `  Get a token:  npm run token -- --role ANALYST --dept ZA`,
      `  (roles: ADMIN SUPERVISOR INSPECTOR ANALYST EXCHANGE; dept codes: npm run token -- --list-depts)`,
      `  Database: ${config.databaseUrl ? 'DATABASE_URL' : `embedded PostgreSQL under ${config.dataDir}`}`,
      '',
    ].join('\n'),
  );
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    platform
      .stop()
      .then(() => process.exit(0))
      .catch((e: unknown) => {
        log.error({ err: e }, 'stop failed');
        process.exit(1);
      });
  };
  handleSignalsOurselves();
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
} catch (e) {
  if (e instanceof AppError) {
    log.error({ code: e.code }, e.message);
    process.stderr.write(`\n${e.code}: ${e.message}\n`);
    process.exit(1);
  }
  log.fatal({ err: e }, 'start failed');
  process.exit(1);
}
