/**
 * Recomputes a published draw off the page's thread, so a large pool does not freeze the page:
 * parse → shape check → verifyDrawRecord with browser SM3 → verdict.
 */
import {
  DrawRecordFormatError,
  parseDrawRecord,
  verifyDrawRecord,
} from '../../../src/modules/draw/record.js';
import { sm3Browser } from './sm3-browser.js';
import type { VerifyMessage, VerifyRequest } from './verify-protocol.js';

const post = (message: VerifyMessage) => self.postMessage(message);

self.addEventListener('message', (event: MessageEvent<VerifyRequest>) => {
  const started = performance.now();
  post({ kind: 'stage', stage: 'parse', done: 0, of: 2 });
  let parsed: unknown;
  try {
    parsed = JSON.parse(event.data.text);
  } catch (e) {
    post({ kind: 'badJson', detail: e instanceof Error ? e.message : String(e) });
    return;
  }
  let record;
  try {
    record = parseDrawRecord(parsed);
  } catch (e) {
    if (e instanceof DrawRecordFormatError) {
      post({ kind: 'badRecord', detail: e.message });
      return;
    }
    throw e;
  }
  post({ kind: 'stage', stage: 'recompute', done: 1, of: 2 });
  const verdict = verifyDrawRecord(record, sm3Browser);
  const strata = Array.isArray(record.result?.strata) ? record.result.strata : [];
  post({
    kind: 'verdict',
    match: verdict.match,
    firstDifference: verdict.match ? undefined : verdict.firstDifference,
    summary: {
      planId: String(record.params.planId),
      plannedDate: String(record.params.plannedDate),
      targets: record.targetPool.length,
      inspectors: record.inspectorPool.length,
      selected: strata.reduce((n, s) => n + s.mustInclude.length + s.drawn.length, 0),
    },
    ms: Math.round(performance.now() - started),
  });
});
