import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { SyncError } from './sync.errors.js';

/** Most data rows a roster file may hold (roster-files.md). */
export const MAX_ROSTER_ROWS = 100_000;

/** Roster columns by their Chinese header (roster-files.md). */
export const ROSTER_COLUMNS = {
  单位名称: 'name',
  统一社会信用代码: 'uscc',
  行业类别: 'category',
  地址: 'address',
  管辖派出所: 'station',
  法定代表人: 'legalRep',
  法定代表人证件号码: 'legalRepId',
  联系电话: 'phone',
  许可证号: 'licence',
  重点单位: 'keyInspection',
  投诉举报数: 'complaints',
  备注: 'note',
} as const;

export type RosterField = (typeof ROSTER_COLUMNS)[keyof typeof ROSTER_COLUMNS];
const REQUIRED: RosterField[] = ['name', 'category', 'station'];
/** Header of each field, for messages. */
export const HEADER_OF = Object.fromEntries(Object.entries(ROSTER_COLUMNS).map(([h, f]) => [f, h])) as Record<
  RosterField,
  string
>;

/** One data row: its spreadsheet row number (header = 1) and its cells by field (trimmed, '' when empty). */
export interface RosterRow {
  row: number;
  cells: Partial<Record<RosterField, string>>;
}

export interface ParsedRoster {
  format: 'CSV' | 'XLSX';
  encoding: 'UTF-8' | 'UTF-8 (BOM)' | 'GB18030' | null;
  rows: RosterRow[];
}

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** Decodes CSV bytes: UTF-8 with or without BOM, else GB18030 (GBK-compatible). */
export function decodeCsv(bytes: Buffer): { text: string; encoding: ParsedRoster['encoding'] } {
  if (bytes.subarray(0, 3).equals(UTF8_BOM)) {
    return { text: bytes.subarray(3).toString('utf8'), encoding: 'UTF-8 (BOM)' };
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'UTF-8' };
  } catch {
    return { text: new TextDecoder('gb18030').decode(bytes), encoding: 'GB18030' };
  }
}

function toRows(matrix: string[][], firstRowNumber: number): RosterRow[] {
  const header = matrix[0];
  if (!header)
    throw new SyncError('ROSTER_HEADER_MISSING', 'the file is empty: expected a header row in Chinese');
  const fieldAt: (RosterField | null)[] = header.map(
    (h) => ROSTER_COLUMNS[h.replace(/^\uFEFF/, '').trim() as keyof typeof ROSTER_COLUMNS] ?? null,
  );
  const missing = REQUIRED.filter((f) => !fieldAt.includes(f));
  if (missing.length) {
    throw new SyncError(
      'ROSTER_HEADER_MISSING',
      `header row lacks required column(s) ${missing.map((f) => HEADER_OF[f]).join(', ')}`,
      { missing: missing.map((f) => HEADER_OF[f]) },
    );
  }
  const rows: RosterRow[] = [];
  for (let i = 1; i < matrix.length; i++) {
    const values = matrix[i] as string[];
    if (values.every((v) => v.trim() === '')) continue;
    const cells: RosterRow['cells'] = {};
    fieldAt.forEach((f, j) => {
      if (f) cells[f] = (values[j] ?? '').trim();
    });
    rows.push({ row: firstRowNumber + i, cells });
  }
  if (rows.length > MAX_ROSTER_ROWS) {
    throw new SyncError(
      'ROSTER_TOO_MANY_ROWS',
      `the file holds ${rows.length} data rows; at most ${MAX_ROSTER_ROWS} can be imported at once — split it`,
      { rows: rows.length, max: MAX_ROSTER_ROWS },
    );
  }
  return rows;
}

async function xlsxMatrix(bytes: Buffer): Promise<string[][]> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch {
    throw new SyncError(
      'ROSTER_FILE_UNSUPPORTED',
      'the .xlsx file could not be read (damaged or not a workbook)',
    );
  }
  const ws = wb.worksheets[0];
  if (!ws) throw new SyncError('ROSTER_HEADER_MISSING', 'the workbook has no sheet');
  // +1 for the header; checked before reading the cells so a huge sheet is refused cheaply.
  if (ws.actualRowCount > MAX_ROSTER_ROWS + 1) {
    throw new SyncError(
      'ROSTER_TOO_MANY_ROWS',
      `the sheet holds ${ws.actualRowCount - 1} data rows; at most ${MAX_ROSTER_ROWS} can be imported at once — split it`,
      { rows: ws.actualRowCount - 1, max: MAX_ROSTER_ROWS },
    );
  }
  const width = ws.columnCount;
  const matrix: string[][] = [];
  for (let r = 1; r <= ws.rowCount; r++) {
    const row = ws.getRow(r);
    const values: string[] = [];
    for (let c = 1; c <= width; c++) values.push(row.getCell(c).text ?? '');
    matrix.push(values);
  }
  return matrix;
}

/**
 * Parses a roster file (`.csv` UTF-8/BOM/GB18030, or `.xlsx` first sheet) into rows by field.
 * @throws SyncError ROSTER_FILE_UNSUPPORTED, ROSTER_HEADER_MISSING, ROSTER_TOO_MANY_ROWS
 */
export async function parseRoster(bytes: Buffer, fileName: string): Promise<ParsedRoster> {
  const lower = fileName.toLowerCase();
  if (bytes.subarray(0, 4).equals(ZIP_MAGIC) || lower.endsWith('.xlsx')) {
    return { format: 'XLSX', encoding: null, rows: toRows(await xlsxMatrix(bytes), 1) };
  }
  if (!lower.endsWith('.csv') && !lower.endsWith('.txt') && lower.includes('.')) {
    throw new SyncError('ROSTER_FILE_UNSUPPORTED', `"${fileName}": expected a .csv or .xlsx file`);
  }
  const { text, encoding } = decodeCsv(bytes);
  let matrix: string[][];
  try {
    matrix = parseCsv(text, { relax_column_count: true, skip_empty_lines: false }) as string[][];
  } catch (e) {
    throw new SyncError('ROSTER_FILE_UNSUPPORTED', `the CSV could not be parsed: ${(e as Error).message}`);
  }
  return { format: 'CSV', encoding, rows: toRows(matrix, 1) };
}
