/**
 * 导出: every dashboard table exports to CSV and XLSX in the browser. CSV is UTF-8 with a BOM so
 * Excel opens Chinese text correctly; XLSX is written by exceljs, loaded only when first used.
 * Text cells that a spreadsheet would run as a formula (= + - @) are prefixed with `'`.
 */

/** A cell value as exported. */
export type CellValue = string | number | boolean | null;

/** A table to export: column titles and rows of the same length. */
export interface ExportTable {
  /** File name without extension, e.g. `job-runs`. */
  name: string;
  headers: string[];
  rows: CellValue[][];
}

const FORMULA_START = /^[=+\-@\t\r]/;

/** Neutralises text a spreadsheet would evaluate (CSV/formula injection). */
export function safeText(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

function csvCell(value: CellValue): string {
  if (value === null) return '';
  const text = typeof value === 'string' ? safeText(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The CSV text (RFC 4180, CRLF line ends, BOM first). */
export function toCsv(table: ExportTable): string {
  const lines = [table.headers, ...table.rows].map((row) => row.map(csvCell).join(','));
  return `\ufeff${lines.join('\r\n')}\r\n`;
}

/** The XLSX bytes: one sheet, bold header row, frozen under the header. */
export async function toXlsx(table: ExportTable): Promise<ArrayBuffer> {
  const mod = (await import('exceljs')) as unknown as { Workbook?: unknown; default?: { Workbook: unknown } };
  const Workbook = (mod.Workbook ?? mod.default?.Workbook) as typeof import('exceljs').Workbook;
  const workbook = new Workbook();
  workbook.creator = 'shuangsui';
  const sheet = workbook.addWorksheet(table.name.slice(0, 31), { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.addRow(table.headers).font = { bold: true };
  for (const row of table.rows) {
    sheet.addRow(row.map((v) => (typeof v === 'string' ? safeText(v) : v)));
  }
  sheet.columns.forEach((column, i) => {
    const longest = Math.max(
      ...[table.headers[i] ?? '', ...table.rows.map((r) => String(r[i] ?? ''))].map((s) => s.length),
    );
    column.width = Math.min(60, Math.max(8, longest * 1.6));
  });
  return workbook.xlsx.writeBuffer() as Promise<ArrayBuffer>;
}

/** Offers bytes or text to the user as a download. */
export function download(fileName: string, content: BlobPart, type: string): void {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
