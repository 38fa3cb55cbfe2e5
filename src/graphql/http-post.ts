import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import type { Logger } from '../shared/logger.js';
import { errorBody } from '../shared/errors.js';
import type { Metrics } from '../observability/metrics.js';
import { logRequest } from '../observability/request-log.js';
import type { Ctx } from './context.js';
import type { DirectAnswer } from './direct-query.js';

/** An answer that ends a request before GraphQL runs (status and JSON body). */
export interface EarlyAnswer {
  status: number;
  body: object;
}

export interface GraphqlPostOptions {
  apollo: ApolloServer<Ctx>;
  context(req: IncomingMessage, requestId: string): Promise<Ctx>;
  /** Checks (and may complete, in place) a parsed body; an answer refuses it. */
  admit(body: unknown): Promise<EarlyAnswer | null>;
  /** Answers a query Apollo need not see (direct-query.ts); null leaves it to Apollo. */
  direct?(req: IncomingMessage, body: unknown, requestId: string): Promise<DirectAnswer | null>;
  bodyLimitBytes: number;
  log: Logger;
  metrics: Metrics;
}

const JSON_TYPE = /^application\/json\s*(?:;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

/**
 * The common GraphQL request, `POST /graphql` with a JSON body, answered on node:http directly:
 * the request log, the body (size-limited), the trusted-document and token checks, then the direct
 * path for a valid query (direct-query.ts) or Apollo's `executeHTTPGraphQLRequest`, exactly as the
 * express chain does it — without express's router,
 * `req`/`res` decoration and body-parser, which cost a dashboard request more CPU than its SQL.
 *
 * Returns false, touching nothing, for any other request (another method or path, a query string,
 * another content type or charset, a compressed body): express answers those, so every edge case
 * keeps one implementation. The answers here match the express chain's: 413 PAYLOAD_TOO_LARGE,
 * 400 BAD_REQUEST for a body that is not a JSON object or array, an empty body read as `{}`.
 */
export function graphqlPostHandler(
  o: GraphqlPostOptions,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const send = (res: ServerResponse, status: number, body: object) => {
    res.statusCode = status;
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.end(JSON.stringify(body));
  };
  const answer = async (req: IncomingMessage, res: ServerResponse, requestId: string, raw: string) => {
    // body-parser drops a UTF-8 byte order mark too.
    const text = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
    let body: unknown = {};
    if (text.trim() !== '') {
      // body-parser's strict mode: the top level is an object or an array.
      const first = /\S/.exec(text)?.[0];
      try {
        if (first !== '{' && first !== '[') throw new SyntaxError('not an object or array');
        body = JSON.parse(text);
      } catch {
        send(res, 400, errorBody('BAD_REQUEST', 'request body is not valid JSON'));
        return;
      }
    }
    const refused = await o.admit(body);
    if (refused) {
      send(res, refused.status, refused.body);
      return;
    }
    const direct = await o.direct?.(req, body, requestId);
    if (direct) {
      for (const [key, value] of direct.headers) res.setHeader(key, value);
      res.statusCode = direct.status;
      res.end(direct.body);
      return;
    }
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const response = await o.apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: 'POST', headers, search: '', body },
      context: () => o.context(req, requestId),
    });
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  };
  return (req, res) => {
    if (req.method !== 'POST' || req.url !== '/graphql') return false;
    const type = req.headers['content-type'];
    if (typeof type !== 'string' || !JSON_TYPE.test(type)) return false;
    const encoding = req.headers['content-encoding'];
    if (encoding !== undefined && encoding.toLowerCase() !== 'identity') return false;
    const requestId = logRequest(o.log, o.metrics, req, res, '/graphql');
    const tooLarge = () =>
      send(res, 413, errorBody('PAYLOAD_TOO_LARGE', `request body over ${o.bodyLimitBytes} bytes`));
    const declared = Number(req.headers['content-length']);
    if (declared > o.bodyLimitBytes) {
      // Answered at once; the body is read and dropped so the connection stays usable.
      req.resume();
      tooLarge();
      return true;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= o.bodyLimitBytes) chunks.push(c);
    });
    req.on('error', () => res.destroy());
    req.on('end', () => {
      if (size > o.bodyLimitBytes) {
        tooLarge();
        return;
      }
      answer(req, res, requestId, Buffer.concat(chunks, size).toString('utf8')).catch((err: unknown) => {
        o.log.error({ err }, 'unhandled HTTP error');
        if (!res.headersSent) send(res, 500, errorBody('INTERNAL_SERVER_ERROR', 'Internal server error'));
        else res.destroy();
      });
    });
    return true;
  };
}
