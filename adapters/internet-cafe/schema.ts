import {
  Issues,
  join,
  readBaseUrl,
  readIntSetting,
  readObject,
  readOptionalArray,
  readOptionalBoolean,
  readOptionalCount,
  readOptionalDate,
  readOptionalDecimal,
  readOptionalEnum,
  readOptionalObject,
  readOptionalString,
  readString,
  readTimestamp,
  throwIfConfigInvalid,
  type Validated,
} from '../source-kit/validate.js';
import type { ConfigValidator, PersonRoleCode } from '../types.js';

/** Configuration of the internet-café adapter. */
export interface InternetCafeConfig {
  baseUrl: string;
  appId: string;
  /** HMAC-SHA256 key shared with the 网安 system. */
  secret: string;
  /** Changes per request, 1–1000 (default 500). */
  max: number;
  /** Snapshot page size for a full resync, 1–1000 (default 500). */
  snapshotPageSize: number;
  timeoutMs: number;
}

/**
 * Validates an internet-café adapter config; throws `CONFIG_INVALID` naming every bad field.
 * @example internetCafeConfigSchema({ baseUrl: 'http://wb.local', appId: 'gaj', secret: 's3cret' })
 */
export const internetCafeConfigSchema: ConfigValidator<InternetCafeConfig> = (input) => {
  const issues = new Issues();
  const o = readObject(input, 'config', issues) ?? {};
  const config: InternetCafeConfig = {
    baseUrl: readBaseUrl(o.baseUrl, 'baseUrl', issues),
    appId: readString(o.appId, 'appId', issues, { label: 'non-empty string' }),
    secret: readString(o.secret, 'secret', issues, { label: 'non-empty string' }),
    max: readIntSetting(o.max, 'max', issues, { min: 1, max: 1000, fallback: 500 }),
    snapshotPageSize: readIntSetting(o.snapshotPageSize, 'snapshotPageSize', issues, {
      min: 1,
      max: 1000,
      fallback: 500,
    }),
    timeoutMs: readIntSetting(o.timeoutMs, 'timeoutMs', issues, { min: 100, max: 600_000, fallback: 30_000 }),
  };
  throwIfConfigInvalid('internet-cafe', issues);
  return config;
};

const SITE_CODE = { pattern: /^\d{14}$/, label: '14-digit site code' };
const ID_NUMBER = { pattern: /^[0-9A-Za-z]{6,32}$/, label: 'ID number' };
/** Staff roles of the contract. */
export const STAFF_ROLES = [
  'LEGAL_REP',
  'MANAGER',
  'CASHIER',
  'SECURITY',
  'OTHER',
] as const satisfies readonly PersonRoleCode[];
/** Violation types of the contract. */
export const VIOLATION_TYPES = [
  'MINOR_ADMITTED',
  'NO_REALNAME',
  'OVER_HOURS',
  'UNLICENSED_EXPANSION',
  'OTHER',
] as const;

/** A validated SITE upsert payload. */
export interface SiteRow {
  siteCode: string;
  name: string;
  uscc: string | null;
  cultureLicenseNo: string | null;
  terminals: number | null;
  address: string | null;
  policeStation: { code: string | null; name: string | null } | null;
  legalRep: {
    name: string | null;
    idType: string | null;
    idNumber: string | null;
    phone: string | null;
  } | null;
  abnormalListed: boolean | null;
  complaints90d: number | null;
  auditGapHours30d: string | null;
  violations: { date: string; type: string; decisionNo: string | null; fineYuan: string | null }[];
  status: 'OPEN' | 'SUSPENDED' | 'REVOKED';
}

/** A validated change (feed or snapshot item). */
export type ChangeRow =
  | { seq: number | null; op: 'UPSERT'; entity: 'SITE'; at: string; site: SiteRow }
  | {
      seq: number | null;
      op: 'UPSERT';
      entity: 'STAFF';
      at: string;
      staff: { siteCode: string; idNumber: string; name: string; role: PersonRoleCode; since: string | null };
    }
  | { seq: number | null; op: 'DELETE'; entity: 'SITE'; at: string; siteCode: string }
  | { seq: number | null; op: 'DELETE'; entity: 'STAFF'; at: string; siteCode: string; idNumber: string };

