import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { documentNumber } from '../../src/modules/documents/document.service.js';
import { DocumentKind } from '../../src/modules/documents/official-document.entity.js';
import { composeResultBulletin } from '../../src/modules/documents/document-compose.js';
import { renderPdf } from '../../src/modules/documents/document-pdf.js';

async function textOf(pdf: Buffer): Promise<string> {
  const doc = await getDocument({ data: new Uint8Array(pdf) }).promise;
  let text = '';
  for (let p = 1; p <= doc.numPages; p++) {
    const c = await (await doc.getPage(p)).getTextContent();
    text += c.items.map((i) => ('str' in i ? i.str : '')).join('');
  }
  await doc.destroy();
  return text.replace(/\s+/g, '');
}

const header = {
  docNo: '仙公治公〔2026〕3号',
  issuer: '仙游县公安局治安大队',
  issuedOn: '2026-11-28',
  issuedAt: new Date('2026-11-28T02:00:00Z'),
};

describe('document numbers', () => {
  it('follows 仙公 + department + kind + 〔year〕 + n + 号', () => {
    expect(
      documentNumber(
        { code: 'ZA', name: '治安大队', kind: 'BRANCH' },
        DocumentKind.INSPECTION_NOTICE,
        2026,
        12,
      ),
    ).toBe('仙公治抽〔2026〕12号');
    expect(
      documentNumber(
        { code: 'PCS-LC', name: '鲤城派出所', kind: 'STATION' },
        DocumentKind.RECTIFICATION_ORDER,
        2027,
        1,
      ),
    ).toBe('仙公鲤城所责改〔2027〕1号');
    expect(
      documentNumber(
        { code: 'XY', name: '仙游县公安局', kind: 'OFFICE' },
        DocumentKind.RESULT_BULLETIN,
        2026,
        7,
      ),
    ).toBe('仙公公〔2026〕7号');
  });
});

describe('result bulletin PDF', () => {
  const data = {
    title: '鲤城欧阳娜娜宾馆旅馆随机抽查结果',
    targetName: '鲤城欧阳娜娜宾馆',
    categoryLabel: '旅馆',
    itemNames: ['旅馆业治安管理检查'],
    inspectedOn: '2026-11-27',
    outcomeLabel: '违反公安部门相关规定',
    body: '问题1：负责人欧阳娜娜（身份证350322198811093310，电话13912345678）未登记旅客\n说明：联系人李小四，座机0594-7654321',
    version: 2,
    personNames: ['欧阳娜娜', '李小四'],
  };

  it('prints the number, target and items, and no ID number, phone or person name', async () => {
    const text = await textOf(await renderPdf(composeResultBulletin(header, data)));
    expect(text).toContain('抽查结果公告');
    expect(text).toContain('仙公治公〔2026〕3号');
    expect(text).toContain('旅馆业治安管理检查');
    expect(text).toContain('鲤城[已删除]宾馆');
    expect(text).toContain('未登记旅客');
    for (const bad of ['欧阳娜娜', '欧*娜', '李小四', '350322198811093310', '13912345678', '7654321'])
      expect(text).not.toContain(bad);
    expect(text).toContain('第2版');
  });

  it('renders the same model to the same bytes', async () => {
    const a = await renderPdf(composeResultBulletin(header, data));
    const b = await renderPdf(composeResultBulletin(header, data));
    expect(a.equals(b)).toBe(true);
    expect(a.subarray(0, 5).toString()).toBe('%PDF-');
  });
});
