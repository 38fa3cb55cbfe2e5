import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { InspectionItemVersion } from '../modules/items/inspection-item.entity.js';
import { TargetPerson } from '../modules/targets/target-person.entity.js';
import { Department } from '../modules/org/department.entity.js';
import { leanColumns, leanInstance, leanMap } from '../db/lean.js';
import { Inspection } from '../modules/inspections/inspection.entity.js';
import { Person } from '../modules/targets/person.entity.js';
import { lastInspectionSql } from '../modules/inspections/last-inspection.sql.js';
import { pgArray } from '../db/pg-array.js';
import { queryBound } from '../db/bound.js';

/** Per-request batch loaders for relations that MikroORM's own dataloader does not cover. */
export interface Loaders {
  itemVersion(itemId: string, version: number): Promise<InspectionItemVersion>;
  /**
   * Links of targets with their persons, in role order; `columns` (from `targetPersonColumns`,
   * null = all) are the columns read besides the keys. One loader per distinct projection.
   */
  targetPersons(columns: TargetPersonColumns | null): DataLoader<string, TargetPerson[]>;
  department: DataLoader<string, Department | null>;
  /**
   * The last inspection carried out at a target (by `inspectedOn`), or null; `fields` (from
   * `projection`, null = all) are the properties read. One loader per distinct projection.
   */
  lastInspection(fields: readonly string[] | null): DataLoader<string, Inspection | null>;
  /**
   * Loads `keys` through `loader` now and keeps the answers for {@link peek}: a list resolver that
   * knows its rows' relations are selected fetches them in one go, and the per-row field resolvers
   * then answer without a promise each.
   */
  prefetch<K, V>(loader: DataLoader<K, V>, keys: readonly K[]): Promise<void>;
  /** A value {@link prefetch} loaded (null included), or undefined when it did not. */
  peek<K, V>(loader: DataLoader<K, V>, key: K): V | undefined;
}

/** Columns of a `target_person` link and of its person that a roster page may read, by property. */
const LINK_COLUMNS = { role: 'tp.role', since: 'tp.since', until: 'tp.until' } as const;
const PERSON_COLUMNS = {
  name: 'p.name',
  idType: 'p.id_type',
  idMasked: 'p.id_masked',
  idValid: 'p.id_valid',
  phoneMasked: 'p.phone_masked',
} as const;

/** What a selection of `Target.persons` reads: link and person properties (keys always come). */
export interface TargetPersonColumns {
  link: readonly (keyof typeof LINK_COLUMNS)[];
  person: readonly (keyof typeof PERSON_COLUMNS)[];
}

/**
 * The columns a `persons { … person { … } }` selection needs, or null (every column) when it names
 * a field this projection does not know. Person fields answered by resolvers read only the id
 * (`id`; `idNumber` and `phone` load their sealed value by id), which always comes.
 */
export function targetPersonColumns(
  linkFields: ReadonlySet<string>,
  personFields: ReadonlySet<string>,
): TargetPersonColumns | null {
  const link: (keyof typeof LINK_COLUMNS)[] = [];
  for (const f of linkFields) {
    if (f === '__typename' || f === 'person') continue;
    if (!(f in LINK_COLUMNS)) return null;
    link.push(f as keyof typeof LINK_COLUMNS);
  }
  const person: (keyof typeof PERSON_COLUMNS)[] = [];
  for (const f of personFields) {
    if (f === '__typename' || f === 'id' || f === 'idNumber' || f === 'phone') continue;
    if (!(f in PERSON_COLUMNS)) return null;
    person.push(f as keyof typeof PERSON_COLUMNS);
  }
  return { link: link.sort(), person: person.sort() };
}

/** Links of a set of targets with their persons, in role order (param: target ids, uuid[]). */
function targetPersonsSql(c: TargetPersonColumns | null): string {
  const link = c ? c.link : (Object.keys(LINK_COLUMNS) as (keyof typeof LINK_COLUMNS)[]);
  const person = c ? c.person : (Object.keys(PERSON_COLUMNS) as (keyof typeof PERSON_COLUMNS)[]);
  const cols = [
    'tp.id',
    'tp.target_id',
    'p.id as person_id',
    ...link.map((k) => `${LINK_COLUMNS[k]} as "${k}"`),
    ...person.map((k) => `${PERSON_COLUMNS[k]} as "p_${k}"`),
  ];
  return `select ${cols.join(', ')}
from target_person tp join person p on p.id = tp.person_id
where tp.target_id = any(?::uuid[]) order by tp.role asc, tp.id asc`;
}

