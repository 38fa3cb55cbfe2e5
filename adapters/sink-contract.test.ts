import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCommerceSink } from './commerce/client.js';
import { type CommerceMessage, encodeCommerceMessage } from './commerce/encoder.js';
import { startCommerceSimulator } from './commerce/simulator.js';
import { createCreditSink } from './credit/client.js';
import { type CreditBatch, encodeCreditBatch } from './credit/encoder.js';
import { startCreditSimulator } from './credit/simulator.js';
import { createCultureSink } from './culture/client.js';
import { type CultureMessage, encodeCultureMessage } from './culture/encoder.js';
import { startCultureSimulator } from './culture/simulator.js';
import { createPortalSink } from './portal/client.js';
import { type PortalArticle, encodePortalArticle } from './portal/encoder.js';
import { startPortalSimulator } from './portal/simulator.js';
import { BUREAU_SENDER } from './shared/envelope.js';
import { ExchangeError } from './shared/errors.js';
import {
  newMessageId,
  sampleCommerce,
  sampleCreditBatch,
  sampleCulture,
  samplePenalty,
  samplePortalArticle,
} from './shared/sink-fixtures.js';
import { signMessage } from './shared/sink-http.js';
import type { SinkSimulator, SimulatorOptions } from './shared/sink-simulator.js';
import type { EncodedMessage, SinkClientConfig, SinkPartner, SinkResponse } from './shared/sink-types.js';
import { Sm2Keyring, generateSm2KeyPair } from './shared/sm2.js';

const ours = generateSm2KeyPair();
const stranger = generateSm2KeyPair();
const FROM = new Date('2025-01-01T00:00:00+08:00');
const keyring = new Sm2Keyring([
  { keyId: 'psb-2025', privateKeyPem: ours.privateKeyPem, validFrom: FROM, validTo: null },
]);
const wrongRing = new Sm2Keyring([
  { keyId: 'psb-2025', privateKeyPem: stranger.privateKeyPem, validFrom: FROM, validTo: null },
]);
const senders = {
  [BUREAU_SENDER.code]: [
    { keyId: 'psb-2025', publicKeyPem: ours.publicKeyPem, validFrom: FROM, validTo: null },
  ],
};
// 12:00 in Asia/Shanghai: outside culture's nightly window.
const noon = () => new Date('2026-11-25T04:00:00Z');

/** The uniform face of one sink for the looped suite. */
interface SinkCase {
  readonly partner: SinkPartner;
  start(options: SimulatorOptions): Promise<SinkSimulator>;
  encodeValid(messageId: string): Promise<EncodedMessage>;
  encodeSchemaInvalid(messageId: string): Promise<EncodedMessage>;
  send(config: SinkClientConfig, signed: ReturnType<typeof signMessage>): Promise<SinkResponse>;
}

function commerceCase(): SinkCase {
  return {
    partner: 'COMMERCE',
    start: (o) => startCommerceSimulator(o),
    encodeValid: (id) => encodeCommerceMessage(sampleCommerce(id)),
    encodeSchemaInvalid: (id) => {
      const m = sampleCommerce(id) as Extract<CommerceMessage, { messageType: 'INSPECTION_RESULT_NOTICE' }>;
      return encodeCommerceMessage({
        ...m,
        notice: { ...m.notice, subject: { ...m.notice.subject, uscc: '123' } },
      });
    },
    send: (c, s) => createCommerceSink(c).send(s),
  };
}

function cultureCase(): SinkCase {
  return {
    partner: 'CULTURE',
    start: (o) => startCultureSimulator(o),
    encodeValid: (id) => encodeCultureMessage(sampleCulture(id)),
    encodeSchemaInvalid: (id) => {
      const m = sampleCulture(id) as Extract<CultureMessage, { messageType: 'INSPECTION_RESULT_NOTICE' }>;
      return encodeCultureMessage({
        ...m,
        notice: { ...m.notice, inspection: { ...m.notice.inspection, inspectedOn: '20/11/2026' } },
      });
    },
    send: (c, s) => createCultureSink(c).send(s),
  };
}

