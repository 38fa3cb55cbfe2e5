import { Buffer } from 'node:buffer';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';

/** An XSD or XML file handed to xmllint-wasm's in-memory file system. */
export interface XsdFile {
  readonly fileName: string;
  readonly contents: string;
}

/** A compiled-on-demand schema: the main XSD and the files it imports or includes (transitively). */
export interface XsdSchema {
  readonly main: XsdFile;
  readonly preload: readonly XsdFile[];
}

/** Outcome of validating one document, errors formatted `line N: message` exactly as a one-document run gives them. */
export interface XsdResult {
  readonly valid: boolean;
  readonly errors: string[];
}

/** Tuning of {@link XsdBatcher}; defaults suit two cores and exchange-sized messages (a few KiB, credit batches up to ~0.5 MiB). */
export interface XsdBatcherOptions {
  /** How long the first queued document of a schema waits for company before its run starts; 0 (default) = same tick. */
  readonly windowMs?: number;
  /** Documents per xmllint run at most. */
  readonly maxBatch?: number;
  /** UTF-8 bytes of documents per xmllint run at most (a single larger document still runs, alone). */
  readonly maxBatchBytes?: number;
  /** xmllint runs (worker threads) at the same time at most. */
  readonly maxInFlight?: number;
}

/** What one xmllint run reports; `valid` is false for exit codes 3/4, a run that ends otherwise throws. */
interface RawRun {
  readonly valid: boolean;
  readonly rawOutput: string;
}

/** Runs xmllint once; replaceable in tests. */
export type XmllintRunner = (
  schema: XsdSchema,
  docs: readonly XsdFile[],
  maxMemoryPages?: number,
) => Promise<RawRun>;

