import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseInternetCafeCursor } from './adapter.js';
import { signRequest } from './client.js';
import { mapChange } from './mapper.js';
import { internetCafeConfigSchema, validateChange, validateFeedPage } from './schema.js';
import { startInternetCafeSimulator } from './simulator.js';

const page = JSON.parse(
  readFileSync(new URL('./fixtures/changes-page.json', import.meta.url), 'utf8'),
) as unknown;

describe('internet-café signing', () => {
  it('matches an independently computed HMAC-SHA256 (openssl dgst -hmac)', () => {
    const h = signRequest(
      {
        appId: 'gaj',
        secret: 's3cret',
        method: 'get',
        pathWithQuery: '/wb/feed/v1/changes?afterSeq=0&max=500',
      },
      1764000000,
      '0123456789abcdef',
    );
    expect(h).toEqual({
      'X-App-Id': 'gaj',
      'X-Timestamp': '1764000000',
      'X-Nonce': '0123456789abcdef',
      'X-Signature': '187598913f5ebcbe4822a96db0f4c72768d91904bdbd779492777abe70de548f',
    });
  });

  it('the simulator rejects a bad signature, a stale timestamp and a replayed nonce with 403', async () => {
    const sim = await startInternetCafeSimulator({
      appId: 'gaj',
      secret: 's3cret',
      generate: { count: 2, seed: 1 },
    });
    try {
      const path = '/wb/feed/v1/changes?afterSeq=0&max=5';
      const call = async (ts: number, nonce: string, secret = 's3cret'): Promise<Response> =>
        fetch(`${sim.url}${path}`, {
          headers: {
            ...signRequest({ appId: 'gaj', secret, method: 'GET', pathWithQuery: path }, ts, nonce),
          },
        });
      const now = Math.floor(Date.now() / 1000);
      expect((await call(now, 'nonce-000000000001')).status).toBe(200);
      const replay = await call(now, 'nonce-000000000001');
      expect(replay.status).toBe(403);
      expect(await replay.json()).toEqual({ code: 'AUTH_FAILED', reason: 'replayed nonce' });
      expect((await call(now - 301, 'nonce-000000000002')).status).toBe(403);
      expect((await call(now, 'nonce-000000000003', 'wrong')).status).toBe(403);
    } finally {
      await sim.close();
    }
  });
});

describe('internet-café schema + mapper on fixtures', () => {
  const env = validateFeedPage(page, 'changes');
  if (!env.ok) throw new Error(env.reason);
  const rows = env.value.changes.map((c, i) => validateChange(c, `changes[${i}]`, true));

  it('maps SITE, STAFF and DELETEs, with fines as decimal strings', () => {
    const [site, staff, revoked, , staffDel, siteDel] = rows.map((r) => (r.ok ? mapChange(r.value) : null));
    expect(site).toMatchObject({
      kind: 'TARGET',
      sourceId: '35032210000123',
      category: 'INTERNET_CAFE',
      status: 'OPERATING',
      regionCode: '350322',
      abnormalListed: false,
      complaints90d: 5,
      jurisdictionCode: '350322520000',
      violations: [
        {
          date: '2026-03-02',
          type: 'MINOR_ADMITTED',
          decisionNo: '仙公网行罚决字〔2026〕12号',
          fineYuan: '5000',
        },
      ],
      attributes: { terminals: 120, auditGapHours30d: '0' },
      sourceUpdatedAt: '2026-11-22T20:01:07+08:00',
    });
    expect(staff).toEqual({
      kind: 'STAFF',
      sourceSystem: 'internet-cafe',
      siteSourceId: '35032210000123',
      idNumber: '350322200101015211',
      name: '钱七',
      role: 'CASHIER',
      since: '2026-10-01',
    });
    expect(revoked).toMatchObject({ sourceId: '03032210000001', status: 'REVOKED', name: '𠀀龙网吧' });
    expect(revoked?.kind === 'TARGET' && revoked.violations[0]?.fineYuan).toBe('1500.50');
    expect(staffDel).toEqual({
      kind: 'STAFF_DELETED',
      sourceSystem: 'internet-cafe',
      siteSourceId: '35032210000123',
      idNumber: '350322200101015211',
    });
    expect(siteDel).toEqual({
      kind: 'TARGET_DELETED',
      sourceSystem: 'internet-cafe',
      sourceId: '35032210999999',
    });
  });

  it('names every bad field of a malformed change', () => {
    const bad = rows[3];
    expect(bad?.ok).toBe(false);
    if (bad && !bad.ok) {
      expect(bad.reason).toContain('changes[3].data.terminals: expected non-negative integer, got string');
      expect(bad.reason).toContain('changes[3].data.siteCode: expected 14-digit site code');
    }
  });

  it('parses both cursor forms and lists bad config fields', () => {
    expect(parseInternetCafeCursor('104233')).toEqual({ mode: 'feed', seq: 104233 });
    expect(parseInternetCafeCursor('{"v":1,"snapshotSeq":9,"page":2}')).toEqual({
      mode: 'snapshot',
      snapshotSeq: 9,
      page: 2,
    });
    expect(() => parseInternetCafeCursor('-1')).toThrow(/cursor/);
    expect(() => internetCafeConfigSchema({ baseUrl: 'http://wb', appId: 'a', max: 0 })).toThrow(
      'internet-cafe config invalid: secret: expected non-empty string, got nothing; max: expected integer 1–1000, got number',
    );
  });
});

describe('internet-café resync', () => {
  it('on SEQ_EXPIRED replays the snapshot (flagged resync) then follows the feed from snapshotSeq', async () => {
    const { createInternetCafeAdapter } = await import('./adapter.js');
    const sim = await startInternetCafeSimulator({
      appId: 'gaj',
      secret: 's',
      generate: { count: 12, seed: 2 },
    });
    try {
      const adapter = createInternetCafeAdapter(
        internetCafeConfigSchema({
          baseUrl: sim.url,
          appId: 'gaj',
          secret: 's',
          max: 7,
          snapshotPageSize: 10,
        }),
      );
      let cursor: string | null = null;
      for await (const b of adapter.pull(null)) cursor = b.cursor;
      const staff = sim.getStaff('35032210000004')[0];
      sim.deleteStaff('35032210000004', staff?.idNumber ?? '');
      sim.deleteSite('35032210000005');
      sim.setFaults({ seqExpired: true });
      sim.update('35032210000001', { status: 'REVOKED' });
      const batches = [];
      for await (const b of adapter.pull('0')) batches.push(b);
      const resync = batches.filter((b) => b.resync);
      expect(resync[0]?.resync).toEqual({ first: true, last: false });
      expect(resync[resync.length - 1]?.resync?.last).toBe(true);
      const snapshotIds = resync.flatMap((b) =>
        b.records.flatMap((r) => (r.kind === 'TARGET' ? [r.sourceId] : [])),
      );
      expect(snapshotIds).toHaveLength(11);
      expect(snapshotIds).not.toContain('35032210000005');
      const revoked = resync
        .flatMap((b) => b.records)
        .find((r) => r.kind === 'TARGET' && r.sourceId === '35032210000001');
      expect(revoked?.kind === 'TARGET' && revoked.status).toBe('REVOKED');
      expect(batches[batches.length - 1]?.cursor).toBe(String(sim.lastSeq));
      expect(Number(cursor)).toBeLessThan(sim.lastSeq);
    } finally {
      await sim.close();
    }
  });
});