export function makeLoaders(em: EntityManager): Loaders {
  // The batch functions of the loaders prefetch may be given: it calls them directly, without a
  // promise per key, for keys it then answers from memory.
  const batches = new WeakMap<object, (keys: readonly never[]) => Promise<readonly unknown[]>>();
  const batchLoader = <K, V>(batch: (keys: readonly K[]) => Promise<V[]>) => {
    const loader = new DataLoader<K, V>(batch);
    batches.set(loader, batch);
    return loader;
  };
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
  const personLoaders = new Map<string, DataLoader<string, TargetPerson[]>>();
  // The resolver hands every target of a page the same `columns` object: looked up by identity first.
  const byColumns = new WeakMap<TargetPersonColumns, DataLoader<string, TargetPerson[]>>();
  const targetPersons = (columns: TargetPersonColumns | null) => {
    const same = columns && byColumns.get(columns);
    if (same) return same;
    const key = columns ? `${columns.link.join(',')}|${columns.person.join(',')}` : '*';
    let loader = personLoaders.get(key);
    if (!loader) {
      loader = batchLoader(targetPersonsBatch(columns));
      personLoaders.set(key, loader);
    }
    if (columns) byColumns.set(columns, loader);
    return loader;
  };
  /** The batch function of a persons loader: one query, rows built from a column plan. */
  const targetPersonsBatch = (columns: TargetPersonColumns | null) => {
    const sql = targetPersonsSql(columns);
    // The row's columns by property, worked out once per projection (aliases as targetPersonsSql gives).
    const linkKeys = columns ? columns.link : (Object.keys(LINK_COLUMNS) as (keyof typeof LINK_COLUMNS)[]);
    const personKeys = (
      columns ? columns.person : (Object.keys(PERSON_COLUMNS) as (keyof typeof PERSON_COLUMNS)[])
    ).map((k) => [`p_${k}`, k] as const);
    return async (targetIds: readonly string[]) => {
      const rows = await queryBound(em, sql, [pgArray(targetIds)], { prepare: true });
      const by = new Map<string, TargetPerson[]>();
      for (const r of rows) {
        const person = leanInstance(Person) as unknown as Record<string, unknown>;
        person.id = r.person_id;
        for (const [column, k] of personKeys) person[k] = r[column];
        const link = leanInstance(TargetPerson) as unknown as Record<string, unknown>;
        link.id = r.id;
        link.target = r.target_id;
        for (const k of linkKeys) link[k] = r[k];
        link.person = person;
        const list = by.get(r.target_id as string);
        if (list) list.push(link as unknown as TargetPerson);
        else by.set(r.target_id as string, [link as unknown as TargetPerson]);
      }
      return targetIds.map((id) => by.get(id) ?? []);
    };
  };
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
      loader = batchLoader(async (targetIds: readonly string[]) => {
        const rows = await queryBound(em, sql, [pgArray(targetIds)], { prepare: true });
        const by = new Map<string, Inspection>();
        for (const i of leanMap(em, Inspection, rows)) by.set(i.targetId, i);
        return targetIds.map((id) => by.get(id) ?? null);
      });
      lastInspections.set(key, loader);
    }
    if (fields) byFields.set(fields, loader);
    return loader;
  };
  const prefetched = new WeakMap<object, Map<unknown, unknown>>();
  return {
    itemVersion: (itemId, version) => versions.load(`${itemId}@${version}`),
    async prefetch(loader, keys) {
      const batch = batches.get(loader) as
        ((k: readonly (typeof keys)[number][]) => Promise<readonly unknown[]>) | undefined;
      const values = batch ? await batch(keys) : await loader.loadMany(keys);
      let m = prefetched.get(loader);
      if (!m) prefetched.set(loader, (m = new Map()));
      for (let i = 0; i < keys.length; i++) if (!(values[i] instanceof Error)) m.set(keys[i], values[i]);
    },
    peek: <K, V>(loader: DataLoader<K, V>, key: K) => prefetched.get(loader)?.get(key) as V | undefined,
    targetPersons,
    department,
    lastInspection,
  };
}