function creditCase(): SinkCase {
  return {
    partner: 'CREDIT',
    start: (o) => startCreditSimulator(o),
    encodeValid: (id) => encodeCreditBatch(sampleCreditBatch(id)),
    encodeSchemaInvalid: (id) => {
      const b = sampleCreditBatch(id);
      const bad = {
        ...b.records[1]!,
        subject: { type: 'PERSON', idNumber: '35032219881109331', name: '赵六' },
      };
      return encodeCreditBatch({ ...b, records: [bad as CreditBatch['records'][number]] });
    },
    send: (c, s) => createCreditSink(c).send(s),
  };
}

function portalCase(): SinkCase {
  return {
    partner: 'PORTAL',
    start: (o) => startPortalSimulator(o),
    encodeValid: (id) => encodePortalArticle(samplePortalArticle(id)),
    encodeSchemaInvalid: (id) =>
      encodePortalArticle({ ...samplePortalArticle(id), column: 'SJSGK_OTHER' } as unknown as PortalArticle),
    send: (c, s) => createPortalSink(c).send(s),
  };
}

describe.each([commerceCase(), cultureCase(), creditCase(), portalCase()])(
  'sink contract: $partner',
  (sink) => {
    let sim: SinkSimulator;
    let config: SinkClientConfig;

    beforeAll(async () => {
      sim = await sink.start({ senders, now: noon, seed: 42, holdMs: 2_000 });
      config = { baseUrl: sim.baseUrl, timeoutMs: 5_000 };
    });
    afterAll(() => sim.close());
    afterEach(() => sim.setFaults({}));

    async function deliver(ring = keyring, mutate?: (body: Uint8Array) => Uint8Array) {
      const enc = await sink.encodeValid(newMessageId());
      const signed = signMessage(enc, ring, BUREAU_SENDER.code, noon());
      const sent = mutate ? { ...signed, body: mutate(signed.body) } : signed;
      return { enc, signed: sent, res: await sink.send(config, sent) };
    }

    it('accepts a valid, signed message and keeps it', async () => {
      const { enc, res } = await deliver();
      expect(res.outcome).toBe('ACCEPTED');
      expect(res.httpStatus).toBe(200);
      if (sink.partner === 'CREDIT') {
        expect(res.records?.map((r) => r.status)).toEqual(['ACCEPTED', 'ACCEPTED', 'ACCEPTED']);
        expect(res.records?.every((r) => r.creditNo?.startsWith('XY20261125'))).toBe(true);
      } else {
        expect(res.receiptNo).toBeTruthy();
      }
      expect(sim.countOf(enc.messageId)).toBe(1);
      expect(
        Buffer.from(sim.received().find((m) => m.messageId === enc.messageId)!.body).equals(
          Buffer.from(enc.body),
        ),
      ).toBe(true);
    });

    it('answers a repeated messageId as DUPLICATE with the original receipt number', async () => {
      const { enc, signed, res: first } = await deliver();
      const again = await sink.send(config, signed);
      expect(again.outcome).toBe('DUPLICATE');
      if (sink.partner === 'CREDIT') {
        expect(again.records?.map((r) => r.status)).toEqual(['DUPLICATE', 'DUPLICATE', 'DUPLICATE']);
        expect(again.records?.map((r) => r.creditNo)).toEqual(first.records?.map((r) => r.creditNo));
      } else {
        expect(again.receiptNo).toBe(first.receiptNo);
      }
      expect(sim.countOf(enc.messageId)).toBe(2);
    });

    it('rejects a tampered body permanently and keeps nothing', async () => {
      const { enc, res } = await deliver(keyring, (b) => {
        const copy = Uint8Array.from(b);
        const i = Buffer.from(copy).indexOf('2026');
        copy[i + 3] = '7'.charCodeAt(0);
        return copy;
      });
      expect(res.outcome).toBe('REJECTED');
      expect(res.reason).toMatch(/signature/i);
      expect(sim.countOf(enc.messageId)).toBe(0);
    });

    it('rejects a message signed with the wrong key', async () => {
      const { enc, res } = await deliver(wrongRing);
      expect(res.outcome).toBe('REJECTED');
      expect(res.reason).toMatch(/signature/i);
      expect(sim.countOf(enc.messageId)).toBe(0);
    });

    it('rejects an unsigned message', async () => {
      const enc = await sink.encodeValid(newMessageId());
      const res = await sink.send(config, {
        ...signMessage(enc, keyring, BUREAU_SENDER.code, noon()),
        signature: '',
      });
      expect(res.outcome).toBe('REJECTED');
    });

    it('refuses a schema-invalid message in the encoder, before anything is sent', async () => {
      const before = sim.requests().length;
      const err = await sink.encodeSchemaInvalid(newMessageId()).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ExchangeError);
      expect((err as ExchangeError).code).toBe('SCHEMA_INVALID');
      expect((err as ExchangeError).details.length).toBeGreaterThan(0);
      expect(sim.requests().length).toBe(before);
    });

    it('classifies 5xx as transient', async () => {
      sim.setFaults({ status5xxRate: 1 });
      const { enc, res } = await deliver();
      expect(res).toMatchObject({ outcome: 'TRANSIENT', httpStatus: 500 });
      expect(sim.countOf(enc.messageId)).toBe(0);
    });

    it('classifies 429 as transient and parses Retry-After', async () => {
      sim.setFaults({ tooManyRequests: { rate: 1, retryAfter: 42 } });
      const { res } = await deliver();
      expect(res).toMatchObject({ outcome: 'TRANSIENT', httpStatus: 429, retryAfterSeconds: 42 });
    });

    it('classifies a timeout as transient with no HTTP status', async () => {
      sim.setFaults({ timeoutRate: 1 });
      const enc = await sink.encodeValid(newMessageId());
      const res = await sink.send(
        { ...config, timeoutMs: 300 },
        signMessage(enc, keyring, BUREAU_SENDER.code, noon()),
      );
      expect(res.outcome).toBe('TRANSIENT');
      expect(res.httpStatus).toBeNull();
      expect(res.reason).toMatch(/timeout/);
    });

    it('classifies a partner rejection as permanent', async () => {
      sim.setFaults({ rejectRate: 1 });
      const { res } = await deliver();
      expect(res.outcome).toBe('REJECTED');
      expect(res.reason).toBeTruthy();
    });

    it('survives a lost receipt: the resend is a duplicate of the stored message', async () => {
      sim.setFaults({ lostReceiptRate: 1 });
      const enc = await sink.encodeValid(newMessageId());
      const signed = signMessage(enc, keyring, BUREAU_SENDER.code, noon());
      // The simulator stores the message before it withholds the answer, so it is kept by the client's timeout.
      const res = await sink.send({ ...config, timeoutMs: 1_500 }, signed);
      expect(res.outcome).toBe('TRANSIENT');
      sim.setFaults({});
      const again = await sink.send(config, signed);
      expect(again.outcome).toBe('DUPLICATE');
      expect(sim.countOf(enc.messageId)).toBe(2);
    });

    it('classifies a refused connection as transient', async () => {
      const enc = await sink.encodeValid(newMessageId());
      const res = await sink.send(
        { baseUrl: 'http://127.0.0.1:1', timeoutMs: 1_000 },
        signMessage(enc, keyring),
      );
      expect(res).toMatchObject({ outcome: 'TRANSIENT', httpStatus: null });
    });

    it('injects faults deterministically from the seed', async () => {
      const run = async () => {
        const s = await sink.start({ senders, now: noon, seed: 7, faults: { status5xxRate: 0.5 } });
        const outcomes: string[] = [];
        for (let i = 0; i < 8; i++) {
          const enc = await sink.encodeValid(newMessageId());
          const r = await sink.send(
            { baseUrl: s.baseUrl, timeoutMs: 1_000 },
            signMessage(enc, keyring, undefined, noon()),
          );
          outcomes.push(r.outcome);
        }
        await s.close();
        return outcomes;
      };
      const a = await run();
      expect(await run()).toEqual(a);
      expect(new Set(a)).toEqual(new Set(['ACCEPTED', 'TRANSIENT']));
    });
  },
);

