import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';

/** A syntactically valid GraphQL literal for an input type (required fields only). */
export function dummyLiteral(type: GraphQLInputType, depth = 0): string {
  if (isNonNullType(type)) return dummyLiteral(type.ofType, depth);
  if (isListType(type)) return `[${dummyLiteral(type.ofType, depth)}]`;
  if (isEnumType(type)) return type.getValues()[0]!.name;
  if (isInputObjectType(type)) {
    if (depth > 4) return '{}';
    const parts = Object.values(type.getFields())
      .filter((f) => isNonNullType(f.type) && f.defaultValue === undefined)
      .map((f) => `${f.name}: ${dummyLiteral(f.type, depth + 1)}`);
    return `{ ${parts.join(', ')} }`;
  }
  if (isScalarType(type)) {
    switch (type.name) {
      case 'Int':
      case 'Float':
        return '1';
      case 'Boolean':
        return 'true';
      case 'ID':
        return `"${Buffer.from('X:00000000-0000-0000-0000-000000000000').toString('base64url')}"`;
      case 'DateTimeISO':
        return '"2026-01-01T00:00:00.000Z"';
      case 'JSONObject':
        return '{}';
      default:
        return '"x"';
    }
  }
  return 'null';
}

export function argList(args: readonly GraphQLArgument[], overrides: Record<string, string> = {}): string {
  const parts = args
    .filter((a) => overrides[a.name] !== undefined || (isNonNullType(a.type) && a.defaultValue === undefined))
    .map((a) => `${a.name}: ${overrides[a.name] ?? dummyLiteral(a.type)}`);
  return parts.length ? `(${parts.join(', ')})` : '';
}

/** A minimal selection for an output type: `__typename` is always valid. */
export function minimalSelection(): string {
  return '{ __typename }';
}

export interface FieldPath {
  /** The query text reaching `target.field`. */
  query: string;
  path: string[];
}

/**
 * Every path (up to `maxDepth` object hops) from a Query field to `typeName.fieldName`, skipping
 * roots in `skipRoots`. Lists are paginated with first: 1; other required arguments get dummies.
 */
export function pathsTo(
  schema: GraphQLSchema,
  typeName: string,
  fieldName: string,
  fieldArgs: string,
  skipRoots: string[] = [],
  maxDepth = 5,
): FieldPath[] {
  const out: FieldPath[] = [];
  const query = schema.getQueryType()!;
  const walk = (
    typeNameNow: string,
    prefix: string[],
    open: string[],
    visited: Set<string>,
    depth: number,
  ) => {
    const t = schema.getType(typeNameNow);
    if (!isObjectType(t) || depth > maxDepth) return;
    if (t.name === typeName) {
      out.push({
        query: `{ ${open.join(' { ')} { ${fieldName}${fieldArgs} }${' }'.repeat(open.length - 1)} }`,
        path: [...prefix, fieldName],
      });
      return;
    }
    for (const f of Object.values(t.getFields())) {
      const named = getNamedType(f.type);
      if (!isObjectType(named) || visited.has(`${t.name}.${f.name}`)) continue;
      if (depth === 0 && skipRoots.includes(f.name)) continue;
      const overrides: Record<string, string> = {};
      if (f.args.some((a) => a.name === 'first')) overrides.first = '1';
      const seg = `${f.name}${argList(f.args, overrides)}`;
      walk(
        named.name,
        [...prefix, f.name],
        [...open, seg],
        new Set([...visited, `${t.name}.${f.name}`]),
        depth + 1,
      );
    }
  };
  walk(query.name, [], [], new Set(), 0);
  return out;
}
