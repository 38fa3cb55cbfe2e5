import {
  getNamedType,
  getNullableType,
  isCompositeType,
  isListType,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';

/**
 * Per-field cost hints, set with type-graphql's `@Extensions({ cost: { … } })` on a field.
 * `listSize` is the expected length of an unpaginated list (default 10); `weight` replaces the
 * field's own cost (default 1 for objects, 0 for scalars) — e.g. a `totalCount` that runs a count.
 */
export interface CostHint {
  listSize?: number;
  weight?: number;
}

/** Cost model constants. */
export const COST_DEFAULTS = {
  /** Length assumed for a list field without `first`/`last` and without a hint. */
  listSize: 10,
  /** `first`/`last` given through a variable the caller did not send. */
  pageSizeUnknown: 100,
};

function pageSize(
  field: GraphQLField<unknown, unknown>,
  args: readonly { name: { value: string }; value: ValueNode }[] | undefined,
  op: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
): number | null {
  for (const name of ['first', 'last']) {
    if (!field.args.some((a) => a.name === name)) continue;
    const arg = args?.find((a) => a.name.value === name);
    if (!arg) continue;
    const v = arg.value;
    if (v.kind === Kind.INT) return Number(v.value);
    if (v.kind === Kind.VARIABLE) {
      const given = variables?.[v.name.value];
      if (typeof given === 'number') return given;
      const def = op.variableDefinitions?.find((d) => d.variable.name.value === v.name.value);
      if (def?.defaultValue?.kind === Kind.INT) return Number(def.defaultValue.value);
      if (given === null || given === undefined) continue;
      return COST_DEFAULTS.pageSizeUnknown;
    }
  }
  const def = field.args.find((a) => a.name === 'first' || a.name === 'last');
  if (def && typeof def.defaultValue === 'number') return def.defaultValue;
  return null;
}

/**
 * The cost of one operation: every object field costs 1 (scalars 0, unless hinted), and a list
 * multiplies the cost of what is selected under it by its size — `first`/`last` when the field
 * takes them (literal, variable or default), the `listSize` hint, else 10. The `edges`/`nodes`
 * of a `…Connection` are already counted by the connection's page size. Fragments are followed;
 * abstract selections add up (an over-estimate, never an under-estimate).
 * @example operationCost(schema, parse('{ targets(first: 50) { nodes { persons { role } } } }'))  // 1 + 50 × (1 + 1 + 10 × 0) = 101
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName?: string | null,
  variables?: Record<string, unknown>,
): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  let op: OperationDefinitionNode | undefined;
  for (const d of document.definitions) {
    if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
    else if (d.kind === Kind.OPERATION_DEFINITION && (!operationName || d.name?.value === operationName))
      op ??= d;
  }
  if (!op) return 0;
  const operation = op;
  const root =
    operation.operation === 'query'
      ? schema.getQueryType()
      : operation.operation === 'mutation'
        ? schema.getMutationType()
        : schema.getSubscriptionType();
  if (!root) return 0;

  const costOf = (set: SelectionSetNode, parent: GraphQLCompositeType, seen: Set<string>): number => {
    let total = 0;
    for (const s of set.selections) {
      if (s.kind === Kind.INLINE_FRAGMENT) {
        const t = s.typeCondition ? schema.getType(s.typeCondition.name.value) : parent;
        if (t && isCompositeType(t)) total += costOf(s.selectionSet, t, seen);
        continue;
      }
      if (s.kind === Kind.FRAGMENT_SPREAD) {
        const f = fragments.get(s.name.value);
        if (!f || seen.has(f.name.value)) continue;
        const t = schema.getType(f.typeCondition.name.value);
        if (t && isCompositeType(t)) total += costOf(f.selectionSet, t, new Set([...seen, f.name.value]));
        continue;
      }
      if (s.name.value.startsWith('__') || !('getFields' in parent)) continue;
      const field = parent.getFields()[s.name.value];
      if (!field) continue;
      const hint = (field.extensions as { cost?: CostHint } | undefined)?.cost;
      const named = getNamedType(field.type);
      const composite = isCompositeType(named);
      const own = hint?.weight ?? (composite ? 1 : 0);
      if (!composite || !s.selectionSet) {
        total += own;
        continue;
      }
      const children = costOf(s.selectionSet, named, seen);
      let multiplier = pageSize(field, s.arguments, operation, variables);
      if (multiplier === null && isListType(getNullableType(field.type))) {
        const underConnection =
          parent.name.endsWith('Connection') && (s.name.value === 'edges' || s.name.value === 'nodes');
        multiplier = underConnection ? 1 : (hint?.listSize ?? COST_DEFAULTS.listSize);
      }
      total += own + Math.max(0, multiplier ?? 1) * children;
    }
    return total;
  };
  return costOf(operation.selectionSet, root, new Set());
}