/** Envelope of `/wb/feed/v1/changes` and `/wb/feed/v1/snapshot`. */
export interface FeedPage {
  lastSeq: number | null;
  snapshotSeq: number | null;
  hasMore: boolean;
  changes: unknown[];
}

function readSeq(v: unknown, path: string, issues: Issues): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
  issues.add(path, 'expected non-negative integer sequence number');
  return null;
}

/** Validates a feed or snapshot envelope (`changes`, or `records` as some snapshot builds name it). */
export function validateFeedPage(body: unknown, kind: 'changes' | 'snapshot'): Validated<FeedPage> {
  const issues = new Issues();
  const o = readObject(body, 'body', issues);
  if (!o) return { ok: false, reason: issues.toString() };
  const list = o.changes ?? o.records;
  const changes = Array.isArray(list) ? list : (issues.add('body.changes', 'expected array'), []);
  const lastSeq = readSeq(o.lastSeq, 'body.lastSeq', issues);
  const snapshotSeq = readSeq(o.snapshotSeq, 'body.snapshotSeq', issues);
  if (kind === 'snapshot' && snapshotSeq === null) issues.add('body.snapshotSeq', 'expected sequence number');
  const hasMore = readOptionalBoolean(o.hasMore, 'body.hasMore', issues) ?? false;
  return issues.ok
    ? { ok: true, value: { lastSeq, snapshotSeq, hasMore, changes } }
    : { ok: false, reason: issues.toString() };
}

/** `seq` of a raw change, when readable. */
export function seqOf(change: unknown): number | null {
  const s =
    change !== null && typeof change === 'object' ? (change as Record<string, unknown>).seq : undefined;
  return typeof s === 'number' && Number.isSafeInteger(s) ? s : null;
}

/** The entity key of a raw change (siteCode or siteCode/idNumber), to name quarantined items. */
export function changeKeyOf(change: unknown): string | null {
  const d =
    change !== null && typeof change === 'object' ? (change as Record<string, unknown>).data : undefined;
  if (d === null || typeof d !== 'object') return null;
  const { siteCode, idNumber } = d as Record<string, unknown>;
  if (typeof siteCode !== 'string') return null;
  return typeof idNumber === 'string' ? `${siteCode}/${idNumber}` : siteCode;
}

function validateSite(d: Record<string, unknown>, path: string, issues: Issues): SiteRow {
  const f = (k: string): string => join(path, k);
  const ps = readOptionalObject(d.policeStation, f('policeStation'), issues);
  const lr = readOptionalObject(d.legalRep, f('legalRep'), issues);
  const violations = readOptionalArray(d.violations, f('violations'), issues).flatMap((x, i) => {
    const vp = join(f('violations'), i);
    const v = readObject(x, vp, issues);
    if (!v) return [];
    return [
      {
        date: readString(v.date, join(vp, 'date'), issues, {
          pattern: /^\d{4}-\d{2}-\d{2}$/,
          label: 'date YYYY-MM-DD',
        }),
        type: readOptionalEnum(v.type, VIOLATION_TYPES, join(vp, 'type'), issues) ?? 'OTHER',
        decisionNo: readOptionalString(v.decisionNo, join(vp, 'decisionNo'), issues),
        fineYuan: readOptionalDecimal(v.fineYuan, join(vp, 'fineYuan'), issues),
      },
    ];
  });
  const status = readOptionalEnum(d.status, ['OPEN', 'SUSPENDED', 'REVOKED'] as const, f('status'), issues);
  if (status === null && (d.status === undefined || d.status === null))
    issues.add(f('status'), 'expected OPEN|SUSPENDED|REVOKED, got nothing');
  return {
    siteCode: readString(d.siteCode, f('siteCode'), issues, SITE_CODE),
    name: readString(d.name, f('name'), issues),
    uscc: readOptionalString(d.uscc, f('uscc'), issues),
    cultureLicenseNo: readOptionalString(d.cultureLicenseNo, f('cultureLicenseNo'), issues),
    terminals: readOptionalCount(d.terminals, f('terminals'), issues),
    address: readOptionalString(d.address, f('address'), issues),
    policeStation: ps
      ? {
          code: readOptionalString(ps.code, join(f('policeStation'), 'code'), issues),
          name: readOptionalString(ps.name, join(f('policeStation'), 'name'), issues),
        }
      : null,
    legalRep: lr
      ? {
          name: readOptionalString(lr.name, join(f('legalRep'), 'name'), issues),
          idType: readOptionalString(lr.idType, join(f('legalRep'), 'idType'), issues),
          idNumber: readOptionalString(lr.idNumber, join(f('legalRep'), 'idNumber'), issues),
          phone: readOptionalString(lr.phone, join(f('legalRep'), 'phone'), issues),
        }
      : null,
    abnormalListed: readOptionalBoolean(d.abnormalListed, f('abnormalListed'), issues),
    complaints90d: readOptionalCount(d.complaints90d, f('complaints90d'), issues),
    auditGapHours30d: readOptionalDecimal(d.auditGapHours30d, f('auditGapHours30d'), issues),
    violations,
    status: status ?? 'OPEN',
  };
}

