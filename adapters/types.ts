/**
 * The contract between inbound source adapters (hotel, entertainment, internet café systems)
 * and the sync engine. Adapters never import from `src/`: the codes below mirror
 * `src/modules/targets/target-category.ts` as string literals.
 */

/** Category codes a source adapter can produce (subset of the platform's TargetCategory). */
export type TargetCategoryCode = 'HOTEL' | 'ENTERTAINMENT' | 'INTERNET_CAFE';

/** Operating status codes (same values as TargetStatus). */
export type TargetStatusCode = 'OPERATING' | 'SUSPENDED' | 'CLOSED' | 'REVOKED';

/** Entertainment security grade (治安级别); `null` means "not yet graded" (treated as C downstream). */
export type GradeCode = 'A' | 'B' | 'C' | null;

/** Role a natural person plays for a target (same values as PersonRole). */
export type PersonRoleCode = 'LEGAL_REP' | 'MANAGER' | 'CASHIER' | 'SECURITY' | 'OTHER';

/** Stable id of each source system; also the `id` of its adapter. */
export type SourceSystemId = 'hotel' | 'entertainment' | 'internet-cafe';

/** Minimal logger accepted by adapters and simulators (pino-compatible). */
export interface SourceLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** A licence or filing number held by a target, e.g. `{ kind: 'SPECIAL_TRADE', number: '闽公特旅字〔2019〕第0123号' }`. */
export interface SourceLicence {
  kind: 'SPECIAL_TRADE' | 'CULTURE' | 'POLICE_FILING';
  number: string;
}

/** An administrative violation; `fineYuan` is a decimal string (`"5000"`, `"200.50"`), never a float. */
export interface SourceViolation {
  date: string;
  type: string;
  decisionNo?: string;
  fineYuan?: string;
}

/** A public-order incident (治安案事件). */
export interface SourceIncident {
  date: string;
  kind: string;
  caseNo?: string;
}

/** A natural person attached to a target. Codes (idType, idNumber) are strings as sent. */
export interface SourcePerson {
  role: PersonRoleCode;
  name: string;
  idType: string | null;
  idNumber: string | null;
  phone: string | null;
}

/**
 * Upsert of an inspection target, keyed by (`sourceSystem`, `sourceId`).
 * `null` means "the source did not say". Decimals are strings; codes are strings with their leading
 * zeros and trailing `X` intact. USCC and ID numbers are passed raw (normalising/validating check
 * characters is the sync engine's job).
 */
export interface SourceTarget {
  kind: 'TARGET';
  sourceSystem: SourceSystemId;
  sourceId: string;
  category: TargetCategoryCode;
  name: string | null;
  uscc: string | null;
  licenceNos: SourceLicence[];
  address: string | null;
  regionCode: string | null;
  jurisdictionCode: string | null;
  jurisdictionName: string | null;
  status: TargetStatusCode | null;
  grade: GradeCode;
  blacklisted: boolean | null;
  abnormalListed: boolean | null;
  complaints90d: number | null;
  violations: SourceViolation[];
  incidents: SourceIncident[];
  persons: SourcePerson[];
  geo: { lat: string; lng: string } | null;
  /** Category-specific figures: rooms, beds, terminals, capacity, compliance ratios… */
  attributes: Record<string, string | number | boolean | null>;
  /** The source's own modification time, ISO 8601 as sent. */
  sourceUpdatedAt: string;
}

/** The source removed a target from its registry (rare; may name an id never seen before). */
export interface SourceTargetDeleted {
  kind: 'TARGET_DELETED';
  sourceSystem: SourceSystemId;
  sourceId: string;
}

/** Upsert of a staff member of a site, keyed by (`sourceSystem`, `siteSourceId`, `idNumber`). */
export interface SourceStaff {
  kind: 'STAFF';
  sourceSystem: SourceSystemId;
  siteSourceId: string;
  idNumber: string;
  name: string;
  role: PersonRoleCode;
  /** Date (YYYY-MM-DD) the person started, or null when not sent. */
  since: string | null;
}

/** A staff member left a site. */
export interface SourceStaffDeleted {
  kind: 'STAFF_DELETED';
  sourceSystem: SourceSystemId;
  siteSourceId: string;
  idNumber: string;
}

/** Everything a source adapter can emit. Applying any record twice must leave the same state. */
export type SourceRecord = SourceTarget | SourceTargetDeleted | SourceStaff | SourceStaffDeleted;

/** A record that failed validation. `reason` names the field (`Hotel[3].Legal.IdNo: expected string`). */
export interface QuarantinedRecord {
  sourceId: string | null;
  reason: string;
  /** The record's bytes as received (XML sources: the element's original encoding). */
  raw: Buffer;
}

/**
 * One unit of work for the sync engine. Write `records` and `quarantined` in one transaction
 * together with `cursor`; after a crash, pulling again from the last committed cursor converges.
 */
export interface SourceBatch {
  records: SourceRecord[];
  quarantined: QuarantinedRecord[];
  /** Opaque cursor to commit after this batch has been written. */
  cursor: string;
  /** Number of source records received for this batch (records + quarantined + skipped duplicates). */
  fetched: number;
  /**
   * Set while the adapter replays a full snapshot (internet café after `SEQ_EXPIRED`): targets and
   * staff of this source not seen between the batch with `resync.first` and the one with
   * `resync.last` are gone and may be swept by the sync engine.
   */
  resync?: { first: boolean; last: boolean };
}

/** Result of `check()`: `reason` is meant for an operator ("bad API key (code 1001)"). */
export type CheckResult = { ok: true } | { ok: false; reason: string };

/** Options of a pull. Aborting rejects the iteration with a `SourceError` of code `ABORTED`. */
export interface PullOptions {
  signal?: AbortSignal;
}

/**
 * Validates an `unknown` configuration and returns it typed.
 * Throws a `SourceError` with code `CONFIG_INVALID` whose message names every bad field, e.g.
 * `hotel config invalid: baseUrl: expected http(s) URL; apiKey: expected non-empty string`.
 */
export type ConfigValidator<Config> = (input: unknown) => Config;

/**
 * An inbound source system.
 *
 * @example
 * const adapter = createHotelAdapter(hotelConfigSchema(rawConfig), { logger });
 * for await (const batch of adapter.pull(lastCursor, { signal })) {
 *   await db.transaction(async (tx) => { await write(tx, batch); await commitCursor(tx, batch.cursor); });
 * }
 *
 * `pull` yields one page per batch (bounded memory); it throws a `SourceError` when a permanent
 * error occurs or the retry budget for transient ones is spent. Batches already yielded stay valid.
 */
export interface SourceAdapter<Config> {
  readonly id: SourceSystemId;
  readonly configSchema: ConfigValidator<Config>;
  check(): Promise<CheckResult>;
  pull(cursor: string | null, opts?: PullOptions): AsyncIterable<SourceBatch>;
}
