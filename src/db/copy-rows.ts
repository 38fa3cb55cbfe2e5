import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** One value in COPY's text format: `\N` for null, backslash, tab, newline and carriage return escaped. */
export function copyValue(v: unknown): string {
  if (v === null || v === undefined) return '\\N';
  const s = typeof v === 'string' ? v : v instanceof Date ? v.toISOString() : String(v);
  return s.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c] as string);
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
  const text = rows.map((r) => r.map(copyValue).join('\t')).join('\n') + '\n';
  const stream = client.query(copyFrom(`copy ${table} (${columns.join(', ')}) from stdin`));
  await pipeline(Readable.from([Buffer.from(text, 'utf8')]), stream);
}
