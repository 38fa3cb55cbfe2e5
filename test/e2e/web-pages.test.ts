import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startTestPlatform, Role, type TestPlatform } from '../support/platform.js';
import { buildWebIfStale } from '../../src/modules/web/web-build.js';
import { PAGE_CSP } from '../../src/modules/web/web-security.js';
import {
  freezeInspectorPool,
  freezeTargetPool,
  utf8,
  type PoolTarget,
  type Inspector,
} from '../../src/modules/draw/algorithm.js';
import { buildDrawRecord, verifyDrawRecord, type DrawRecord } from '../../src/modules/draw/record.js';
import { sm3Node } from '../../src/modules/draw/sm3-node.js';
import { TargetCategory } from '../../src/modules/targets/target-category.js';
import { ERROR_TEXT_ZH } from '../../src/shared/errors.js';

const CHROMIUM = '/usr/bin/chromium';
const HAS_CHROMIUM = existsSync(CHROMIUM);
const SCREENSHOTS = path.resolve(import.meta.dirname, '../../test-output/screenshots');
if (!HAS_CHROMIUM) {
  console.warn(
    `web-pages: browser tests SKIPPED: ${CHROMIUM} not found (install Debian's chromium: apt-get install -y chromium)`,
  );
}

/** A small draw computed in Node with the real draw core: the record the portal must verify. */
function localDrawRecord(): DrawRecord {
  const stratumA = 'HOTEL|A|350322510000';
  const stratumB = 'PAWN|-|350322510000';
  const targets: PoolTarget[] = Array.from({ length: 12 }, (_, i) => ({
    id: `T-350322-W${String(i).padStart(2, '0')}`,
    stratum: i < 6 ? stratumA : stratumB,
    category: i < 6 ? TargetCategory.HOTEL : TargetCategory.PAWN,
    departmentCode: 'PCS-LC',
    relatedPersonIds: [],
    lastTeam: [],
  }));
  const inspectors: Inspector[] = Array.from({ length: 6 }, (_, i) => ({
    id: `I-35032200${i}`,
    departmentCode: 'PCS-LC',
    poolDepartmentCodes: [],
    certificateValidFrom: '2024-01-01',
    certificateValidTo: '2030-12-31',
    status: 'ACTIVE',
    qualifiedCategories: [TargetCategory.HOTEL, TargetCategory.PAWN],
    currentLoad: 0,
  }));
  return buildDrawRecord(
    {
      targetPool: freezeTargetPool(targets, sm3Node),
      inspectorPool: freezeInspectorPool(inspectors, [], sm3Node),
      params: {
        planId: 'PLAN-WEB-E2E',
        plannedDate: '2026-03-02',
        quotas: [
          { stratum: stratumA, quota: 2 },
          { stratum: stratumB, quota: 3 },
        ],
        mustInclude: [],
        teamSize: 2,
        workloadCap: 5,
      },
      seed: sm3Node(utf8('shuangsui web e2e seed')),
      entropy: '2026年第050期 福彩3D 3 1 4',
    },
    sm3Node,
  );
}

describe('web pages over HTTP', () => {
  let tp: TestPlatform;
  let origin: string;

  beforeAll(async () => {
    await buildWebIfStale();
    tp = await startTestPlatform({ demoScale: 300 });
    origin = new URL(tp.url).origin;
  });
  afterAll(async () => {
    await tp?.stop();
  });

  it('serves the three pages and their assets with a same-origin-only CSP', async () => {
    for (const route of ['/', '/dashboard', '/graphiql']) {
      const res = await fetch(`${origin}${route}`);
      expect(res.status, route).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
      expect(res.headers.get('content-security-policy')).toBe(PAGE_CSP);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      const html = await res.text();
      const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] as string);
      expect(refs.length).toBeGreaterThan(0);
      for (const ref of refs) expect(ref, `${route} references ${ref}`).toMatch(/^\/(?!\/)/);
      for (const ref of refs.filter((r) => r.startsWith('/assets/'))) {
        const asset = await fetch(`${origin}${ref}`);
        expect(asset.status, ref).toBe(200);
        expect(asset.headers.get('cache-control')).toMatch(/immutable/);
        expect(asset.headers.get('content-security-policy')).toBe(PAGE_CSP);
      }
    }
    expect(PAGE_CSP).not.toMatch(/https?:|\*/);
  });

  it('answers 404 for an unknown asset without touching GraphQL', async () => {
    const res = await fetch(`${origin}/assets/no-such-file.js`);
    expect(res.status).toBe(404);
    const gql = await tp.gql('{ me { role } }');
    expect(gql.data).toEqual({ me: { role: 'PUBLIC' } });
  });
});