// Each run instantiates xmllint-wasm's own Emscripten build afresh (new memory, new in-memory file system, same
// arguments as its `validateXML`), but from a WebAssembly module compiled once per worker: starting a worker and
// compiling the wasm is what made every `validateXML` call cost ~100 ms.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const Module = require(workerData.glue);
const compiled = new WebAssembly.Module(fs.readFileSync(workerData.wasm));
parentPort.on('message', (req) => {
  if (!req || req.xsdBatcher !== true) return;
  let stderr = '';
  let done = false;
  const finish = (exitCode, err) => {
    if (done) return;
    done = true;
    process.exitCode = undefined;
    parentPort.postMessage({ xsdBatcher: true, id: req.id, exitCode, stderr: err === undefined ? stderr : err });
  };
  try {
    Module({
      inputFiles: req.inputFiles,
      arguments: req.args,
      print() {},
      printErr(text) { stderr += text + '\\n'; },
      onExit(code) { finish(code); },
      onAbort(reason) { finish(-1, 'WASM Abort: ' + reason); },
      wasmMemory: new WebAssembly.Memory({ initial: req.initialMemory, maximum: req.maxMemory }),
      instantiateWasm(imports, ready) {
        WebAssembly.instantiate(compiled, imports).then((instance) => ready(instance, compiled), (e) => finish(-1, String(e)));
        return {};
      },
    }).catch((e) => finish(-1, String(e && e.message ? e.message : e)));
  } catch (e) {
    finish(-1, String(e && e.message ? e.message : e));
  }
});
`;

const XMLLINT_DIR = dirname(createRequire(import.meta.url).resolve('xmllint-wasm'));
// xmllint-wasm's defaults: 16 MiB initial, 32 MiB maximum (pages of 64 KiB).
const DEFAULT_INITIAL_PAGES = 256;
const DEFAULT_MAX_PAGES = 512;

interface Pending {
  readonly resolve: (r: RawRun) => void;
  readonly reject: (e: unknown) => void;
}

/** One long-lived worker; it runs one xmllint at a time and is kept from holding the process open while idle. */
class XmllintWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  dead = false;

  constructor() {
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { glue: join(XMLLINT_DIR, 'xmllint-node.js'), wasm: join(XMLLINT_DIR, 'xmllint.wasm') },
    });
    this.worker.unref();
    this.worker.on('message', (m: { xsdBatcher?: boolean; id: number; exitCode: number; stderr: string }) => {
      if (m?.xsdBatcher !== true) return;
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (this.pending.size === 0) this.worker.unref();
      // Exit codes as xmllint-wasm reads them: 0 valid, 3/4 validation errors, anything else a failed run.
      if (m.exitCode === 0 || m.exitCode === 3 || m.exitCode === 4) {
        p.resolve({ valid: m.exitCode === 0, rawOutput: m.stderr });
      } else {
        p.reject(Object.assign(new Error(m.stderr), { code: m.exitCode }));
      }
    });
    const fail = (err: unknown) => {
      this.dead = true;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`xmllint worker exited with code ${code}`)));
  }

  run(schema: XsdSchema, docs: readonly XsdFile[], maxMemoryPages?: number): Promise<RawRun> {
    const id = this.nextId++;
    return new Promise<RawRun>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage({
        xsdBatcher: true,
        id,
        inputFiles: [...docs, schema.main, ...schema.preload],
        args: ['--schema', schema.main.fileName, '--noout', ...docs.map((d) => d.fileName)],
        initialMemory: DEFAULT_INITIAL_PAGES,
        maxMemory: maxMemoryPages ?? DEFAULT_MAX_PAGES,
      });
    });
  }
}

const workers: XmllintWorker[] = [];
let turn = 0;

/** Runs xmllint in one of two long-lived workers (two cores), handed out in turn; the batcher keeps ≤ 2 in flight. */
export const xmllintRunner: XmllintRunner = (schema, docs, maxMemoryPages) => {
  for (let i = workers.length - 1; i >= 0; i--) if (workers[i]!.dead) workers.splice(i, 1);
  if (workers.length < 2) workers.push(new XmllintWorker());
  const w = workers[turn++ % workers.length]!;
  return w.run(schema, docs, maxMemoryPages);
};

/**
 * Validates one document in its own xmllint run, the way `validateXml` always did (file `message.xml`, default
 * memory); the reference the batched path must agree with and its fallback.
 */
export async function validateXsdAlone(
  schema: XsdSchema,
  xml: string,
  runner: XmllintRunner = xmllintRunner,
): Promise<XsdResult> {
  const r = await runner(schema, [{ fileName: 'message.xml', contents: xml }]);
  if (r.valid) return { valid: true, errors: [] };
  return { valid: false, errors: parseSingleOutput(r.rawOutput) };
}

// Mirrors xmllint-wasm's parseErrors: the last line ("… fails to validate" or a parser error's caret) and the
// trailing newline are dropped, "… validates" lines are skipped, `file:line: rest` becomes `line N: rest`.
function parseSingleOutput(raw: string): string[] {
  const out: string[] = [];
  for (const line of raw.split('\n').slice(0, -2)) {
    const [fileName, lineNumber, ...rest] = line.split(':');
    if (fileName && lineNumber && rest.length) {
      out.push(`line ${parseInt(lineNumber, 10)}: ${rest.join(':').trim()}`);
    } else if (!line.trim().endsWith(' validates')) {
      out.push(line);
    }
  }
  return out;
}

/** Per-document reading of a batched run; `undefined` means "not certain, validate this one alone". */
export type BatchVerdict = XsdResult | undefined;

/**
 * Attributes the stderr of one xmllint run over `fileNames` to each document. A document is decided only when the
 * output is unambiguous for it: "`f` validates" with no error lines, or "`f` fails to validate" with error lines and
 * no line anywhere in the output that lacks a file location (parser errors print unlocated context lines). Everything
 * else is left `undefined`, so one odd document never decides another one's fate.
 */
export function attributeBatchOutput(raw: string, fileNames: readonly string[]): BatchVerdict[] {
  const index = new Map(fileNames.map((f, i) => [f, i]));
  const errors: string[][] = fileNames.map(() => []);
  const status: ('validates' | 'fails' | undefined)[] = fileNames.map(() => undefined);
  let unlocated = false;
  const lines = raw.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (const line of lines) {
    const colon = line.indexOf(':');
    const head = colon > 0 ? index.get(line.slice(0, colon)) : undefined;
    if (head !== undefined) {
      const [, lineNumber, ...rest] = line.split(':');
      if (lineNumber && /^\d+$/.test(lineNumber) && rest.length) {
        errors[head]!.push(`line ${parseInt(lineNumber, 10)}: ${rest.join(':').trim()}`);
        continue;
      }
    }
    const marker = /^(.*) (validates|fails to validate)$/.exec(line);
    const who = marker ? index.get(marker[1]!) : undefined;
    if (who !== undefined && status[who] === undefined) {
      status[who] = marker![2] === 'validates' ? 'validates' : 'fails';
      continue;
    }
    unlocated = true;
  }
  return fileNames.map((_, i) => {
    if (status[i] === 'validates' && errors[i]!.length === 0) return { valid: true, errors: [] };
    if (status[i] === 'fails' && errors[i]!.length > 0 && !unlocated)
      return { valid: false, errors: errors[i]! };
    return undefined;
  });
}

interface Job {
  readonly xml: string;
  readonly bytes: number;
  readonly resolve: (r: XsdResult) => void;
  readonly reject: (e: unknown) => void;
}

interface Queue {
  readonly schema: XsdSchema;
  jobs: Job[];
  bytes: number;
  timer: NodeJS.Timeout | null;
  scheduled: boolean;
}

// A batch of up to 64 exchange messages needs more than xmllint-wasm's 32 MiB default; 128 MiB leaves headroom.
const BATCH_MAX_MEMORY_PAGES = 2048;

/**
 * Micro-batcher for libxml2 XSD validation. xmllint-wasm starts a worker, instantiates the wasm and compiles the
 * schema on every call (~100 ms), while one call can validate many documents. Documents for the same schema that
 * arrive within `windowMs` (or until `maxBatch`/`maxBatchBytes` are reached) share one run; at most `maxInFlight`
 * runs go at a time and documents keep queueing meanwhile. Each caller gets the result a run of its document alone
 * would give: whatever a batched run leaves uncertain (see {@link attributeBatchOutput}), or a run that fails as a
 * whole, is validated again one document at a time.
 */
export class XsdBatcher {
  private readonly windowMs: number;
  private readonly maxBatch: number;
  private readonly maxBatchBytes: number;
  private readonly maxInFlight: number;
  private readonly queues = new Map<string, Queue>();
  private readonly ready: string[] = [];
  private inFlight = 0;
  private seq = 0;

  constructor(
    options: XsdBatcherOptions = {},
    private readonly runner: XmllintRunner = xmllintRunner,
  ) {
    this.windowMs = options.windowMs ?? 0;
    this.maxBatch = options.maxBatch ?? 64;
    this.maxBatchBytes = options.maxBatchBytes ?? 4 * 1024 * 1024;
    this.maxInFlight = options.maxInFlight ?? 2;
  }

  /** Queues `xml` for validation against `schema` (keyed by its main file name). */
  validate(schema: XsdSchema, xml: string): Promise<XsdResult> {
    const key = schema.main.fileName;
    let q = this.queues.get(key);
    if (!q) {
      q = { schema, jobs: [], bytes: 0, timer: null, scheduled: false };
      this.queues.set(key, q);
    }
    const queue = q;
    return new Promise<XsdResult>((resolve, reject) => {
      const bytes = Buffer.byteLength(xml, 'utf8');
      queue.jobs.push({ xml, bytes, resolve, reject });
      queue.bytes += bytes;
      if (queue.jobs.length >= this.maxBatch || queue.bytes >= this.maxBatchBytes) {
        this.markReady(key);
      } else if (!queue.timer && !queue.scheduled && !this.ready.includes(key)) {
        if (this.windowMs <= 0) {
          // Calls made in the same tick share a run; later ones gather while runs are in flight.
          queue.scheduled = true;
          queueMicrotask(() => this.markReady(key));
        } else {
          queue.timer = setTimeout(() => this.markReady(key), this.windowMs);
        }
      }
    });
  }

  private markReady(key: string): void {
    const q = this.queues.get(key);
    if (!q) return;
    q.scheduled = false;
    if (q.timer) {
      clearTimeout(q.timer);
      q.timer = null;
    }
    if (!this.ready.includes(key)) this.ready.push(key);
    this.pump();
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.ready.length > 0) {
      const key = this.ready.shift()!;
      const q = this.queues.get(key)!;
      const batch = this.take(q);
      if (q.jobs.length > 0) this.ready.push(key);
      if (batch.length === 0) continue;
      this.inFlight++;
      void this.run(q.schema, batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private take(q: Queue): Job[] {
    const batch: Job[] = [];
    let bytes = 0;
    while (q.jobs.length > 0 && batch.length < this.maxBatch) {
      const next = q.jobs[0]!;
      if (batch.length > 0 && bytes + next.bytes > this.maxBatchBytes) break;
      batch.push(q.jobs.shift()!);
      bytes += next.bytes;
    }
    q.bytes -= bytes;
    return batch;
  }

  private async run(schema: XsdSchema, batch: Job[]): Promise<void> {
    if (batch.length === 1) {
      await this.alone(schema, batch);
      return;
    }
    const base = this.seq++;
    // One directory per document keeps the base name `message.xml`, as in a one-document run.
    const docs = batch.map((j, i) => ({ fileName: `b${base}-${i}/message.xml`, contents: j.xml }));
    let verdicts: BatchVerdict[];
    try {
      const r = await this.runner(schema, docs, BATCH_MAX_MEMORY_PAGES);
      verdicts = r.valid
        ? batch.map(() => ({ valid: true, errors: [] }))
        : attributeBatchOutput(
            r.rawOutput,
            docs.map((d) => d.fileName),
          );
    } catch {
      verdicts = batch.map(() => undefined);
    }
    const retry: Job[] = [];
    batch.forEach((job, i) => {
      const v = verdicts[i];
      if (v) job.resolve(v);
      else retry.push(job);
    });
    await this.alone(schema, retry);
  }

  // Uncertain documents, each in its own run, two at a time within this run's slot.
  private async alone(schema: XsdSchema, jobs: Job[]): Promise<void> {
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(2, jobs.length) }, async () => {
        while (next < jobs.length) {
          const job = jobs[next++]!;
          try {
            job.resolve(await validateXsdAlone(schema, job.xml, this.runner));
          } catch (err) {
            job.reject(err);
          }
        }
      }),
    );
  }
}
