import { registerEnumType } from 'type-graphql';
import { Role } from '../../graphql/auth.js';

/** What an aggregate counts. A subject answers only once a module has registered it. */
export enum AggregateSubject {
  TARGETS = 'TARGETS',
  INSPECTIONS = 'INSPECTIONS',
  FINDINGS = 'FINDINGS',
  PUBLICATIONS = 'PUBLICATIONS',
  DEADLINES = 'DEADLINES',
  SYNC_RUNS = 'SYNC_RUNS',
  MESSAGES = 'MESSAGES',
  JOB_RUNS = 'JOB_RUNS',
  AUDIT_EVENTS = 'AUDIT_EVENTS',
}
registerEnumType(AggregateSubject, {
  name: 'AggregateSubject',
  description:
    'What an aggregate counts; subjects whose module is not installed answer SUBJECT_NOT_AVAILABLE.',
});

/** What rows are grouped by; each subject supports the dimensions it registered. */
export enum AggregateDimension {
  DEPARTMENT = 'DEPARTMENT',
  CATEGORY = 'CATEGORY',
  GRADE = 'GRADE',
  JURISDICTION = 'JURISDICTION',
  STATUS = 'STATUS',
  /** The time bucket (`bucket` argument) of the subject's event time, as its first day (YYYY-MM-DD, Asia/Shanghai). */
  PERIOD = 'PERIOD',
  KIND = 'KIND',
  PARTNER = 'PARTNER',
  SOURCE = 'SOURCE',
  RESULT = 'RESULT',
  JOB = 'JOB',
  ACTION = 'ACTION',
  ROLE = 'ROLE',
}
registerEnumType(AggregateDimension, { name: 'AggregateDimension' });

/**
 * A subject's SQL, written by developers in code (never from a request). The engine puts these
 * fragments into one `select … group by` and binds every value a caller sends as a parameter.
 * Expressions refer to the rows through the alias used in `from` (`x` by convention). Never
 * register a dimension, flag or field over personal data (names, ID numbers, phones): aggregates
 * are open to analysts who may not read those.
 */
export interface AggregateSubjectDef {
  name: AggregateSubject;
  /** The table that must exist (checked with `to_regclass`) before the subject answers. */
  table: string;
  /** FROM clause, e.g. `target x left join department d on …`. */
  from: string;
  /** Event time (timestamptz) the PERIOD buckets, `since` and `asOf` apply to; rows later than asOf are not counted. */
  time: string;
  /** When the row stopped counting (archived, deleted) or null; with it, `asOf` also sees rows removed later. */
  endTime?: string;
  /** Text-valued SQL expression per supported dimension (PERIOD is built in). */
  dimensions: Partial<Record<AggregateDimension, string>>;
  /** Boolean expressions for COUNT_IF and RATE, by name (e.g. `FAILED: "x.status = 'FAILED'"`). */
  flags?: Record<string, string>;
  /** Numeric expressions for SUM, AVG, MIN and MAX, by name. */
  fields?: Record<string, string>;
  /** Police-station code (jurisdiction) of a row; without it, callers limited to a jurisdiction are refused. */
  jurisdiction?: string;
  /** Condition always applied. */
  where?: string;
  /** Roles that may aggregate this subject (default: all staff). */
  roles?: readonly Role[];
  /** A pre-aggregate that answers most requests without scanning the rows (see {@link AggregateRollupDef}). */
  rollup?: AggregateRollupDef;
}

/**
 * A pre-aggregate of a subject: one row per combination of its dimension columns and the whole
 * hours (UTC) of `time` and `endTime`, holding counts and sums, kept exact by triggers in the
 * writing transaction. A request whose dimensions, filters and measures it covers reads the
 * rollup for whole hours and the base rows only for the partial hours at its edges (see
 * aggregate.service.ts); any other request reads the base rows. The rollup must hold exactly the
 * rows `where` admits, and its flag counts and sums must be of the same expressions as the
 * subject's `flags` and `fields`.
 */
export interface AggregateRollupDef {
  /** The rollup table (checked with `to_regclass`; without it the base rows answer). */
  table: string;
  /** FROM clause over the rollup, alias `r`, with the joins of the subject's `from`. */
  from: string;
  /** The whole UTC hour (timestamptz) of the subject's `time`. */
  timeHour: string;
  /** The whole UTC hour of the subject's `endTime` (null while the row counts). */
  endTimeHour?: string;
  /** The number of rows a rollup row stands for. */
  count: string;
  /** The same dimensions as the subject's, over the rollup's columns (PERIOD is built in). */
  dimensions: Partial<Record<AggregateDimension, string>>;
  /** Per flag of the subject: the number of rows for which it holds. */
  flags: Record<string, string>;
  /** Per field of the subject that is never null: its sum (serves SUM and AVG; MIN / MAX read the rows). */
  sums: Record<string, string>;
  /** The jurisdiction column of the rollup. */
  jurisdiction: string;
}

const SUBJECTS = new Map<AggregateSubject, AggregateSubjectDef>();
const NAME = /^[A-Z][A-Z0-9_]{0,39}$/;