describe('credit: partial acceptance per record', () => {
  let sim: SinkSimulator;
  beforeAll(async () => {
    sim = await startCreditSimulator({ senders, now: noon, seed: 3 });
  });
  afterAll(() => sim.close());

  it('accepts some records, rejects others with reasons, and dedups per recordId on resend', async () => {
    const config = { baseUrl: sim.baseUrl, timeoutMs: 2_000 };
    sim.setFaults({ partialBatchRejectRate: 0.5 });
    const enc = await encodeCreditBatch(sampleCreditBatch(newMessageId(), 12));
    const signed = signMessage(enc, keyring, BUREAU_SENDER.code, noon());
    const first = await createCreditSink(config).send(signed);
    const accepted = first.records!.filter((r) => r.status === 'ACCEPTED');
    const rejected = first.records!.filter((r) => r.status === 'REJECTED');
    expect(first.outcome).toBe('ACCEPTED');
    expect(first.records).toHaveLength(12);
    expect(accepted.length).toBeGreaterThan(0);
    expect(rejected.length).toBeGreaterThan(0);
    expect(rejected.every((r) => r.reason === 'SUBJECT_NOT_FOUND')).toBe(true);
    expect(first.reason).toContain('SUBJECT_NOT_FOUND');

    sim.setFaults({});
    const second = await createCreditSink(config).send(signed);
    for (const r of accepted) {
      expect(second.records!.find((x) => x.recordId === r.recordId)).toEqual({ ...r, status: 'DUPLICATE' });
    }
    for (const r of rejected) {
      expect(second.records!.find((x) => x.recordId === r.recordId)?.status).toBe('ACCEPTED');
    }
  });

  it('refuses a BLACKLIST_ADD whose objection period is still open', async () => {
    const b = sampleCreditBatch(newMessageId(), 1);
    const rec = b.records[0] as Extract<CreditBatch['records'][number], { kind: 'BLACKLIST_ADD' }>;
    const open = { ...rec, notice: { ...rec.notice, objectionDeadline: '2026-11-30' } };
    await expect(encodeCreditBatch({ ...b, records: [open] })).rejects.toMatchObject({
      code: 'MESSAGE_INVALID',
    });
  });

  it('sends full ID numbers to credit only', async () => {
    const enc = await encodeCreditBatch(sampleCreditBatch(newMessageId(), 2));
    expect(Buffer.from(enc.body).toString('utf8')).toContain('idNumber="350322198811093310"');
  });
});

