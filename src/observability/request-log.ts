import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../shared/logger.js';
import type { Metrics } from './metrics.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** The request id of an express request (set by `requestLogger`). */
export function requestIdOf(res: Response): string {
  return (res.locals.requestId as string | undefined) ?? randomUUID();
}

function pathOf(req: Request): string {
  return req.originalUrl.split('?')[0] ?? '/';
}

function routeOf(path: string): string {
  if (path === '/graphql' || path === '/metrics' || path === '/healthz' || path === '/readyz') return path;
  const first = path.split('/')[1];
  return first ? `/${first}` : '/';
}

/**
 * Starts the access log of one request (see {@link requestLogger}) on plain node:http objects;
 * `path` is the request path without the query string. Returns the request id, already echoed.
 */
export function logRequest(
  log: Logger,
  metrics: Metrics,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  locals: { operationName?: string } = {},
): string {
  const incoming = req.headers['x-request-id'];
  const requestId = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader('x-request-id', requestId);
  const started = process.hrtime.bigint();
  res.on('finish', () => {
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const route = routeOf(path);
    metrics.httpRequests.inc({ method: req.method ?? 'GET', route, status: String(res.statusCode) });
    metrics.httpDuration.observe({ route }, seconds);
    const line = {
      requestId,
      req: { method: req.method, path, client: clientName(req.headers) },
      res: { statusCode: res.statusCode },
      operationName: locals.operationName,
      responseTimeMs: Math.round(seconds * 1e6) / 1000,
    };
    if (res.statusCode >= 500) log.error(line, 'request failed');
    else log.info(line, 'request completed');
  });
  return requestId;
}

/**
 * pino-http style access log: takes `x-request-id` from the caller when it looks like an id
 * (else makes one), echoes it on the response, and logs one line per request when it finishes
 * with method, path (never the query string: GET queries may carry personal data), status and
 * duration. Also feeds the HTTP request counter and latency histogram.
 */
export function requestLogger(log: Logger, metrics: Metrics) {
  return (req: Request, res: Response, next: NextFunction): void => {
    res.locals.requestId = logRequest(log, metrics, req, res, pathOf(req), res.locals);
    next();
  };
}

/** The calling client's name from `apollographql-client-name` or `x-client-name` (bounded). */
export function clientName(headers: Record<string, string | string[] | undefined>): string {
  const raw = headers['apollographql-client-name'] ?? headers['x-client-name'];
  const v = Array.isArray(raw) ? raw[0] : raw;
  return v && /^[A-Za-z0-9._@/-]{1,64}$/.test(v) ? v : 'unknown';
}
