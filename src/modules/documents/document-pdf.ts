import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';

/** One block of an official document, laid out top to bottom. */
export type DocBlock =
  | { kind: 'heading'; text: string }
  | { kind: 'paragraph'; text: string }
  | { kind: 'fields'; rows: readonly (readonly [label: string, value: string])[] }
  | { kind: 'table'; columns: readonly { title: string; weight: number }[]; rows: readonly string[][] }
  | { kind: 'signatures'; lines: readonly string[] };

/** What an official document says; the layout is the renderer's. */
export interface DocModel {
  /** E.g. 随机抽查告知书. */
  title: string;
  /** E.g. 仙公治抽〔2026〕12号. */
  docNo: string;
  /** The issuing authority, printed under the body with the date. */
  issuer: string;
  /** `YYYY-MM-DD`, printed in Chinese under the issuer. */
  issuedOn: string;
  /** Fixes the PDF's creation date (and so its file id): the same model renders to the same bytes. */
  issuedAt: Date;
  /** The party addressed (主送), printed before the body; absent for bulletins. */
  addressee?: string;
  blocks: readonly DocBlock[];
}

const FONT_PATH = createRequire(import.meta.url).resolve(
  '@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf',
);
const MARGIN = 64;
const BODY = 11;
const CELL_PAD = 4;

/** `2026-11-28` → `2026年11月28日`. */
export function cnDate(iso: string): string {
  const [y, m, d] = iso.split('-');
  return `${y}年${Number(m)}月${Number(d)}日`;
}

/**
 * Renders a document to PDF (A4, Noto Sans SC from the npm package, only the glyphs used are
 * embedded). Deterministic: the same model gives the same bytes.
 * @example const pdf = await renderPdf({ title: '随机抽查告知书', docNo: '仙公治抽〔2026〕1号', … })
 */
export function renderPdf(model: DocModel): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    compress: true,
    info: {
      Title: `${model.title} ${model.docNo}`,
      Author: model.issuer,
      Producer: 'Shuangsui',
      Creator: 'Shuangsui',
      CreationDate: model.issuedAt,
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont('cjk', FONT_PATH);
  doc.font('cjk');
  const width = doc.page.width - 2 * MARGIN;

  doc.fontSize(20).text(model.title, { align: 'center' });
  doc.moveDown(0.3);
  doc.fontSize(BODY).text(model.docNo, { align: 'center' });
  doc.moveDown(1);
  if (model.addressee) {
    doc.fontSize(BODY + 1).text(`${model.addressee}：`);
    doc.moveDown(0.5);
  }
  for (const b of model.blocks) {
    switch (b.kind) {
      case 'heading':
        doc.moveDown(0.4);
        doc.fontSize(BODY + 2).text(b.text, MARGIN, undefined, { width });
        doc.moveDown(0.2);
        break;
      case 'paragraph':
        doc.fontSize(BODY).text(b.text, MARGIN, undefined, { width, indent: BODY * 2, lineGap: 3 });
        doc.moveDown(0.3);
        break;
      case 'fields':
        table(
          doc,
          [
            { title: '', weight: 1 },
            { title: '', weight: 3 },
          ],
          b.rows.map((r) => [...r]),
          width,
          false,
        );
        break;
      case 'table':
        table(doc, b.columns, b.rows, width, true);
        break;
      case 'signatures':
        doc.moveDown(1);
        for (const line of b.lines) {
          doc
            .fontSize(BODY)
            .text(`${line}：____________________    日期：________________`, MARGIN, undefined, {
              width,
            });
          doc.moveDown(0.8);
        }
        break;
    }
  }
  doc.moveDown(2);
  doc.fontSize(BODY + 1).text(model.issuer, MARGIN, undefined, { width, align: 'right' });
  doc.text(cnDate(model.issuedOn), MARGIN, undefined, { width, align: 'right' });
  doc.end();
  return done;
}

function table(
  doc: PDFKit.PDFDocument,
  columns: readonly { title: string; weight: number }[],
  rows: readonly string[][],
  width: number,
  header: boolean,
): void {
  const total = columns.reduce((s, c) => s + c.weight, 0);
  const widths = columns.map((c) => (width * c.weight) / total);
  const all = header ? [columns.map((c) => c.title), ...rows] : rows;
  doc.fontSize(BODY - 1);
  for (const row of all) {
    const h =
      Math.max(
        ...row.map((cell, i) => doc.heightOfString(cell || ' ', { width: widths[i]! - 2 * CELL_PAD })),
      ) +
      2 * CELL_PAD;
    if (doc.y + h > doc.page.height - MARGIN) doc.addPage();
    const top = doc.y;
    let x = MARGIN;
    for (const [i, cell] of row.entries()) {
      doc.rect(x, top, widths[i]!, h).lineWidth(0.5).stroke();
      doc.text(cell, x + CELL_PAD, top + CELL_PAD, { width: widths[i]! - 2 * CELL_PAD });
      x += widths[i]!;
    }
    doc.x = MARGIN;
    doc.y = top + h;
  }
  doc.moveDown(0.5);
  doc.fontSize(BODY);
}
