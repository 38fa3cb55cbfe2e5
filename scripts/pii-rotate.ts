/**
 * Re-encrypts ID numbers and phones written under a key that is no longer current (after a new
 * key was appended to PII_KEYRING), the quarantined raw records, and the sealed draw seeds (legacy
 * draws whose seed is still 64-hex clear text are sealed on the way). Runs in small batches, each its own transaction, so the
 * service keeps serving: old tokens stay readable until rewritten. Idempotent.
 */
import pg from 'pg';
import { loadConfig } from '../src/config/config.js';
import { createLogger } from '../src/shared/logger.js';
import { scriptDatabase } from '../src/db/script-database.js';
import { PiiService } from '../src/modules/pii/pii.service.js';
import { APP_ROLE } from '../src/db/orm.js';

const config = loadConfig();
const db = await scriptDatabase(config, createLogger('warn'));
const pii = new PiiService(config.piiKeyring, config.piiIndexKey);
const client = new pg.Client({ connectionString: db.url });
await client.connect();
let rewritten = 0;
try {
  await client.query(`set role ${APP_ROLE}`);
  let last = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const rows = await client.query(
      `select id, id_enc, phone_enc from person where id > $1 order by id limit 1000`,
      [last],
    );
    if (!rows.rowCount) break;
    await client.query('begin');
    for (const r of rows.rows as { id: string; id_enc: string | null; phone_enc: string | null }[]) {
      const idEnc = r.id_enc && pii.needsRotation(r.id_enc) ? pii.reencrypt(r.id_enc) : r.id_enc;
      const phoneEnc =
        r.phone_enc && pii.needsRotation(r.phone_enc) ? pii.reencrypt(r.phone_enc) : r.phone_enc;
      if (idEnc !== r.id_enc || phoneEnc !== r.phone_enc) {
        await client.query('update person set id_enc = $2, phone_enc = $3 where id = $1', [
          r.id,
          idEnc,
          phoneEnc,
        ]);
        rewritten++;
      }
      last = r.id;
    }
    await client.query('commit');
  }
  // Quarantined source records keep their raw bytes under the same keyring.
  let quarantined = 0;
  let lastQ = '0';
  for (;;) {
    const rows = await client.query(
      `select id::text as id, raw_enc from sync_quarantine where id > $1::bigint order by id limit 1000`,
      [lastQ],
    );
    if (!rows.rowCount) break;
    await client.query('begin');
    for (const r of rows.rows as { id: string; raw_enc: string | null }[]) {
      if (r.raw_enc && pii.needsRotation(r.raw_enc)) {
        await client.query('update sync_quarantine set raw_enc = $2 where id = $1::bigint', [
          r.id,
          pii.reencrypt(r.raw_enc),
        ]);
        quarantined++;
      }
      lastQ = r.id;
    }
    await client.query('commit');
  }
  // Draw seeds are sealed with the same keyring (PiiService.sealSecret); legacy rows are clear hex.
  let seeds = 0;
  let lastD = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const rows = await client.query(
      `select id, seed_sealed from sampling_draw where id > $1 order by id limit 1000`,
      [lastD],
    );
    if (!rows.rowCount) break;
    await client.query('begin');
    for (const r of rows.rows as { id: string; seed_sealed: string }[]) {
      const legacy = /^[0-9a-f]{64}$/.test(r.seed_sealed);
      if (legacy || pii.needsRotation(r.seed_sealed)) {
        const sealed = pii.sealSecret(legacy ? r.seed_sealed : pii.openSecret(r.seed_sealed));
        // Only if unchanged meanwhile: a concurrent rotation may have re-sealed it already.
        const u = await client.query(
          'update sampling_draw set seed_sealed = $2 where id = $1 and seed_sealed = $3',
          [r.id, sealed, r.seed_sealed],
        );
        seeds += u.rowCount ?? 0;
      }
      lastD = r.id;
    }
    await client.query('commit');
  }
  console.log(
    `re-encrypted ${rewritten} persons, ${quarantined} quarantined records and ${seeds} draw seeds under the current key`,
  );
} finally {
  await client.end();
  await db.close();
}
