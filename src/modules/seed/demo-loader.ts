import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Logger } from '../../shared/logger.js';
import type { Services } from '../../services.js';
import { generateDemoCounty, type DemoTarget } from '../demo/generator.js';
import { DEPARTMENTS, type DepartmentSeed } from '../org/departments-data.js';
import { SEED_ITEMS, type SeedItem } from '../items/seed-items.js';
import { checkUscc } from '../identity/identifiers.js';
import { chainHash, GENESIS_HASH } from '../audit/audit.service.js';
import { sm3Hex } from '../../crypto/sm.js';
import { canonicalJson } from '../../shared/canonical-json.js';
import { APP_ROLE } from '../../db/orm.js';

export interface DemoOptions {
  scale: number;
  inspectors?: number;
  seed?: string;
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
}

const SYSTEM_ACTOR = { sub: 'system:demo-seed', role: 'ADMIN', dept: null } as const;

/** Loads the demo county when the database holds no target and no inspector yet. Returns whether it loaded. */
export async function seedDemoIfEmpty(
  orm: { config: { get(key: 'clientUrl'): string | undefined } },
  services: Services,
  log: Logger,
  opts: DemoOptions,
): Promise<boolean> {
  const url = orm.config.get('clientUrl');
  if (!url) throw new Error('no database URL');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`set role ${APP_ROLE}`);
    const r = await client.query(
      'select (select count(*) from target) + (select count(*) from inspector) as n',
    );
    if (Number(r.rows[0].n) > 0) return false;
    log.info({ scale: opts.scale }, 'loading the demo county (empty database)');
    const t0 = Date.now();
    const counts = await loadDemoCounty(client, services, opts);
    log.info({ ...counts, ms: Date.now() - t0 }, 'demo county loaded');
    return true;
  } finally {
    await client.end();
  }
}

/**
 * Writes a generated county with bulk `INSERT … SELECT FROM unnest(…)` statements in batches, so
 * the same path serves 3,000 targets for `npm start` and 1,000,000 for the benchmarks.
 */
export async function loadDemoCounty(client: pg.ClientBase, services: Services, opts: DemoOptions) {
  const inspectorsN = opts.inspectors ?? Math.max(20, Math.round(opts.scale / 20));
  const county = generateDemoCounty({
    targets: opts.scale,
    inspectors: inspectorsN,
    seed: opts.seed ?? 'xianyou-demo',
  });
  const batch = opts.batchSize ?? 2000;
  const now = new Date();

  await client.query('begin');
  try {
    await insertReferenceData(client, county.departments, county.items, now);
    const inspectorIds = new Map<string, string>();
    for (const i of county.inspectors) {
      const id = randomUUID();
      inspectorIds.set(i.policeNo, id);
      await client.query(
        `insert into inspector (id, police_no, name, department_code, region_code, certificate_no, certificate_valid_from,
           certificate_valid_to, status, qualified_categories) values ($1,$2,$3,$4,'350322',$5,$6,$7,$8,$9)`,
        [
          id,
          i.policeNo,
          i.name,
          i.departmentCode,
          i.certificateNo,
          i.certificateValidFrom,
          i.certificateValidTo,
          i.status,
          i.qualifiedCategories,
        ],
      );
    }
    for (const p of county.jointPools) {
      await client.query(
        `insert into joint_pool (id, code, name, department_codes, approved_by, approved_on) values ($1,$2,$3,$4,$5,$6)`,
        [randomUUID(), p.code, p.name, p.departmentCodes, p.approvedBy, p.approvedOn],
      );
    }
    let done = 0;
    let rows: DemoTarget[] = [];
    const targetIdBySource = new Map<string, string>();
    const flushBatch = async () => {
      if (!rows.length) return;
      await insertTargets(client, services, rows, targetIdBySource, county.relationships.length > 0);
      done += rows.length;
      opts.onProgress?.(done, opts.scale);
      rows = [];
    };
    for (const t of county.targets) {
      rows.push(t);
      if (rows.length >= batch) await flushBatch();
    }
    await flushBatch();
    let rel = 0;
    for (const r of county.relationships) {
      const inspectorId = inspectorIds.get(r.inspectorPoliceNo);
      const targetId = r.targetSourceId ? targetIdBySource.get(r.targetSourceId) : undefined;
      let personId: string | null = null;
      if (r.personIdNumber) {
        const p = await client.query('select id from person where id_index = $1', [
          services.pii.indexOf(r.personIdNumber),
        ]);
        personId = p.rows[0]?.id ?? null;
      }
      if (!inspectorId || (!targetId && !personId)) continue;
      await client.query(
        `insert into relationship (id, inspector_id, target_id, person_id, kind, valid_from) values ($1,$2,$3,$4,$5,$6)`,
        [randomUUID(), inspectorId, targetId ?? null, personId, r.kind, r.declaredOn],
      );
      rel++;
    }
    const summary = {
      departments: county.departments.length,
      items: county.items.length,
      inspectors: county.inspectors.length,
      jointPools: county.jointPools.length,
      targets: done,
      relationships: rel,
    };
    await appendAuditRaw(client, {
      action: 'demo.seed',
      entityType: 'County',
      entityId: '350322',
      details: summary,
    });
    await client.query('commit');
    return summary;
  } catch (e) {
    await client.query('rollback');
    throw e;
  }
}

