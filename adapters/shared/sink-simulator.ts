import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EXCHANGE_HEADERS } from './sink-http.js';
import type { SinkPartner } from './sink-types.js';
import { Sm2TrustStore, type VerifierKey } from './sm2.js';

/**
 * Switchable fault injection. Rates are probabilities in [0, 1], drawn from the simulator's seeded PRNG so a test
 * with the same seed and the same request sequence sees the same faults.
 */
export interface SinkFaults {
  /** HTTP 500 before anything is processed. */
  readonly status5xxRate?: number;
  /** No answer at all: the request is held until the client gives up (nothing processed). */
  readonly timeoutRate?: number;
  /** HTTP 429 with `Retry-After: retryAfter` seconds. */
  readonly tooManyRequests?: { readonly rate: number; readonly retryAfter: number };
  /** Culture's nightly batch: 503 with `Retry-After` until 00:30 while the clock is within 23:30–00:30 Asia/Shanghai. */
  readonly nightlyWindow?: boolean;
  /** Permanent rejection of a well-formed, well-signed message (partner's own reason, e.g. unknown subject). */
  readonly rejectRate?: number;
  /** Credit only: each record of a batch is rejected with this probability (SUBJECT_NOT_FOUND). */
  readonly partialBatchRejectRate?: number;
  /** The message is processed and stored, then the answer is lost (the client times out): tests at-least-once. */
  readonly lostReceiptRate?: number;
}

/** What the simulator answers. */
export interface SimAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** One message the partner processed (signature and schema good), with every delivery of it counted. */
export interface ReceivedMessage {
  readonly messageId: string;
  readonly messageType: string;
  /** Deliveries of this messageId that passed signature and schema checks, duplicates included. */
  count: number;
  /** Receipt number of the first acceptance (credit: empty; see `records`). */
  readonly receiptNo: string;
  readonly firstReceivedAt: Date;
  /** Exact bytes of the first accepted delivery. */
  readonly body: Buffer;
  /** Credit: record ids accepted in this batch. */
  readonly recordIds?: readonly string[];
}

/** One HTTP request as the simulator saw it (for the demo page and debugging). */
export interface SimRequestLog {
  readonly at: Date;
  readonly path: string;
  readonly status: number | 'NO_ANSWER';
  readonly note: string;
}

/** What a partner-specific behaviour sees for one signed request. */
export interface ProcessContext {
  readonly body: Buffer;
  readonly contentType: string;
  readonly now: Date;
  readonly faults: SinkFaults;
  /** Draws from the seeded PRNG: true with probability `rate`. */
  chance(rate: number | undefined): boolean;
  /** Next number of a daily sequence, e.g. receipt numbers. */
  nextSeq(prefix: string): number;
  /** Prior acceptance of this messageId, if any. */
  lookup(messageId: string): ReceivedMessage | undefined;
  /** Records an acceptance (first delivery) or counts a repeat. */
  remember(entry: Omit<ReceivedMessage, 'count' | 'firstReceivedAt' | 'body'>): ReceivedMessage;
}

/** The partner-specific part of a simulator. */
export interface PartnerBehaviour {
  readonly partner: SinkPartner;
  readonly path: string;
  /** The answer to an unsigned, badly signed or unknown-sender request (a permanent error, per contract). */
  signatureRejected(reason: string, body: Buffer): SimAnswer;
  /** Validates, deduplicates and answers a signed request. */
  process(ctx: ProcessContext): Promise<SimAnswer>;
  /** Forgets partner-specific state (e.g. credit's per-record deduplication). */
  reset?(): void;
}

/** Options common to every sink simulator. */
export interface SimulatorOptions {
  /** 0 (default) picks an ephemeral port. */
  readonly port?: number;
  readonly host?: string;
  /** PRNG seed for fault injection; default 1. */
  readonly seed?: number;
  /** Registered sender public keys, by sender code. */
  readonly senders?: Readonly<Record<string, readonly VerifierKey[]>>;
  /** Clock, for the nightly window, key validity and receipt dates. */
  readonly now?: () => Date;
  /** How long a "timeout" fault holds the request before dropping the connection; default 30 s. */
  readonly holdMs?: number;
  readonly faults?: SinkFaults;
}

const MAX_BODY = 10 * 1024 * 1024;

