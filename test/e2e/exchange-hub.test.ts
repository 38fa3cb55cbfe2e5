import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EntityManager } from '@mikro-orm/postgresql';
import { BUREAU_SENDER } from '../../adapters/shared/envelope.js';
import type { SinkSimulator } from '../../adapters/shared/sink-simulator.js';
import { generateSm2KeyPair, signSm2 } from '../../adapters/shared/sm2.js';
import { Dispatcher, DEFAULT_DISPATCHER } from '../../src/modules/exchange/dispatcher.js';
import { DEFAULT_RETRY } from '../../src/modules/exchange/exchange-policy.js';
import { verifyLogChain } from '../../src/modules/exchange/message-log.js';
import { createLogger } from '../../src/shared/logger.js';
import { startTestPlatform, Role, type TestPlatform } from '../support/platform.js';
import { articleEvent, pointPartners, resultEvent, startPartners } from './exchange-support.js';

let tp: TestPlatform;
const silentLog = createLogger('silent');
let sims: Record<'COMMERCE' | 'CULTURE' | 'CREDIT' | 'PORTAL', SinkSimulator>;
const partnerKey = generateSm2KeyPair();
const COMMERCE_CODE = '11350322MB00000005';

function em(): EntityManager {
  return tp.platform.orm.em.fork() as EntityManager;
}
async function sql<T = Record<string, unknown>>(q: string, params: unknown[] = []): Promise<T[]> {
  return em().getConnection().execute<T[]>(q, params);
}
/** A dispatcher with its own clock and jitter, so tests step time. */
function dispatcherAt(clock: { now: Date }, retry = DEFAULT_RETRY): Dispatcher {
  const s = tp.platform.services;
  return new Dispatcher(
    tp.platform.orm,
    s.exchange.directory,
    s.exchange.keys.keyring,
    s.pii,
    s.events,
    silentLog,
    { ...DEFAULT_DISPATCHER, retry },
    () => clock.now,
    () => 0.5,
  );
}

beforeAll(async () => {
  tp = await startTestPlatform({ demo: false, env: { SIMULATORS: 'false', EXCHANGE_DISPATCHER: 'false' } });
  sims = await startPartners(tp.platform.services.exchange.keys.keyring);
  await pointPartners(em(), sims);
  await sql(
    `insert into exchange_partner_key (partner_code, key_id, public_key_pem, valid_from) values ('COMMERCE', 'sj-1', ?, '2020-01-01')`,
    [partnerKey.publicKeyPem],
  );
}, 60_000);

afterAll(async () => {
  for (const s of Object.values(sims ?? {})) await s.close();
  await tp?.stop();
});

describe('outbox', () => {
  it('routes an entertainment result to commerce and culture, validated, in the caller transaction', async () => {
    const ids = await em().transactional((tx) => tp.platform.services.outbox.enqueue(tx, resultEvent()));
    expect(ids.messageIds).toHaveLength(2);
    const rows = await sql<{ partner_code: string; status: string }>(
      'select partner_code, status from exchange_message where id = any(?::uuid[]) order by partner_code',
      [`{${ids.messageIds.join(',')}}`],
    );
    expect(rows.map((r) => r.partner_code)).toEqual(['COMMERCE', 'CULTURE']);
    expect(rows.every((r) => r.status === 'PENDING')).toBe(true);
  });

  it('refuses a schema-invalid message with a coded error; nothing is queued and it never leaves', async () => {
    const before = await sql<{ n: number }>('select count(*)::int as n from exchange_message');
    const bad = resultEvent({ subject: { uscc: '123', name: 'x', category: 'INTERNET_CAFE' } });
    await expect(
      em().transactional((tx) => tp.platform.services.outbox.enqueue(tx, bad)),
    ).rejects.toMatchObject({ code: 'EXCHANGE_SCHEMA_INVALID' });
    const after = await sql<{ n: number }>('select count(*)::int as n from exchange_message');
    expect(after[0]!.n).toBe(before[0]!.n);
  });

  it('refuses BLACKLIST_ADD without the notice proof', async () => {
    await expect(
      em().transactional((tx) =>
        tp.platform.services.outbox.enqueue(tx, {
          type: 'BLACKLIST_ADD',
          sourceId: 'BL-1',
          subjectKey: 'target:91350322MA8RT3KXXF',
          subject: { uscc: '91350322MA8RT3KXXF', name: '仙游县极速网咖', category: 'INTERNET_CAFE' },
          payload: {
            recordId: randomUUID(),
            subjectType: 'ENTITY',
            reason: { code: 'MINOR_ADMITTED', text: '多次接纳未成年人' },
            decision: { no: '仙公网黑〔2026〕3号', date: '2026-11-24' },
            validity: { from: '2026-11-25', to: '2029-11-24' },
          },
        }),
      ),
    ).rejects.toMatchObject({ code: 'EXCHANGE_BLACKLIST_NOTICE_MISSING' });
  });
});