/**
 * Inserts the bureau's reference data — departments and the seed's inspection items (published,
 * version 1) — unless already present. This is real data, loaded into every empty database.
 */
export async function insertReferenceData(
  client: pg.ClientBase,
  departments: readonly DepartmentSeed[],
  items: readonly SeedItem[],
  now: Date,
): Promise<boolean> {
  const present = await client.query('select count(*)::int as n from department');
  if (present.rows[0].n > 0) return false;
  for (const d of departments) {
    await client.query(
      `insert into department (id, code, name, kind, org_code, parent_code, region_code, jurisdiction_codes, categories)
       values ($1,$2,$3,$4,$5,$6,$7,$8,$9)`,
      [
        randomUUID(),
        d.code,
        d.name,
        d.kind,
        d.orgCode,
        d.parentCode ?? null,
        d.regionCode,
        d.jurisdictionCodes,
        d.categories,
      ],
    );
  }
  for (const it of items) {
    const id = randomUUID();
    await client.query(
      `insert into inspection_item (id, code, status, current_version, published_version, published_at, department_code)
       values ($1,$2,'PUBLISHED',1,1,$3,$4)`,
      [id, it.code, now, it.departmentCode],
    );
    await client.query(
      `insert into inspection_item_version (id, item_id, version, name, legal_basis, department_code, categories, content,
         key_points, method, ratio_percent, frequency_text, frequency_months, implementation_code, effective_from, created_by)
       values ($1,$2,1,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15)`,
      [
        randomUUID(),
        id,
        it.name,
        it.legalBasis,
        it.departmentCode,
        it.categories,
        it.content,
        JSON.stringify(it.keyPoints),
        it.method,
        it.ratioPercent,
        it.frequencyText,
        it.frequencyMonths,
        it.implementationCode,
        it.effectiveFrom,
        SYSTEM_ACTOR.sub,
      ],
    );
  }
  return true;
}

