/**
 * Child process for the crash-safety test: runs one dispatcher against the test database until killed (kill -9).
 * Env: DATABASE_URL, SIGNING_KEY_PATH, PII_KEYRING, PII_INDEX_KEY.
 */
import { openOrm } from '../../src/db/orm.js';
import { Dispatcher, DEFAULT_DISPATCHER } from '../../src/modules/exchange/dispatcher.js';
import { DEFAULT_RETRY } from '../../src/modules/exchange/exchange-policy.js';
import { loadSigningKeys } from '../../src/modules/exchange/exchange-keys.js';
import { PartnerDirectory } from '../../src/modules/exchange/partner-directory.js';
import { EventService } from '../../src/modules/events/event.service.js';
import { PiiService } from '../../src/modules/pii/pii.service.js';
import { createLogger } from '../../src/shared/logger.js';

const env = process.env;
const orm = await openOrm({ url: env.DATABASE_URL!, useAppRole: true });
const keys = loadSigningKeys({
  dataDir: '/nonexistent',
  exchangeSigningKeys: [
    {
      keyId: 'local-1',
      path: env.SIGNING_KEY_PATH!,
      validFrom: new Date('2020-01-01T00:00:00+08:00'),
      validTo: null,
    },
  ],
});
const dispatcher = new Dispatcher(
  orm,
  new PartnerDirectory(),
  keys.keyring,
  new PiiService(env.PII_KEYRING!, env.PII_INDEX_KEY!),
  new EventService(),
  createLogger('silent'),
  {
    ...DEFAULT_DISPATCHER,
    leaseSeconds: 3,
    claimLimit: 16,
    pollMs: 100,
    circuitThreshold: 1_000_000,
    // Short backoff so the test drains in seconds; the policy itself is tested with a fake clock elsewhere.
    retry: { ...DEFAULT_RETRY, firstDelaySeconds: 0.2, capSeconds: 1, maxAttempts: 10_000 },
  },
);
await dispatcher.start(env.DATABASE_URL);
process.stdout.write('started\n');
