import http from 'node:http';
import { randomUUID, timingSafeEqual } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import { GraphQLError, NoSchemaIntrospectionCustomRule, type GraphQLSchema } from 'graphql';
import type { MikroORM } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from '../shared/logger.js';
import type { Services } from '../services.js';
import { AppError, ERROR_TEXT_ZH, errorBody } from '../shared/errors.js';
import { principalFromHeader, type Principal } from './auth.js';
import { makeContext, type Ctx } from './context.js';
import { makeFormatError } from './format-error.js';
import { aliasLimit, countTokens, DEFAULT_LIMITS, depthLimit, type QueryLimits } from './limits.js';
import { pendingMigrations } from '../db/orm.js';
import { clientName, requestIdOf, requestLogger } from '../observability/request-log.js';
import { DocumentCache } from './protection/document-cache.js';
import {
  callerInfo,
  OperationWatch,
  protectionPlugin,
  trustedDocument,
  trustedDocumentIds,
  wsAdmission,
} from './protection/protection.plugin.js';
import { graphqlPostHandler, type EarlyAnswer } from './http-post.js';
import { jitGateway } from './jit.js';
import { directQueries } from './direct-query.js';

export interface ServerOptions {
  schema: GraphQLSchema;
  orm: MikroORM;
  services: Services;
  log: Logger;
  jwtSecret: Uint8Array;
  introspection: boolean;
  bodyLimitBytes: number;
  limits?: QueryLimits;
  /** Parsed-and-validated documents kept (distinct operations); default 1,000. */
  documentCacheEntries?: number;
  /** Extra routes mounted before GraphQL (exchange inbox, uploads, pages). */
  extraRoutes?: (app: express.Express) => void;
}

export interface RunningServer {
  httpServer: http.Server;
  listen(port: number, host?: string): Promise<number>;
  close(): Promise<void>;
}