async function insertTargets(
  client: pg.ClientBase,
  services: Services,
  rows: DemoTarget[],
  idBySource: Map<string, string>,
  keepIds: boolean,
): Promise<void> {
  const cols = {
    id: [] as string[],
    category: [] as string[],
    name: [] as string[],
    usccRaw: [] as (string | null)[],
    usccNorm: [] as (string | null)[],
    usccValid: [] as (boolean | null)[],
    licence: [] as string[],
    address: [] as string[],
    jur: [] as string[],
    status: [] as string[],
    grade: [] as (string | null)[],
    black: [] as boolean[],
    key: [] as boolean[],
    abnormal: [] as boolean[],
    complaints: [] as number[],
    violations: [] as string[],
    source: [] as string[],
    sourceId: [] as string[],
  };
  const persons = {
    id: [] as string[],
    name: [] as string[],
    enc: [] as string[],
    idx: [] as string[],
    masked: [] as string[],
    valid: [] as boolean[],
    phoneEnc: [] as (string | null)[],
    phoneMasked: [] as (string | null)[],
  };
  const links: { target: string; idx: string; role: string }[] = [];
  for (const t of rows) {
    const id = randomUUID();
    if (keepIds) idBySource.set(t.sourceId, id);
    const u = checkUscc(t.usccRaw);
    cols.id.push(id);
    cols.category.push(t.category);
    cols.name.push(t.name);
    cols.usccRaw.push(t.usccRaw || null);
    cols.usccNorm.push(u.normalised || null);
    cols.usccValid.push(t.usccRaw ? u.valid : null);
    cols.licence.push(JSON.stringify(t.licenceNo ? [{ kind: 'LICENCE', number: t.licenceNo }] : []));
    cols.address.push(t.address);
    cols.jur.push(t.jurisdictionCode);
    cols.status.push(t.status);
    cols.grade.push(t.grade);
    cols.black.push(t.hotelBlacklisted);
    cols.key.push(t.keyInspection);
    cols.abnormal.push(t.abnormalListed);
    cols.complaints.push(t.complaints90d);
    cols.violations.push(JSON.stringify(t.violations));
    cols.source.push(t.sourceSystem);
    cols.sourceId.push(t.sourceId);
    for (const p of t.persons) {
      const prot = services.pii.protectId(p.idNumber);
      const phone = p.phone ? services.pii.protectPhone(p.phone) : null;
      persons.id.push(randomUUID());
      persons.name.push(p.name);
      persons.enc.push(prot.enc);
      persons.idx.push(prot.index);
      persons.masked.push(prot.masked);
      persons.valid.push(prot.valid);
      persons.phoneEnc.push(phone?.enc ?? null);
      persons.phoneMasked.push(phone?.masked ?? null);
      links.push({ target: id, idx: prot.index, role: p.role });
    }
  }
  await client.query(
    `insert into target (id, region_code, category, name, uscc_raw, uscc_normalised, uscc_valid, licence_nos, address,
       jurisdiction_code, status, grade, hotel_blacklisted, key_inspection, abnormal_listed, complaints90d, violations,
       source_system, source_id)
     select id, '350322', category::target_category, name, uscc_raw, uscc_norm, uscc_valid, licence::jsonb, address, jur,
       status::target_status, grade::grade, black, key, abnormal, complaints, violations::jsonb, source, source_id
     from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bool[], $7::text[], $8::text[], $9::text[],
       $10::text[], $11::text[], $12::bool[], $13::bool[], $14::bool[], $15::int[], $16::text[], $17::text[], $18::text[])
       as x(id, category, name, uscc_raw, uscc_norm, uscc_valid, licence, address, jur, status, grade, black, key, abnormal,
            complaints, violations, source, source_id)`,
    [
      cols.id,
      cols.category,
      cols.name,
      cols.usccRaw,
      cols.usccNorm,
      cols.usccValid,
      cols.licence,
      cols.address,
      cols.jur,
      cols.status,
      cols.grade,
      cols.black,
      cols.key,
      cols.abnormal,
      cols.complaints,
      cols.violations,
      cols.source,
      cols.sourceId,
    ],
  );
  if (!persons.id.length) return;
  await client.query(
    `insert into person (id, name, id_type, id_enc, id_index, id_masked, id_valid, phone_enc, phone_masked)
     select id, name, '111', enc, idx, masked, valid, phone_enc, phone_masked
     from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bool[], $7::text[], $8::text[])
       as x(id, name, enc, idx, masked, valid, phone_enc, phone_masked)
     on conflict (id_index) do nothing`,
    [
      persons.id,
      persons.name,
      persons.enc,
      persons.idx,
      persons.masked,
      persons.valid,
      persons.phoneEnc,
      persons.phoneMasked,
    ],
  );
  await client.query(
    `insert into target_person (id, target_id, person_id, role)
     select gen_random_uuid(), l.target, p.id, l.role::person_role
     from unnest($1::uuid[], $2::text[], $3::text[]) as l(target, idx, role)
     join person p on p.id_index = l.idx
     on conflict do nothing`,
    [links.map((l) => l.target), links.map((l) => l.idx), links.map((l) => l.role)],
  );
}

/** Appends one audit row over a plain pg client, chained exactly like AuditService does. */
export async function appendAuditRaw(
  client: pg.ClientBase,
  e: { action: string; entityType: string; entityId: string; details: Record<string, unknown> },
  actor: { sub: string; role: string; dept: string | null } = SYSTEM_ACTOR,
): Promise<void> {
  await client.query('select pg_advisory_xact_lock(7340032001)');
  const last = await client.query('select hash from audit_event order by id desc limit 1');
  const prevHash: string = last.rows[0]?.hash ?? GENESIS_HASH;
  const row = {
    at: new Date(),
    actorId: actor.sub,
    actorRole: actor.role,
    actorDept: actor.dept,
    action: e.action,
    entityType: e.entityType,
    entityId: e.entityId,
    beforeDigest: null,
    afterDigest: sm3Hex(canonicalJson(e.details)),
    details: e.details,
  };
  const hash = chainHash(prevHash, row);
  await client.query(
    `insert into audit_event (at, actor_id, actor_role, actor_dept, action, entity_type, entity_id, before_digest, after_digest,
       details, prev_hash, hash) values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)`,
    [
      row.at,
      row.actorId,
      row.actorRole,
      row.actorDept,
      row.action,
      row.entityType,
      row.entityId,
      null,
      row.afterDigest,
      JSON.stringify(row.details),
      prevHash,
      hash,
    ],
  );
}

/** Loads departments and the seed's item list into an empty database (every start, demo or not). */
export async function seedReferenceDataIfEmpty(url: string, log: Logger): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`set role ${APP_ROLE}`);
    await client.query('begin');
    const loaded = await insertReferenceData(client, DEPARTMENTS, SEED_ITEMS, new Date());
    if (loaded) {
      await appendAuditRaw(client, {
        action: 'reference.seed',
        entityType: 'County',
        entityId: '350322',
        details: { departments: DEPARTMENTS.length, items: SEED_ITEMS.length },
      });
    }
    await client.query('commit');
    if (loaded)
      log.info({ departments: DEPARTMENTS.length, items: SEED_ITEMS.length }, 'reference data loaded');
    return loaded;
  } catch (e) {
    await client.query('rollback');
    throw e;
  } finally {
    await client.end();
  }
}
