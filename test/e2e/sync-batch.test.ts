import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import type { PiiService } from '../../src/modules/pii/pii.service.js';
import type { FieldCipher } from '../../src/crypto/sm.js';
import {
  IdCache,
  SyncWriter,
  type PersonInput,
  type PersonRow,
  type Sql,
} from '../../src/modules/sync/sync-writer.js';
import type { SourceRecord } from '../../adapters/types.js';
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

const PEOPLE: PersonInput[] = [
  { name: '张三', idType: '111', idNumber: '350322198811093310', phone: '138 0000 0001' },
  { name: '李四', idType: null, idNumber: '35032219900101002x', phone: null },
  { name: '王五', idType: '111', idNumber: '123', phone: '13900000002' },
  // The same ID again (spelt differently): the last mention wins, as with the per-row path.
  { name: '张三丰', idType: '111', idNumber: ' 350322198811093310 ', phone: null },
];

describe('set-based person protection and upsert (sync fast path)', () => {
  it('protectIds / protectPhones / encryptMany give what the one-by-one calls give', () => {
    const raws = PEOPLE.map((p) => p.idNumber);
    const batch = pii.protectIds(raws);
    const withKnownIndex = pii.protectIds(
      raws,
      raws.map((r) => pii.indexOf(r)),
    );
    raws.forEach((raw, i) => {
      const one = pii.protectId(raw);
      for (const b of [batch[i]!, withKnownIndex[i]!]) {
        expect(b.index).toBe(one.index);
        expect(b.masked).toBe(one.masked);
        expect(b.valid).toBe(one.valid);
        expect(cipher.decrypt(b.enc)).toBe(cipher.decrypt(one.enc));
      }
    });
    const phones = pii.protectPhones(['138 0000 0001', '13900000002']);
    expect(phones.map((p) => p.masked)).toEqual(
      ['138 0000 0001', '13900000002'].map((p) => pii.protectPhone(p).masked),
    );
    expect(cipher.decrypt(phones[0]!.enc)).toBe('13800000001');
    const tokens = cipher.encryptMany(['a', 'a', '中文']);
    expect(tokens.map((t) => cipher.decrypt(t))).toEqual(['a', 'a', '中文']);
    // Fresh IV per value: equal plaintexts still give different tokens.
    expect(tokens[0]).not.toBe(tokens[1]);
    expect(cipher.encryptMany([])).toEqual([]);
  });

  it('upsertPeople writes the same persons as personRow + upsertPersons, and nothing on a repeat', async () => {
    const writer = new SyncWriter({ pii, cipher });
    const read = async (sql: Sql) =>
      (
        await sql(
          `select name, id_type, id_index, id_masked, id_valid, phone_masked, sync_hash, id_enc, phone_enc, ctid::text as at
             from person where id_index = any(?::text[]) order by id_index`,
          [PEOPLE.map((p) => pii.indexOf(p.idNumber))],
        )
      ).map((r): Record<string, unknown> => ({
        ...r,
        id_enc: cipher.decrypt(r.id_enc as string),
        phone_enc: r.phone_enc === null ? null : cipher.decrypt(r.phone_enc as string),
      }));

    let viaRows: Record<string, unknown>[] = [];
    let rowWarnings = 0;
    await inRolledBackTx(tp, async (sql) => {
      const out = { warnings: 0 };
      const persons = new Map<string, PersonRow>();
      for (const p of PEOPLE) {
        const row = writer.personRow(p.name, p.idType, p.idNumber, p.phone, out);
        persons.set(row.index, row);
      }
      await writer.upsertPersons(sql, persons);
      viaRows = await read(sql);
      rowWarnings = out.warnings;
    });

    await inRolledBackTx(tp, async (sql) => {
      const out = { warnings: 0 };
      const ids = await writer.upsertPeople(sql, PEOPLE, out, new IdCache(pii));
      const viaBatch = await read(sql);
      const strip = (rows: Record<string, unknown>[]) => rows.map(({ at: _at, ...r }) => r);
      expect(strip(viaBatch)).toEqual(strip(viaRows));
      expect(out.warnings).toBe(rowWarnings);
      expect(out.warnings).toBeGreaterThan(0);
      expect(ids.size).toBe(3);

      // Same people again: same ids, no row rewritten (same tuple), nothing re-encrypted.
      const again = await writer.upsertPeople(sql, PEOPLE, { warnings: 0 });
      expect(again).toEqual(ids);
      const after = await read(sql);
      expect(after.map((r) => r.at)).toEqual(viaBatch.map((r) => r.at));

      // A changed phone rewrites exactly that person.
      const changed = PEOPLE.map((p) => (p.name === '王五' ? { ...p, phone: '13900000003' } : p));
      const third = await writer.upsertPeople(sql, changed, { warnings: 0 });
      expect(third).toEqual(ids);
      const last = await read(sql);
      expect(last.filter((r, i) => r.at !== after[i]!.at).map((r) => r.name)).toEqual(['王五']);
    });
  });

  it('a staff member starting another role at a site ends the previous one; new staff start one role', async () => {
    const writer = new SyncWriter({ pii, cipher });
    const site = cafeSite('7001', { persons: [], attributes: {} });
    const staff = (idNumber: string, role: 'MANAGER' | 'CASHIER') =>
      cafeStaff('7001', idNumber, `员工${idNumber.slice(-2)}`, role);
    const links = (sql: Sql) =>
      sql(
        `select p.id_index, tp.role::text as role, tp.until is null as current from target_person tp
           join person p on p.id = tp.person_id join target t on t.id = tp.target_id
          where t.source_id = '7001'`,
      );
    const A = '350322199001017011';
    const B = '350322199001017022';
    await inRolledBackTx(tp, async (sql) => {
      // A is created with the site; B comes in a later batch as a new person.
      await writer.apply(sql, 'internet-cafe', batchOf([site, staff(A, 'MANAGER')]), '1');
      await writer.apply(sql, 'internet-cafe', batchOf([staff(A, 'CASHIER'), staff(B, 'MANAGER')]), '1');
      const byKey = (rows: Record<string, unknown>[]) =>
        rows.map((r) => `${String(r.id_index)} ${String(r.role)} ${r.current ? 'current' : 'ended'}`).sort();
      expect(byKey(await links(sql))).toEqual(
        byKey([
          { id_index: pii.indexOf(A), role: 'MANAGER', current: false },
          { id_index: pii.indexOf(A), role: 'CASHIER', current: true },
          { id_index: pii.indexOf(B), role: 'MANAGER', current: true },
        ]),
      );
    });
  });

  it('links of a site the batch creates: one per person and role, and its legal representative as staff updates that link', async () => {
    const writer = new SyncWriter({ pii, cipher });
    const rep = {
      role: 'LEGAL_REP' as const,
      name: '法人',
      idType: '111',
      idNumber: '350322199001017033',
      phone: null,
    };
    // The same person twice in the site record, and again as LEGAL_REP staff with a start date.
    const site = cafeSite('7002', { persons: [rep, { ...rep }] });
    const links = (sql: Sql) =>
      sql(
        `select tp.role::text as role, tp.since::text as since, tp.until is null as current from target_person tp
           join target t on t.id = tp.target_id where t.source_id = '7002' order by 1, 2`,
      );
    const legalRepStaff = {
      ...cafeStaff('7002', rep.idNumber, rep.name, 'MANAGER'),
      role: 'LEGAL_REP',
    } as SourceRecord;
    await inRolledBackTx(tp, async (sql) => {
      const out = await writer.apply(
        sql,
        'internet-cafe',
        batchOf([site, cafeStaff('7002', rep.idNumber, rep.name, 'MANAGER'), legalRepStaff]),
        '1',
      );
      expect(out.inserted).toBe(1);
      // The staff record (the last word for this site and person) makes the link start 2025-06-01.
      expect(await links(sql)).toEqual([{ role: 'LEGAL_REP', since: '2025-06-01', current: true }]);
      // Again, unchanged: nothing written.
      const again = await writer.apply(sql, 'internet-cafe', batchOf([site]), '1');
      expect(again.unchanged).toBe(1);
      expect(await links(sql)).toEqual([{ role: 'LEGAL_REP', since: '2025-06-01', current: true }]);
    });
  });

  it('with COPY (as the engine writes), new persons and links equal what the statements write', async () => {
    const writer = new SyncWriter({ pii, cipher });
    const batch = batchOf([
      cafeSite('7003'),
      cafeStaff('7003', '350322199001017044', '员工甲', 'MANAGER'),
      cafeStaff('7003', '350322199001017055', '员工乙', 'CASHIER'),
      cafeSite('7004', { persons: [] }),
      cafeStaff('7004', '350322199001017044', '员工甲', 'SECURITY'),
    ]);
    const state = (sql: Sql) =>
      sql(
        `select t.source_id, t.name as site, t.status, t.jurisdiction_code, t.sync_hash as site_hash,
                t.attributes::text, t.violations::text, t.licence_nos::text, t.source_updated_at, t.archived_at,
                p.name, p.id_masked, p.id_valid, p.id_index, p.sync_hash, tp.role::text as role,
                tp.since::text as since, tp.until is null as current
           from target_person tp join target t on t.id = tp.target_id join person p on p.id = tp.person_id
          where t.source_id in ('7003', '7004') order by 1, 16, 11`,
      );
    const viaStatements = await inRolledBackTx(tp, async (sql) => {
      const out = await writer.apply(sql, 'internet-cafe', batch, '1');
      return { out, rows: await state(sql) };
    });
    const viaCopy = await inRolledBackTx(
      tp,
      async (sql) => {
        expect(sql.copy).toBeDefined();
        const out = await writer.apply(sql, 'internet-cafe', batch, '1');
        return { out, rows: await state(sql) };
      },
      { copy: true },
    );
    expect(viaCopy.rows).toEqual(viaStatements.rows);
    expect(viaCopy.rows.length).toBe(4);
    const counts = ({ out }: typeof viaCopy) => [out.inserted, out.staffJoined, out.events.length];
    expect(counts(viaCopy)).toEqual(counts(viaStatements));
  });

  it('a person another writer added after the look-ahead: the copy is rolled back to its savepoint and the upsert takes it', async () => {
    const writer = new SyncWriter({ pii, cipher });
    const idNumber = '350322199001017066';
    const batch = batchOf([
      cafeSite('7005', { persons: [] }),
      cafeStaff('7005', idNumber, '新名字', 'MANAGER'),
    ]);
    await inRolledBackTx(
      tp,
      async (sql) => {
        const prepared = writer.prepare(batch);
        await writer.lookAhead(sql, prepared, []);
        expect(prepared.hints!.known.size).toBe(0);
        // Meanwhile another writer adds the same person, under an older name.
        await writer.upsertPeople(sql, [{ name: '旧名字', idType: null, idNumber, phone: null }], {
          warnings: 0,
        });
        const out = await writer.apply(sql, 'internet-cafe', batch, '1', prepared);
        expect(out.staffJoined).toBe(1);
        const rows = await sql(
          `select p.name, count(*)::int as n from person p join target_person tp on tp.person_id = p.id
            where p.id_index = ? group by 1`,
          [pii.indexOf(idNumber)],
        );
        expect(rows).toEqual([{ name: '新名字', n: 1 }]);
      },
      { copy: true },
    );
  });

  it('copyRows writes tabs, newlines, backslashes, carriage returns and nulls as they are', async () => {
    await inRolledBackTx(
      tp,
      async (sql) => {
        await sql('create temporary table zz_copy (a text, b text) on commit drop');
        const rows = [
          ['a\tb\\c', null],
          ['line\nnext\r', '\\N'],
          ['', '中文\t'],
        ];
        await sql.copy!('zz_copy', ['a', 'b'], rows);
        const back = await sql('select a, b from zz_copy');
        expect(back.map((r) => [r.a, r.b])).toEqual(rows);
      },
      { copy: true },
    );
  });

  it('a target another writer commits while the batch copies it in: the copy is rolled back to its savepoint and the upsert takes it', async () => {
    const writer = new SyncWriter({ pii, cipher });
    const other = new pg.Client({ connectionString: tp.platform.databaseUrl });
    await other.connect();
    try {
      await other.query('begin');
      await other.query(
        `insert into target (id, region_code, category, name, jurisdiction_code, source_system, source_id)
         values (gen_random_uuid(), '350322', 'INTERNET_CAFE', '旧名', '350322510000', 'CAFE_SYS', '7006')`,
      );
      await inRolledBackTx(
        tp,
        async (sql) => {
          // The copy waits on the other writer's uncommitted row, which then commits.
          const applied = writer.apply(
            sql,
            'internet-cafe',
            batchOf([cafeSite('7006', { persons: [] })]),
            '1',
          );
          await new Promise((r) => setTimeout(r, 300));
          await other.query('commit');
          const out = await applied;
          // Unknown at the batch's look-up, so counted (and announced) as new, as before the copy path.
          expect(out.inserted + out.updated).toBe(1);
          const rows = await sql(
            `select name from target where source_system = 'CAFE_SYS' and source_id = '7006'`,
          );
          expect(rows).toEqual([{ name: '网吧7006' }]);
        },
        { copy: true },
      );
    } finally {
      await other.query(`delete from target where source_system = 'CAFE_SYS' and source_id = '7006'`);
      await other.end();
    }
  });
});