function sameSecret(given: string | undefined, expected: string): boolean {
  const a = Buffer.from(given ?? '');
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Builds the HTTP + WebSocket server: GraphQL on /graphql (both transports on the same port and
 * path), /healthz and /readyz. Security settings are explicit, never left to NODE_ENV.
 */
export async function createServer(opts: ServerOptions): Promise<RunningServer> {
  const { log } = opts;
  const limits = opts.limits ?? DEFAULT_LIMITS;
  const { metrics, protection } = opts.services;
  const documents = new DocumentCache(opts.documentCacheEntries ?? 1000, (hit) =>
    metrics.documentCache.inc({ result: hit ? 'hit' : 'miss' }),
  );
  const limitRules = [depthLimit(limits.maxDepth), aliasLimit(limits.maxAliases)];
  const app = express();
  app.disable('x-powered-by');
  // GraphQL answers POSTs, which no cache revalidates: hashing every body for an ETag is wasted CPU.
  app.set('etag', false);
  app.use(requestLogger(log, metrics));
  // POST /graphql with a JSON body skips express (see graphqlPostHandler); set once Apollo runs.
  let graphqlPost: ((req: http.IncomingMessage, res: http.ServerResponse) => boolean) | null = null;
  const httpServer = http.createServer((req, res) => {
    if (!graphqlPost?.(req, res)) app(req, res);
  });
  const wsServer = new WebSocketServer({
    server: httpServer,
    path: '/graphql',
    maxPayload: opts.bodyLimitBytes,
  });

  const contextFor = (user: Principal, requestId: string): Ctx =>
    makeContext({
      requestId,
      user,
      em: opts.orm.em.fork() as EntityManager,
      log: log.child({ requestId }),
      services: opts.services,
    });

  const wsContext = async (ctx: { connectionParams?: Readonly<Record<string, unknown>> }) => {
    const params = (ctx.connectionParams ?? {}) as Record<string, unknown>;
    const auth =
      typeof params.authorization === 'string'
        ? params.authorization
        : typeof params.Authorization === 'string'
          ? params.Authorization
          : undefined;
    const user = await principalFromHeader(opts.jwtSecret, auth);
    return contextFor(user, randomUUID());
  };
  const wsCleanup = useServer(
    {
      schema: opts.schema,
      context: wsContext,
      onConnect: async (ctx) => {
        const params = (ctx.connectionParams ?? {}) as Record<string, unknown>;
        const auth = typeof params.authorization === 'string' ? params.authorization : undefined;
        try {
          await principalFromHeader(opts.jwtSecret, auth);
          return true;
        } catch {
          return false;
        }
      },
      onSubscribe: wsAdmission({
        schema: opts.schema,
        rules: limitRules,
        cache: documents,
        protection,
        introspectionRule: protection.introspectionEnabled ? null : NoSchemaIntrospectionCustomRule,
        context: wsContext,
        clientName: (params) =>
          clientName({
            'x-client-name': typeof params.clientName === 'string' ? params.clientName : undefined,
          }),
        ip: (ctx) =>
          (ctx as { extra?: { request?: { socket?: { remoteAddress?: string } } } }).extra?.request?.socket
            ?.remoteAddress ?? 'unknown',
      }),
    },
    wsServer,
  );

  /** The context of an HTTP GraphQL request (both HTTP paths below). */
  const graphqlContext = async (req: http.IncomingMessage, requestId: string): Promise<Ctx> => {
    const user = await principalFromHeader(opts.jwtSecret, req.headers.authorization).catch((e: unknown) => {
      // Thrown from the context factory, an AppError would be masked as a 500: answer 401 with its code.
      if (e instanceof AppError) {
        throw new GraphQLError(e.message, {
          extensions: { code: e.code, messageZh: ERROR_TEXT_ZH[e.code], http: { status: 401 } },
        });
      }
      throw e;
    });
    const ctx = contextFor(user, requestId);
    callerInfo.set(ctx.em, {
      ip: req.socket.remoteAddress ?? 'unknown',
      clientName: clientName(req.headers),
    });
    return ctx;
  };

  const formatError = makeFormatError(log);
  const apollo = new ApolloServer<Ctx>({
    // Queries run compiled (see jitGateway); Apollo keeps parsing, validation, plugins and errors.
    gateway: jitGateway(opts.schema),
    // Apollo's switch is all-or-nothing; when only ADMIN may introspect, the plugin checks the role.
    introspection: opts.introspection || protection.introspectionEnabled,
    documentStore: documents,
    persistedQueries: false,
    includeStacktraceInErrorResponses: false,
    hideSchemaDetailsFromClientErrors: true,
    allowBatchedHttpRequests: false,
    csrfPrevention: true,
    validationRules: limitRules,
    formatError,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginLandingPageDisabled(),
      protectionPlugin(protection, metrics, metrics.tracer),
      {
        async serverWillStart() {
          return {
            async drainServer() {
              await wsCleanup.dispose();
            },
          };
        },
      },
    ],
  });
  await apollo.start();

  /** Refuses a query text with more tokens than the limit before it is parsed. */
  const tokenLimit = (q: unknown): EarlyAnswer | null =>
    typeof q === 'string' && countTokens(q, limits.maxTokens) > limits.maxTokens
      ? {
          status: 400,
          body: errorBody('TOO_MANY_TOKENS', `the document has more than ${limits.maxTokens} tokens`),
        }
      : null;
  graphqlPost = graphqlPostHandler({
    apollo,
    context: graphqlContext,
    admit: async (body) => {
      const refused = await trustedDocument(protection, body);
      if (refused) return { status: 400, body: refused };
      return tokenLimit((body as { query?: unknown }).query);
    },
    // Valid queries skip Apollo's request pipeline (same steps, same answers): see direct-query.ts.
    direct: directQueries({
      schema: opts.schema,
      rules: limitRules,
      maxEntries: opts.documentCacheEntries ?? 1000,
      context: graphqlContext,
      watch: () => new OperationWatch(protection, metrics, metrics.tracer),
      formatError,
      onDocumentLookup: (hit) => metrics.documentCache.inc({ result: hit ? 'hit' : 'miss' }),
      onAnswer: () => metrics.directAnswers.inc(),
    }),
    bodyLimitBytes: opts.bodyLimitBytes,
    log,
    metrics,
  });

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    try {
      await opts.orm.em.fork().getConnection().execute('select 1');
      const pending = await pendingMigrations(opts.orm);
      if (pending.length) {
        res.status(503).json({ status: 'migrations pending', pending });
        return;
      }
      res.json({ status: 'ready' });
    } catch (e) {
      log.warn({ err: e }, 'readiness check failed');
      res.status(503).json({ status: 'database unreachable' });
    }
  });
  app.get('/metrics', async (req, res) => {
    if (metrics.scrapeToken && !sameSecret(req.headers.authorization, `Bearer ${metrics.scrapeToken}`)) {
      res.status(401).json(errorBody('UNAUTHENTICATED', 'GET /metrics needs the metrics bearer token'));
      return;
    }
    try {
      const m = await metrics.expose();
      res.setHeader('content-type', m.contentType);
      res.send(m.body);
    } catch (e) {
      log.error({ err: e }, 'metrics scrape failed');
      res.status(500).json(errorBody('INTERNAL_SERVER_ERROR', 'metrics unavailable'));
    }
  });
  opts.extraRoutes?.(app);

  app.use(
    '/graphql',
    express.json({ limit: opts.bodyLimitBytes }),
    (req: Request, res: Response, next: NextFunction) => {
      trustedDocumentIds(protection)(req, res, next).catch(next);
    },
    (req: Request, res: Response, next: NextFunction) => {
      const q = (req.body as { query?: unknown } | undefined)?.query ?? req.query.query;
      const refused = tokenLimit(q);
      if (refused) res.status(refused.status).json(refused.body);
      else next();
    },
    expressMiddleware(apollo, { context: ({ req, res }) => graphqlContext(req, requestIdOf(res)) }),
  );

  // Body-parser and context errors answer GraphQL-shaped JSON, never an HTML stack trace.
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof AppError) {
      res.status(err.code === 'UNAUTHENTICATED' ? 401 : 400).json(errorBody(err.code, err.message));
      return;
    }
    const e = err as { type?: string; status?: number };
    if (e.type === 'entity.too.large') {
      res.status(413).json(errorBody('PAYLOAD_TOO_LARGE', `request body over ${opts.bodyLimitBytes} bytes`));
      return;
    }
    if (e.type === 'charset.unsupported' || e.type === 'encoding.unsupported') {
      res.status(415).json(errorBody('UNSUPPORTED_MEDIA_TYPE', 'the body must be JSON in UTF-8'));
      return;
    }
    if (e.type === 'entity.parse.failed') {
      res.status(400).json(errorBody('BAD_REQUEST', 'request body is not valid JSON'));
      return;
    }
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      // Any other body-parser refusal (a body that does not decompress, a length mismatch…).
      res.status(e.status).json(errorBody('BAD_REQUEST', 'the request body could not be read'));
      return;
    }
    log.error({ err }, 'unhandled HTTP error');
    res.status(500).json(errorBody('INTERNAL_SERVER_ERROR', 'Internal server error'));
  });

  return {
    httpServer,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          httpServer.off('error', reject);
          const a = httpServer.address();
          resolve(typeof a === 'object' && a ? a.port : port);
        });
      }),
    close: async () => {
      await apollo.stop();
      if (httpServer.listening) await new Promise<void>((r) => httpServer.close(() => r()));
    },
  };
}
