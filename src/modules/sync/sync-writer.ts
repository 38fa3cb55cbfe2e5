import { randomUUID } from 'node:crypto';
import type {
  QuarantinedRecord,
  SourceBatch,
  SourceStaff,
  SourceStaffDeleted,
  SourceSystemId,
  SourceTarget,
  SourceTargetDeleted,
  SourceViolation,
} from '../../../adapters/types.js';
import type { Knex } from '@mikro-orm/postgresql';
import type pg from 'pg';
import { sm3Hex, type FieldCipher } from '../../crypto/sm.js';
import { copyRows } from '../../db/copy-rows.js';
import { canonicalJson } from '../../shared/canonical-json.js';
import { checkUscc } from '../identity/identifiers.js';
import type { InspectedId, PiiService, ProtectedId } from '../pii/pii.service.js';
import { REGION_CODE } from '../targets/target.service.js';

/** Runs one SQL statement (`?` placeholders, arrays bound as PostgreSQL arrays) in the batch transaction. */
export type Sql = ((text: string, params?: unknown[]) => Promise<Record<string, unknown>[]>) & {
  /**
   * `COPY` of rows known to be new into a table, on the same connection and transaction, when the
   * caller offers it (the sync engine does); without it they are inserted with a statement.
   */
  copy?: (table: string, columns: readonly string[], rows: readonly (readonly unknown[])[]) => Promise<void>;
};

/** The writer's `Sql` over knex (a transaction or the pool), without `copy`. */
export function knexSql(k: Knex): Sql {
  return async (text, params = []) =>
    ((await k.raw(text, params as Knex.RawBinding[])) as unknown as { rows: Record<string, unknown>[] }).rows;
}

/**
 * The writer's `Sql` over a knex transaction, with `copy` on the transaction's own connection
 * (knex answers it for a transaction) unless `copy` is false.
 */
export async function transactionSql(trx: Knex.Transaction, opts: { copy?: boolean } = {}): Promise<Sql> {
  const sql = knexSql(trx);
  if (opts.copy !== false) {
    const client = await (
      trx as unknown as { client: { acquireConnection(): Promise<pg.ClientBase> } }
    ).client.acquireConnection();
    sql.copy = (table, columns, rows) => copyRows(client, table, columns, rows);
  }
  return sql;
}

/**
 * Copies rows nobody had at look-up time into `table`, in a savepoint: answers false (and writes
 * nothing) when the unique index refuses one because another writer added it meanwhile, for the
 * caller to upsert them instead. Needs `sql.copy`.
 */
async function copyNewRows(
  sql: Sql,
  table: string,
  columns: readonly string[],
  rows: readonly (readonly unknown[])[],
): Promise<boolean> {
  const savepoint = `sync_new_${table}`;
  await sql(`savepoint ${savepoint}`);
  try {
    await sql.copy!(table, columns, rows);
  } catch (err) {
    if ((err as { code?: unknown }).code !== '23505') throw err;
    await sql(`rollback to savepoint ${savepoint}`);
    return false;
  }
  await sql(`release savepoint ${savepoint}`);
  return true;
}

/** `target.source_system` of each adapter: the names the demo county and exchange already use. */
export const SOURCE_SYSTEM_OF: Record<SourceSystemId, string> = {
  hotel: 'HOTEL_SYS',
  entertainment: 'ENT_SYS',
  'internet-cafe': 'CAFE_SYS',
};

/** Roles a target record speaks for; the café's target records carry only the legal representative. */
const ROLES_FROM_TARGET: Record<SourceSystemId, string[]> = {
  hotel: ['LEGAL_REP', 'MANAGER', 'CASHIER', 'SECURITY', 'OTHER'],
  entertainment: ['LEGAL_REP', 'MANAGER', 'CASHIER', 'SECURITY', 'OTHER'],
  'internet-cafe': ['LEGAL_REP'],
};

/** Violation types the café contract names that the seed calls serious (严重违法违规). */
const SERIOUS_VIOLATION_TYPES = new Set(['MINOR_ADMITTED', 'UNLICENSED_EXPANSION']);
/** A fine from this amount (yuan) marks a violation serious whatever its type. */
const SERIOUS_FINE_YUAN = 10_000;

/** A change that matters to supervisors; each raises a `targetChanged` event. */
export type TargetChange =
  | 'CREATED'
  | 'GRADE_CHANGED'
  | 'BLACKLISTED'
  | 'BLACKLIST_CLEARED'
  | 'SUSPENDED'
  | 'CLOSED'
  | 'REOPENED'
  | 'REMOVED'
  | 'STAFF_JOINED'
  | 'STAFF_LEFT';

export interface ChangeEvent {
  targetId: string;
  jurisdictionCode: string | null;
  change: TargetChange;
  from?: string | null;
  to?: string | null;
}

/** What one batch did. */
export interface BatchOutcome {
  fetched: number;
  inserted: number;
  updated: number;
  unchanged: number;
  deleted: number;
  quarantined: number;
  staffJoined: number;
  staffLeft: number;
  warnings: number;
  /** Targets written (inserted, updated or removed), for the batch's audit row. */
  changedTargetIds: string[];
  events: ChangeEvent[];
}

export interface WriterDeps {
  pii: PiiService;
  /** Encrypts quarantined raw bytes (they may hold ID numbers). */
  cipher: FieldCipher;
}

/** Marks violations serious (rules read `serious`): a listed type or a fine of 10,000 yuan or more. */
export function withSeriousFlag(v: SourceViolation): SourceViolation & { serious: boolean } {
  const yuan = v.fineYuan ? Number.parseInt(v.fineYuan.split('.')[0] ?? '0', 10) : 0;
  return { ...v, serious: SERIOUS_VIOLATION_TYPES.has(v.type) || yuan >= SERIOUS_FINE_YUAN };
}

/** Content hash of a source record: equal hashes mean nothing to write. */
export function recordHash(r: unknown): string {
  return sm3Hex(canonicalJson(r));
}

interface ExistingTarget {
  id: string;
  source_id: string;
  sync_hash: string | null;
  region_code: string;
  name: string;
  jurisdiction_code: string;
  status: string;
  grade: string | null;
  hotel_blacklisted: boolean;
  abnormal_listed: boolean;
  complaints90d: number;
  address: string | null;
  uscc_raw: string | null;
  archived_at: Date | null;
}

/** A person ready for the bulk upsert (ID encrypted, blind-indexed, masked). */
export interface PersonRow {
  index: string;
  name: string;
  idType: string | null;
  enc: string;
  masked: string;
  valid: boolean;
  phoneEnc: string | null;
  phoneMasked: string | null;
  hash: string;
}

