import type { MikroORM } from '@mikro-orm/core';
import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import { sm3Hex } from '../../crypto/sm.js';
import type { Principal } from '../../graphql/auth.js';
import type { Scope } from '../../graphql/policy.js';
import { AppError } from '../../shared/errors.js';
import type { AuditService } from '../audit/audit.service.js';
import { checkCitizenId, checkUscc, redactText } from '../identity/identifiers.js';
import { REGION_CODE } from '../targets/target.service.js';
import { TARGET_CATEGORY_LABELS, TargetCategory } from '../targets/target-category.js';
import { HEADER_OF, parseRoster, type RosterField, type RosterRow } from './roster-parser.js';
import { recordHash, transactionSql, type PersonRow, type Sql, type SyncWriter } from './sync-writer.js';

/** `target.source_system` of targets imported from roster files. */
export const ROSTER_SOURCE_SYSTEM = 'ROSTER_FILE';

/** Categories a roster file may carry (the ones without a live source system). */
const ROSTER_CATEGORIES = new Map<string, TargetCategory>(
  (Object.entries(TARGET_CATEGORY_LABELS) as [TargetCategory, string][])
    .filter(
      ([c]) =>
        ![TargetCategory.HOTEL, TargetCategory.ENTERTAINMENT, TargetCategory.INTERNET_CAFE].includes(c),
    )
    .map(([c, label]) => [label, c]),
);

/** A problem with one cell: `row` as in the spreadsheet (header = 1), `column` the Chinese header. */
export interface RowIssue {
  row: number;
  column: string;
  reason: string;
}

/** The answer of an import (CLI and HTTP alike). */
export interface RosterReport {
  file: string;
  format: 'CSV' | 'XLSX';
  encoding: string | null;
  dryRun: boolean;
  rows: number;
  accepted: number;
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: RowIssue[];
  warnings: RowIssue[];
}

interface Candidate {
  row: number;
  name: string;
  category: TargetCategory;
  jurisdictionCode: string;
  usccRaw: string | null;
  usccNorm: string | null;
  usccValid: boolean | null;
  address: string | null;
  licence: string | null;
  keyInspection: boolean | null;
  complaints: number | null;
  note: string | null;
  legalRep: { name: string; id: string; phone: string | null } | null;
  hash: string;
}

/** Who imports, and what they may change (null = the CLI, acting as the system). */
export interface ImportActor {
  principal: Principal;
  scope: Scope | null;
}

/**
 * Imports roster files (roster-files.md) in one transaction per file: every valid row lands or none
 * does; every refused row is reported with row, column and reason; identifier check failures only
 * warn. Rows match an existing target by valid USCC (and category), else by (name, station, category);
 * re-importing the same file changes nothing.
 */
export class RosterImportService {
  constructor(
    private readonly orm: MikroORM,
    private readonly audit: AuditService,
    private readonly writer: SyncWriter,
  ) {}

