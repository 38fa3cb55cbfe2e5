import { Kind, type DocumentNode, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';

/**
 * What the root selection of an operation asks for: `introspection` when it reaches `__schema`
 * or `__type`, `only` when it asks for nothing else (besides `__typename`). Fragments are followed.
 */
export function introspectionUse(
  document: DocumentNode,
  operationName?: string | null,
): { introspection: boolean; only: boolean } {
  const fragments = new Map<string, FragmentDefinitionNode>();
  let op: SelectionSetNode | undefined;
  for (const d of document.definitions) {
    if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
    else if (d.kind === Kind.OPERATION_DEFINITION && (!operationName || d.name?.value === operationName))
      op ??= d.selectionSet;
  }
  let introspection = false;
  let other = false;
  const walk = (set: SelectionSetNode, seen: Set<string>) => {
    for (const s of set.selections) {
      if (s.kind === Kind.FIELD) {
        if (s.name.value === '__schema' || s.name.value === '__type') introspection = true;
        else if (s.name.value !== '__typename') other = true;
      } else if (s.kind === Kind.INLINE_FRAGMENT) walk(s.selectionSet, seen);
      else if (!seen.has(s.name.value)) {
        const f = fragments.get(s.name.value);
        if (f) walk(f.selectionSet, new Set([...seen, s.name.value]));
      }
    }
  };
  if (op) walk(op, new Set());
  return { introspection, only: introspection && !other };
}
