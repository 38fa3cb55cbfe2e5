/**
 * Imports a roster file (roster-files.md): `npm run import -- <file.csv|file.xlsx> [--dry-run]`.
 * Prints the JSON report (rows, inserted, updated, unchanged, rejected rows with column and reason).
 * Exit 0 when every row was accepted, 1 when some were rejected or the file was refused, 2 usage.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../src/config/config.js';
import { createLogger } from '../src/shared/logger.js';
import { AppError } from '../src/shared/errors.js';
import { openSyncCli } from '../src/modules/sync/sync-cli.js';
import { Role } from '../src/graphql/auth.js';

const args = process.argv.slice(2);
const dryRun = args.includes('--dry-run');
const file = args.find((a) => !a.startsWith('--'));
if (!file) {
  console.error('usage: npm run import -- <file.csv|file.xlsx> [--dry-run]');
  process.exit(2);
}
const config = loadConfig();
const rt = await openSyncCli(config, createLogger('warn'));
try {
  const report = await rt.services.rosterImport.importFile(readFileSync(file), path.basename(file), {
    dryRun,
    actor: { principal: { sub: 'cli:import', role: Role.ADMIN, dept: null, name: null }, scope: null },
  });
  console.log(JSON.stringify(report, null, 2));
  process.exitCode = report.rejected.length ? 1 : 0;
} catch (e) {
  if (!(e instanceof AppError)) throw e;
  console.error(JSON.stringify({ error: { code: e.code, message: e.message } }));
  process.exitCode = 1;
} finally {
  await rt.close();
}
