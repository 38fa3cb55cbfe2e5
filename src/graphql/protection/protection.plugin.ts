import { createHash } from 'node:crypto';
import {
  GraphQLError,
  getOperationAST,
  parse,
  specifiedRules,
  validate,
  type ExecutionArgs,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
import type { ApolloServerPlugin, GraphQLRequestContext } from '@apollo/server';
import type { NextFunction, Request, Response } from 'express';
import type { Ctx } from '../context.js';
import type { Metrics } from '../../observability/metrics.js';
import type { Tracer } from '../../observability/tracing.js';
import type { OperationRequest, ProtectionService } from './protection.service.js';
import type { DocumentCache } from './document-cache.js';

/**
 * Caller facts that are not part of `Ctx`, kept beside it. Keyed by the request's forked entity
 * manager: Apollo may hand plugins a shallow copy of the context, never a different `em`.
 */
export const callerInfo = new WeakMap<object, { ip: string; clientName: string }>();

function codesOf(errors: readonly { extensions?: Record<string, unknown> }[]): string[] {
  return errors.map((e) => (typeof e.extensions?.code === 'string' ? e.extensions.code : 'UNKNOWN'));
}

/**
 * One GraphQL operation's metrics and span: its duration from the watch's creation (the request's
 * start, before parsing) to its answer, and the span from its admission: what the Apollo plugin
 * below records for every HTTP operation, and what the direct path (direct-query.ts) records for
 * the operations it answers itself.
 */
export class OperationWatch {
  private readonly started = process.hrtime.bigint();
  private label = 'anonymous';
  private type = 'unknown';
  private refused = false;
  private executed = false;
  private span: ReturnType<Tracer['startSpan']> | null = null;

  constructor(
    private readonly protection: ProtectionService,
    private readonly metrics: Metrics,
    private readonly tracer: Tracer,
  ) {}

  /** The operation is known (parsed, validated): admission control, which throws a refusal. */
  async admit(
    args: Omit<OperationRequest, 'ip' | 'clientName' | 'user'> & {
      operationType: string | undefined;
      context: Ctx;
    },
  ): Promise<void> {
    this.label = this.metrics.operationLabel(args.operationName);
    this.type = args.operationType ?? 'unknown';
    const span = (this.span = this.tracer.startSpan(`graphql.${this.type}`, {
      operation: this.label,
      requestId: args.context.requestId,
    }));
    const info = callerInfo.get(args.context.em) ?? { ip: 'unknown', clientName: 'unknown' };
    try {
      const cost = await this.protection.admit({
        user: args.context.user,
        ip: info.ip,
        clientName: info.clientName,
        schema: args.schema,
        document: args.document,
        operationName: args.operationName,
        variables: args.variables,
        sha256: args.sha256,
      });
      this.metrics.operationCost.observe({ operation: this.label }, cost);
      span.setAttribute('cost', cost);
    } catch (e) {
      this.refused = true;
      throw e;
    }
  }

  executing(): void {
    this.executed = true;
    this.metrics.executions.inc({ type: this.type });
  }

  /** The answer goes out with these errors (as raised, before formatting). */
  done(errors: readonly GraphQLError[]): void {
    const codes = codesOf(
      errors.map((e) => ({ extensions: (e.extensions ?? {}) as Record<string, unknown> })),
    );
    const inner = errors.map((e) => (e.originalError instanceof GraphQLError ? e.originalError : e));
    const allCodes = codes.map((c, i) =>
      c === 'GRAPHQL_VALIDATION_FAILED' && typeof inner[i]!.extensions.code === 'string'
        ? (inner[i]!.extensions.code as string)
        : c,
    );
    for (const c of allCodes) this.metrics.errors.inc({ code: c });
    const outcome =
      this.refused || (!this.executed && errors.length) ? 'refused' : errors.length ? 'error' : 'ok';
    const { label, type } = this;
    this.metrics.operations.inc({ operation: label, type, outcome });
    this.metrics.operationDuration.observe(
      { operation: label, type },
      Number(process.hrtime.bigint() - this.started) / 1e9,
    );
    if (this.span) {
      for (const c of allCodes) this.span.recordError(c);
      this.span.end();
    }
  }
}

/**
 * Apollo plugin: admission control (ProtectionService.admit) once the operation is resolved — after
 * parse and validation, before execution — plus per-operation metrics and a span. Refused
 * operations never reach `executionDidStart`, which /metrics counts separately.
 */
export function protectionPlugin(
  protection: ProtectionService,
  metrics: Metrics,
  tracer: Tracer,
): ApolloServerPlugin<Ctx> {
  return {
    async requestDidStart() {
      const watch = new OperationWatch(protection, metrics, tracer);
      return {
        async didResolveOperation(rc: GraphQLRequestContext<Ctx>) {
          // No operation of that name: nothing runs, and Apollo answers 400 OPERATION_RESOLUTION_FAILURE.
          if (!rc.operation) return;
          await watch.admit({
            context: rc.contextValue,
            operationType: rc.operation.operation,
            schema: rc.schema,
            document: rc.document!,
            operationName: rc.operationName,
            variables: rc.request.variables,
            sha256: rc.queryHash!,
          });
        },
        async executionDidStart() {
          watch.executing();
        },
        async willSendResponse(rc: GraphQLRequestContext<Ctx>) {
          watch.done(rc.errors ?? []);
        },
      };
    },
  };
}

/**
 * Express middleware for trusted documents sent by id: a body with `documentId` (or Apollo's
 * `extensions.persistedQuery.sha256Hash`) and no `query` gets the registered text as its query.
 * Unknown ids answer 400 TRUSTED_DOCUMENT_NOT_FOUND. Apollo's own automatic persisted queries stay
 * off: a client must never be able to register a document just by sending it.
 */
export function trustedDocumentIds(protection: ProtectionService) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const refused = await trustedDocument(protection, req.body);
    if (refused) res.status(400).json(refused);
    else next();
  };
}

