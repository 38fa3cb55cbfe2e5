/**
 * Generates a migration from the difference between the entities and a freshly migrated database.
 * Usage: npm run migration:create -- <name>
 */
import os from 'node:os';
import path from 'node:path';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { startEmbeddedPostgres } from '../src/db/embedded-postgres.js';
import { migrate, openOrm } from '../src/db/orm.js';
import { createLogger } from '../src/shared/logger.js';

const name = process.argv[2];
if (!name) {
  console.error('usage: npm run migration:create -- <name>');
  process.exit(2);
}
const dir = mkdtempSync(path.join(os.tmpdir(), 'shuangsui-mig-'));
chmodSync(dir, 0o755);
const log = createLogger('warn');
const pg = await startEmbeddedPostgres({ dataDir: dir, log, persistent: false });
try {
  const url = pg.url('postgres');
  await migrate(url);
  const orm = await openOrm({ url, useAppRole: false });
  const res = await orm.getMigrator().createMigration(undefined, false, false, name);
  console.log(res.fileName ? `created ${res.fileName}` : 'no changes');
  await orm.close(true);
} finally {
  await pg.stop();
  rmSync(dir, { recursive: true, force: true });
}