  /**
   * Parses, validates and (unless `dryRun`) writes one file.
   * @throws SyncError for a file that cannot be read at all (format, header, over 100,000 rows).
   */
  async importFile(
    bytes: Buffer,
    fileName: string,
    opts: { dryRun: boolean; actor: ImportActor },
  ): Promise<RosterReport> {
    const parsed = await parseRoster(bytes, fileName);
    const report: RosterReport = {
      file: fileName,
      format: parsed.format,
      encoding: parsed.encoding,
      dryRun: opts.dryRun,
      rows: parsed.rows.length,
      accepted: 0,
      inserted: 0,
      updated: 0,
      unchanged: 0,
      rejected: [],
      warnings: [],
    };
    return this.orm.em.fork().transactional(async (em) => {
      const trx = em.getTransactionContext<Knex.Transaction>();
      if (!trx) throw new Error('roster import outside a transaction');
      const sql = await transactionSql(trx, { copy: false });
      const stations = await this.stations(sql);
      const candidates = this.validate(parsed.rows, stations, opts.actor.scope, report);
      report.accepted = candidates.length;
      const plan = await this.match(sql, candidates);
      for (const p of plan) {
        if (!p.existing) report.inserted++;
        else if (p.existing.sync_hash === p.c.hash && p.existing.archived_at === null) report.unchanged++;
        else report.updated++;
      }
      if (opts.dryRun || report.inserted + report.updated === 0) return report;
      const changedIds = await this.write(sql, plan);
      const ids = [...changedIds].sort();
      await this.audit.record(em as EntityManager, opts.actor.principal, {
        action: 'roster.import',
        entityType: 'RosterFile',
        entityId: sm3Hex(bytes).slice(0, 64),
        details: {
          file: fileName.slice(0, 200),
          inserted: report.inserted,
          updated: report.updated,
          unchanged: report.unchanged,
          rejected: report.rejected.length,
          // Bounded: up to 1,000 ids verbatim, else their digest.
          ...(ids.length <= 1000 ? { targetIds: ids } : { targetIdsDigest: sm3Hex(ids.join(',')) }),
        },
      });
      const created = plan.filter((p) => !p.existing);
      if (created.length) {
        const evs =
          created.length <= 100
            ? created.map((p) => ({
                t: 'Target',
                i: p.id,
                j: p.c.jurisdictionCode,
                p: { change: 'CREATED', source: 'roster' },
              }))
            : [
                {
                  t: 'RosterFile',
                  i: sm3Hex(bytes),
                  j: null,
                  p: { change: 'BULK', source: 'roster', count: created.length },
                },
              ];
        await sql(
          `insert into event_log (topic, entity_type, entity_id, jurisdiction_code, payload)
           select 'targetChanged', t, i, j, p::jsonb from unnest(?::text[], ?::text[], ?::text[], ?::text[]) as x(t, i, j, p)`,
          [
            evs.map((e) => e.t),
            evs.map((e) => e.i),
            evs.map((e) => e.j),
            evs.map((e) => JSON.stringify(e.p)),
          ],
        );
      }
      return report;
    });
  }

  private async stations(sql: Sql): Promise<Map<string, string>> {
    const rows = await sql(
      `select name, org_code from department where kind = 'STATION' and archived_at is null`,
    );
    const m = new Map<string, string>();
    for (const r of rows) {
      m.set(r.name as string, r.org_code as string);
      m.set(r.org_code as string, r.org_code as string);
    }
    return m;
  }

  private validate(
    rows: RosterRow[],
    stations: Map<string, string>,
    scope: Scope | null,
    report: RosterReport,
  ): Candidate[] {
    const out: Candidate[] = [];
    const seen = new Map<string, number>();
    for (const { row, cells } of rows) {
      const issues: RowIssue[] = [];
      const bad = (f: RosterField, reason: string) => issues.push({ row, column: HEADER_OF[f], reason });
      const warn = (f: RosterField, reason: string) =>
        report.warnings.push({ row, column: HEADER_OF[f], reason });
      const v = (f: RosterField): string | null => (cells[f] ? (cells[f] as string) : null);
      const name = v('name');
      if (!name) bad('name', 'required');
      else if (name.length > 200) bad('name', `at most 200 characters, got ${name.length}`);
      const catLabel = v('category');
      const category = catLabel ? ROSTER_CATEGORIES.get(catLabel) : undefined;
      if (!catLabel) bad('category', 'required');
      else if (!category)
        bad('category', `expected one of ${[...ROSTER_CATEGORIES.keys()].join('、')}, got "${catLabel}"`);
      const st = v('station');
      const jur = st ? stations.get(st) : undefined;
      if (!st) bad('station', 'required');
      else if (!jur) bad('station', `no police station named or coded "${st}"`);
      const usccRaw = v('uscc');
      const u = usccRaw ? checkUscc(usccRaw) : null;
      if (u && !u.valid) warn('uscc', `check failed (${u.reason ?? 'invalid'}); kept as given`);
      const key = v('keyInspection');
      let keyInspection: boolean | null = null;
      if (key !== null) {
        if (key === '是') keyInspection = true;
        else if (key === '否') keyInspection = false;
        else bad('keyInspection', `expected 是 or 否, got "${key}"`);
      }
      const comp = v('complaints');
      let complaints: number | null = null;
      if (comp !== null) {
        if (/^\d{1,6}$/.test(comp)) complaints = Number(comp);
        else bad('complaints', `expected a whole number from 0, got "${comp}"`);
      }
      const repName = v('legalRep');
      const repId = v('legalRepId');
      let legalRep: Candidate['legalRep'] = null;
      if (repId) {
        if (!repName) bad('legalRep', 'required when 法定代表人证件号码 is given');
        else {
          if (!checkCitizenId(repId).valid) warn('legalRepId', 'GB 11643 check failed; kept as given');
          legalRep = { name: repName.slice(0, 64), id: repId, phone: v('phone') };
        }
      } else if (v('phone')) {
        warn('phone', "ignored: a phone is kept only with the legal representative's ID number");
      }
      if (category && jur && scope) {
        try {
          scope.assertCanChangeTarget(category, jur);
        } catch (e) {
          bad('station', e instanceof AppError ? e.message : 'not allowed');
        }
      }
      if (issues.length || !name || !category || !jur) {
        report.rejected.push(...issues);
        continue;
      }
      const matchKey = u?.valid ? `U|${u.normalised}|${category}` : `N|${name}|${jur}|${category}`;
      const dup = seen.get(matchKey);
      if (dup !== undefined) {
        report.rejected.push({ row, column: HEADER_OF.name, reason: `same unit as row ${dup}` });
        continue;
      }
      seen.set(matchKey, row);
      const c: Omit<Candidate, 'hash'> = {
        row,
        name,
        category,
        jurisdictionCode: jur,
        usccRaw: usccRaw,
        usccNorm: u ? u.normalised.slice(0, 32) : null,
        usccValid: u ? u.valid : null,
        address: v('address')?.slice(0, 300) ?? null,
        licence: v('licence'),
        keyInspection,
        complaints,
        // Free text may carry ID or phone numbers: those are removed before storing.
        note: v('note') ? redactText(v('note') as string) : null,
        legalRep,
      };
      const { row: _row, ...content } = c;
      out.push({ ...c, hash: recordHash({ roster: 1, ...content }) });
    }
    return out;
  }

