/**
 * Runs one source adapter's sync now: `npm run sync -- hotel|entertainment|internet-cafe`.
 * Goes through the replica-safe job, so it refuses while the same adapter runs elsewhere.
 * Exit 0 done, 1 failed, 2 usage.
 */
import { loadConfig } from '../src/config/config.js';
import { createLogger } from '../src/shared/logger.js';
import { openSyncCli } from '../src/modules/sync/sync-cli.js';
import { parseAdapterId } from '../src/modules/sync/sync.service.js';

const arg = process.argv[2];
if (!arg) {
  console.error('usage: npm run sync -- <hotel|entertainment|internet-cafe>');
  process.exit(2);
}
const config = loadConfig();
const log = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
const id = parseAdapterId(arg);
const rt = await openSyncCli(config, log);
try {
  const out = await rt.services.sync.trigger(id);
  if (out.status === 'DONE') console.log(JSON.stringify({ adapter: id, status: out.status, ...out.result }));
  else console.error(JSON.stringify({ adapter: id, status: out.status, error: out.error }));
  process.exitCode = out.status === 'DONE' ? 0 : 1;
} finally {
  await rt.close();
}