describe('dispatcher', () => {
  it('delivers signed messages once, stores receipts and attempts, and keeps the log chain intact', async () => {
    const clock = { now: new Date() };
    await dispatcherAt(clock).drain();
    const rows = await sql<{ id: string; status: string; receipt_no: string; key_id: string }>(
      `select id, status, receipt_no, key_id from exchange_message where partner_code in ('COMMERCE', 'CULTURE')`,
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(r.status).toBe('DELIVERED');
      expect(r.receipt_no).toMatch(/^(SJ|WL)\d+/);
      expect(r.key_id).toBe('local-1');
      const sim = sims.COMMERCE.countOf(r.id) ? sims.COMMERCE : sims.CULTURE;
      expect(sim.countOf(r.id)).toBe(1);
    }
    const attempts = await sql<{ n: number }>('select count(*)::int as n from exchange_attempt');
    expect(attempts[0]!.n).toBe(rows.length);
    const chain = await verifyLogChain((q, p) => sql(q, p));
    expect(chain.ok).toBe(true);
    expect(chain.checked).toBeGreaterThanOrEqual(rows.length * 2);
  });

  it('backs off with Retry-After, does not retry a 4xx, and dead-letters after the attempt limit', async () => {
    const clock = { now: new Date(Date.now() + 1000) };
    const d = dispatcherAt(clock, { ...DEFAULT_RETRY, maxAttempts: 3 });
    // 429 + Retry-After 600: the next attempt waits at least 600 s, not the 30 s backoff.
    sims.PORTAL.setFaults({ tooManyRequests: { rate: 1, retryAfter: 600 } });
    const a = await em().transactional((tx) => tp.platform.services.outbox.enqueue(tx, articleEvent(1)));
    await d.tick();
    let row = (
      await sql<{ status: string; next_attempt_at: string; attempts: number }>(
        'select status, next_attempt_at, attempts from exchange_message where id = ?',
        [a.messageIds[0]],
      )
    )[0]!;
    expect(row.status).toBe('PENDING');
    expect(new Date(row.next_attempt_at).getTime() - clock.now.getTime()).toBeGreaterThanOrEqual(600_000);
    sims.PORTAL.setFaults({});
    clock.now = new Date(clock.now.getTime() + 599_000);
    expect(await d.tick()).toBe(0);
    clock.now = new Date(clock.now.getTime() + 2_000);
    await d.tick();
    row = (
      await sql<{ status: string; next_attempt_at: string; attempts: number }>(
        'select status, next_attempt_at, attempts from exchange_message where id = ?',
        [a.messageIds[0]],
      )
    )[0]!;
    expect(row).toMatchObject({ status: 'DELIVERED', attempts: 2 });

    // Permanent: 422 from the portal dead-letters at once.
    sims.PORTAL.setFaults({ rejectRate: 1 });
    const b = await em().transactional((tx) => tp.platform.services.outbox.enqueue(tx, articleEvent(2)));
    await d.tick();
    const dead = (
      await sql<{ status: string; attempts: number; dead_reason: string }>(
        'select status, attempts, dead_reason from exchange_message where id = ?',
        [b.messageIds[0]],
      )
    )[0]!;
    expect(dead).toMatchObject({ status: 'DEAD', attempts: 1 });
    expect(dead.dead_reason).toContain('column closed');

    // Transient every time: backoff 30 s × 2^(n-1) with jitter 0.5 → 22.5 s, 45 s; dead after 3 attempts.
    sims.PORTAL.setFaults({ status5xxRate: 1 });
    const c = await em().transactional((tx) => tp.platform.services.outbox.enqueue(tx, articleEvent(3)));
    const start = clock.now.getTime();
    await d.tick();
    let r = (
      await sql<{ next_attempt_at: string }>('select next_attempt_at from exchange_message where id = ?', [
        c.messageIds[0],
      ])
    )[0]!;
    expect(new Date(r.next_attempt_at).getTime() - start).toBe(22_500);
    clock.now = new Date(r.next_attempt_at);
    await d.tick();
    r = (
      await sql<{ next_attempt_at: string }>('select next_attempt_at from exchange_message where id = ?', [
        c.messageIds[0],
      ])
    )[0]!;
    expect(new Date(r.next_attempt_at).getTime() - clock.now.getTime()).toBe(45_000);
    clock.now = new Date(r.next_attempt_at);
    await d.tick();
    const c3 = (
      await sql<{ status: string; attempts: number; dead_reason: string }>(
        'select status, attempts, dead_reason from exchange_message where id = ?',
        [c.messageIds[0]],
      )
    )[0]!;
    expect(c3).toMatchObject({ status: 'DEAD', attempts: 3 });
    expect(c3.dead_reason).toContain('3 attempts');
    sims.PORTAL.setFaults({});

    // The dead letter can be redriven as is (same id), audited.
    const admin = await tp.token(Role.ADMIN);
    const res = await tp.gql(
      `mutation($id: ID!) { redriveMessage(id: $id, reason: "portal back") }`,
      { id: c.messageIds[0] },
      admin,
    );
    expect(res.errors).toBeUndefined();
    clock.now = new Date(clock.now.getTime() + 1000);
    await d.tick();
    expect(sims.PORTAL.countOf(c.messageIds[0]!)).toBe(1);
    const audit = await sql<{ n: number }>(
      `select count(*)::int as n from audit_event where action = 'exchange.redrive'`,
    );
    expect(audit[0]!.n).toBe(1);
  });

  it('keeps per-subject order under retries', async () => {
    const clock = { now: new Date() };
    const d = dispatcherAt(clock);
    sims.PORTAL.setFaults({ status5xxRate: 1 });
    const first = await em().transactional((tx) =>
      tp.platform.services.outbox.enqueue(tx, articleEvent(10, 'article:same')),
    );
    const second = await em().transactional((tx) =>
      tp.platform.services.outbox.enqueue(tx, articleEvent(11, 'article:same')),
    );
    await d.tick();
    sims.PORTAL.setFaults({});
    // The first is waiting for its retry; the second must not overtake it.
    clock.now = new Date(clock.now.getTime() + 1000);
    await d.tick();
    expect(sims.PORTAL.countOf(second.messageIds[0]!)).toBe(0);
    clock.now = new Date(clock.now.getTime() + 3_600_000);
    await d.drain();
    const received = sims.PORTAL.received().map((m) => m.messageId);
    expect(received.indexOf(first.messageIds[0]!)).toBeLessThan(received.indexOf(second.messageIds[0]!));
  });

  it('batches credit records with per-record receipts; rejected ones are dead-lettered one by one', async () => {
    const clock = { now: new Date() };
    const d = dispatcherAt(clock);
    const recordIds: string[] = [];
    await em().transactional(async (tx) => {
      for (let i = 0; i < 20; i++) {
        const recordId = randomUUID();
        recordIds.push(recordId);
        await tp.platform.services.outbox.enqueue(tx, {
          type: i % 2 ? 'BLACKLIST_ADD' : 'CREDIT_RECORD',
          sourceId: `C-${i}`,
          subjectKey: `target:C${i}`,
          subject: { uscc: '91350322MA8RT3KXXF', name: '仙游县极速网咖', category: 'INTERNET_CAFE' },
          payload: {
            recordId,
            subjectType: 'ENTITY',
            polarity: 'NEGATIVE',
            reason: { code: 'MINOR_ADMITTED', text: '接纳未成年人' },
            inspection: { id: `INS-C-${i}`, inspectedOn: '2026-11-20', outcome: 'VIOLATION_FOUND' },
            decision: { no: `仙公网黑〔2026〕${i}号`, date: '2026-11-24' },
            validity: { from: '2026-11-25', to: '2029-11-24' },
            notice: { givenOn: '2026-11-10', objectionDeadline: '2026-11-20', objection: 'NONE' },
          },
        });
      }
    });
    sims.CREDIT.setFaults({ partialBatchRejectRate: 0.3 }, 7);
    await d.drain();
    sims.CREDIT.setFaults({});
    const recs = await sql<{ status: string; credit_no: string | null; reason: string | null }>(
      'select status, credit_no, reason from exchange_credit_record where record_id = any(?::text[])',
      [`{${recordIds.join(',')}}`],
    );
    const dead = recs.filter((r) => r.status === 'DEAD');
    const done = recs.filter((r) => r.status === 'DELIVERED');
    expect(dead.length).toBeGreaterThan(0);
    expect(done.length).toBeGreaterThan(0);
    expect(dead.length + done.length).toBe(20);
    expect(dead.every((r) => r.reason === 'SUBJECT_NOT_FOUND')).toBe(true);
    expect(done.every((r) => r.credit_no?.startsWith('XY'))).toBe(true);
    const batches = await sql<{ n: number }>(
      `select count(*)::int as n from exchange_message where partner_code = 'CREDIT'`,
    );
    expect(batches[0]!.n).toBe(1);
  });
});