/**
 * Registers (or replaces) an aggregate subject. Modules call it at import time or in their
 * `setup`; the table may be created later by a migration — until then the subject answers
 * SUBJECT_NOT_AVAILABLE.
 * @example registerAggregateSubject({ name: AggregateSubject.INSPECTIONS, table: 'inspection', from: 'inspection x', time: 'x.created_at', dimensions: { STATUS: 'x.status::text', DEPARTMENT: 'x.department_code' }, jurisdiction: 'x.jurisdiction_code' })
 * @throws Error for a malformed flag or field name (a programming error).
 */
export function registerAggregateSubject(def: AggregateSubjectDef): void {
  for (const n of [...Object.keys(def.flags ?? {}), ...Object.keys(def.fields ?? {})])
    if (!NAME.test(n)) throw new Error(`aggregate subject ${def.name}: bad flag/field name ${n}`);
  for (const t of [def.table, ...(def.rollup ? [def.rollup.table] : [])])
    if (!/^[a-z_][a-z0-9_.]*$/.test(t)) throw new Error(`aggregate subject ${def.name}: bad table ${t}`);
  const r = def.rollup;
  if (r) {
    for (const f of Object.keys(r.flags))
      if (!def.flags?.[f]) throw new Error(`aggregate subject ${def.name}: rollup flag ${f} is not a flag`);
    for (const f of Object.keys(r.sums))
      if (!def.fields?.[f]) throw new Error(`aggregate subject ${def.name}: rollup sum ${f} is not a field`);
    for (const d of Object.keys(r.dimensions) as AggregateDimension[])
      if (!def.dimensions[d])
        throw new Error(`aggregate subject ${def.name}: rollup dimension ${d} is not a dimension`);
    if (!def.endTime !== !r.endTimeHour)
      throw new Error(`aggregate subject ${def.name}: rollup endTimeHour goes with endTime`);
  }
  SUBJECTS.set(def.name, def);
}

/** The registered definition of a subject, or undefined. */
export function aggregateSubject(name: AggregateSubject): AggregateSubjectDef | undefined {
  return SUBJECTS.get(name);
}

const STAFF = [Role.ADMIN, Role.SUPERVISOR, Role.INSPECTOR, Role.ANALYST] as const;

registerAggregateSubject({
  name: AggregateSubject.TARGETS,
  table: 'target',
  from: `target x left join department d on d.org_code = x.jurisdiction_code and d.kind = 'STATION'`,
  time: 'x.created_at',
  endTime: 'x.archived_at',
  dimensions: {
    DEPARTMENT: 'coalesce(d.code, x.jurisdiction_code)',
    CATEGORY: 'x.category::text',
    GRADE: 'x.grade::text',
    JURISDICTION: 'x.jurisdiction_code',
    STATUS: 'x.status::text',
    SOURCE: 'x.source_system',
  },
  flags: {
    KEY_INSPECTION: 'x.key_inspection',
    HOTEL_BLACKLISTED: 'x.hotel_blacklisted',
    ABNORMAL_LISTED: 'x.abnormal_listed',
    OPERATING: `x.status = 'OPERATING'`,
    HAS_COMPLAINTS: 'x.complaints90d > 0',
    USCC_VALID: 'coalesce(x.uscc_valid, false)',
  },
  fields: { COMPLAINTS_90D: 'x.complaints90d' },
  jurisdiction: 'x.jurisdiction_code',
  roles: STAFF,
  // Maintained by the triggers of migration Migration20261128017000_target_rollup: change both together.
  rollup: {
    table: 'target_rollup',
    from: `target_rollup r left join department d on d.org_code = r.jurisdiction_code and d.kind = 'STATION'`,
    timeHour: 'r.created_hour',
    endTimeHour: 'r.archived_hour',
    count: 'r.n',
    dimensions: {
      DEPARTMENT: 'coalesce(d.code, r.jurisdiction_code)',
      CATEGORY: 'r.category::text',
      GRADE: 'r.grade::text',
      JURISDICTION: 'r.jurisdiction_code',
      STATUS: 'r.status::text',
      SOURCE: 'r.source_system',
    },
    flags: {
      KEY_INSPECTION: 'r.key_inspection_n',
      HOTEL_BLACKLISTED: 'r.hotel_blacklisted_n',
      ABNORMAL_LISTED: 'r.abnormal_listed_n',
      OPERATING: 'r.operating_n',
      HAS_COMPLAINTS: 'r.has_complaints_n',
      USCC_VALID: 'r.uscc_valid_n',
    },
    sums: { COMPLAINTS_90D: 'r.complaints_sum' },
    jurisdiction: 'r.jurisdiction_code',
  },
});

registerAggregateSubject({
  name: AggregateSubject.JOB_RUNS,
  table: 'job_run',
  from: 'job_run x',
  time: 'x.started_at',
  dimensions: { STATUS: 'x.status::text', JOB: 'x.job' },
  flags: { FAILED: `x.status = 'FAILED'`, MANUAL: 'x.manual' },
  fields: { DURATION_SECONDS: 'extract(epoch from (x.finished_at - x.started_at))' },
  roles: [Role.ADMIN, Role.SUPERVISOR, Role.ANALYST],
});

registerAggregateSubject({
  name: AggregateSubject.AUDIT_EVENTS,
  table: 'audit_event',
  from: 'audit_event x',
  time: 'x.at',
  dimensions: {
    ACTION: 'x.action',
    ROLE: 'x.actor_role',
    DEPARTMENT: 'x.actor_dept',
    KIND: 'x.entity_type',
  },
  roles: [Role.ADMIN, Role.SUPERVISOR],
});
