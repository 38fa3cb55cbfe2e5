import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { InspectionItemVersion } from '../modules/items/inspection-item.entity.js';
import { TargetPerson } from '../modules/targets/target-person.entity.js';
import { Department } from '../modules/org/department.entity.js';

/** Per-request batch loaders for relations that MikroORM's own dataloader does not cover. */
export interface Loaders {
  itemVersion(itemId: string, version: number): Promise<InspectionItemVersion>;
  targetPersons: DataLoader<string, TargetPerson[]>;
  department: DataLoader<string, Department | null>;
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
  const targetPersons = new DataLoader<string, TargetPerson[]>(async (targetIds) => {
    const rows = await em.find(
      TargetPerson,
      { target: { $in: [...targetIds] } },
      { populate: ['person'], orderBy: { role: 'asc', id: 'asc' } },
    );
    const by = new Map<string, TargetPerson[]>();
    for (const r of rows) {
      const list = by.get(r.target.id) ?? [];
      list.push(r);
      by.set(r.target.id, list);
    }
    return targetIds.map((id) => by.get(id) ?? []);
  });
  const department = new DataLoader<string, Department | null>(async (codes) => {
    const rows = await em.find(Department, { code: { $in: [...codes] } });
    const by = new Map(rows.map((r) => [r.code, r]));
    return codes.map((c) => by.get(c) ?? null);
  });
  return {
    itemVersion: (itemId, version) => versions.load(`${itemId}@${version}`),
    targetPersons,
    department,
  };
}
