import { SourceError } from './source.errors.js';

/**
 * Collects validation problems, each prefixed by the field path (`Hotel[3].Legal.IdNo: expected string`).
 * Readers below return a typed value (or a fallback) and record a problem instead of throwing, so one
 * pass lists every bad field.
 */
export class Issues {
  readonly list: string[] = [];
  add(path: string, message: string): void {
    this.list.push(`${path}: ${message}`);
  }
  get ok(): boolean {
    return this.list.length === 0;
  }
  toString(): string {
    return this.list.join('; ');
  }
}

/** Result of validating one `unknown` source record. */
export type Validated<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Short description of what arrived, for messages ("got number"). Never echoes the value itself. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** Joins a parent path and a key: `join('Hotel[3]', 'Legal')` → `Hotel[3].Legal`. */
export function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

/** A plain object, or `undefined` (with an issue) when `v` is anything else. */
export function readObject(v: unknown, path: string, issues: Issues): Record<string, unknown> | undefined {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  issues.add(path, `expected object, got ${describe(v)}`);
  return undefined;
}

/** A plain object, `null` when absent/null, or `null` plus an issue when of another type. */
export function readOptionalObject(v: unknown, path: string, issues: Issues): Record<string, unknown> | null {
  if (v === undefined || v === null) return null;
  return readObject(v, path, issues) ?? null;
}

/** Options for string readers. */
export interface StringRule {
  /** Pattern the (untrimmed) value must match; the message says `expected <label>`. */
  pattern?: RegExp;
  label?: string;
  /** Treat the empty (or whitespace-only) string as absent. Default true. */
  emptyIsNull?: boolean;
}

/** A required string; records an issue and returns `''` when missing or wrong. */
export function readString(v: unknown, path: string, issues: Issues, rule: StringRule = {}): string {
  const s = readOptionalString(v, path, issues, rule);
  if (s === null) {
    if (v === undefined || v === null || (typeof v === 'string' && v.trim() === '')) {
      issues.add(
        path,
        `expected ${rule.label ?? 'string'}, got ${v === undefined ? 'nothing' : describe(v)}`,
      );
    }
    return '';
  }
  return s;
}

/** An optional string: `null` when absent, null or empty; an issue when of another type. */
export function readOptionalString(
  v: unknown,
  path: string,
  issues: Issues,
  rule: StringRule = {},
): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') {
    issues.add(path, `expected ${rule.label ?? 'string'}, got ${describe(v)}`);
    return null;
  }
  if ((rule.emptyIsNull ?? true) && v.trim() === '') return null;
  if (rule.pattern && !rule.pattern.test(v)) {
    issues.add(path, `expected ${rule.label ?? rule.pattern.source}`);
    return null;
  }
  return v;
}

/** A non-negative integer from a JSON number or a decimal string (`"0042"` → 42). */
export function readOptionalCount(v: unknown, path: string, issues: Issues): number | null {
  if (v === undefined || v === null || (typeof v === 'string' && v.trim() === '')) return null;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
  if (typeof v === 'string' && /^\s*\d{1,15}\s*$/.test(v)) return Number(v.trim());
  issues.add(path, `expected non-negative integer, got ${describe(v)}`);
  return null;
}

/** A decimal kept as a string: `"2.50"` stays `"2.50"`; a JSON number becomes its shortest decimal form. */
export function readOptionalDecimal(v: unknown, path: string, issues: Issues): string | null {
  if (v === undefined || v === null || (typeof v === 'string' && v.trim() === '')) return null;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v.trim())) return v.trim();
  issues.add(path, `expected decimal, got ${describe(v)}`);
  return null;
}

/** A JSON boolean. */
export function readOptionalBoolean(v: unknown, path: string, issues: Issues): boolean | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'boolean') return v;
  issues.add(path, `expected boolean, got ${describe(v)}`);
  return null;
}

/** One of the listed string values, or `null` when absent. */
export function readOptionalEnum<T extends string>(
  v: unknown,
  allowed: readonly T[],
  path: string,
  issues: Issues,
): T | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
  issues.add(
    path,
    `expected one of ${allowed.join('|')}, got ${typeof v === 'string' ? JSON.stringify(v.slice(0, 20)) : describe(v)}`,
  );
  return null;
}

/** An array (absent/null → empty array). */
export function readOptionalArray(v: unknown, path: string, issues: Issues): unknown[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v;
  issues.add(path, `expected array, got ${describe(v)}`);
  return [];
}

/** An ISO 8601 timestamp with an offset or `Z`; returns it as sent. */
export function readTimestamp(v: unknown, path: string, issues: Issues): string {
  return readString(v, path, issues, { pattern: ISO_TIMESTAMP, label: 'ISO 8601 timestamp with offset' });
}

/** A calendar date `YYYY-MM-DD`. */
export function readOptionalDate(v: unknown, path: string, issues: Issues): string | null {
  return readOptionalString(v, path, issues, { pattern: /^\d{4}-\d{2}-\d{2}$/, label: 'date YYYY-MM-DD' });
}

/** ISO 8601 date-time with seconds, optional fraction and a mandatory zone. */
export const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** Throws `CONFIG_INVALID` listing every issue, prefixed with the adapter name. */
export function throwIfConfigInvalid(adapter: string, issues: Issues): void {
  if (!issues.ok) {
    throw new SourceError('CONFIG_INVALID', `${adapter} config invalid: ${issues.toString()}`, {
      transient: false,
    });
  }
}

/** Reads a base URL (http or https, no query) from a config object. */
export function readBaseUrl(v: unknown, path: string, issues: Issues): string {
  const s = readString(v, path, issues, { label: 'http(s) URL' });
  if (s === '') return s;
  try {
    const u = new URL(s);
    if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.search !== '' || u.hash !== '') {
      issues.add(path, 'expected http(s) URL without query');
      return '';
    }
    return s.replace(/\/+$/, '');
  } catch {
    issues.add(path, 'expected http(s) URL');
    return '';
  }
}

/** Reads an optional integer setting within [min, max], with a default. */
export function readIntSetting(
  v: unknown,
  path: string,
  issues: Issues,
  range: { min: number; max: number; fallback: number },
): number {
  if (v === undefined) return range.fallback;
  if (typeof v === 'number' && Number.isInteger(v) && v >= range.min && v <= range.max) return v;
  issues.add(path, `expected integer ${range.min}–${range.max}, got ${describe(v)}`);
  return range.fallback;
}
