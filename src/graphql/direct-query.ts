import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import {
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  getOperationAST,
  getVariableValues,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
import Negotiator from 'negotiator';
import type { Ctx } from './context.js';
import { graphqlJsErrors, queryCompiler } from './jit.js';
import type { OperationWatch } from './protection/protection.plugin.js';
import { DocumentCache } from './protection/document-cache.js';

/** An answer of the direct path: what Apollo would have sent for the same request. */
export interface DirectAnswer {
  status: number;
  headers: [string, string][];
  body: string;
}

export interface DirectQueryOptions {
  schema: GraphQLSchema;
  /** The validation rules Apollo adds to graphql-js's (the limit rules). */
  rules: readonly ValidationRule[];
  /** Distinct document texts kept (LRU). */
  maxEntries: number;
  context(req: IncomingMessage, requestId: string): Promise<Ctx>;
  watch(): OperationWatch;
  /** Apollo's `formatError`. */
  formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError;
  onDocumentLookup?(hit: boolean): void;
  /** Counts each request the direct path answers. */
  onAnswer?(): void;
}

const BODY_KEYS = new Set(['query', 'operationName', 'variables', 'extensions']);
/** Apollo's MEDIA_TYPES for a single result, in its order of preference. */
const RESULT_TYPES = [
  'application/json; charset=utf-8',
  'application/graphql-response+json; charset=utf-8',
  'application/json; callbackSpec=1.0; charset=utf-8',
] as const;
const ACCEPT_CACHE_MAX = 100;

/**
 * The content type Apollo answers a single result with (chooseContentTypeForSingleResultResponse):
 * JSON without an `accept` header, else the type the header prefers; null when it accepts none
 * (Apollo answers 406). Remembered per header text (clients send a handful of them).
 */
function resultTypeFor(cache: Map<string, string | null>, accept: string | undefined): string | null {
  if (!accept) return RESULT_TYPES[0];
  let type = cache.get(accept);
  if (type === undefined) {
    type = new Negotiator({ headers: { accept } }).mediaType(RESULT_TYPES) ?? null;
    if (cache.size >= ACCEPT_CACHE_MAX) cache.delete(cache.keys().next().value as string);
    cache.set(accept, type);
  }
  return type;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The common dashboard request — a valid query that graphql-jit compiles — answered without Apollo
 * Server's request pipeline, which costs a cheap query several times its own execution (a hash
 * through a per-call `require`, a copy of the context, a header map each way, six rounds of plugin
 * hooks, content negotiation twice). Every step Apollo takes for such a request is taken here, in
 * its order and with its answers: the query's sha256, the document (parsed and validated once, with
 * graphql-js's rules and ours), the operation, the context (the same factory), admission control
 * and the operation's metrics and span (the same `OperationWatch` as Apollo's plugin), execution
 * (the same compiled query as Apollo's executor), errors normalised and formatted as Apollo does
 * (`formatError`, the HTTP status and headers an error carries, 500 for a failure outside
 * execution), the content type negotiated as Apollo does, the body serialised as Apollo does
 * (errors, data; a trailing newline).
 *
 * Anything else returns null before any side effect, and Apollo answers it: a body with other
 * fields or badly typed ones, an `accept` header that admits no JSON type (Apollo's 406), a
 * document that does not parse or validate or that introspects the schema, a mutation or
 * subscription, an operation graphql-jit does not compile, variables that do not coerce, a context
 * that cannot be built (a bad token). So every error of those kinds keeps one implementation, and
 * the answers the direct path gives are compared with Apollo's in test/e2e/graphql-http-post.test.ts.
 */
export function directQueries(
  o: DirectQueryOptions,
): (req: IncomingMessage, body: unknown, requestId: string) => Promise<DirectAnswer | null> {
  // Valid documents by the sha256 of their text (invalid ones are not kept: Apollo answers them).
  // Lookups are counted only for the requests this path answers (see onDocumentLookup).
  const documents = new DocumentCache(o.maxEntries);
  const compile = queryCompiler(o.schema);
  const acceptCache = new Map<string, string | null>();
  const rules = [...specifiedRules, ...o.rules, NoSchemaIntrospectionCustomRule];

  /** The document of a valid text, and whether it was cached; null for one that does not parse or validate. */
  const lookup = (query: string, sha256: string): { document: DocumentNode; hit: boolean } | null => {
    const known = documents.getSync(sha256);
    if (known) return { document: known, hit: true };
    let document: DocumentNode;
    try {
      document = parse(query);
    } catch {
      return null; // Apollo answers the syntax error.
    }
    if (validate(o.schema, document, rules).length) return null;
    documents.setSync(sha256, document);
    return { document, hit: false };
  };

  /** Apollo's normalizeAndFormatErrors, and the status and headers the errors carry. */
  const answer = (
    contentType: string,
    data: unknown,
    errors: readonly GraphQLError[],
    defaultStatus: number | undefined,
  ): DirectAnswer => {
    const headers = new Map<string, string>([['content-type', contentType]]);
    let status: number | undefined;
    const formatted = errors.map((error) => {
      const extensions: Record<string, unknown> = {
        ...error.extensions,
        code: error.extensions.code ?? 'INTERNAL_SERVER_ERROR',
      };
      const http = extensions.http as { status?: unknown; headers?: unknown } | undefined;
      if (
        http &&
        typeof http === 'object' &&
        (http.status === undefined || typeof http.status === 'number') &&
        (http.headers === undefined || http.headers instanceof Map)
      ) {
        if (http.status) status = http.status as number;
        for (const [k, v] of (http.headers as Map<string, string> | undefined) ?? [])
          headers.set(k.toLowerCase(), v);
        delete extensions.http;
      }
      try {
        return o.formatError({ ...error.toJSON(), extensions }, error);
      } catch {
        return { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
      }
    });
    const result = { errors: formatted.length ? formatted : undefined, data };
    return {
      status: status ?? defaultStatus ?? 200,
      headers: [...headers],
      body: `${JSON.stringify(result)}\n`,
    };
  };

  return async (req, body, requestId) => {
    if (!isRecord(body)) return null;
    for (const key in body) if (!BODY_KEYS.has(key)) return null;
    const { query, operationName, variables, extensions } = body;
    if (typeof query !== 'string' || query === '') return null;
    if (operationName !== undefined && operationName !== null && typeof operationName !== 'string')
      return null;
    if (variables !== undefined && variables !== null && !isRecord(variables)) return null;
    if (extensions !== undefined && extensions !== null && !isRecord(extensions)) return null;
    const contentType = resultTypeFor(acceptCache, req.headers.accept);
    if (!contentType) return null;
    // Started here, as Apollo's plugin starts it before parsing: the duration covers the same steps.
    const watch = o.watch();

    const sha256 = createHash('sha256').update(query).digest('hex');
    const found = lookup(query, sha256);
    if (!found) return null;
    const { document, hit } = found;
    const operation = getOperationAST(document, operationName ?? undefined);
    if (operation?.operation !== 'query') return null;
    const compiled = compile(document, operationName ?? null);
    if (!compiled) return null;
    const vars = variables ?? undefined;
    if (operation.variableDefinitions?.length) {
      const coerced = getVariableValues(o.schema, operation.variableDefinitions, vars ?? {}, {
        maxErrors: 50,
      });
      if (coerced.errors) return null;
    }
    let context: Ctx;
    try {
      context = await o.context(req, requestId);
    } catch {
      return null;
    }
    o.onDocumentLookup?.(hit);
    o.onAnswer?.();
    try {
      await watch.admit({
        context,
        operationType: 'query',
        schema: o.schema,
        document,
        operationName: operation.name?.value ?? null,
        variables: vars,
        sha256,
      });
    } catch (e) {
      const errors = [asGraphQLError(e)];
      watch.done(errors);
      return answer(contentType, undefined, errors, 500);
    }
    watch.executing();
    try {
      const result = graphqlJsErrors(await compiled.query(undefined, context, vars ?? {}));
      const errors = result.errors ?? [];
      watch.done(errors);
      return answer(contentType, result.data, errors, undefined);
    } catch (e) {
      const errors = [asGraphQLError(e)];
      watch.done(errors);
      return answer(contentType, undefined, errors, 500);
    }
  };
}

/** Apollo's ensureGraphQLError. */
function asGraphQLError(e: unknown): GraphQLError {
  if (e instanceof GraphQLError) return e;
  if (e instanceof Error) return new GraphQLError(e.message, { originalError: e });
  return new GraphQLError(`Unexpected error value: ${String(e)}`);
}
