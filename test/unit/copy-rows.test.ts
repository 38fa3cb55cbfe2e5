import { describe, expect, it } from 'vitest';
import { copyText, copyValue } from '../../src/db/copy-rows.js';

/** COPY's text format as PostgreSQL documents it, written the plain way (the reference). */
function reference(rows: readonly (readonly unknown[])[]): string {
  const value = (v: unknown): string => {
    if (v === null || v === undefined) return '\\N';
    const s = typeof v === 'string' ? v : v instanceof Date ? v.toISOString() : String(v);
    return s
      .split('')
      .map((c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c] ?? c)
      .join('');
  };
  return rows.map((r) => r.map(value).join('\t')).join('\n') + '\n';
}

describe('COPY text format', () => {
  it('writes null as \\N and escapes backslash, tab, newline and carriage return', () => {
    expect(copyValue(null)).toBe('\\N');
    expect(copyValue(undefined)).toBe('\\N');
    expect(copyValue('a\\b\tc\nd\re')).toBe('a\\\\b\\tc\\nd\\re');
    expect(copyValue('仙游县 𠀀 "x"')).toBe('仙游县 𠀀 "x"');
    expect(copyValue(new Date('2026-11-29T01:02:03.004Z'))).toBe('2026-11-29T01:02:03.004Z');
    expect(copyValue(false)).toBe('false');
    expect(copyValue(42)).toBe('42');
  });

  it('joins values with tabs and ends every row with a newline, as the reference does', () => {
    const pieces = ['', 'a', '\\', '\t', '\n', '\r', '\\N', '中文', null, undefined, 0, true, '{"k":"v\\n"}'];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    const rows = Array.from({ length: 300 }, () =>
      Array.from(
        { length: 1 + (next() % 6) },
        () =>
          Array.from({ length: next() % 3 }, () => pieces[next() % pieces.length])
            .map((p) => (typeof p === 'string' ? p : ''))
            .join('') || pieces[next() % pieces.length],
      ),
    );
    expect(copyText(rows)).toBe(reference(rows));
    expect(copyText([['x', null]])).toBe('x\t\\N\n');
  });
});