const cols = <T, K extends keyof T>(rows: T[], k: K): T[K][] => rows.map((r) => r[k]);

/** A person as a source names it, before protection. */
export interface PersonInput {
  name: string;
  idType: string | null;
  idNumber: string;
  phone: string | null;
}

/** Records (or persons) hashed or encrypted between two yields to the event loop: about a millisecond. */
const SLICE = 64;

/** Lets queued I/O callbacks (replies of the batch being written) run before more CPU work. */
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Target, person and role columns of distinct links. */
class LinkColumns {
  private readonly seen = new Set<string>();
  readonly targets: string[] = [];
  readonly persons: string[] = [];
  readonly roles: string[] = [];

  get size(): number {
    return this.targets.length;
  }

  /** Adds a link unless it is there already. */
  add(target: string, person: string, role: string): void {
    const key = `${target}|${person}|${role}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.targets.push(target);
    this.persons.push(person);
    this.roles.push(role);
  }

  params(): unknown[] {
    return [this.targets, this.persons, this.roles];
  }
}

/**
 * Columns of a target row copied in as new: those `upsertTargets` collects, in the order of its
 * upsert's parameters, then `source_system`.
 */
const TARGET_COPY_COLUMNS = [
  'id',
  'region_code',
  'category',
  'name',
  'uscc_raw',
  'uscc_normalised',
  'uscc_valid',
  'licence_nos',
  'address',
  'jurisdiction_code',
  'status',
  'grade',
  'hotel_blacklisted',
  'abnormal_listed',
  'complaints90d',
  'violations',
  'incidents',
  'attributes',
  'source_id',
  'source_updated_at',
  'sync_hash',
  'source_system',
] as const;

/** Columns of a person row copied in as new (the order `upsertPeople` gives them). */
const PERSON_COPY_COLUMNS = [
  'id',
  'name',
  'id_type',
  'id_enc',
  'id_index',
  'id_masked',
  'id_valid',
  'phone_enc',
  'phone_masked',
  'sync_hash',
] as const;

/** Source ids of the targets a prepared batch writes: records, removals and the sites of staff records. */
function touchedTargets(p: PreparedBatch): Set<string> {
  const ids = new Set<string>();
  for (const r of p.upserts) ids.add(r.sourceId);
  for (const r of p.deletes) ids.add(r.sourceId);
  for (const r of p.staff.values()) ids.add(r.siteSourceId);
  return ids;
}

/** Id and sync content hash of the persons with these blind indexes, by index. */
async function knownPersons(
  sql: Sql,
  indexes: string[],
): Promise<Map<string, { id: string; hash: string | null }>> {
  const known = new Map<string, { id: string; hash: string | null }>();
  if (!indexes.length) return known;
  for (const k of await sql(`select id, id_index, sync_hash from person where id_index = any(?::text[])`, [
    indexes,
  ]))
    known.set(k.id_index as string, { id: k.id as string, hash: k.sync_hash as string | null });
  return known;
}

/** Blind index and check result of each ID number met in one batch, and persons' content hashes, computed once. */
export class IdCache {
  private readonly seen = new Map<string, InspectedId>();
  private readonly hashes = new Map<string, string>();

  constructor(private readonly pii: PiiService) {}

  of(raw: string): InspectedId {
    let v = this.seen.get(raw);
    if (!v) {
      v = this.pii.inspectId(raw);
      this.seen.set(raw, v);
    }
    return v;
  }

  indexOf(raw: string): string {
    return this.of(raw).index;
  }

  /** Blind indexes of every ID number met so far. */
  indexes(): string[] {
    return [...this.seen.values()].map((v) => v.index);
  }

  /** Content hash of a person as a source names it (name, ID type, phone). */
  personHash(p: PersonInput): string {
    const key = `person|${p.name}|${p.idType ?? ''}|${p.phone ?? ''}`;
    let h = this.hashes.get(key);
    if (h === undefined) {
      // Keyed (HMAC-SM3), so the hash of a name, ID type and phone cannot be looked up by guessing.
      h = this.pii.indexOf(key);
      this.hashes.set(key, h);
    }
    return h;
  }
}

/**
 * A batch's CPU work that needs no database: the last word on each id, content hashes of targets,
 * blind indexes and check results of ID numbers, persons' hashes. The sync engine prepares the next
 * batch while the current one is written.
 */
export interface PreparedBatch {
  upserts: SourceTarget[];
  deletes: SourceTargetDeleted[];
  /** Staff records, the last per site and person, keyed `siteSourceId|idIndex`. */
  staff: Map<string, SourceStaff | SourceStaffDeleted>;
  targetHash: Map<SourceTarget, string>;
  ids: IdCache;
  /** Every person the batch names with an ID number, by `index|hash`. */
  people: Map<string, PersonInput>;
  /** The batch is part of a full resync. */
  resync: boolean;
  /** Set by `lookAhead`: persons read and protected before the batch's transaction. */
  hints?: PersonHints;
}

/**
 * Persons of a batch looked up (and, when new or changed, protected) before its transaction, on
 * another connection while the previous batch is written. Hints only save work: the conditional
 * upsert stays the judge, and a person the batch in flight names is looked up again in the
 * transaction, so the outcome equals a lookup made in the transaction.
 */
export interface PersonHints {
  /** Id and content hash of each person that existed, by blind index. */
  known: Map<string, { id: string; hash: string | null }>;
  /** Protected rows of persons new or changed at look-up time, by `index|hash`. */
  rows: Map<string, PersonRow>;
  /** Indexes the batch in flight during the look-up names: read again in the transaction. */
  stale: Set<string>;
}

/**
 * Writes one source batch with bulk statements inside the caller's transaction: targets upserted
 * by (source_system, source_id) and skipped when their content hash is unchanged, persons by blind
 * index, staff links with since/until, removals archived, quarantined records stored encrypted,
 * the resync seen-set kept. Applying the same batch twice writes nothing the second time.
 */
export class SyncWriter {
  constructor(private readonly deps: WriterDeps) {}

  /** Computes everything of a batch that needs no database (see `PreparedBatch`). Pure CPU. */
  prepare(batch: SourceBatch): PreparedBatch {
    const steps = this.prepareSteps(batch);
    for (;;) {
      const step = steps.next();
      if (step.done) return step.value;
    }
  }

  /**
   * `prepare` in slices of {@link SLICE} records, yielding to the event loop between them. The sync
   * engine prepares the next batch while the current one is written: one long synchronous stretch
   * (tens of milliseconds of hashing) would hold every reply of that write waiting behind it.
   */
  async prepareSliced(batch: SourceBatch): Promise<PreparedBatch> {
    const steps = this.prepareSteps(batch);
    for (;;) {
      const step = steps.next();
      if (step.done) return step.value;
      await yieldToEventLoop();
    }
  }

  /**
   * Splits `next` for writing while `prev` is still being written by another transaction: `now`
   * holds the records that share no row with `prev` (a target by source id, as a record, a removal
   * or the site of a staff record; a person by blind index), `after` the others (null when none),
   * to be written in the same transaction once `prev` has committed and its rows are visible.
   * `after` is closed: a record sharing a target or person with a record in it is in it too, so
   * the two parts share no row and writing `now` then `after` equals writing `next` whole.
   * Answers null for a batch of a full resync on either side (its last batch reads what every
   * earlier one wrote).
   */
  split(
    prev: PreparedBatch,
    next: PreparedBatch,
  ): { now: PreparedBatch; after: PreparedBatch | null } | null {
    if (prev.resync || next.resync) return null;
    const ids = next.ids;
    const lateTargets = touchedTargets(prev);
    const latePeople = new Set(prev.ids.indexes());
    const named = (r: SourceTarget): string[] =>
      r.persons.flatMap((p) => (p.idNumber && p.idNumber.trim() ? [ids.indexOf(p.idNumber)] : []));
    const late = new Set<object>();
    // To a fixed point: moving a record names its target and persons late (at most one pass per move).
    for (let moved = true; moved;) {
      moved = false;
      for (const r of next.upserts) {
        if (late.has(r)) continue;
        const people = named(r);
        if (!lateTargets.has(r.sourceId) && !people.some((i) => latePeople.has(i))) continue;
        late.add(r);
        lateTargets.add(r.sourceId);
        for (const i of people) latePeople.add(i);
        moved = true;
      }
      for (const r of next.deletes) {
        if (late.has(r) || !lateTargets.has(r.sourceId)) continue;
        late.add(r);
        moved = true;
      }
      for (const r of next.staff.values()) {
        if (late.has(r)) continue;
        const person = ids.indexOf(r.idNumber);
        if (!lateTargets.has(r.siteSourceId) && !latePeople.has(person)) continue;
        late.add(r);
        latePeople.add(person);
        moved = true;
      }
    }
    const part = (isLate: boolean): PreparedBatch => ({
      ...next,
      upserts: next.upserts.filter((r) => late.has(r) === isLate),
      deletes: next.deletes.filter((r) => late.has(r) === isLate),
      staff: new Map([...next.staff].filter(([, r]) => late.has(r) === isLate)),
    });
    return { now: part(false), after: late.size ? part(true) : null };
  }

  /** The work of `prepare`; yields after every {@link SLICE} records. */
  private *prepareSteps(batch: SourceBatch): Generator<void, PreparedBatch, void> {
    // The last word on each id wins within a batch (duplicates and out-of-order pages).
    const lastTarget = new Map<string, SourceTarget | SourceTargetDeleted>();
    const staff = new Map<string, SourceStaff | SourceStaffDeleted>();
    const ids = new IdCache(this.deps.pii);
    let n = 0;
    for (const r of batch.records) {
      if (r.kind === 'TARGET' || r.kind === 'TARGET_DELETED') {
        lastTarget.delete(r.sourceId);
        lastTarget.set(r.sourceId, r);
      } else {
        const key = `${r.siteSourceId}|${ids.indexOf(r.idNumber)}`;
        staff.delete(key);
        staff.set(key, r);
        if (++n % SLICE === 0) yield;
      }
    }
    const upserts: SourceTarget[] = [];
    const deletes: SourceTargetDeleted[] = [];
    const targetHash = new Map<SourceTarget, string>();
    const people = new Map<string, PersonInput>();
    const mention = (p: PersonInput): void => {
      people.set(`${ids.indexOf(p.idNumber)}|${ids.personHash(p)}`, p);
    };
    for (const r of lastTarget.values()) {
      if (r.kind === 'TARGET_DELETED') {
        deletes.push(r);
        continue;
      }
      upserts.push(r);
      targetHash.set(r, recordHash(r));
      for (const p of r.persons) {
        if (!p.idNumber || !p.idNumber.trim()) continue;
        mention({ name: p.name, idType: p.idType, idNumber: p.idNumber, phone: p.phone });
      }
      if (++n % SLICE === 0) yield;
    }
    for (const r of staff.values()) {
      if (r.kind === 'STAFF') mention({ name: r.name, idType: null, idNumber: r.idNumber, phone: null });
      if (++n % SLICE === 0) yield;
    }
    return { upserts, deletes, staff, targetHash, ids, people, resync: !!batch.resync };
  }

  /**
   * Reads the persons a prepared batch names and protects the new or changed ones, outside its
   * transaction (`query` on any connection), setting `prepared.hints`. `stale`: indexes that a
   * batch not yet committed may change.
   */
  async lookAhead(query: Sql, prepared: PreparedBatch, stale: Iterable<string>): Promise<void> {
    const { people, ids } = prepared;
    const known = await knownPersons(query, [
      ...new Set([...people.values()].map((p) => ids.indexOf(p.idNumber))),
    ]);
    const changed = [...people.values()].filter(
      (p) => known.get(ids.indexOf(p.idNumber))?.hash !== ids.personHash(p),
    );
    const rows = new Map<string, PersonRow>();
    // In slices, for the same reason as `prepareSliced`.
    for (let i = 0; i < changed.length; i += SLICE) {
      if (i > 0) await yieldToEventLoop();
      for (const row of this.protectPeople(changed.slice(i, i + SLICE), ids))
        rows.set(`${row.index}|${row.hash}`, row);
    }
    prepared.hints = { known, rows, stale: new Set(stale) };
  }

  /** Protected rows (ID and phone encrypted, IVs drawn once) of persons, in their order. */
  private protectPeople(people: readonly PersonInput[], ids: IdCache): PersonRow[] {
    if (!people.length) return [];
    const prot = this.deps.pii.protectInspectedIds(people.map((p) => ids.of(p.idNumber)));
    const withPhone = people.map((p, i) => [p, i] as const).filter(([p]) => !!p.phone && !!p.phone.trim());
    const phones = new Map(
      this.deps.pii
        .protectPhones(withPhone.map(([p]) => p.phone as string))
        .map((ph, k) => [withPhone[k]![1], ph]),
    );
    return people.map((p, i) => {
      const id = prot[i] as ProtectedId;
      const ph = phones.get(i);
      return {
        index: id.index,
        name: p.name.slice(0, 64),
        idType: p.idType,
        enc: id.enc,
        masked: id.masked,
        valid: id.valid,
        phoneEnc: ph?.enc ?? null,
        phoneMasked: ph?.masked ?? null,
        hash: ids.personHash(p),
      };
    });
  }

  async apply(
    sql: Sql,
    adapter: SourceSystemId,
    batch: SourceBatch,
    runId: string,
    prepared: PreparedBatch = this.prepare(batch),
  ): Promise<BatchOutcome> {
    const out: BatchOutcome = {
      fetched: batch.fetched,
      inserted: 0,
      updated: 0,
      unchanged: 0,
      deleted: 0,
      quarantined: 0,
      staffJoined: 0,
      staffLeft: 0,
      warnings: 0,
      changedTargetIds: [],
      events: [],
    };
    const system = SOURCE_SYSTEM_OF[adapter];
    const quarantine: QuarantinedRecord[] = [...batch.quarantined];
    const { upserts, deletes, staff: lastStaff, targetHash, ids, hints } = prepared;

    const fresh = upserts.length
      ? await this.upsertTargets(sql, adapter, system, upserts, targetHash, quarantine, out, ids, hints)
      : new Set<string>();
    if (deletes.length) await this.removeTargets(sql, system, deletes, out);
    if (lastStaff.size)
      await this.applyStaff(sql, system, [...lastStaff.values()], quarantine, out, ids, hints, fresh);
    if (batch.resync) await this.trackResync(sql, adapter, system, batch, lastStaff, out);
    if (quarantine.length) await this.storeQuarantine(sql, adapter, quarantine, runId);
    out.quarantined = quarantine.length;
    return out;
  }

  private async upsertTargets(
    sql: Sql,
    adapter: SourceSystemId,
    system: string,
    records: SourceTarget[],
    targetHash: Map<SourceTarget, string>,
    quarantine: QuarantinedRecord[],
    out: BatchOutcome,
    ids: IdCache,
    hints: PersonHints | undefined,
  ): Promise<Set<string>> {
    const existing = new Map<string, ExistingTarget>();
    const rows = (await sql(
      `select id, source_id, sync_hash, region_code, name, jurisdiction_code, status, grade, hotel_blacklisted,
              abnormal_listed, complaints90d, address, uscc_raw, archived_at
         from target where source_system = ? and source_id = any(?::text[])`,
      [system, records.map((r) => r.sourceId)],
    )) as unknown as ExistingTarget[];
    for (const e of rows) existing.set(e.source_id, e);

    const w = {
      id: [] as string[],
      region: [] as string[],
      category: [] as string[],
      name: [] as string[],
      usccRaw: [] as (string | null)[],
      usccNorm: [] as (string | null)[],
      usccValid: [] as (boolean | null)[],
      licence: [] as string[],
      address: [] as (string | null)[],
      jur: [] as string[],
      status: [] as string[],
      grade: [] as (string | null)[],
      black: [] as boolean[],
      abnormal: [] as boolean[],
      complaints: [] as number[],
      violations: [] as string[],
      incidents: [] as string[],
      attributes: [] as string[],
      sourceId: [] as string[],
      sourceUpdated: [] as (string | null)[],
      hash: [] as string[],
    };
    const written: SourceTarget[] = [];
    for (const r of records) {
      const hash = targetHash.get(r) ?? recordHash(r);
      const ex = existing.get(r.sourceId);
      if (ex && ex.sync_hash === hash && ex.archived_at === null) {
        out.unchanged++;
        continue;
      }
      const name = r.name ?? ex?.name ?? null;
      const jur = r.jurisdictionCode ?? ex?.jurisdiction_code ?? null;
      if (name === null || jur === null) {
        quarantine.push({
          sourceId: r.sourceId,
          reason: `${name === null ? 'name' : 'jurisdictionCode'}: missing on a target the platform does not know yet`,
          raw: Buffer.from(JSON.stringify(r), 'utf8'),
        });
        continue;
      }
      const usccRaw = r.uscc ?? ex?.uscc_raw ?? null;
      const u = usccRaw && usccRaw.trim() ? checkUscc(usccRaw) : null;
      if (u && !u.valid) out.warnings++;
      const attributes: Record<string, unknown> = { ...r.attributes };
      if (r.geo) attributes.geo = r.geo;
      w.id.push(ex?.id ?? randomUUID());
      w.region.push(r.regionCode ?? ex?.region_code ?? REGION_CODE);
      w.category.push(r.category);
      w.name.push(name.slice(0, 200));
      w.usccRaw.push(u ? usccRaw : null);
      w.usccNorm.push(u ? u.normalised.slice(0, 32) : null);
      w.usccValid.push(u ? u.valid : null);
      w.licence.push(JSON.stringify(r.licenceNos));
      w.address.push((r.address ?? ex?.address ?? null)?.slice(0, 300) ?? null);
      w.jur.push(jur);
      w.status.push(r.status ?? ex?.status ?? 'OPERATING');
      // Entertainment: null is a real value (not yet graded, counts as C); other sources have no grade.
      w.grade.push(r.category === 'ENTERTAINMENT' ? r.grade : (r.grade ?? ex?.grade ?? null));
      w.black.push(r.blacklisted ?? ex?.hotel_blacklisted ?? false);
      w.abnormal.push(r.abnormalListed ?? ex?.abnormal_listed ?? false);
      w.complaints.push(r.complaints90d ?? ex?.complaints90d ?? 0);
      w.violations.push(JSON.stringify(r.violations.map(withSeriousFlag)));
      w.incidents.push(JSON.stringify(r.incidents));
      w.attributes.push(JSON.stringify(attributes));
      w.sourceId.push(r.sourceId);
      w.sourceUpdated.push(r.sourceUpdatedAt);
      w.hash.push(hash);
      written.push(r);
    }
    if (!written.length) return new Set();
    type Written = { id: string; source_id: string; jurisdiction_code: string; inserted: boolean };
    const res: Written[] = [];
    // Targets the platform does not know are copied in as new rows (ids drawn above). If another
    // writer added one meanwhile, the unique index refuses the copy, which is rolled back to its
    // savepoint, and the upsert below takes them all.
    // The collected columns in the upsert's parameter order (`TARGET_COPY_COLUMNS` too).
    const columns: unknown[][] = [
      w.id,
      w.region,
      w.category,
      w.name,
      w.usccRaw,
      w.usccNorm,
      w.usccValid,
      w.licence,
      w.address,
      w.jur,
      w.status,
      w.grade,
      w.black,
      w.abnormal,
      w.complaints,
      w.violations,
      w.incidents,
      w.attributes,
      w.sourceId,
      w.sourceUpdated,
      w.hash,
    ];
    let rest = w.id.map((_, i) => i);
    const unknown = sql.copy ? rest.filter((i) => !existing.has(w.sourceId[i] as string)) : [];
    const copyRow = (i: number) => [...columns.map((c) => c[i]), system];
    if (unknown.length && (await copyNewRows(sql, 'target', TARGET_COPY_COLUMNS, unknown.map(copyRow)))) {
      for (const i of unknown)
        res.push({ id: w.id[i]!, source_id: w.sourceId[i]!, jurisdiction_code: w.jur[i]!, inserted: true });
      const copied = new Set(unknown);
      rest = rest.filter((i) => !copied.has(i));
    }
    const pick = (column: unknown[]): unknown[] =>
      rest.length === column.length ? column : rest.map((i) => column[i]);
    if (rest.length) {
      const upserted = (await sql(
        `insert into target as t (id, region_code, category, name, uscc_raw, uscc_normalised, uscc_valid, licence_nos, address,
           jurisdiction_code, status, grade, hotel_blacklisted, abnormal_listed, complaints90d, violations, incidents,
           attributes, source_system, source_id, source_updated_at, sync_hash)
         select id, region, category::target_category, name, uscc_raw, uscc_norm, uscc_valid, licence::jsonb, address, jur,
           status::target_status, grade::grade, black, abnormal, complaints, violations::jsonb, incidents::jsonb,
           attributes::jsonb, ?, source_id, source_updated::timestamptz, hash
         from unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bool[], ?::text[], ?::text[],
           ?::text[], ?::text[], ?::text[], ?::bool[], ?::bool[], ?::int[], ?::text[], ?::text[], ?::text[], ?::text[],
           ?::text[], ?::text[])
           as x(id, region, category, name, uscc_raw, uscc_norm, uscc_valid, licence, address, jur, status, grade, black,
                abnormal, complaints, violations, incidents, attributes, source_id, source_updated, hash)
         on conflict (source_system, source_id) do update set
           region_code = excluded.region_code, category = excluded.category, name = excluded.name,
           uscc_raw = excluded.uscc_raw, uscc_normalised = excluded.uscc_normalised, uscc_valid = excluded.uscc_valid,
           licence_nos = excluded.licence_nos, address = excluded.address, jurisdiction_code = excluded.jurisdiction_code,
           status = excluded.status, grade = excluded.grade, hotel_blacklisted = excluded.hotel_blacklisted,
           abnormal_listed = excluded.abnormal_listed, complaints90d = excluded.complaints90d,
           violations = excluded.violations, incidents = excluded.incidents, attributes = excluded.attributes,
           source_updated_at = excluded.source_updated_at, sync_hash = excluded.sync_hash, archived_at = null,
           updated_at = now(), row_version = t.row_version + 1
         where t.sync_hash is distinct from excluded.sync_hash or t.archived_at is not null
         returning t.id, t.source_id, t.jurisdiction_code, (xmax = 0) as inserted`,
        [system, ...columns.map(pick)],
      )) as Written[];
      res.push(...upserted);
    }
    const idBySource = new Map<string, string>();
    const fresh = new Set<string>();
    const index = new Map(w.sourceId.map((s, i) => [s, i]));
    for (const row of res) {
      idBySource.set(row.source_id, row.id);
      out.changedTargetIds.push(row.id);
      const i = index.get(row.source_id) as number;
      const ex = existing.get(row.source_id);
      const ev = (change: TargetChange, from?: string | null, to?: string | null): void => {
        out.events.push({ targetId: row.id, jurisdictionCode: row.jurisdiction_code, change, from, to });
      };
      if (row.inserted || !ex) {
        if (row.inserted) fresh.add(row.id);
        out.inserted++;
        ev('CREATED');
        continue;
      }
      out.updated++;
      const status = w.status[i] as string;
      if (ex.grade !== w.grade[i]) ev('GRADE_CHANGED', ex.grade, w.grade[i]);
      if (ex.hotel_blacklisted !== w.black[i]) ev(w.black[i] ? 'BLACKLISTED' : 'BLACKLIST_CLEARED');
      if (ex.status !== status) {
        if (status === 'SUSPENDED') ev('SUSPENDED', ex.status, status);
        else if (status === 'CLOSED' || status === 'REVOKED') ev('CLOSED', ex.status, status);
        else ev('REOPENED', ex.status, status);
      }
      if (ex.archived_at !== null) ev('CREATED');
    }
    await this.linkTargetPersons(sql, adapter, written, idBySource, fresh, out, ids, hints);
    return fresh;
  }

  /** Upserts persons by blind index (skipped when their content hash is unchanged); answers person id by index. */
  async upsertPersons(sql: Sql, persons: Map<string, PersonRow>): Promise<Map<string, string>> {
    const rows = [...persons.values()];
    if (!rows.length) return new Map();
    await this.writePersons(sql, rows, '');
    const ids = await sql(`select id, id_index from person where id_index = any(?::text[])`, [
      cols(rows, 'index'),
    ]);
    return new Map(ids.map((r) => [r.id_index as string, r.id as string]));
  }

  /** Upserts persons by blind index, skipping those whose content hash is unchanged. */
  private writePersons(sql: Sql, rows: PersonRow[], returning: string): Promise<Record<string, unknown>[]> {
    return sql(
      `insert into person as p (id, name, id_type, id_enc, id_index, id_masked, id_valid, phone_enc, phone_masked, sync_hash)
       select gen_random_uuid(), name, id_type, enc, idx, masked, valid, phone_enc, phone_masked, hash
       from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bool[], ?::text[], ?::text[], ?::text[])
         as x(name, id_type, enc, idx, masked, valid, phone_enc, phone_masked, hash)
       on conflict (id_index) do update set name = excluded.name, id_type = coalesce(excluded.id_type, p.id_type),
         id_masked = excluded.id_masked, id_valid = excluded.id_valid,
         phone_enc = coalesce(excluded.phone_enc, p.phone_enc), phone_masked = coalesce(excluded.phone_masked, p.phone_masked),
         sync_hash = excluded.sync_hash, updated_at = now()
       where p.sync_hash is distinct from excluded.sync_hash ${returning}`,
      [
        cols(rows, 'name'),
        cols(rows, 'idType'),
        cols(rows, 'enc'),
        cols(rows, 'index'),
        cols(rows, 'masked'),
        cols(rows, 'valid'),
        cols(rows, 'phoneEnc'),
        cols(rows, 'phoneMasked'),
        cols(rows, 'hash'),
      ],
    );
  }

  /**
   * Upserts the persons a batch names (the last mention of an ID number wins) and answers person id
   * by blind index. Equal to `personRow` + `upsertPersons` for each, but set-based: one lookup of
   * the known persons by blind index and content hash, then only new or changed persons are
   * encrypted (IVs drawn once for the batch) and written, in one statement. Counts every invalid
   * ID mentioned as a warning in `out`; adds the blind index of each person this call created to
   * `created`, when given.
   */
  async upsertPeople(
    sql: Sql,
    people: readonly PersonInput[],
    out: { warnings: number },
    ids: IdCache = new IdCache(this.deps.pii),
    hints?: PersonHints,
    created?: Set<string>,
  ): Promise<Map<string, string>> {
    const byIndex = new Map<string, { p: PersonInput; hash: string }>();
    for (const p of people) {
      const { index, valid } = ids.of(p.idNumber);
      if (!valid) out.warnings++;
      const hash = ids.personHash(p);
      byIndex.delete(index);
      byIndex.set(index, { p, hash });
    }
    const personIds = new Map<string, string>();
    if (!byIndex.size) return personIds;
    const knownHash = new Map<string, string | null>();
    // Without hints, or for persons the hints cannot vouch for, read them in the transaction.
    const unhinted = hints ? [...byIndex.keys()].filter((i) => hints.stale.has(i)) : [...byIndex.keys()];
    if (hints) {
      for (const index of byIndex.keys()) {
        const k = hints.known.get(index);
        if (k && !hints.stale.has(index)) {
          personIds.set(index, k.id);
          knownHash.set(index, k.hash);
        }
      }
    }
    if (unhinted.length) {
      for (const [index, k] of await knownPersons(sql, unhinted)) {
        personIds.set(index, k.id);
        knownHash.set(index, k.hash);
      }
    }
    const changed = [...byIndex].filter(([index, { hash }]) => knownHash.get(index) !== hash);
    if (!changed.length) return personIds;
    const ready = changed.map(([index, { hash }]) => hints?.rows.get(`${index}|${hash}`));
    const fresh = this.protectPeople(
      changed.filter((_, i) => !ready[i]).map(([, { p }]) => p),
      ids,
    );
    let f = 0;
    let rows: PersonRow[] = ready.map((r) => r ?? (fresh[f++] as PersonRow));
    // Persons nobody had a moment ago are copied in as new rows (ids drawn here). Another writer
    // may have added one since: the unique index then refuses the copy, which is rolled back to its
    // savepoint, and the upsert below takes them all.
    const absent = sql.copy ? rows.filter((r) => !personIds.has(r.index)) : [];
    const newIds = absent.map(() => randomUUID());
    const asCopied = absent.map((r, i) => [
      newIds[i],
      r.name,
      r.idType,
      r.enc,
      r.index,
      r.masked,
      r.valid,
      r.phoneEnc,
      r.phoneMasked,
      r.hash,
    ]);
    if (absent.length && (await copyNewRows(sql, 'person', PERSON_COPY_COLUMNS, asCopied))) {
      absent.forEach((r, i) => {
        personIds.set(r.index, newIds[i] as string);
        created?.add(r.index);
      });
      const copied = new Set(absent);
      rows = rows.filter((r) => !copied.has(r));
    }
    if (!rows.length) return personIds;
    const written = await this.writePersons(
      sql,
      rows,
      'returning p.id, p.id_index, (p.xmax = 0) as inserted',
    );
    for (const w of written) {
      personIds.set(w.id_index as string, w.id as string);
      if (w.inserted) created?.add(w.id_index as string);
    }
    // A row another writer made equal meanwhile is not returned by the conditional upsert.
    const missing = rows.map((r) => r.index).filter((i) => !personIds.has(i));
    if (missing.length) {
      const more = await sql(`select id, id_index from person where id_index = any(?::text[])`, [missing]);
      for (const m of more) personIds.set(m.id_index as string, m.id as string);
    }
    return personIds;
  }

  /** Protects a person's ID and phone for `upsertPersons`; counts an invalid ID as a warning in `out`. */
  personRow(
    name: string,
    idType: string | null,
    idNumber: string,
    phone: string | null,
    out: { warnings: number },
  ): PersonRow {
    const prot = this.deps.pii.protectId(idNumber);
    if (!prot.valid) out.warnings++;
    const ph = phone && phone.trim() ? this.deps.pii.protectPhone(phone) : null;
    return {
      index: prot.index,
      name: name.slice(0, 64),
      idType,
      enc: prot.enc,
      masked: prot.masked,
      valid: prot.valid,
      phoneEnc: ph?.enc ?? null,
      phoneMasked: ph?.masked ?? null,
      // Keyed (HMAC-SM3), so the hash of a name, ID type and phone cannot be looked up by guessing.
      hash: this.deps.pii.indexOf(`person|${name}|${idType ?? ''}|${phone ?? ''}`),
    };
  }

  private async linkTargetPersons(
    sql: Sql,
    adapter: SourceSystemId,
    written: SourceTarget[],
    idBySource: Map<string, string>,
    fresh: Set<string>,
    out: BatchOutcome,
    ids: IdCache,
    hints: PersonHints | undefined,
  ): Promise<void> {
    const persons: PersonInput[] = [];
    const links: { target: string; index: string; role: string }[] = [];
    for (const r of written) {
      const target = idBySource.get(r.sourceId);
      if (!target) continue;
      for (const p of r.persons) {
        if (!p.idNumber || !p.idNumber.trim()) continue;
        persons.push({ name: p.name, idType: p.idType, idNumber: p.idNumber, phone: p.phone });
        links.push({ target, index: ids.indexOf(p.idNumber), role: p.role });
      }
    }
    const personIds = await this.upsertPeople(sql, persons, out, ids, hints);
    // A target this batch created has no links yet: none to end.
    const targets = [
      ...new Set(
        written.map((r) => idBySource.get(r.sourceId)).filter((x): x is string => !!x && !fresh.has(x)),
      ),
    ];
    const lt = links.map((l) => l.target);
    const lp = links.map((l) => personIds.get(l.index) as string);
    const lr = links.map((l) => l.role);
    // A target this batch created has no links yet: its links are inserted as they are, without a
    // probe for an existing one or an arbiter index check. A link named twice is written once.
    const toFresh = new LinkColumns();
    const toKnown = new LinkColumns();
    for (let i = 0; i < links.length; i++)
      (fresh.has(lt[i]!) ? toFresh : toKnown).add(lt[i]!, lp[i]!, lr[i]!);
    if (toFresh.size && sql.copy) {
      await sql.copy(
        'target_person',
        ['id', 'target_id', 'person_id', 'role'],
        toFresh.targets.map((t, i) => [randomUUID(), t, toFresh.persons[i], toFresh.roles[i]]),
      );
    } else if (toFresh.size) {
      await sql(
        `insert into target_person (id, target_id, person_id, role)
         select gen_random_uuid(), t, p, r::person_role from unnest(?::uuid[], ?::uuid[], ?::text[]) as x(t, p, r)`,
        toFresh.params(),
      );
    }
    if (toKnown.size) {
      // Links already as the source says are skipped before the insert: ON CONFLICT DO UPDATE would
      // lock each of them (a write) only to find nothing to do, which makes an unchanged re-run slow.
      // `offset 0` keeps the check a per-row probe of the unique index, never an anti-join that
      // scans the whole table once per batch.
      await sql(
        `insert into target_person as tp (id, target_id, person_id, role)
         select gen_random_uuid(), t, p, r::person_role from unnest(?::uuid[], ?::uuid[], ?::text[]) as x(t, p, r)
          where not exists (select 1 from target_person c
                             where c.target_id = x.t and c.person_id = x.p and c.role = x.r::person_role
                               and c.until is null offset 0)
         on conflict (target_id, person_id, role) do update set until = null, updated_at = now()
         where tp.until is not null`,
        toKnown.params(),
      );
    }
    if (!targets.length) return;
    // People the source no longer names for a role it speaks for have left that role.
    await sql(
      `update target_person tp set until = current_date, updated_at = now()
        where tp.target_id = any(?::uuid[]) and tp.role::text = any(?::text[]) and tp.until is null
          and not exists (select 1 from unnest(?::uuid[], ?::uuid[], ?::text[]) as d(t, p, r)
                           where d.t = tp.target_id and d.p = tp.person_id and d.r = tp.role::text)`,
      [targets, ROLES_FROM_TARGET[adapter], lt, lp, lr],
    );
  }

  private async removeTargets(
    sql: Sql,
    system: string,
    records: SourceTargetDeleted[],
    out: BatchOutcome,
  ): Promise<void> {
    const rows = await sql(
      `update target set archived_at = now(), updated_at = now(), row_version = row_version + 1
        where source_system = ? and source_id = any(?::text[]) and archived_at is null
        returning id, jurisdiction_code`,
      [system, records.map((r) => r.sourceId)],
    );
    for (const r of rows) {
      out.deleted++;
      out.changedTargetIds.push(r.id as string);
      out.events.push({
        targetId: r.id as string,
        jurisdictionCode: r.jurisdiction_code as string,
        change: 'REMOVED',
      });
    }
  }

  private async applyStaff(
    sql: Sql,
    system: string,
    records: (SourceStaff | SourceStaffDeleted)[],
    quarantine: QuarantinedRecord[],
    out: BatchOutcome,
    ids: IdCache,
    hints: PersonHints | undefined,
    fresh: ReadonlySet<string>,
  ): Promise<void> {
    const sites = await sql(
      `select id, source_id, jurisdiction_code from target where source_system = ? and source_id = any(?::text[])`,
      [system, [...new Set(records.map((r) => r.siteSourceId))]],
    );
    const site = new Map(
      sites.map((s) => [s.source_id as string, s as { id: string; jurisdiction_code: string }]),
    );
    const joins: { target: string; jur: string; index: string; role: string; since: string | null }[] = [];
    const leaves: { target: string; index: string }[] = [];
    const persons: PersonInput[] = [];
    for (const r of records) {
      const s = site.get(r.siteSourceId);
      if (!s) {
        quarantine.push({
          sourceId: `${r.siteSourceId}/staff`,
          reason: `siteSourceId: site ${r.siteSourceId} is not on the roster (its SITE record has not arrived)`,
          raw: Buffer.from(JSON.stringify(r), 'utf8'),
        });
        continue;
      }
      if (r.kind === 'STAFF') {
        persons.push({ name: r.name, idType: null, idNumber: r.idNumber, phone: null });
        joins.push({
          target: s.id,
          jur: s.jurisdiction_code,
          index: ids.indexOf(r.idNumber),
          role: r.role,
          since: r.since,
        });
      } else {
        leaves.push({ target: s.id, index: ids.indexOf(r.idNumber) });
      }
    }
    if (joins.length) {
      const createdPersons = new Set<string>();
      const personIds = await this.upsertPeople(sql, persons, out, ids, hints, createdPersons);
      const createdPersonIds = new Set([...createdPersons].map((index) => personIds.get(index)));
      const pid = (j: (typeof joins)[number]) => personIds.get(j.index) as string;
      // Staff of a site this batch created has no link there but the site's legal representatives'
      // (this batch's, role LEGAL_REP): other roles are new rows, copied as they are.
      const copied = sql.copy ? joins.filter((j) => fresh.has(j.target) && j.role !== 'LEGAL_REP') : [];
      if (copied.length) {
        await sql.copy!(
          'target_person',
          ['id', 'target_id', 'person_id', 'role', 'since'],
          copied.map((j) => [randomUUID(), j.target, pid(j), j.role, j.since]),
        );
      }
      const copiedSet = new Set(copied);
      const rest = copied.length ? joins.filter((j) => !copiedSet.has(j)) : joins;
      const jt = rest.map((j) => j.target);
      // As above: links already as the source says are skipped before the insert (no row lock);
      // a site this batch created (f) has none but those of this batch, so the probe is skipped.
      const written = rest.length
        ? await sql(
            `insert into target_person as tp (id, target_id, person_id, role, since)
             select gen_random_uuid(), t, p, r::person_role, s::date
               from unnest(?::uuid[], ?::uuid[], ?::text[], ?::text[], ?::bool[]) as x(t, p, r, s, f)
              where x.f or not exists (select 1 from target_person c
                                 where c.target_id = x.t and c.person_id = x.p and c.role = x.r::person_role
                                   and c.since is not distinct from x.s::date and c.until is null offset 0)
             on conflict (target_id, person_id, role) do update set since = excluded.since, until = null, updated_at = now()
             where tp.since is distinct from excluded.since or tp.until is not null
             returning tp.target_id, tp.person_id, tp.role::text as role, (xmax = 0) as inserted`,
            [
              jt,
              rest.map(pid),
              rest.map((j) => j.role),
              rest.map((j) => j.since),
              jt.map((t) => fresh.has(t)),
            ],
          )
        : [];
      const res = [
        ...copied.map((j) => ({ target_id: j.target, person_id: pid(j), role: j.role, inserted: true })),
        ...written,
      ];
      const jurOf = new Map(joins.map((j) => [j.target, j.jur]));
      for (const r of res) {
        if (!r.inserted) continue;
        out.staffJoined++;
        out.changedTargetIds.push(r.target_id as string);
        out.events.push({
          targetId: r.target_id as string,
          jurisdictionCode: jurOf.get(r.target_id as string) ?? null,
          change: 'STAFF_JOINED',
        });
      }
      // One staff role per person and site: a role that became active ends the previous one. Only
      // links the insert above wrote can have started a role, and only for persons that existed
      // before this batch at sites that existed before it (a person or site it created has no
      // other link: the batch holds one staff record per site and person, and legal
      // representatives are not ended here). `offset 0` keeps the
      // lateral lookup a per-row probe of the (target_id, person_id, role) index whatever the
      // statistics say (after a first sync of legal representatives they claim no staff row exists,
      // and a flattened join then scans the whole table once per batch row).
      const started = res.filter(
        (r) => !createdPersonIds.has(r.person_id as string) && !fresh.has(r.target_id as string),
      );
      if (started.length) {
        await sql(
          `update target_person tp set until = current_date, updated_at = now()
            where tp.id = any(array(
              select o.id from unnest(?::uuid[], ?::uuid[], ?::text[]) as x(t, p, r)
              cross join lateral (select c.id from target_person c
                                   where c.target_id = x.t and c.person_id = x.p and c.role::text <> x.r
                                     and c.role <> 'LEGAL_REP' and c.until is null offset 0) o))`,
          [started.map((r) => r.target_id), started.map((r) => r.person_id), started.map((r) => r.role)],
        );
      }
    }
    if (leaves.length) {
      const res = await sql(
        `update target_person tp set until = current_date, updated_at = now()
           from unnest(?::uuid[], ?::text[]) as x(t, idx) join person p on p.id_index = x.idx
          where tp.target_id = x.t and tp.person_id = p.id and tp.role <> 'LEGAL_REP' and tp.until is null
          returning tp.target_id`,
        [leaves.map((l) => l.target), leaves.map((l) => l.index)],
      );
      const jurOf = new Map(sites.map((s) => [s.id as string, s.jurisdiction_code as string]));
      for (const r of res) {
        out.staffLeft++;
        out.changedTargetIds.push(r.target_id as string);
        out.events.push({
          targetId: r.target_id as string,
          jurisdictionCode: jurOf.get(r.target_id as string) ?? null,
          change: 'STAFF_LEFT',
        });
      }
    }
  }

  /**
   * Full resync (café after SEQ_EXPIRED): remember every id seen from the first snapshot batch;
   * after the last one, archive the sites and end the staff links the snapshot no longer holds.
   */
  private async trackResync(
    sql: Sql,
    adapter: SourceSystemId,
    system: string,
    batch: SourceBatch,
    staff: Map<string, SourceStaff | SourceStaffDeleted>,
    out: BatchOutcome,
  ): Promise<void> {
    if (batch.resync?.first) await sql(`delete from sync_resync_seen where adapter = ?`, [adapter]);
    const keys: string[] = [];
    const kinds: string[] = [];
    for (const r of batch.records) {
      if (r.kind === 'TARGET') {
        kinds.push('T');
        keys.push(r.sourceId);
      }
    }
    for (const [key, r] of staff) {
      if (r.kind === 'STAFF') {
        kinds.push('S');
        keys.push(key);
      }
    }
    if (keys.length) {
      await sql(
        `insert into sync_resync_seen (adapter, kind, key) select ?, k, v from unnest(?::text[], ?::text[]) as x(k, v)
         on conflict do nothing`,
        [adapter, kinds, keys],
      );
    }
    if (!batch.resync?.last) return;
    const gone = await sql(
      `update target t set archived_at = now(), updated_at = now(), row_version = t.row_version + 1
        where t.source_system = ? and t.archived_at is null
          and not exists (select 1 from sync_resync_seen s where s.adapter = ? and s.kind = 'T' and s.key = t.source_id)
        returning t.id, t.jurisdiction_code`,
      [system, adapter],
    );
    for (const r of gone) {
      out.deleted++;
      out.changedTargetIds.push(r.id as string);
      out.events.push({
        targetId: r.id as string,
        jurisdictionCode: r.jurisdiction_code as string,
        change: 'REMOVED',
      });
    }
    const left = await sql(
      `update target_person tp set until = current_date, updated_at = now()
         from target t, person p
        where tp.target_id = t.id and tp.person_id = p.id and t.source_system = ? and tp.role <> 'LEGAL_REP'
          and tp.until is null
          and not exists (select 1 from sync_resync_seen s
                           where s.adapter = ? and s.kind = 'S' and s.key = t.source_id || '|' || p.id_index)
        returning tp.target_id, t.jurisdiction_code`,
      [system, adapter],
    );
    for (const r of left) {
      out.staffLeft++;
      out.events.push({
        targetId: r.target_id as string,
        jurisdictionCode: r.jurisdiction_code as string,
        change: 'STAFF_LEFT',
      });
    }
    await sql(`delete from sync_resync_seen where adapter = ?`, [adapter]);
  }

  private async storeQuarantine(
    sql: Sql,
    adapter: SourceSystemId,
    records: QuarantinedRecord[],
    runId: string,
  ): Promise<void> {
    const byDigest = new Map<string, QuarantinedRecord>();
    for (const q of records) byDigest.set(sm3Hex(q.raw), q);
    const rows = [...byDigest.entries()];
    await sql(
      `insert into sync_quarantine as q (adapter, region_code, source_id, reason, raw_enc, raw_digest, raw_bytes,
         first_run_id, last_run_id)
       select ?, ?, sid, reason, enc, digest, bytes, ?::bigint, ?::bigint
         from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::int[]) as x(sid, reason, enc, digest, bytes)
       on conflict (adapter, raw_digest) do update set last_run_id = excluded.last_run_id,
         seen_count = q.seen_count + 1, reason = excluded.reason, updated_at = now()
       where q.last_run_id <> excluded.last_run_id`,
      [
        adapter,
        REGION_CODE,
        runId,
        runId,
        rows.map(([, q]) => q.sourceId?.slice(0, 128) ?? null),
        rows.map(([, q]) => q.reason),
        rows.map(([, q]) => this.deps.cipher.encrypt(q.raw.toString('base64'))),
        rows.map(([d]) => d),
        rows.map(([, q]) => q.raw.length),
      ],
    );
  }
}
