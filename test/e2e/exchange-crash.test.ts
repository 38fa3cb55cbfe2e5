import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { SinkSimulator } from '../../adapters/shared/sink-simulator.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { articleEvent, pointPartners, resultEvent, startPartners } from './exchange-support.js';

// A few hundred messages keep the file under a minute; raise MESSAGES for a longer soak.
const MESSAGES = 400;
const KILLS = 6;

let tp: TestPlatform;
let sims: Record<'COMMERCE' | 'CULTURE' | 'CREDIT' | 'PORTAL', SinkSimulator>;
const children = new Set<ChildProcess>();

function em(): EntityManager {
  return tp.platform.orm.em.fork() as EntityManager;
}
async function sql<T = Record<string, unknown>>(q: string, params: unknown[] = []): Promise<T[]> {
  return em().getConnection().execute<T[]>(q, params);
}

function startChild(): Promise<ChildProcess> {
  const child = spawn('npx', ['tsx', 'test/e2e/exchange-crash-child.ts'], {
    cwd: process.cwd(),
    env: {
      ...process.env,
      DATABASE_URL: tp.platform.databaseUrl,
      SIGNING_KEY_PATH: tp.platform.services.exchange.keys.keys[0]!.path,
      PII_KEYRING: tp.piiKeyring,
      PII_INDEX_KEY: tp.piiIndexKey,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('started')) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`child exited early (${code})`)));
  });
}

/** kill -9 of the whole process group (npx → tsx → node). */
function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      resolve();
    }
  });
}

beforeAll(async () => {
  tp = await startTestPlatform({ demo: false, env: { SIMULATORS: 'false', EXCHANGE_DISPATCHER: 'false' } });
  sims = await startPartners(
    tp.platform.services.exchange.keys.keyring,
    () => new Date('2026-11-25T04:00:00Z'),
  );
  await pointPartners(em(), sims, 500);
  // Lost receipts (processed, answer dropped) and 5xx make the hub resend: duplicates must keep their id.
  for (const s of [sims.PORTAL, sims.CULTURE]) s.setFaults({ lostReceiptRate: 0.05, status5xxRate: 0.05 }, 3);
  const subjects = 40;
  await em().transactional(async (tx) => {
    for (let i = 0; i < MESSAGES; i++) {
      const event =
        i % 2 === 0
          ? articleEvent(i, `article:${i % subjects}`)
          : resultEvent({
              subjectKey: `target:${i % subjects}`,
              subject: { uscc: '91350322MA8RT3KXXF', name: '仙游县极速网咖', category: 'INTERNET_CAFE' },
            });
      await tp.platform.services.outbox.enqueue(tx, event);
    }
  });
}, 120_000);

afterAll(async () => {
  for (const c of children) await killHard(c);
  for (const s of Object.values(sims ?? {})) await s.close();
  await tp?.stop();
});

it(`loses nothing and never renames a message when the dispatcher is killed -9 ${KILLS} times`, async () => {
  for (let k = 0; k < KILLS; k++) {
    const child = await startChild();
    await new Promise((r) => setTimeout(r, 300 + Math.floor(Math.random() * 1200)));
    await killHard(child);
  }
  const last = await startChild();
  const deadline = Date.now() + 90_000;
  for (;;) {
    const left = await sql<{ n: number }>(
      `select count(*)::int as n from exchange_message where status <> 'DELIVERED'`,
    );
    if (left[0]!.n === 0 || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  await killHard(last);

  const rows = await sql<{
    id: string;
    status: string;
    attempts: number;
    partner_code: string;
    seq: string;
    subject_key: string;
  }>(
    'select id, status, attempts, partner_code, seq::text as seq, subject_key from exchange_message order by exchange_message.seq',
  );
  expect(rows).toHaveLength(MESSAGES);
  expect(rows.filter((r) => r.status !== 'DELIVERED')).toEqual([]);
  const ours = new Set(rows.map((r) => r.id.toLowerCase()));
  let duplicates = 0;
  for (const r of rows) {
    const count = sims[r.partner_code as 'PORTAL' | 'CULTURE'].countOf(r.id);
    expect(count, `message ${r.id}`).toBeGreaterThanOrEqual(1);
    duplicates += count - 1;
  }
  // Every id a partner processed is one of ours: a resend never got a new id.
  for (const s of [sims.PORTAL, sims.CULTURE]) {
    for (const m of s.received()) expect(ours.has(m.messageId.toLowerCase())).toBe(true);
    expect(s.received().length).toBe(rows.filter((r) => r.partner_code === s.partner).length);
  }
  // Order per partner and subject: the partners' first receipts (insertion order of what they processed) follow
  // creation order.
  const position = new Map<string, number>();
  for (const s of [sims.PORTAL, sims.CULTURE])
    s.received().forEach((m, i) => position.set(m.messageId.toLowerCase(), i));
  const lastBySubject = new Map<string, number>();
  for (const r of rows) {
    const key = `${r.partner_code}|${r.subject_key}`;
    const pos = position.get(r.id.toLowerCase())!;
    expect(pos, `order of ${key}`).toBeGreaterThan(lastBySubject.get(key) ?? -1);
    lastBySubject.set(key, pos);
  }
  const stuck = await sql<{ n: number }>(
    `select count(*)::int as n from exchange_message where status = 'SENDING'`,
  );
  expect(stuck[0]!.n).toBe(0);
  // The faults and kills did force resends (same id): the at-least-once path was exercised.
  expect(duplicates).toBeGreaterThan(0);
}, 240_000);
