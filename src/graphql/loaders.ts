import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { InspectionItemVersion } from '../modules/items/inspection-item.entity.js';
import { TargetPerson } from '../modules/targets/target-person.entity.js';
import { Department } from '../modules/org/department.entity.js';
import { leanColumns, leanMap, leanRows } from '../db/lean.js';
import { Inspection } from '../modules/inspections/inspection.entity.js';
import { Person } from '../modules/targets/person.entity.js';
import { lastInspectionSql } from '../modules/inspections/last-inspection.sql.js';
import { pgArray } from '../db/pg-array.js';
import { queryBound } from '../db/bound.js';

/** Per-request batch loaders for relations that MikroORM's own dataloader does not cover. */
export interface Loaders {
  itemVersion(itemId: string, version: number): Promise<InspectionItemVersion>;
  targetPersons: DataLoader<string, TargetPerson[]>;
  department: DataLoader<string, Department | null>;
  /**
   * The last inspection carried out at a target (by `inspectedOn`), or null; `fields` (from
   * `projection`, null = all) are the properties read. One loader per distinct projection.
   */
  lastInspection(fields: readonly string[] | null): DataLoader<string, Inspection | null>;
}

/** Links of a set of targets with their persons, in role order (param: target ids, uuid[]). */
const TARGET_PERSONS_SQL = `select tp.id, tp.target_id, tp.role, tp.since, tp.until, p.id as person_id, p.name,
  p.id_type, p.id_masked, p.id_valid, p.phone_masked
from target_person tp join person p on p.id = tp.person_id
where tp.target_id = any(?::uuid[]) order by tp.role asc, tp.id asc`;

export function makeLoaders(em: EntityManager): Loaders {
  const versions = new DataLoader<string, InspectionItemVersion>(async (keys) => {
    const pairs = keys.map((k) => k.split('@') as [string, string]);
    const rows = await em.find(InspectionItemVersion, {
      $or: pairs.map(([item, v]) => ({ item, version: Number(v) })),
    });
    const by = new Map(rows.map((r) => [`${r.item.id}@${r.version}`, r]));
    return keys.map((k) => by.get(k) ?? new Error(`item version ${k} missing`));
  });
  // Read-only lean rows (see src/db/lean.ts), the person joined in; `target` comes back as its id.
  // The encrypted ID and phone are left out: the two resolvers that reveal them load them by id.
  const targetPersons = new DataLoader<string, TargetPerson[]>(async (targetIds) => {
    const rows = await queryBound(em, TARGET_PERSONS_SQL, [pgArray(targetIds)]);
    const by = new Map<string, TargetPerson[]>();
    for (const r of rows) {
      const link = leanRows(TargetPerson, {
        id: r.id,
        target: r.target_id,
        role: r.role,
        since: r.since,
        until: r.until,
        person: leanRows(Person, {
          id: r.person_id,
          name: r.name,
          idType: r.id_type,
          idMasked: r.id_masked,
          idValid: r.id_valid,
          phoneMasked: r.phone_masked,
        }),
      });
      const list = by.get(r.target_id as string);
      if (list) list.push(link);
      else by.set(r.target_id as string, [link]);
    }
    return targetIds.map((id) => by.get(id) ?? []);
  });
  const department = new DataLoader<string, Department | null>(async (codes) => {
    const rows = await em.find(Department, { code: { $in: [...codes] } });
    const by = new Map(rows.map((r) => [r.code, r]));
    return codes.map((c) => by.get(c) ?? null);
  });
  // Read-only: lean rows (see src/db/lean.ts).
  const lastInspections = new Map<string, DataLoader<string, Inspection | null>>();
  // The resolver hands every target of a page the same `fields` array: looked up by identity first.
  const byFields = new WeakMap<readonly string[], DataLoader<string, Inspection | null>>();
  const lastInspection = (fields: readonly string[] | null) => {
    const same = fields && byFields.get(fields);
    if (same) return same;
    const columns = fields && leanColumns(em, Inspection, fields);
    const key = columns?.join(',') ?? '*';
    let loader = lastInspections.get(key);
    if (!loader) {
      const sql = lastInspectionSql(columns);
      loader = new DataLoader<string, Inspection | null>(async (targetIds) => {
        const rows = await queryBound(em, sql, [pgArray(targetIds)]);
        const by = new Map<string, Inspection>();
        for (const i of leanMap(em, Inspection, rows)) by.set(i.targetId, i);
        return targetIds.map((id) => by.get(id) ?? null);
      });
      lastInspections.set(key, loader);
    }
    if (fields) byFields.set(fields, loader);
    return loader;
  };
  return {
    itemVersion: (itemId, version) => versions.load(`${itemId}@${version}`),
    targetPersons,
    department,
    lastInspection,
  };
}
