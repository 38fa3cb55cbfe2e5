/**
 * Loads the deterministic demo county into an EMPTY database.
 * Usage: npm run seed -- [--scale 3000] [--inspectors 150] [--seed xianyou-demo]
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { loadConfig } from '../src/config/config.js';
import { createLogger } from '../src/shared/logger.js';
import { scriptDatabase } from '../src/db/script-database.js';
import { loadDemoCounty } from '../src/modules/seed/demo-loader.js';
import { PiiService } from '../src/modules/pii/pii.service.js';
import type { Services } from '../src/services.js';
import { APP_ROLE } from '../src/db/orm.js';

const { values } = parseArgs({
  options: {
    scale: { type: 'string', default: '3000' },
    inspectors: { type: 'string' },
    seed: { type: 'string', default: 'xianyou-demo' },
  },
});
const scale = Number(values.scale);
if (!Number.isInteger(scale) || scale < 1 || scale > 5_000_000) {
  console.error('--scale must be an integer from 1 to 5,000,000');
  process.exit(2);
}
const config = loadConfig();
const db = await scriptDatabase(config, createLogger('warn'));
const client = new pg.Client({ connectionString: db.url });
await client.connect();
try {
  await client.query(`set role ${APP_ROLE}`);
  const n = await client.query(
    'select (select count(*) from target) + (select count(*) from inspector) as n',
  );
  if (Number(n.rows[0].n) > 0) {
    console.error(
      'the database already holds data; seed only loads into a database without targets and inspectors',
    );
    process.exitCode = 1;
  } else {
    const pii = new PiiService(config.piiKeyring, config.piiIndexKey);
    const t0 = Date.now();
    const counts = await loadDemoCounty(client, { pii } as Services, {
      scale,
      inspectors: values.inspectors ? Number(values.inspectors) : undefined,
      seed: values.seed,
      batchSize: 5000,
      onProgress: (done, total) => process.stdout.write(`\r${done}/${total} targets`),
    });
    console.log(`\nloaded in ${((Date.now() - t0) / 1000).toFixed(1)} s:`, counts);
  }
} finally {
  await client.end();
  await db.close();
}