describe('inbox', () => {
  function referral(messageId: string, extra: Record<string, unknown> = {}): Buffer {
    return Buffer.from(
      JSON.stringify({
        messageId,
        messageType: 'CASE_REFERRAL',
        schemaVersion: '1.0',
        sender: { code: COMMERCE_CODE, name: '仙游县市场监督管理局' },
        receiver: { code: BUREAU_SENDER.code, name: BUREAU_SENDER.name },
        createdAt: '2026-11-25T15:00:00+08:00',
        correlationId: null,
        payload: {
          referralNo: '仙市监移〔2026〕12号',
          referredOn: '2026-11-25',
          referringDepartment: { code: COMMERCE_CODE, name: '仙游县市场监督管理局' },
          subject: { uscc: '91350322MA31C7Q2XK', name: '仙游县星光KTV' },
          suspectedViolation: { kind: 'CRIMINAL', text: '涉嫌容留他人吸毒' },
          facts: '检查中发现包厢内有吸毒工具。',
          legalBasis: '《刑法》第三百五十四条',
          evidence: [],
          contact: { name: '林科长', phone: '0594-8271234' },
          ...extra,
        },
      }),
    );
  }
  async function post(body: Buffer, opts: { key?: string; contentType?: string; keyId?: string } = {}) {
    const base = tp.url.replace(/\/graphql$/, '');
    const res = await fetch(`${base}/exchange/v1/inbox`, {
      method: 'POST',
      headers: {
        'content-type': opts.contentType ?? 'application/json',
        'x-exchange-signature': signSm2(body, opts.key ?? partnerKey.privateKeyPem),
        'x-exchange-key-id': opts.keyId ?? 'sj-1',
        'x-exchange-sender': COMMERCE_CODE,
      },
      body,
    });
    return { status: res.status, body: await res.text() };
  }

  it('accepts a signed referral once: concurrent duplicates give one intake record and the same receipt', async () => {
    const id = randomUUID();
    const body = referral(id);
    const answers = await Promise.all([post(body), post(body), post(body)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    const parsed = answers.map((a) => JSON.parse(a.body) as { status: string; receiptNo: string });
    expect(new Set(parsed.map((p) => p.receiptNo)).size).toBe(1);
    expect(parsed.filter((p) => p.status === 'ACCEPTED')).toHaveLength(1);
    expect(parsed.filter((p) => p.status === 'DUPLICATE')).toHaveLength(2);
    const intakes = await sql<{ decide_by: string; status: string }>(
      'select decide_by::text, status from exchange_intake where inbound_message_id = ?',
      [id],
    );
    expect(intakes).toHaveLength(1);
    expect(intakes[0]!.status).toBe('PENDING');
  });

  it('refuses a bad signature with 401, stores nothing and writes a security log line', async () => {
    const id = randomUUID();
    const stranger = generateSm2KeyPair();
    const a = await post(referral(id), { key: stranger.privateKeyPem });
    expect(a.status).toBe(401);
    const stored = await sql('select 1 from exchange_inbound where message_id = ?', [id]);
    expect(stored).toHaveLength(0);
    expect(tp.logs.some((l) => l.includes('exchange.inbox.signature'))).toBe(true);
  });

  // One retry: in one loaded full-suite run (of many) the 10 MiB upload ended in ECONNRESET on the client
  // although the route drains the body before it answers; not reproduced alone or under CPU load. A
  // server that resets every time still fails the test.
  it(
    'answers 413 over 10 MiB, 400 for a DOCTYPE, 422 (stored as rejected) for a schema error',
    { retry: 1 },
    async () => {
      const big = Buffer.alloc(10 * 1024 * 1024 + 10, 0x20);
      expect((await post(big)).status).toBe(413);
      const hostile = Buffer.from(
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><ex:Exchange xmlns:ex="urn:xianyou:exchange:1.0">&b;</ex:Exchange>',
      );
      expect((await post(hostile, { contentType: 'application/xml' })).status).toBe(400);
      const id = randomUUID();
      const bad = await post(referral(id, { facts: 42 }));
      expect(bad.status).toBe(422);
      const stored = await sql<{ status: string }>(
        'select status from exchange_inbound where message_id = ?',
        [id],
      );
      expect(stored.map((s) => s.status)).toEqual(['REJECTED']);
    },
  );

  it('decides an intake and queues the REFERRAL_DECISION; GraphQL lists messages and health', async () => {
    const intake = (
      await sql<{ id: string }>(`select id::text as id from exchange_intake where status = 'PENDING' limit 1`)
    )[0]!;
    const sup = await tp.token(Role.SUPERVISOR);
    const res = await tp.gql<{ decideIntake: string }>(
      `mutation($id: ID!) { decideIntake(id: $id, input: { decision: "ACCEPTED", caseNo: "仙公刑立〔2026〕9号", handlerName: "张警官" }) }`,
      { id: intake.id },
      sup,
    );
    expect(res.errors).toBeUndefined();
    const msg = await sql<{ message_type: string; partner_code: string; correlation_id: string }>(
      'select message_type, partner_code, correlation_id from exchange_message where id = ?',
      [res.data!.decideIntake],
    );
    expect(msg[0]).toMatchObject({ message_type: 'REFERRAL_DECISION', partner_code: 'COMMERCE' });
    const list = await tp.gql<{ exchangeMessages: { nodes: { status: string }[] } }>(
      `{ exchangeMessages(first: 5, partnerCode: "PORTAL") { nodes { id status receiptNo attempts } } exchangePartnerHealth { partnerCode dead p99LatencyMs } }`,
      {},
      await tp.token(Role.ANALYST),
    );
    expect(list.errors).toBeUndefined();
    expect(list.data!.exchangeMessages.nodes.length).toBeGreaterThan(0);
    const keys = await fetch(tp.url.replace(/\/graphql$/, '/exchange/v1/keys'));
    const published = (await keys.json()) as { keyId: string; publicKeyPem: string }[];
    expect(published[0]!.keyId).toBe('local-1');
    expect(published[0]!.publicKeyPem).toContain('BEGIN PUBLIC KEY');
  });
});

describe('events held for a missing USCC', () => {
  it('holds a notice about a roster target without a USCC, lists it, and sends it once the USCC is set', async () => {
    const admin = await tp.token(Role.ADMIN);
    const created = await tp.gql<{ createTarget: { id: string } }>(
      `mutation { createTarget(input: { category: ENTERTAINMENT, name: "仙游县无码KTV", jurisdictionCode: "350322510000" }) { id } }`,
      {},
      admin,
    );
    expect(created.errors).toBeUndefined();
    const targetId = Buffer.from(created.data!.createTarget.id, 'base64url').toString('utf8').split(':')[1]!;
    const event = resultEvent({
      subjectKey: `target:${targetId}`,
      subject: { targetId, uscc: null, name: '仙游县无码KTV', category: 'ENTERTAINMENT' },
    });
    // The business transaction commits; nothing is queued for partners that need a USCC.
    const out = await em().transactional((tx) => tp.platform.services.outbox.enqueue(tx, event));
    const held = await sql<{ partner_code: string; released_at: Date | null }>(
      'select partner_code, released_at from exchange_held_event where source_id = ? order by partner_code',
      [event.sourceId],
    );
    expect(held.length).toBeGreaterThan(0);
    expect(out.messageIds).toHaveLength(0);
    expect(await sql('select 1 from exchange_message where source_id = ?', [event.sourceId])).toHaveLength(0);

    const listed = await tp.gql<{
      exchangeHeldEvents: { sourceId: string; targetId: string; reason: string }[];
    }>(`{ exchangeHeldEvents { sourceId targetId reason } }`, {}, await tp.token(Role.ANALYST, 'ZA'));
    expect(listed.data!.exchangeHeldEvents.filter((h) => h.sourceId === event.sourceId)).toEqual(
      held.map(() => ({
        sourceId: event.sourceId,
        targetId: created.data!.createTarget.id,
        reason: 'SUBJECT_USCC_MISSING',
      })),
    );

    // Still no USCC: nothing is released.
    const none = await em().transactional((tx) => tp.platform.services.outbox.releaseHeld(tx));
    expect(none.released).toBe(0);

    await sql(
      `update target set uscc_raw = '91350322MA31C7Q2XK', uscc_normalised = '91350322MA31C7Q2XK' where id = ?`,
      [targetId],
    );
    const done = await em().transactional((tx) => tp.platform.services.outbox.releaseHeld(tx));
    expect(done.released).toBe(held.length);
    const sent = await sql<{ partner_code: string; body: Buffer; status: string }>(
      'select partner_code, body, status from exchange_message where source_id = ? order by partner_code',
      [event.sourceId],
    );
    expect(sent.map((m) => m.partner_code)).toEqual(held.map((h) => h.partner_code));
    for (const m of sent) {
      expect(m.status).toBe('PENDING');
      expect(Buffer.from(m.body).toString('utf8')).toContain('91350322MA31C7Q2XK');
    }
    const again = await em().transactional((tx) => tp.platform.services.outbox.releaseHeld(tx));
    expect(again.released).toBe(0);
  });
});
