import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FieldCipher } from '../../src/crypto/sm.js';
import type { PiiService } from '../../src/modules/pii/pii.service.js';
import { SyncWriter, type BatchOutcome, type Sql } from '../../src/modules/sync/sync-writer.js';
import type { TestPlatform } from '../support/platform.js';
import { inRolledBackTx } from '../support/rolled-back-tx.js';
import { batchOf, cafeSite, cafeStaff, startSyncWriterPlatform } from '../support/sync-writer-env.js';

let tp: TestPlatform;
let pii: PiiService;
let cipher: FieldCipher;

beforeAll(async () => {
  ({ tp, pii, cipher } = await startSyncWriterPlatform());
});

afterAll(async () => {
  await tp?.stop();
});

const site = cafeSite;
const staff = cafeStaff;
const batch = batchOf;

const B1 = batch([
  site('1001'),
  site('1002'),
  staff('1001', '350322199001010011', '员工甲', 'MANAGER'),
  staff('1002', '350322199001010022', '员工乙', 'CASHIER'),
]);
const B2 = batch([
  // unchanged, changed (suspended, a new legal representative), removed, unknown removal
  site('1001'),
  site('1002', {
    status: 'SUSPENDED',
    persons: [
      { role: 'LEGAL_REP', name: '新法人', idType: '111', idNumber: '350322198501010099', phone: null },
    ],
  }),
  site('1003'),
  { kind: 'TARGET_DELETED', sourceSystem: 'internet-cafe', sourceId: '9999' },
  // leaves, stays, joins, a person renamed, a site not on the roster (quarantined)
  {
    kind: 'STAFF_DELETED',
    sourceSystem: 'internet-cafe',
    siteSourceId: '1001',
    idNumber: '350322199001010011',
  },
  staff('1002', '350322199001010022', '员工乙', 'CASHIER'),
  staff('1001', '350322199001010033', '员工丙', 'SECURITY'),
  staff('1003', '350322198801011001', '法人改名', 'MANAGER'),
  staff('8888', '350322199001010044', '员工丁', 'MANAGER'),
]);
const B3 = batch([
  ...B2.records,
  { kind: 'TARGET_DELETED', sourceSystem: 'internet-cafe', sourceId: '1003' },
]);

/** The roster as a comparable value: no generated ids or timestamps; personal data decrypted. */
async function snapshot(sql: Sql) {
  const targets = await sql(
    `select source_id, name, status, archived_at is null as live, sync_hash, row_version from target
      where source_system = 'CAFE_SYS' order by source_id`,
  );
  const persons = (
    await sql(`select id_index, name, id_type, id_enc, id_masked, id_valid, phone_enc, phone_masked, sync_hash
                 from person order by id_index`)
  ).map((p): Record<string, unknown> => ({
    ...p,
    id_enc: cipher.decrypt(p.id_enc as string),
    phone_enc: p.phone_enc === null ? null : cipher.decrypt(p.phone_enc as string),
  }));
  const links = await sql(
    `select t.source_id, p.id_index, tp.role::text as role, tp.since::text as since, tp.until is null as current
       from target_person tp join target t on t.id = tp.target_id join person p on p.id = tp.person_id
      order by 1, 2, 3`,
  );
  const quarantine = await sql(`select source_id, reason from sync_quarantine order by source_id`);
  return { targets, persons, links, quarantine };
}

const comparable = (o: BatchOutcome) => ({
  ...o,
  changedTargetIds: o.changedTargetIds.length,
  events: o.events.map((e) => `${e.change}:${e.from ?? ''}>${e.to ?? ''}`).sort(),
});

async function runId(sql: Sql): Promise<string> {
  const r = await sql(
    `insert into sync_run (adapter, region_code) values ('internet-cafe', '350322') returning id::text as id`,
  );
  return r[0]!.id as string;
}

describe('sync writer: look-ahead person hints and pre-filtered links', () => {
  it('give the same roster, outcomes and events as the in-transaction path, across inserts, updates, unchanged, removals, staff joins and leaves', async () => {
    const writer = new SyncWriter({ pii, cipher });
    const plain = await inRolledBackTx(tp, async (sql) => {
      const run = await runId(sql);
      const outcomes: ReturnType<typeof comparable>[] = [];
      for (const b of [B1, B2, B3])
        outcomes.push(comparable(await writer.apply(sql, 'internet-cafe', b, run)));
      return { outcomes, state: await snapshot(sql) };
    });
    const hinted = await inRolledBackTx(tp, async (sql) => {
      const run = await runId(sql);
      const outcomes: ReturnType<typeof comparable>[] = [];
      // As in the engine: each batch is looked up while the previous one is not yet written, so the
      // previous batch's persons are stale hints and must be read again in the transaction.
      let inFlight = writer.prepare(B1);
      await writer.lookAhead(sql, inFlight, []);
      for (const next of [B2, B3, null]) {
        const prepared = next ? writer.prepare(next) : null;
        if (prepared) await writer.lookAhead(sql, prepared, inFlight.ids.indexes());
        const current = [B1, B2, B3][outcomes.length]!;
        outcomes.push(comparable(await writer.apply(sql, 'internet-cafe', current, run, inFlight)));
        if (prepared) inFlight = prepared;
      }
      return { outcomes, state: await snapshot(sql) };
    });
    expect(hinted).toEqual(plain);

    // The scenario really covers what it names.
    const [o1, o2, o3] = plain.outcomes;
    expect(o1).toMatchObject({ inserted: 2, staffJoined: 2 });
    expect(o2).toMatchObject({ inserted: 1, updated: 1, unchanged: 1, staffLeft: 1, quarantined: 1 });
    expect(o2!.staffJoined).toBeGreaterThanOrEqual(2);
    expect(o2!.events).toContain('SUSPENDED:OPERATING>SUSPENDED');
    expect(o3).toMatchObject({ inserted: 0, updated: 0, deleted: 1, staffJoined: 0 });
    expect(plain.state.persons.some((p) => p.name === '法人改名')).toBe(true);
    expect(plain.state.links.some((l) => l.current === false)).toBe(true);
  });

  it("hints from before a concurrent change are corrected by the upsert: a person renamed meanwhile keeps the batch's name", async () => {
    const writer = new SyncWriter({ pii, cipher });
    await inRolledBackTx(tp, async (sql) => {
      const run = await runId(sql);
      await writer.apply(sql, 'internet-cafe', B1, run);
      const renamed = batch([staff('1001', '350322199001010011', '员工甲改', 'MANAGER')]);
      const prepared = writer.prepare(renamed);
      await writer.lookAhead(sql, prepared, []);
      // Someone else writes the person between the look-ahead and the batch.
      await sql(`update person set name = '别人改的', sync_hash = 'other' where id_index = ?`, [
        pii.indexOf('350322199001010011'),
      ]);
      await writer.apply(sql, 'internet-cafe', renamed, run, prepared);
      const p = await sql(`select name from person where id_index = ?`, [pii.indexOf('350322199001010011')]);
      expect(p[0]!.name).toBe('员工甲改');
    });
  });
});
