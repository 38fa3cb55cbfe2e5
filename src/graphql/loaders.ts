import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { InspectionItemVersion } from '../modules/items/inspection-item.entity.js';
import { TargetPerson } from '../modules/targets/target-person.entity.js';
import { Department } from '../modules/org/department.entity.js';
import { leanFind, leanMap } from '../db/lean.js';
import { Inspection } from '../modules/inspections/inspection.entity.js';
import { LAST_INSPECTION_SQL } from '../modules/inspections/last-inspection.sql.js';
import { pgArray } from '../db/pg-array.js';

/** Per-request batch loaders for relations that MikroORM's own dataloader does not cover. */
export interface Loaders {
  itemVersion(itemId: string, version: number): Promise<InspectionItemVersion>;
  targetPersons: DataLoader<string, TargetPerson[]>;
  department: DataLoader<string, Department | null>;
  /** The last inspection carried out at a target (by `inspectedOn`), or null. */
  lastInspection: DataLoader<string, Inspection | null>;
}

export function makeLoaders(em: EntityManager): Loaders {
  const versions = new DataLoader<string, InspectionItemVersion>(async (keys) => {
    const pairs = keys.map((k) => k.split('@') as [string, string]);
    const rows = await em.find(InspectionItemVersion, {
      $or: pairs.map(([item, v]) => ({ item, version: Number(v) })),
    });
    const by = new Map(rows.map((r) => [`${r.item.id}@${r.version}`, r]));
    return keys.map((k) => by.get(k) ?? new Error(`item version ${k} missing`));
  });
  // Read-only: lean rows (see src/db/lean.ts), the person joined in; `target` comes back as its id.
  const targetPersons = new DataLoader<string, TargetPerson[]>(async (targetIds) => {
    const links = await leanFind(
      em,
      TargetPerson,
      { target: { $in: [...targetIds] } },
      {
        populate: [{ field: 'person', strategy: 'joined' }] as never,
        orderBy: { role: 'asc', id: 'asc' },
      },
    );
    const by = new Map<string, TargetPerson[]>();
    for (const l of links) {
      const targetId = l.target as unknown as string;
      const list = by.get(targetId) ?? [];
      list.push(l);
      by.set(targetId, list);
    }
    return targetIds.map((id) => by.get(id) ?? []);
  });
  const department = new DataLoader<string, Department | null>(async (codes) => {
    const rows = await em.find(Department, { code: { $in: [...codes] } });
    const by = new Map(rows.map((r) => [r.code, r]));
    return codes.map((c) => by.get(c) ?? null);
  });
  // Read-only: lean rows (see src/db/lean.ts).
  const lastInspection = new DataLoader<string, Inspection | null>(async (targetIds) => {
    const rows = await em
      .getConnection()
      .execute<Record<string, unknown>[]>(LAST_INSPECTION_SQL, [pgArray(targetIds)]);
    const by = new Map<string, Inspection>();
    for (const i of leanMap(em, Inspection, rows)) by.set(i.targetId, i);
    return targetIds.map((id) => by.get(id) ?? null);
  });
  return {
    itemVersion: (itemId, version) => versions.load(`${itemId}@${version}`),
    targetPersons,
    department,
    lastInspection,
  };
}
