/** Applies pending migrations to DATABASE_URL (or the embedded database). */
import { loadConfig } from '../src/config/config.js';
import { createLogger } from '../src/shared/logger.js';
import { scriptDatabase } from '../src/db/script-database.js';
import { migrate } from '../src/db/orm.js';

const config = loadConfig();
const db = await scriptDatabase(config, createLogger('warn'));
try {
  const applied = await migrate(db.url);
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'nothing to apply');
} finally {
  await db.close();
}