describe('culture specifics', () => {
  it('answers 503 with Retry-After during the nightly batch (23:30–00:30 Asia/Shanghai)', async () => {
    const at2345 = () => new Date('2026-11-25T15:45:00Z');
    const sim = await startCultureSimulator({ senders, now: at2345 });
    try {
      const enc = await encodeCultureMessage(sampleCulture());
      const res = await createCultureSink({ baseUrl: sim.baseUrl }).send(signMessage(enc, keyring));
      expect(res).toMatchObject({ outcome: 'TRANSIENT', httpStatus: 503, retryAfterSeconds: 45 * 60 });
    } finally {
      await sim.close();
    }
  });

  it('sends BLACKLIST_NOTICE with masked ID numbers and refuses a full one', async () => {
    const blacklist = (idNumber: string): CultureMessage => ({
      messageType: 'BLACKLIST_NOTICE',
      meta: { messageId: newMessageId(), createdAt: '2026-11-25T15:00:00+08:00' },
      blacklist: {
        subject: { uscc: '91350322MA8RT3KXXF', name: '仙游县极速网咖', category: 'INTERNET_CAFE' },
        persons: [{ name: '赵六', idNumber, role: 'LEGAL_REP' }],
        reason: { code: 'MINOR_ADMITTED', text: '多次接纳未成年人' },
        decisionNo: '仙公网黑〔2026〕3号',
        from: '2026-11-25',
        to: '2029-11-24',
      },
    });
    const sim = await startCultureSimulator({ senders, now: noon });
    try {
      const ok = await encodeCultureMessage(blacklist('350322********3310'));
      const res = await createCultureSink({ baseUrl: sim.baseUrl }).send(signMessage(ok, keyring));
      expect(res.outcome).toBe('ACCEPTED');
      await expect(encodeCultureMessage(blacklist('350322198811093310'))).rejects.toMatchObject({
        code: 'PERSONAL_DATA_REFUSED',
      });
      expect(sim.requests()).toHaveLength(1);
    } finally {
      await sim.close();
    }
  });
});

