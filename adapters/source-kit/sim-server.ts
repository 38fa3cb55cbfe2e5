import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running simulator: its base URL and a way to stop it. */
export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/** A request handler; thrown errors answer 500. */
export type SimHandler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => Promise<void> | void;

/**
 * Starts a plain `node:http` server on `127.0.0.1:port` (0 = ephemeral). Rejects on listen errors
 * such as EADDRINUSE. `close()` also drops keep-alive connections so tests end promptly.
 */
export function startSimServer(port: number, handler: SimHandler): Promise<RunningServer> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      Promise.resolve()
        .then(() => handler(req, res, Buffer.concat(chunks)))
        .catch((err: unknown) => {
          if (!res.headersSent) {
            res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
          }
          res.end(`simulator error: ${(err as Error).message}`);
        });
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      const { port: actual } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${actual}`,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

/** Sends a body with a status and content type. */
export function send(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: Buffer | string,
  headers: Record<string, string> = {},
): void {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  res.writeHead(status, { 'content-type': contentType, 'content-length': String(bytes.length), ...headers });
  res.end(bytes);
}

/** Sends a JSON body (UTF-8). */
export function sendJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(value), headers);
}

/**
 * Sends only the first `keep` bytes of `body` while announcing its full length, then destroys the
 * socket: the client sees a connection reset or a short body, as in a truncated page.
 */
export function sendTruncated(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: Buffer,
  keep: number,
): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': String(body.length) });
  res.write(body.subarray(0, Math.max(0, Math.min(keep, body.length - 1))), () => {
    res.socket?.destroy();
  });
}

/** Resolves after `ms` (simulated latency). */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