  private async match(
    sql: Sql,
    cs: Candidate[],
  ): Promise<
    { c: Candidate; id: string; existing: { sync_hash: string | null; archived_at: Date | null } | null }[]
  > {
    const byUscc = cs.filter((c) => c.usccValid);
    const byName = cs.filter((c) => !c.usccValid);
    const found = new Map<Candidate, { id: string; sync_hash: string | null; archived_at: Date | null }>();
    if (byUscc.length) {
      const rows = await sql(
        `select distinct on (k.u, k.c) t.id, t.sync_hash, t.archived_at, k.u, k.c from target t
           join unnest(?::text[], ?::text[]) as k(u, c) on t.uscc_normalised = k.u and t.category::text = k.c
          where t.uscc_valid order by k.u, k.c, t.archived_at nulls first, t.created_at`,
        [byUscc.map((c) => c.usccNorm), byUscc.map((c) => c.category)],
      );
      const m = new Map(rows.map((r) => [`${r.u}|${r.c}`, r]));
      for (const c of byUscc) {
        const r = m.get(`${c.usccNorm}|${c.category}`);
        if (r) found.set(c, r as never);
      }
    }
    const rest = [...byName, ...byUscc.filter((c) => !found.has(c))];
    if (rest.length) {
      const rows = await sql(
        `select distinct on (k.n, k.j, k.c) t.id, t.sync_hash, t.archived_at, k.n, k.j, k.c from target t
           join unnest(?::text[], ?::text[], ?::text[]) as k(n, j, c)
             on t.name = k.n and t.jurisdiction_code = k.j and t.category::text = k.c
          order by k.n, k.j, k.c, t.archived_at nulls first, t.created_at`,
        [rest.map((c) => c.name), rest.map((c) => c.jurisdictionCode), rest.map((c) => c.category)],
      );
      const m = new Map(rows.map((r) => [`${r.n}|${r.j}|${r.c}`, r]));
      for (const c of rest) {
        const r = m.get(`${c.name}|${c.jurisdictionCode}|${c.category}`);
        if (r) found.set(c, r as never);
      }
    }
    return cs.map((c) => {
      const e = found.get(c);
      return { c, id: e?.id ?? crypto.randomUUID(), existing: e ?? null };
    });
  }

