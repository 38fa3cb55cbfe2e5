const SHANGHAI_OFFSET_MS = 8 * 3600_000;

/**
 * Formats epoch milliseconds as ISO 8601 in the bureau's zone (`2026-11-20T10:15:00+08:00`;
 * with `millis`, `2026-11-21T09:00:00.123+08:00`). Asia/Shanghai has had no DST since 1991.
 */
export function formatShanghai(ms: number, opts: { millis?: boolean } = {}): string {
  const iso = new Date(ms + SHANGHAI_OFFSET_MS).toISOString();
  return `${opts.millis ? iso.slice(0, 23) : iso.slice(0, 19)}+08:00`;
}

/** Epoch milliseconds of an ISO 8601 timestamp, or `null` when unreadable. */
export function toEpochMs(iso: string): number | null {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}