/** mulberry32: tiny, fast, seedable; only for fault injection, never for anything security-relevant. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Seconds until the end of culture's nightly batch (00:30 Asia/Shanghai), or null outside 23:30–00:30. */
export function nightlyWindowRemaining(now: Date): number | null {
  const shanghaiSeconds = (Math.floor(now.getTime() / 1000) + 8 * 3600) % 86400;
  const start = (23 * 60 + 30) * 60;
  const end = 30 * 60;
  if (shanghaiSeconds >= start) return 86400 - shanghaiSeconds + end;
  if (shanghaiSeconds < end) return end - shanghaiSeconds;
  return null;
}

/** `yyyymmdd` in Asia/Shanghai, for receipt numbers. */
export function shanghaiDay(now: Date): string {
  return new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10).replaceAll('-', '');
}

/**
 * A real `node:http` partner simulator: checks signatures against registered sender keys, injects faults, delegates
 * schema checks, deduplication and receipts to its `PartnerBehaviour`, and keeps what it received.
 */
export class SinkSimulator {
  private server: Server | null = null;
  private faults: SinkFaults;
  private rng: () => number;
  private readonly seed: number;
  private readonly senders = new Map<string, Sm2TrustStore>();
  private readonly messages = new Map<string, ReceivedMessage>();
  private readonly seqs = new Map<string, number>();
  private readonly log: SimRequestLog[] = [];
  private readonly held = new Set<ServerResponse>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly now: () => Date;
  private readonly holdMs: number;

  constructor(
    private readonly behaviour: PartnerBehaviour,
    private readonly options: SimulatorOptions = {},
  ) {
    this.seed = options.seed ?? 1;
    this.rng = seededRandom(this.seed);
    this.faults = options.faults ?? {};
    this.now = options.now ?? (() => new Date());
    this.holdMs = options.holdMs ?? 30_000;
    for (const [code, keys] of Object.entries(options.senders ?? {})) this.registerSender(code, keys);
  }

  get partner(): SinkPartner {
    return this.behaviour.partner;
  }

  /** Starts listening; resolves once bound, rejects on `EADDRINUSE` and the like. */
  async start(): Promise<this> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch(() => {
        if (!res.headersSent)
          this.answer(res, { status: 500, contentType: 'text/plain', body: 'simulator error' });
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    return this;
  }

  /** The bound port. */
  get port(): number {
    const addr = this.server?.address() as AddressInfo | null;
    if (!addr) throw new Error('simulator not started');
    return addr.port;
  }

  /** Base URL for the matching client (`http://127.0.0.1:{port}`). */
  get baseUrl(): string {
    return `http://${this.options.host ?? '127.0.0.1'}:${this.port}`;
  }

  /** Stops the server, dropping held connections. */
  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const res of this.held) res.destroy();
    this.held.clear();
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Registers (or replaces) a sender's public keys. */
  registerSender(code: string, keys: readonly VerifierKey[]): void {
    this.senders.set(code, new Sm2TrustStore(keys));
  }

  /** Replaces the fault settings; `reseed` restarts the PRNG (default: keep its position). */
  setFaults(faults: SinkFaults, reseed?: number): void {
    this.faults = { ...faults };
    if (reseed !== undefined) this.rng = seededRandom(reseed);
  }

  /** Every message processed, with delivery counts per messageId. */
  received(): ReceivedMessage[] {
    return [...this.messages.values()].map((m) => ({ ...m }));
  }

  /** Delivery count of one messageId (0 when never processed). */
  countOf(messageId: string): number {
    return this.messages.get(messageId.toLowerCase())?.count ?? 0;
  }

  /** Every HTTP request, newest last. */
  requests(): SimRequestLog[] {
    return [...this.log];
  }

  /** Forgets everything received and restarts the PRNG from the seed. */
  reset(): void {
    this.messages.clear();
    this.seqs.clear();
    this.log.length = 0;
    this.rng = seededRandom(this.seed);
    this.behaviour.reset?.();
  }

  private chance(rate: number | undefined): boolean {
    return rate !== undefined && rate > 0 && this.rng() < rate;
  }

  private answer(res: ServerResponse, a: SimAnswer): void {
    res.writeHead(a.status, { 'Content-Type': a.contentType, ...(a.headers ?? {}) });
    res.end(a.body);
  }

