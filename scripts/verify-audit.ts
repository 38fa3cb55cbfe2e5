/** Re-checks the audit log's SM3 hash chain; names the first broken link. Exit 0 intact, 1 broken. */
import pg from 'pg';
import { loadConfig } from '../src/config/config.js';
import { createLogger } from '../src/shared/logger.js';
import { scriptDatabase } from '../src/db/script-database.js';
import { verifyAuditChain } from '../src/modules/audit/audit.service.js';

const config = loadConfig();
const db = await scriptDatabase(config, createLogger('warn'));
const client = new pg.Client({ connectionString: db.url });
await client.connect();
try {
  const r = await verifyAuditChain(async (sql, params) => (await client.query(sql, params)).rows);
  if (r.ok) console.log(`audit chain intact: ${r.checked} rows`);
  else
    console.log(
      `audit chain BROKEN at row ${r.firstBroken!.id}: ${r.firstBroken!.reason} (${r.checked} rows before it are intact)`,
    );
  process.exitCode = r.ok ? 0 : 1;
} finally {
  await client.end();
  await db.close();
}
