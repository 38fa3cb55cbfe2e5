import { Kind, type FieldNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';
import { getMetadataStorage } from 'type-graphql';
import type { EntityMetadata } from '@mikro-orm/core';

/**
 * Column projection for read-only lists: which entity properties a GraphQL selection needs, so a
 * page reads those columns and not every column of the table (JSON documents, encrypted fields).
 *
 * A selected field counts as a plain column when it names a persisted scalar property of the entity
 * and no `@FieldResolver` stands behind it. Fields with a resolver must say what they read in
 * `needs`; any other selected field makes the projection `null` — read every column — so a field
 * added later can never see a half-loaded row.
 */

const selections = new WeakMap<readonly FieldNode[], Map<string, ReadonlySet<string>>>();

/**
 * Names of the fields selected under `path` below the current field (`[]` = its own selection),
 * through fragments and inline fragments. `@skip`/`@include` are not evaluated: the answer is a
 * superset, which is safe for a projection. Cached per field: graphql-js hands every item of a list
 * the same `fieldNodes`.
 */
export function selectedFields(info: GraphQLResolveInfo, path: readonly string[] = []): ReadonlySet<string> {
  const key = path.join('.');
  let byPath = selections.get(info.fieldNodes);
  const hit = byPath?.get(key);
  if (hit) return hit;
  let sets: SelectionSetNode[] = info.fieldNodes.flatMap((f) => (f.selectionSet ? [f.selectionSet] : []));
  for (const segment of path) {
    const next: SelectionSetNode[] = [];
    for (const s of sets)
      visit(info, s, (f) => {
        if (f.name.value === segment && f.selectionSet) next.push(f.selectionSet);
      });
    sets = next;
  }
  const names = new Set<string>();
  for (const s of sets) visit(info, s, (f) => names.add(f.name.value));
  if (!byPath) selections.set(info.fieldNodes, (byPath = new Map()));
  byPath.set(key, names);
  return names;
}

function visit(info: GraphQLResolveInfo, set: SelectionSetNode, onField: (f: FieldNode) => void): void {
  for (const s of set.selections) {
    if (s.kind === Kind.FIELD) onField(s);
    else if (s.kind === Kind.INLINE_FRAGMENT) visit(info, s.selectionSet, onField);
    else {
      const fragment = info.fragments[s.name.value];
      if (fragment) visit(info, fragment.selectionSet, onField);
    }
  }
}

const resolverFields = new Map<unknown, ReadonlySet<string>>();

/** GraphQL fields of a class that a `@FieldResolver` answers (in any resolver class). */
function fieldResolversOf(cls: unknown): ReadonlySet<string> {
  let names = resolverFields.get(cls);
  if (!names) {
    names = new Set(
      getMetadataStorage()
        .fieldResolvers.filter((r) => r.getObjectType?.() === cls)
        .map((r) => r.schemaName),
    );
    resolverFields.set(cls, names);
  }
  return names;
}

/**
 * The properties of `meta`'s entity that the selected `fields` need, plus `always` (the primary key,
 * the sort keys of a keyset cursor…); `null` when some selected field is not known to need only
 * columns (read everything then).
 * @param needs what each field answered by a `@FieldResolver` reads, e.g. `{ id: ['id'] }`.
 */
export function projection(
  meta: EntityMetadata,
  fields: Iterable<string>,
  needs: Readonly<Record<string, readonly string[]>>,
  always: readonly string[],
): string[] | null {
  const resolved = fieldResolversOf(meta.class);
  const out = new Set<string>(always);
  for (const f of fields) {
    if (f === '__typename') continue;
    const need = needs[f];
    if (need) {
      for (const n of need) out.add(n);
      continue;
    }
    const prop = meta.properties[f as never] as EntityMetadata['props'][number] | undefined;
    if (
      !prop ||
      resolved.has(f) ||
      prop.persist === false ||
      (prop.kind !== 'scalar' && prop.kind !== 'embedded')
    )
      return null;
    out.add(f);
  }
  return [...out];
}