  private hold(res: ServerResponse): void {
    this.held.add(res);
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.held.delete(res);
      res.destroy();
    }, this.holdMs);
    this.timers.add(t);
  }

  private note(path: string, status: number | 'NO_ANSWER', note: string): void {
    this.log.push({ at: this.now(), path, status, note });
  }

  private async readBody(req: IncomingMessage): Promise<Buffer | null> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BODY) return null;
      chunks.push(chunk);
    }
    return Buffer.concat(chunks);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0]!;
    if (req.method !== 'POST' || path !== this.behaviour.path) {
      this.note(path, 404, `${req.method} not served`);
      this.answer(res, { status: 404, contentType: 'text/plain', body: 'not found' });
      return;
    }
    const body = await this.readBody(req);
    if (body === null) {
      this.note(path, 413, 'body over 10 MiB');
      this.answer(res, { status: 413, contentType: 'text/plain', body: 'payload too large' });
      req.resume();
      return;
    }
    const now = this.now();
    const f = this.faults;
    const nightly = f.nightlyWindow ? nightlyWindowRemaining(now) : null;
    if (nightly !== null) {
      this.note(path, 503, 'nightly batch window');
      this.answer(res, {
        status: 503,
        contentType: 'text/plain',
        body: 'nightly batch in progress',
        headers: { 'Retry-After': String(nightly) },
      });
      return;
    }
    if (f.tooManyRequests && this.chance(f.tooManyRequests.rate)) {
      this.note(path, 429, 'fault: too many requests');
      this.answer(res, {
        status: 429,
        contentType: 'text/plain',
        body: 'too many requests',
        headers: { 'Retry-After': String(f.tooManyRequests.retryAfter) },
      });
      return;
    }
    if (this.chance(f.status5xxRate)) {
      this.note(path, 500, 'fault: 5xx');
      this.answer(res, { status: 500, contentType: 'text/plain', body: 'internal error' });
      return;
    }
    if (this.chance(f.timeoutRate)) {
      this.note(path, 'NO_ANSWER', 'fault: timeout');
      this.hold(res);
      return;
    }

    const signature = req.headers[EXCHANGE_HEADERS.signature];
    const keyId = req.headers[EXCHANGE_HEADERS.keyId];
    const sender = req.headers[EXCHANGE_HEADERS.sender];
    let sigProblem: string | null = null;
    if (typeof signature !== 'string' || typeof keyId !== 'string' || typeof sender !== 'string') {
      sigProblem =
        'unsigned message: X-Exchange-Signature, X-Exchange-Key-Id and X-Exchange-Sender are required';
    } else if (!this.senders.has(sender)) {
      sigProblem = `unknown sender ${sender}`;
    } else if (!this.senders.get(sender)!.verify(body, signature, { keyId, at: now })) {
      sigProblem = `signature does not verify with key ${keyId} of ${sender}`;
    }
    if (sigProblem) {
      const a = this.behaviour.signatureRejected(sigProblem, body);
      this.note(path, a.status, sigProblem);
      this.answer(res, a);
      return;
    }

    const ctx: ProcessContext = {
      body,
      contentType: String(req.headers['content-type'] ?? ''),
      now,
      faults: f,
      chance: (rate) => this.chance(rate),
      nextSeq: (prefix) => {
        const n = (this.seqs.get(prefix) ?? 0) + 1;
        this.seqs.set(prefix, n);
        return n;
      },
      lookup: (id) => this.messages.get(id.toLowerCase()),
      remember: (entry) => {
        const key = entry.messageId.toLowerCase();
        const prior = this.messages.get(key);
        if (prior) {
          prior.count += 1;
          return prior;
        }
        const fresh: ReceivedMessage = { ...entry, count: 1, firstReceivedAt: now, body };
        this.messages.set(key, fresh);
        return fresh;
      },
    };
    const a = await this.behaviour.process(ctx);
    if (this.chance(f.lostReceiptRate)) {
      this.note(path, 'NO_ANSWER', `fault: receipt lost after processing (${a.status})`);
      this.hold(res);
      return;
    }
    this.note(path, a.status, 'processed');
    this.answer(res, a);
  }
}
