import { Worker } from 'node:worker_threads';
import { SourceError, type SourceErrorCode, type SourceErrorDetails } from '../source-kit/source.errors.js';
import type { ProcessedPage } from './page.js';

type Reply =
  | { id: number; page: ProcessedPage }
  | {
      id: number;
      error: {
        code: SourceErrorCode | null;
        message: string;
        transient: boolean;
        details: SourceErrorDetails;
      };
    };

/**
 * Old-generation heap of the page worker, MB. A contract page (≤ 500 hotels, under 1 MB) needs a
 * few MB; the bound keeps the worker's heap from growing with garbage V8 has not yet had to collect
 * (without it the worker alone held about 80 MB more at the peak of a sync), and a document too big
 * to parse within it is refused with `XML_LIMIT_EXCEEDED` instead of swelling the process.
 */
export const PAGE_WORKER_HEAP_MB = 64;

/**
 * Young generation of the page worker, MB. Measured at 100k hotels: the sync's peak RSS 347–359 MB
 * with 4–8, 360 with 16, 370–384 with V8's default; throughput the same within the noise, and pages
 * up to about 5 MB still parse within the old-generation bound.
 */
export const PAGE_WORKER_YOUNG_MB = 8;

/**
 * Runs `processHotelPage` in one worker thread, so decoding and parsing a page overlap the
 * caller's work (the sync engine writing the previous page). Same results and the same
 * `SourceError`s as calling it inline, except that a page needing more than the worker's heap
 * (`heapMb`) is refused with `XML_LIMIT_EXCEEDED` (permanent). The worker starts on first use,
 * keeps the process alive only while a page is in it, and is started again if it dies.
 */
export class HotelPageWorker {
  constructor(private readonly heapMb: number = PAGE_WORKER_HEAP_MB) {}

  private worker: Worker | null = null;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve(p: ProcessedPage): void; reject(e: Error): void }>();

  /** Processes one body; the body's bytes are moved to the worker (do not reuse `body`). */
  process(body: Buffer): Promise<ProcessedPage> {
    const worker = this.started();
    const id = this.nextId++;
    // A private copy unless the Buffer owns its whole ArrayBuffer (pooled small Buffers do not).
    const own =
      body.byteOffset === 0 && body.byteLength === body.buffer.byteLength
        ? new Uint8Array(body.buffer as ArrayBuffer)
        : new Uint8Array(body);
    return new Promise<ProcessedPage>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // Keeps the process alive only while a page is in the worker.
      worker.ref();
      worker.postMessage({ id, body: own }, [own.buffer as ArrayBuffer]);
    });
  }

  /** Stops the worker; pages in progress fail. */
  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    // Run from TypeScript sources (tsx, vitest), the worker registers tsx's loader before it imports
    // its module: Node 20 ignores loaders given in a worker's execArgv for the worker's entry file.
    const resourceLimits = {
      maxOldGenerationSizeMb: this.heapMb,
      maxYoungGenerationSizeMb: PAGE_WORKER_YOUNG_MB,
    };
    const w = import.meta.url.endsWith('.ts')
      ? new Worker(
          `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(
            new URL('./page-worker.ts', import.meta.url).href,
          )}); })`,
          { eval: true, resourceLimits },
        )
      : new Worker(new URL('./page-worker.js', import.meta.url), { resourceLimits });
    w.unref();
    w.on('message', (m: Reply) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (!this.pending.size) w.unref();
      if ('page' in m) {
        for (const h of m.page.hotels) {
          // Structured cloning turns Buffers into plain Uint8Arrays.
          if (!h.result.ok)
            h.result.raw = Buffer.from(h.result.raw.buffer, h.result.raw.byteOffset, h.result.raw.byteLength);
        }
        p.resolve(m.page);
      } else if (m.error.code) {
        p.reject(
          new SourceError(m.error.code, m.error.message, {
            transient: m.error.transient,
            details: m.error.details,
          }),
        );
      } else {
        p.reject(new Error(m.error.message));
      }
    });
    const fail = (err: Error): void => {
      if (this.worker === w) this.worker = null;
      const reason =
        (err as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? new SourceError(
              'XML_LIMIT_EXCEEDED',
              `hotel page needs more than the page worker's ${this.heapMb} MB heap to parse: refused`,
              { transient: false, cause: err },
            )
          : err;
      for (const p of this.pending.values()) p.reject(reason);
      this.pending.clear();
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`hotel page worker exited with code ${code}`)));
    this.worker = w;
    return w;
  }
}