describe('commerce specifics', () => {
  it('refuses a full ID number outside credit, even in free text', async () => {
    const m = sampleCommerce() as Extract<CommerceMessage, { messageType: 'INSPECTION_RESULT_NOTICE' }>;
    const leaky = {
      ...m,
      notice: {
        ...m.notice,
        findings: [{ code: 'G', severity: 'SERIOUS' as const, text: '负责人赵六(350322198811093310)' }],
      },
    };
    await expect(encodeCommerceMessage(leaky)).rejects.toMatchObject({ code: 'PERSONAL_DATA_REFUSED' });
  });

  it('sends penalty publicity, but never a warning-only penalty', async () => {
    const meta = { messageId: newMessageId(), createdAt: '2026-11-25T15:00:00+08:00' };
    const enc = await encodeCommerceMessage({
      messageType: 'PENALTY_PUBLICITY',
      meta,
      penalty: samplePenalty(),
    });
    expect(Buffer.from(enc.body).toString('utf8')).toContain('<ex:FineAmountWan>0.5</ex:FineAmountWan>');
    await expect(
      encodeCommerceMessage({
        messageType: 'PENALTY_PUBLICITY',
        meta,
        penalty: samplePenalty({ categories: ['警告'], fineAmountFen: undefined }),
      }),
    ).rejects.toMatchObject({ code: 'MESSAGE_INVALID' });
  });
});

describe('portal specifics', () => {
  it('refuses bodyHtml with <script> in the encoder, and the simulator refuses it too', async () => {
    const article = { ...samplePortalArticle(), bodyHtml: '<p>公告</p><script>alert(1)</script>' };
    const err = await encodePortalArticle(article).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'PORTAL_HTML_REFUSED' });
    expect((err as ExchangeError).details).toContain('<script> is not allowed');

    const sim = await startPortalSimulator({ senders, now: noon });
    try {
      const body = new TextEncoder().encode(JSON.stringify(article));
      const raw: EncodedMessage = {
        partner: 'PORTAL',
        messageId: article.messageId,
        messageType: 'ARTICLE',
        contentType: 'application/json',
        body,
      };
      const res = await createPortalSink({ baseUrl: sim.baseUrl }).send(signMessage(raw, keyring));
      expect(res.outcome).toBe('REJECTED');
      expect(res.httpStatus).toBe(422);
      expect(res.reason).toContain('script');
    } finally {
      await sim.close();
    }
  });

  it('refuses attributes, event handlers and personal data', async () => {
    for (const bodyHtml of [
      '<p onclick="x()">a</p>',
      '<a href="x">a</a>',
      '<p>a<!-- c --></p>',
      '<p><img src=x></p>',
    ]) {
      await expect(encodePortalArticle({ ...samplePortalArticle(), bodyHtml })).rejects.toMatchObject({
        code: 'PORTAL_HTML_REFUSED',
      });
    }
    await expect(
      encodePortalArticle({ ...samplePortalArticle(), bodyHtml: '<p>联系电话 13905941234</p>' }),
    ).rejects.toMatchObject({ code: 'PERSONAL_DATA_REFUSED' });
  });
});