/**
 * The rule of {@link trustedDocumentIds} on a parsed POST body, in place: null when the body may go
 * on (with the registered text as its query when it named a document by id), else the 400 answer.
 */
export async function trustedDocument(
  protection: ProtectionService,
  parsed: unknown,
): Promise<object | null> {
  const body = parsed as
    | { query?: unknown; documentId?: unknown; extensions?: { persistedQuery?: { sha256Hash?: unknown } } }
    | undefined;
  if (!body || typeof body !== 'object' || Array.isArray(body)) return null;
  const id =
    typeof body.documentId === 'string'
      ? body.documentId
      : typeof body.extensions?.persistedQuery?.sha256Hash === 'string'
        ? body.extensions.persistedQuery.sha256Hash
        : null;
  if (id === null) return null;
  if (body.query === undefined) {
    const text = await protection.documentById(id);
    if (text === null) {
      return {
        errors: [
          {
            message: `no trusted document has id ${id.slice(0, 80)}`,
            extensions: { code: 'TRUSTED_DOCUMENT_NOT_FOUND' },
          },
        ],
      };
    }
    body.query = text;
  }
  delete body.documentId;
  if (body.extensions?.persistedQuery) delete body.extensions.persistedQuery;
  return null;
}

/**
 * graphql-ws `onSubscribe`: the same pipeline as HTTP — parse (cached), validate with the limit
 * rules, admit (cost with the real variables, budgets, allowlist) — then the execution arguments
 * with a context built for this operation.
 */
export function wsAdmission(args: {
  schema: GraphQLSchema;
  rules: ValidationRule[];
  cache: DocumentCache;
  protection: ProtectionService;
  introspectionRule: ValidationRule | null;
  context: (payloadOwner: { connectionParams?: Readonly<Record<string, unknown>> }) => Promise<Ctx>;
  clientName: (params: Record<string, unknown>) => string;
  ip: (ctx: unknown) => string;
}) {
  return async (
    ctx: { connectionParams?: Readonly<Record<string, unknown>> },
    _id: string,
    payload: { query: string; operationName?: string | null; variables?: Record<string, unknown> | null },
  ): Promise<ExecutionArgs | readonly GraphQLError[]> => {
    const sha256 = createHash('sha256').update(payload.query).digest('hex');
    let document = args.cache.getSync(`ws:${sha256}`);
    if (!document) {
      try {
        document = parse(payload.query);
      } catch (e) {
        return [e instanceof GraphQLError ? e : new GraphQLError('the document does not parse')];
      }
      const rules = [
        ...specifiedRules,
        ...args.rules,
        ...(args.introspectionRule ? [args.introspectionRule] : []),
      ];
      const errors = validate(args.schema, document, rules);
      if (errors.length) return errors;
      args.cache.setSync(`ws:${sha256}`, document);
    }
    if (!getOperationAST(document, payload.operationName ?? undefined))
      return [new GraphQLError('Unable to identify operation', { extensions: { code: 'BAD_REQUEST' } })];
    const contextValue = await args.context(ctx);
    const params = (ctx.connectionParams ?? {}) as Record<string, unknown>;
    try {
      await args.protection.admit({
        user: contextValue.user,
        ip: args.ip(ctx),
        clientName: args.clientName(params),
        schema: args.schema,
        document,
        operationName: payload.operationName,
        variables: payload.variables ?? undefined,
        sha256,
      });
    } catch (e) {
      return [e as GraphQLError];
    }
    return {
      schema: args.schema,
      document,
      operationName: payload.operationName,
      variableValues: payload.variables,
      contextValue,
    };
  };
}