describe.skipIf(!HAS_CHROMIUM)('web pages in headless Chromium', () => {
  let tp: TestPlatform;
  let origin: string;
  let browser: Browser;
  let context: BrowserContext;
  const outside: string[] = [];
  const cspViolations: string[] = [];
  const pageErrors: string[] = [];

  async function open(route: string): Promise<Page> {
    const page = await context.newPage();
    onTestFailed(async () => {
      if (!page.isClosed())
        await page.screenshot({ path: path.join(SCREENSHOTS, 'failed.png'), fullPage: true });
    });
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspViolations.push(`${route}: ${m.text()}`);
    });
    page.on('pageerror', (e) => pageErrors.push(`${route}: ${e.message}`));
    await page.goto(`${origin}${route}`);
    return page;
  }

  beforeAll(async () => {
    await buildWebIfStale();
    mkdirSync(SCREENSHOTS, { recursive: true });
    tp = await startTestPlatform({ demoScale: 300 });
    origin = new URL(tp.url).origin;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    context = await browser.newContext({
      acceptDownloads: true,
      locale: 'zh-CN',
      viewport: { width: 1400, height: 1000 },
    });
    context.on('request', (r) => {
      const url = r.url();
      if (!url.startsWith(`${origin}/`) && !/^(data|blob):/.test(url)) outside.push(url);
    });
  });

  afterAll(async () => {
    await browser?.close();
    await tp?.stop();
  });

  it('portal lists the published items (一单) without login, in Chinese', async () => {
    const expected = await tp.gql<{ publishedItems: { totalCount: number } }>(
      '{ publishedItems(first: 1) { totalCount } }',
    );
    const total = expected.data?.publishedItems.totalCount ?? 0;
    expect(total).toBeGreaterThan(0);
    const page = await open('/');
    const rows = page.locator('[data-table="published-items"] tbody tr');
    await expect.poll(() => rows.count()).toBe(total);
    await expect.poll(() => page.locator('header nav a.active').textContent()).toBe('公开门户');
    // Results come from the inspections module: ready once it lands, "not available" until then.
    await expect
      .poll(() => page.locator('[data-panel="results"]').getAttribute('data-state'))
      .toMatch(/^(ready|unavailable)$/);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'portal.png'), fullPage: true });

    await page.fill('#item-search', '不存在的事项名称');
    await page.click('[data-panel="items"] .panel-tools button.btn:not(.small)');
    await expect.poll(() => page.locator('[data-table="published-items"] td.empty').count()).toBe(1);
    await page.close();
  });

  it('verification shows MATCH for a good record and MISMATCH with the first difference for a tampered one', async () => {
    const record = localDrawRecord();
    expect(verifyDrawRecord(record, sm3Node)).toEqual({ match: true });
    const page = await open('/');

    await page.setInputFiles('#record-file', {
      name: 'draw-record.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(record)),
    });
    await expect.poll(() => page.inputValue('#record-text')).toContain('shuangsui-draw/1');
    await page.click('#verify-run');
    const verdict = page.locator('#verify-verdict [data-verdict]');
    await expect.poll(() => verdict.getAttribute('data-verdict')).toBe('MATCH');
    expect(await verdict.textContent()).toContain('PLAN-WEB-E2E');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'portal-verify-match.png'), fullPage: true });

    const tampered = structuredClone(record);
    const drawn = tampered.result.strata[0]!.drawn;
    [drawn[0], drawn[1]] = [drawn[1]!, drawn[0]!];
    const node = verifyDrawRecord(tampered, sm3Node);
    expect(node.match).toBe(false);
    await page.fill('#record-text', JSON.stringify(tampered));
    await page.click('#verify-run');
    await expect.poll(() => verdict.getAttribute('data-verdict')).toBe('MISMATCH');
    // The browser (sm-crypto-v2 SM3) names the same first difference as Node (OpenSSL SM3).
    expect(await page.locator('#verify-verdict .difference').textContent()).toBe(
      node.match ? '' : node.firstDifference,
    );
    expect(node.match ? '' : node.firstDifference).toMatch(/^result\.strata\[0\]\.drawn\[0\]: /);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'portal-verify-mismatch.png'), fullPage: true });

    const seedChanged = { ...structuredClone(record), seed: 'ab'.repeat(32) };
    await page.fill('#record-text', JSON.stringify(seedChanged));
    await page.click('#verify-run');
    await expect
      .poll(() => page.locator('#verify-verdict .difference').textContent())
      .toMatch(/^commitment: /);

    await page.fill('#record-text', '{"algorithm": "shuangsui-draw/1"');
    await page.click('#verify-run');
    await expect.poll(() => verdict.getAttribute('data-verdict')).toBe('invalid');
    await page.close();
  });

  it(
    'dashboard: a bad token shows the Chinese error; a good one loads panels, a chart, exports and live events',
    { timeout: 120_000 },
    async () => {
      const page = await open('/dashboard');
      await page.fill('#token-input', 'not-a-token');
      await page.click('#login-submit');
      // The page shows the Chinese text keyed by the code the API answers (messageZh, else the shared table).
      const bad = await fetch(tp.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer not-a-token' },
        body: JSON.stringify({ query: '{ me { role } }' }),
      });
      const badError = (
        (await bad.json()) as { errors: { extensions: { code: string; messageZh?: string } }[] }
      ).errors[0]!.extensions;
      const zh = badError.messageZh ?? ERROR_TEXT_ZH[badError.code];
      expect(zh).toBeTruthy();
      await expect
        .poll(() => page.locator('[data-panel="login"] .error').textContent())
        .toContain(`${zh}（${badError.code}）`);

      const token = await tp.token(Role.ADMIN);
      await page.fill('#token-input', token);
      await page.click('#login-submit');
      const roster = page.locator('[data-panel="roster"]');
      await expect.poll(() => roster.getAttribute('data-state'), { timeout: 20_000 }).toBe('ready');
      await expect.poll(() => roster.locator('[data-chart="roster"] canvas').count()).toBeGreaterThan(0);
      const hotels = await tp.gql<{ targets: { totalCount: number } }>(
        '{ targets(first: 1, filter: { categories: [HOTEL] }) { totalCount } }',
        {},
        token,
      );
      const hotelRow = roster.locator('[data-table="roster-by-category"] tbody tr', { hasText: 'HOTEL' });
      expect(await hotelRow.locator('td').nth(2).textContent()).toBe(String(hotels.data?.targets.totalCount));
      await expect.poll(() => page.locator('#live-status').getAttribute('data-live')).toBe('up');

      // Every panel settles: ready, "not available" (module not landed yet), or a coded error in Chinese.
      await expect
        .poll(async () => (await page.locator('section[data-panel][data-state="loading"]').count()) === 0, {
          timeout: 20_000,
        })
        .toBe(true);
      for (const failed of await page
        .locator('section[data-panel][data-state="error"] .error')
        .allTextContents()) {
        expect(failed).toMatch(/^[^A-Za-z]+（[A-Z_]+）：/);
      }

      const [csv] = await Promise.all([
        page.waitForEvent('download'),
        roster.locator('[data-export="csv"]').click(),
      ]);
      expect(csv.suggestedFilename()).toBe('roster-by-category.csv');
      const csvText = readFileSync((await csv.path()) as string, 'utf8');
      expect(csvText.startsWith('\ufeff类别,编码,数量\r\n')).toBe(true);
      expect(csvText).toContain(`旅馆业,HOTEL,${hotels.data?.targets.totalCount}`);
      const [xlsx] = await Promise.all([
        page.waitForEvent('download'),
        roster.locator('[data-export="xlsx"]').click(),
      ]);
      expect(xlsx.suggestedFilename()).toBe('roster-by-category.xlsx');
      const bytes = readFileSync((await xlsx.path()) as string);
      expect(bytes.subarray(0, 2).toString('latin1')).toBe('PK');
      const ExcelJS = (await import('exceljs')).default;
      const book = new ExcelJS.Workbook();
      await book.xlsx.load(bytes as unknown as ArrayBuffer);
      const sheet = book.worksheets[0]!;
      expect(sheet.getRow(1).values).toEqual([undefined, '类别', '编码', '数量']);
      expect(sheet.rowCount).toBe(17);

      // A change elsewhere arrives through the subscription.
      const target = await tp.gql<{ targets: { nodes: { id: string; rowVersion: number }[] } }>(
        '{ targets(first: 1) { nodes { id rowVersion } } }',
        {},
        token,
      );
      const t0 = target.data!.targets.nodes[0]!;
      const update = await tp.gql(
        'mutation($id: ID!, $v: Int!) { updateTarget(id: $id, expectedRowVersion: $v, input: { complaints90d: 7 }) { id } }',
        { id: t0.id, v: t0.rowVersion },
        token,
      );
      expect(update.errors).toBeUndefined();
      await expect
        .poll(
          () => page.locator('[data-table="live-events"] tbody tr', { hasText: 'targetChanged' }).count(),
          {
            timeout: 15_000,
          },
        )
        .toBeGreaterThan(0);
      await page.screenshot({ path: path.join(SCREENSHOTS, 'dashboard.png'), fullPage: true });

      await page.click('#lang-switch');
      await expect.poll(() => page.locator('header nav a.active').textContent()).toBe('Dashboard');
      await expect.poll(() => roster.getAttribute('data-state'), { timeout: 20_000 }).toBe('ready');
      await page.screenshot({ path: path.join(SCREENSHOTS, 'dashboard-en.png'), fullPage: true });
      await page.click('#lang-switch');
      await page.close();
    },
  );

  it('a long operation (a job run) shows progress until it finishes', { timeout: 60_000 }, async () => {
    const admin = await tp.token(Role.ADMIN);
    // The page follows the run through jobRuns: that query must work first.
    const runs = await tp.gql('{ jobRuns(first: 5) { nodes { id status } } }', {}, admin);
    expect(runs.errors, 'jobRuns must answer before the page can follow a run').toBeUndefined();
    const page = await open('/dashboard');
    await page.fill('#token-input', admin);
    await page.click('#login-submit');
    tp.platform.services.scheduler.register({
      name: 'web-e2e-slow-job',
      cron: null,
      run: async () => {
        await new Promise((r) => setTimeout(r, 1500));
        return { ok: true };
      },
    });
    await expect.poll(() => page.locator('#job-name').count(), { timeout: 20_000 }).toBe(1);
    await page.fill('#job-name', 'web-e2e-slow-job');
    await page.click('#job-run');
    await expect.poll(() => page.locator('#job-progress progress').count()).toBe(1);
    await expect
      .poll(() => page.locator('#job-progress [data-job-status]').getAttribute('data-job-status'), {
        timeout: 15_000,
      })
      .toBe('DONE');
    await expect
      .poll(() => page.locator('[data-table="job-runs"] tbody tr', { hasText: 'web-e2e-slow-job' }).count())
      .toBeGreaterThan(0);
    await page.close();
  });

  it('GraphiQL loads and runs a query with the token from the header field', async () => {
    const page = await open('/graphiql');
    await page.waitForSelector('.graphiql-container', { timeout: 20_000 });
    await page.fill('#graphiql-token', await tp.token(Role.ANALYST));
    await page.click('#graphiql-apply');
    await page.waitForSelector('.graphiql-container');
    // Under load the editor may not hold its default query yet when the button is first clicked
    // (the server then answers "non-empty query"): wait for the query text, and click again until
    // the answer arrives.
    await expect
      .poll(() => page.locator('.graphiql-query-editor').textContent(), { timeout: 15_000 })
      .toMatch(/me\s*\{/);
    await expect
      .poll(
        async () => {
          await page.click('.graphiql-execute-button');
          await page.waitForTimeout(500);
          return page.locator('.result-window').textContent();
        },
        { timeout: 20_000, interval: 500 },
      )
      .toContain('ANALYST');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'graphiql.png') });
    await page.close();
  });

  it('no page requested anything outside the service, and nothing broke the CSP', () => {
    expect(outside).toEqual([]);
    expect(cspViolations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
