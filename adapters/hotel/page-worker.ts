/**
 * Worker thread of `HotelPageWorker`: processes response bodies with `processHotelPage` and
 * answers plain results, or the `SourceError` (code, message, transient, details) it raised.
 */
import { parentPort } from 'node:worker_threads';
import { isSourceError } from '../source-kit/source.errors.js';
import { processHotelPage } from './page.js';

const port = parentPort;
if (!port) throw new Error('page-worker must run in a worker thread');
port.on('message', (m: { id: number; body: Uint8Array }) => {
  try {
    port.postMessage({ id: m.id, page: processHotelPage(m.body) });
  } catch (e) {
    const error = isSourceError(e)
      ? { code: e.code, message: e.message, transient: e.transient, details: e.details }
      : { code: null, message: e instanceof Error ? e.message : String(e), transient: false, details: {} };
    port.postMessage({ id: m.id, error });
  }
});