  private async write(
    sql: Sql,
    plan: {
      c: Candidate;
      id: string;
      existing: { sync_hash: string | null; archived_at: Date | null } | null;
    }[],
  ): Promise<Set<string>> {
    const todo = plan.filter(
      (p) => !p.existing || p.existing.sync_hash !== p.c.hash || p.existing.archived_at !== null,
    );
    const changed = new Set<string>();
    const CHUNK = 5000;
    for (let i = 0; i < todo.length; i += CHUNK) {
      const part = todo.slice(i, i + CHUNK);
      const col = <T>(f: (p: (typeof part)[number]) => T): T[] => part.map(f);
      const rows = await sql(
        `insert into target as t (id, region_code, category, name, uscc_raw, uscc_normalised, uscc_valid, licence_nos,
           address, jurisdiction_code, key_inspection, complaints90d, attributes, source_system, source_id, sync_hash)
         select id, ?, category::target_category, name, uscc_raw, uscc_norm, uscc_valid,
           case when licence is null then '[]'::jsonb else jsonb_build_array(jsonb_build_object('kind', 'LICENCE', 'number', licence)) end,
           address, jur, coalesce(key, false), coalesce(complaints, 0),
           case when note is null then '{}'::jsonb else jsonb_build_object('note', note) end,
           ?, 'R-' || substr(hash, 1, 24), hash
         from unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bool[], ?::text[], ?::text[], ?::text[],
           ?::bool[], ?::int[], ?::text[], ?::text[])
           as x(id, category, name, uscc_raw, uscc_norm, uscc_valid, licence, address, jur, key, complaints, note, hash)
         on conflict (id) do update set name = excluded.name, category = excluded.category,
           uscc_raw = coalesce(excluded.uscc_raw, t.uscc_raw), uscc_normalised = coalesce(excluded.uscc_normalised, t.uscc_normalised),
           uscc_valid = coalesce(excluded.uscc_valid, t.uscc_valid),
           licence_nos = case when excluded.licence_nos = '[]'::jsonb then t.licence_nos else excluded.licence_nos end,
           address = coalesce(excluded.address, t.address), jurisdiction_code = excluded.jurisdiction_code,
           key_inspection = excluded.key_inspection, complaints90d = excluded.complaints90d,
           attributes = t.attributes || excluded.attributes, sync_hash = excluded.sync_hash, archived_at = null,
           updated_at = now(), row_version = t.row_version + 1
         where t.sync_hash is distinct from excluded.sync_hash or t.archived_at is not null
         returning t.id`,
        [
          REGION_CODE,
          ROSTER_SOURCE_SYSTEM,
          col((p) => p.id),
          col((p) => p.c.category),
          col((p) => p.c.name),
          col((p) => p.c.usccRaw),
          col((p) => p.c.usccNorm),
          col((p) => p.c.usccValid),
          col((p) => p.c.licence),
          col((p) => p.c.address),
          col((p) => p.c.jurisdictionCode),
          col((p) => p.c.keyInspection),
          col((p) => p.c.complaints),
          col((p) => p.c.note),
          col((p) => p.c.hash),
        ],
      );
      for (const r of rows) changed.add(r.id as string);
      await this.linkLegalReps(sql, part);
    }
    return changed;
  }

  private async linkLegalReps(sql: Sql, part: { c: Candidate; id: string }[]): Promise<void> {
    const persons = new Map<string, PersonRow>();
    const links: { t: string; idx: string }[] = [];
    const counter = { warnings: 0 };
    for (const p of part) {
      if (!p.c.legalRep) continue;
      const row = this.writer.personRow(
        p.c.legalRep.name,
        '111',
        p.c.legalRep.id,
        p.c.legalRep.phone,
        counter,
      );
      persons.set(row.index, row);
      links.push({ t: p.id, idx: row.index });
    }
    if (!links.length) return;
    const ids = await this.writer.upsertPersons(sql, persons);
    const lt = links.map((l) => l.t);
    const lp = links.map((l) => ids.get(l.idx) as string);
    await sql(
      `insert into target_person as tp (id, target_id, person_id, role)
       select gen_random_uuid(), t, p, 'LEGAL_REP' from unnest(?::uuid[], ?::uuid[]) as x(t, p)
       on conflict (target_id, person_id, role) do update set until = null, updated_at = now() where tp.until is not null`,
      [lt, lp],
    );
    await sql(
      `update target_person tp set until = current_date, updated_at = now()
         from unnest(?::uuid[], ?::uuid[]) as x(t, p)
        where tp.target_id = x.t and tp.role = 'LEGAL_REP' and tp.person_id <> x.p and tp.until is null`,
      [lt, lp],
    );
  }
}
