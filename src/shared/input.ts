import { ValidationError } from './errors.js';

/**
 * Refuses explicit `null` in a filter: a null would otherwise silently widen the query.
 * @example rejectNulls({ category: null }, 'filter') // throws: filter.category: null is not allowed
 */
export function rejectNulls(obj: object | null | undefined, path: string): void {
  if (obj == null) return;
  const bad = Object.entries(obj)
    .filter(([, v]) => v === null)
    .map(([k]) => ({
      field: `${path}.${k}`,
      message: 'null is not allowed here; omit the field to not filter on it',
    }));
  if (bad.length > 0) throw new ValidationError(bad);
}

/** Escapes LIKE wildcards so a search for "50%" matches literally. */
export function likeContains(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
/** True for a real calendar date written YYYY-MM-DD. */
export function isIsoDate(s: string): boolean {
  if (!DATE_RE.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}