/** Validates one change (`path` like `changes[4]`); a snapshot item may omit `seq`. */
export function validateChange(change: unknown, path: string, requireSeq: boolean): Validated<ChangeRow> {
  const issues = new Issues();
  const c = readObject(change, path, issues);
  if (!c) return { ok: false, reason: issues.toString() };
  const f = (k: string): string => join(path, k);
  const seq = readSeq(c.seq, f('seq'), issues);
  if (requireSeq && seq === null && (c.seq === undefined || c.seq === null))
    issues.add(f('seq'), 'expected sequence number');
  const op = readOptionalEnum(c.op, ['UPSERT', 'DELETE'] as const, f('op'), issues);
  const entity = readOptionalEnum(c.entity, ['SITE', 'STAFF'] as const, f('entity'), issues);
  if (op === null || entity === null) {
    if (c.op === undefined || c.op === null) issues.add(f('op'), 'expected UPSERT|DELETE');
    if (c.entity === undefined || c.entity === null) issues.add(f('entity'), 'expected SITE|STAFF');
    return { ok: false, reason: issues.toString() };
  }
  const at = readTimestamp(c.at, f('at'), issues);
  const d = readObject(c.data, f('data'), issues);
  if (!d) return { ok: false, reason: issues.toString() };
  const dp = f('data');
  let row: ChangeRow;
  if (op === 'UPSERT' && entity === 'SITE') row = { seq, op, entity, at, site: validateSite(d, dp, issues) };
  else if (op === 'UPSERT') {
    row = {
      seq,
      op,
      entity: 'STAFF',
      at,
      staff: {
        siteCode: readString(d.siteCode, join(dp, 'siteCode'), issues, SITE_CODE),
        idNumber: readString(d.idNumber, join(dp, 'idNumber'), issues, ID_NUMBER),
        name: readString(d.name, join(dp, 'name'), issues),
        role: readOptionalEnum(d.role, STAFF_ROLES, join(dp, 'role'), issues) ?? 'OTHER',
        since: readOptionalDate(d.since, join(dp, 'since'), issues),
      },
    };
  } else if (entity === 'SITE') {
    row = { seq, op, entity, at, siteCode: readString(d.siteCode, join(dp, 'siteCode'), issues, SITE_CODE) };
  } else {
    row = {
      seq,
      op,
      entity,
      at,
      siteCode: readString(d.siteCode, join(dp, 'siteCode'), issues, SITE_CODE),
      idNumber: readString(d.idNumber, join(dp, 'idNumber'), issues, ID_NUMBER),
    };
  }
  return issues.ok ? { ok: true, value: row } : { ok: false, reason: issues.toString() };
}
