import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
const NEEDS_ESCAPE = /[\\\t\n\r]/;
const TO_ESCAPE = /[\\\t\n\r]/g;

/** One value in COPY's text format: `\N` for null, backslash, tab, newline and carriage return escaped. */
export function copyValue(v: unknown): string {
  if (v === null || v === undefined) return '\\N';
  const s = typeof v === 'string' ? v : v instanceof Date ? v.toISOString() : String(v);
  // Most values hold none of the four: a test is cheaper than a replace that finds nothing.
  return NEEDS_ESCAPE.test(s) ? s.replace(TO_ESCAPE, (c) => ESCAPES[c] as string) : s;
}

/** Rows in COPY's text format: values tab-separated, each row ending in a newline. */
export function copyText(rows: readonly (readonly unknown[])[]): string {
  // Appending to one string (V8 builds it as a rope) allocates no array per row.
  let text = '';
  for (const row of rows) {
    for (let i = 0; i < row.length; i++) text += i === 0 ? copyValue(row[i]) : `\t${copyValue(row[i])}`;
    text += '\n';
  }
  return text;
}

/**
 * Appends rows to a table with `COPY … FROM STDIN` on `client` (inside its transaction, if any):
 * for bulk inserts of rows known to be new, several times cheaper per row for PostgreSQL than an
 * INSERT of the same rows. `table` and `columns` are code constants, never input.
 * @example await copyRows(client, 'target_person', ['id', 'target_id', 'person_id', 'role'], rows)
 * @throws the database error (the transaction is then aborted), e.g. a unique violation.
 */
export async function copyRows(
  client: pg.ClientBase,
  table: string,
  columns: readonly string[],
  rows: readonly (readonly unknown[])[],
): Promise<void> {
  if (!rows.length) return;
  const text = copyText(rows);
  const stream = client.query(copyFrom(`copy ${table} (${columns.join(', ')}) from stdin`));
  await pipeline(Readable.from([Buffer.from(text, 'utf8')]), stream);
}
