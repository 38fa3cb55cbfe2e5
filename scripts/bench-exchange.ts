/**
 * Exchange benchmark: `npm run bench:exchange [-- --count N]` (default 100,000).
 *
 * N messages spread over the four partner simulators on loopback (commerce XML, culture JSON, credit records in
 * batches, portal articles). In one run: (1) the simulators' own ceiling — the same kind of payloads, encoded and
 * signed beforehand, posted straight to them through the sink clients with 32 requests in flight; (2) the hub end to
 * end — enqueue in business transactions while the dispatcher runs (SM2 signing, attempts and the hash-chained
 * message log on), until every message has its receipt. Prints messages/s and p99 enqueue-to-receipt latency.
 * Works in a scratch database that it drops at the end.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { createCommerceSink } from '../adapters/commerce/client.js';
import { encodeCommerceMessage } from '../adapters/commerce/encoder.js';
import { startCommerceSimulator } from '../adapters/commerce/simulator.js';
import { createCreditSink } from '../adapters/credit/client.js';
import { encodeCreditBatch } from '../adapters/credit/encoder.js';
import { startCreditSimulator } from '../adapters/credit/simulator.js';
import { createCultureSink } from '../adapters/culture/client.js';
import { encodeCultureMessage } from '../adapters/culture/encoder.js';
import { startCultureSimulator } from '../adapters/culture/simulator.js';
import { createPortalSink } from '../adapters/portal/client.js';
import { encodePortalArticle } from '../adapters/portal/encoder.js';
import { startPortalSimulator } from '../adapters/portal/simulator.js';
import { BUREAU_SENDER } from '../adapters/shared/envelope.js';
import {
  FIXED_CREATED_AT,
  sampleCommerce,
  sampleCreditBatch,
  sampleCulture,
  samplePortalArticle,
} from '../adapters/shared/sink-fixtures.js';
import { signMessage } from '../adapters/shared/sink-http.js';
import type { EncodedMessage, SignedMessage, SinkResponse } from '../adapters/shared/sink-types.js';
import { loadConfig } from '../src/config/config.js';
import { migrate, openOrm } from '../src/db/orm.js';
import { scriptDatabase } from '../src/db/script-database.js';
import type { BusinessEvent } from '../src/modules/exchange/outbox-port.js';
import { buildServices } from '../src/services.js';
import { createLogger } from '../src/shared/logger.js';

const countArg = process.argv.indexOf('--count');
const N = countArg > 0 ? Number(process.argv[countArg + 1]) : 100_000;
if (!Number.isInteger(N) || N < 40) {
  console.error('usage: npm run bench:exchange -- [--count N]   (N ≥ 40)');
  process.exit(2);
}
const PARTNERS = ['COMMERCE', 'CULTURE', 'CREDIT', 'PORTAL'] as const;
const share = (i: number) => PARTNERS[i % 4]!;

function p99(values: number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(s.length * 0.99) - 1)]!;
}

async function pool<T>(items: T[], width: number, f: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await f(items[next++]!);
    }),
  );
}

function event(i: number): BusinessEvent {
  const p = share(i);
  const base = { sourceId: `B-${i}`, subjectKey: `bench:${i}` };
  if (p === 'PORTAL') {
    return {
      ...base,
      type: 'PUBLICATION_ARTICLE',
      subject: { name: '某商场', category: 'FIRE_SAFETY_KEY' },
      payload: { column: 'SJSGK_XFAQ', title: `消防安全随机抽查结果公告 ${i}`, bodyHtml: '<p>合格。</p>' },
    };
  }
  if (p === 'CREDIT') {
    return {
      ...base,
      type: 'CREDIT_RECORD',
      subject: { uscc: '91350322MA8RT3KXXF', name: '仙游县极速网咖', category: 'INTERNET_CAFE' },
      payload: {
        recordId: randomUUID(),
        subjectType: 'ENTITY',
        polarity: 'NEGATIVE',
        reason: { code: 'MINOR_ADMITTED', text: '接纳未成年人' },
        inspection: { id: `INS-${i}`, inspectedOn: '2026-11-20', outcome: 'VIOLATION_FOUND' },
      },
    };
  }
  const category = p === 'CULTURE' ? 'INTERNET_CAFE' : 'SECURITY_SERVICE';
  return {
    ...base,
    type: 'INSPECTION_RESULT',
    subject: { uscc: '91350322MA31C7Q2XK', name: '仙游县某单位', category },
    payload: {
      inspectionId: `INS-${i}`,
      noticeNo: `仙公抄〔2026〕${i}号`,
      itemCode: '0071',
      implementationCode: '350322-ZA-0071',
      inspectedOn: '2026-11-20',
      outcome: 'VIOLATION_FOUND',
      findings: [{ code: 'G', severity: 'SERIOUS', text: '未落实登记' }],
      measures: [{ kind: 'RECTIFY', deadline: '2026-12-05' }],
      contact: { name: '陈警官', phone: '0594-8271234' },
      needFeedback: true,
    },
  };
}

const config = loadConfig({
  ...process.env,
  DEMO: 'false',
  SIMULATORS: 'false',
  EXCHANGE_DISPATCHER: 'false',
});
const log = createLogger('warn');
const server = await scriptDatabase(config, log);
const benchDb = `shuangsui_bench_ex_${process.pid}`;
const admin = new pg.Client({ connectionString: server.url });
await admin.connect();
await admin.query(`create database ${benchDb}`);
const url = (() => {
  const u = new URL(server.url);
  u.pathname = `/${benchDb}`;
  return u.toString();
})();
try {
  await migrate(url);
  const orm = await openOrm({ url, useAppRole: true });
  const services = buildServices(config, { orm, databaseUrl: url, log });
  const keyring = services.exchange.keys.keyring;
  const senders = {
    [BUREAU_SENDER.code]: keyring.published().map((k) => ({
      keyId: k.keyId,
      publicKeyPem: k.publicKeyPem,
      validFrom: new Date(k.validFrom),
      validTo: k.validTo ? new Date(k.validTo) : null,
    })),
  };
  const noon = () => new Date('2026-11-25T04:00:00Z');
  const opts = { senders, now: noon };
  const sims = {
    COMMERCE: await startCommerceSimulator(opts),
    CULTURE: await startCultureSimulator({ ...opts, faults: {} }),
    CREDIT: await startCreditSimulator(opts),
    PORTAL: await startPortalSimulator(opts),
  };
  const conn = orm.em.fork().getConnection();
  for (const [code, sim] of Object.entries(sims)) {
    await conn.execute('update exchange_partner set base_url = ? where code = ?', [sim.baseUrl, code]);
  }
  const perPartner = Object.fromEntries(
    PARTNERS.map((p) => [p, Array.from({ length: N }, (_, i) => i).filter((i) => share(i) === p).length]),
  );

  // (1) Ceiling: the same kinds of payload, encoded and signed beforehand, straight to the simulators.
  const direct: { send: (m: SignedMessage) => Promise<SinkResponse>; msg: SignedMessage }[] = [];
  const sinks = {
    COMMERCE: createCommerceSink({ baseUrl: sims.COMMERCE.baseUrl }),
    CULTURE: createCultureSink({ baseUrl: sims.CULTURE.baseUrl }),
    CREDIT: createCreditSink({ baseUrl: sims.CREDIT.baseUrl }),
    PORTAL: createPortalSink({ baseUrl: sims.PORTAL.baseUrl }),
  };
  const add = (p: keyof typeof sinks, e: EncodedMessage) =>
    direct.push({ send: (m) => sinks[p].send(m), msg: signMessage(e, keyring) });
  for (let i = 0; i < perPartner.COMMERCE!; i++)
    add('COMMERCE', await encodeCommerceMessage(sampleCommerce(randomUUID())));
  for (let i = 0; i < perPartner.CULTURE!; i++)
    add('CULTURE', await encodeCultureMessage(sampleCulture(randomUUID())));
  for (let i = 0; i < perPartner.PORTAL!; i++)
    add('PORTAL', await encodePortalArticle(samplePortalArticle(randomUUID())));
  for (let left = perPartner.CREDIT!; left > 0; left -= 500) {
    const b = sampleCreditBatch(randomUUID(), Math.min(500, left));
    add(
      'CREDIT',
      await encodeCreditBatch({
        ...b,
        createdAt: FIXED_CREATED_AT,
        records: b.records.map((r) => ({ ...r, recordId: randomUUID() })),
      }),
    );
  }
  const latDirect: number[] = [];
  const t0 = performance.now();
  await pool(direct, 32, async (d) => {
    const s = performance.now();
    const r = await d.send(d.msg);
    if (r.outcome !== 'ACCEPTED') throw new Error(`ceiling run: ${r.outcome} ${r.reason ?? ''}`);
    latDirect.push(performance.now() - s);
  });
  const directMs = performance.now() - t0;
  for (const s of Object.values(sims)) s.reset();

  // (2) The hub end to end: business transactions of 50 events each, dispatcher running meanwhile.
  const dispatcher = services.exchange.dispatcher;
  await dispatcher.start(url);
  const h0 = performance.now();
  const ids = Array.from({ length: N }, (_, i) => i);
  const chunks: number[][] = [];
  for (let i = 0; i < N; i += 50) chunks.push(ids.slice(i, i + 50));
  await pool(chunks, 4, async (chunk) => {
    await orm.em.fork().transactional(async (tx) => {
      for (const i of chunk) await services.outbox.enqueue(tx as never, event(i));
    });
  });
  const enqueueMs = performance.now() - h0;
  for (;;) {
    const left = await conn.execute<{ n: number }[]>(
      `select (select count(*) from exchange_message where status <> 'DELIVERED') + (select count(*) from exchange_credit_record where status <> 'DELIVERED') as n`,
    );
    if (Number(left[0]!.n) === 0) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const hubMs = performance.now() - h0;
  await dispatcher.stop();
  const lat = await conn.execute<{ ms: number }[]>(
    `select extract(epoch from (delivered_at - created_at)) * 1000 as ms from exchange_message where partner_code <> 'CREDIT'
     union all select extract(epoch from (updated_at - created_at)) * 1000 from exchange_credit_record`,
  );
  const hubRate = (N * 1000) / hubMs;
  const directRate = (N * 1000) / directMs;
  console.log(
    `exchange: ${N.toLocaleString('en')} messages (${PARTNERS.map((p) => `${p} ${perPartner[p]}`).join(', ')}; credit in batches ≤ 500)`,
  );
  console.log(
    `  simulators' ceiling (same payloads, pre-signed, 32 in flight): ${(directMs / 1000).toFixed(1)} s  ${Math.round(directRate).toLocaleString('en')} msg/s  p99 request ${p99(latDirect).toFixed(0)} ms`,
  );
  console.log(
    `  hub end to end (enqueue in txns + sign + send + receipts + log): ${(hubMs / 1000).toFixed(1)} s  ${Math.round(hubRate).toLocaleString('en')} msg/s  p99 enqueue→receipt ${p99(lat.map((r) => Number(r.ms))).toFixed(0)} ms`,
  );
  console.log(
    `    enqueue alone took ${(enqueueMs / 1000).toFixed(1)} s (${Math.round((N * 1000) / enqueueMs).toLocaleString('en')} msg/s, schema validation included)`,
  );
  console.log(`    = ${((hubRate / directRate) * 100).toFixed(0)}% of the ceiling (target ≥ 50%)`);
  for (const s of Object.values(sims)) await s.close();
  await orm.close(true);
} finally {
  await admin.query(`drop database if exists ${benchDb} with (force)`).catch(() => undefined);
  await admin.end();
  await server.close();
}
