import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import ExcelJS from 'exceljs';
import { encodeGb18030 } from '../../adapters/source-kit/encoding.js';
import { startTestPlatform, Role, type TestPlatform } from '../support/platform.js';

let tp: TestPlatform;
let db: pg.Client;
const uploadUrl = (dryRun = false) =>
  tp.url.replace('/graphql', `/roster/import${dryRun ? '?dryRun=true' : ''}`);

interface Report {
  format: string;
  encoding: string | null;
  rows: number;
  accepted: number;
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: { row: number; column: string; reason: string }[];
  warnings: { row: number; column: string; reason: string }[];
}

// A valid USCC (check character computed) and a valid citizen ID for the legal representative.
const HEADER = [
  '备注',
  '单位名称',
  '行业类别',
  '管辖派出所',
  '统一社会信用代码',
  '法定代表人',
  '法定代表人证件号码',
  '重点单位',
  '投诉举报数',
];
const ROWS = [
  ['', '仙游县鲤城测试汽修厂', '机修业', '鲤城派出所', '', '张三', '350322198811093310', '是', '2'],
  [
    'ID 350322198811093310',
    '仙游县测试典当行',
    '典当业',
    '350322520000',
    '91350322MA31C7Q2XK',
    '',
    '',
    '否',
    '0',
  ],
  ['', '', '机修业', '鲤城派出所', '', '', '', '', ''],
  ['', '仙游县测试刻章店', '卖菜', '鲤城派出所', '', '', '', '', ''],
  ['', '仙游县测试保安公司', '保安服务公司', '火星派出所', '', '', '', '', 'many'],
  ['', '仙游县测试爆破公司', '营业性爆破', '鲤城派出所', '91350322MA31C7Q2X0', '', '', '也许', ''],
];

function csv(rows: string[][]): string {
  return [HEADER, ...rows]
    .map((r) => r.map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(','))
    .join('\r\n');
}

async function upload(
  bytes: Buffer,
  name: string,
  token: string,
  dryRun = false,
): Promise<{ status: number; body: unknown }> {
  const form = new FormData();
  form.append('file', new Blob([bytes]), name);
  const res = await fetch(uploadUrl(dryRun), {
    method: 'POST',
    body: form,
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: res.status, body: await res.json() };
}

const count = async () =>
  (
    await db.query(`select count(*)::int as n, md5(string_agg(concat_ws('|', name, category, jurisdiction_code, key_inspection,
    complaints90d, uscc_normalised, updated_at), ',' order by name)) as sum from target where source_system = 'ROSTER_FILE'`)
  ).rows[0];

beforeAll(async () => {
  tp = await startTestPlatform({ demoScale: 40, env: { SIMULATORS: 'false' } });
  db = new pg.Client({ connectionString: tp.platform.databaseUrl });
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await tp?.stop();
});

describe('roster file import', () => {
  it('dry-run of a UTF-8 CSV with BOM reports every bad row and writes nothing', async () => {
    const before = await count();
    const r = await upload(
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(csv(ROWS))]),
      'r.csv',
      await tp.token(Role.ADMIN),
      true,
    );
    expect(r.status).toBe(200);
    const rep = r.body as Report;
    expect(rep.encoding).toBe('UTF-8 (BOM)');
    expect(rep.rows).toBe(6);
    expect(rep.accepted).toBe(2);
    expect(rep.inserted).toBe(2);
    expect(rep.rejected).toEqual(
      expect.arrayContaining([
        { row: 4, column: '单位名称', reason: 'required' },
        expect.objectContaining({ row: 5, column: '行业类别' }),
        expect.objectContaining({ row: 6, column: '管辖派出所' }),
        expect.objectContaining({ row: 6, column: '投诉举报数' }),
        expect.objectContaining({ row: 7, column: '重点单位' }),
      ]),
    );
    expect(rep.warnings).toEqual(
      expect.arrayContaining([expect.objectContaining({ row: 7, column: '统一社会信用代码' })]),
    );
    expect(await count()).toEqual(before);
  });

  it('imports a GB18030 CSV in one go; re-importing it changes nothing', async () => {
    const bytes = encodeGb18030(csv(ROWS));
    const admin = await tp.token(Role.ADMIN);
    const first = (await upload(bytes, 'r.csv', admin)).body as Report;
    expect(first.encoding).toBe('GB18030');
    expect(first.inserted).toBe(2);
    const t = await db.query(
      `select key_inspection, complaints90d, attributes from target where name = '仙游县鲤城测试汽修厂'`,
    );
    expect(t.rows[0]).toMatchObject({ key_inspection: true, complaints90d: 2 });
    const note = await db.query(`select attributes from target where name = '仙游县测试典当行'`);
    expect(JSON.stringify(note.rows[0].attributes)).not.toContain('350322198811093310');
    const after = await count();
    const again = (await upload(bytes, 'r.csv', admin)).body as Report;
    expect(again).toMatchObject({ inserted: 0, updated: 0, unchanged: 2 });
    expect(await count()).toEqual(after);
  });

  it('imports the first sheet of an XLSX file; a changed row updates its target (matched by name, station, category)', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('名录');
    ws.addRow(HEADER);
    ws.addRow([
      '',
      '仙游县鲤城测试汽修厂',
      '机修业',
      '350322510000',
      '',
      '张三',
      '350322198811093310',
      '是',
      '5',
    ]);
    ws.addRow(['', '仙游县测试锁匠', '公章刻制业', '鲤城派出所', '', '', '', '', '']);
    ws.addRow(['', '仙游县测试锁匠二', '公章刻制业', '', '', '', '', '', '']);
    const bytes = Buffer.from(await wb.xlsx.writeBuffer());
    const rep = (await upload(bytes, 'r.xlsx', await tp.token(Role.SUPERVISOR, 'ZA'))).body as Report;
    expect(rep.format).toBe('XLSX');
    expect(rep).toMatchObject({ inserted: 1, updated: 1 });
    expect(rep.rejected).toEqual([{ row: 4, column: '管辖派出所', reason: 'required' }]);
    const t = await db.query(`select complaints90d from target where name = '仙游县鲤城测试汽修厂'`);
    expect(t.rows[0].complaints90d).toBe(5);
  });

  it('refuses callers without the role, a missing header, and files over 100,000 rows, clearly', async () => {
    expect((await upload(Buffer.from(csv(ROWS)), 'r.csv', await tp.token(Role.ANALYST))).status).toBe(403);
    const noHeader = await upload(Buffer.from('名称,地址\n甲,乙\n'), 'r.csv', await tp.token(Role.ADMIN));
    expect(noHeader.status).toBe(422);
    expect(JSON.stringify(noHeader.body)).toContain('ROSTER_HEADER_MISSING');
    const big = [
      HEADER.join(','),
      ...Array.from({ length: 100_001 }, (_, i) => `,单位${i},机修业,鲤城派出所,,,,,`),
    ].join('\n');
    const huge = await upload(Buffer.from(big), 'big.csv', await tp.token(Role.ADMIN));
    expect(huge.status).toBe(422);
    expect(JSON.stringify(huge.body)).toContain('ROSTER_TOO_MANY_ROWS');
  });
});
