import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type ValidationContext,
  type ValidationRule,
  type FragmentDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

export interface QueryLimits {
  maxDepth: number;
  maxAliases: number;
  maxTokens: number;
}

export const DEFAULT_LIMITS: QueryLimits = { maxDepth: 8, maxAliases: 15, maxTokens: 1000 };

function err(code: string, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code } });
}

/**
 * Refuses documents nested deeper than `maxDepth` (fragments followed, introspection's own
 * __schema subtree counted like any other) before any resolver runs.
 */
export function depthLimit(maxDepth: number): ValidationRule {
  return (ctx: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const d of ctx.getDocument().definitions)
      if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
    const depthOf = (set: SelectionSetNode | undefined, seen: Set<string>): number => {
      if (!set) return 0;
      let max = 0;
      for (const s of set.selections) {
        if (s.kind === Kind.FIELD)
          max = Math.max(max, s.selectionSet ? 1 + depthOf(s.selectionSet, seen) : 1);
        else if (s.kind === Kind.INLINE_FRAGMENT) max = Math.max(max, depthOf(s.selectionSet, seen));
        else if (s.kind === Kind.FRAGMENT_SPREAD && !seen.has(s.name.value)) {
          const f = fragments.get(s.name.value);
          if (f) max = Math.max(max, depthOf(f.selectionSet, new Set([...seen, s.name.value])));
        }
      }
      return max;
    };
    return {
      OperationDefinition(node) {
        const d = depthOf(node.selectionSet, new Set());
        if (d > maxDepth)
          ctx.reportError(err('QUERY_TOO_DEEP', `query depth ${d} exceeds the limit of ${maxDepth}`));
      },
    };
  };
}

/** Refuses more than `max` aliased fields in one document. */
export function aliasLimit(max: number): ValidationRule {
  return (ctx: ValidationContext): ASTVisitor => {
    let count = 0;
    return {
      Field(node) {
        if (node.alias && ++count === max + 1)
          ctx.reportError(err('TOO_MANY_ALIASES', `more than ${max} aliases`));
      },
    };
  };
}

/** Counts lexical tokens cheaply (names, punctuation, literals) so a flood is refused before parsing. */
export function countTokens(source: string, stopAfter: number): number {
  const re =
    /"""[\s\S]*?"""|"(?:\\.|[^"\\])*"|#[^\n]*|[A-Za-z_][A-Za-z0-9_]*|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|\.\.\.|[!$&():=@[\]{}|]/g;
  let n = 0;
  for (let m = re.exec(source); m; m = re.exec(source)) {
    if (m[0].startsWith('#')) continue;
    if (++n > stopAfter) return n;
  }
  return n;
}
