import type { EntityManager } from '@mikro-orm/postgresql';
import type { Scope } from '../../graphql/policy.js';
import { ForbiddenError, ValidationError } from '../../shared/errors.js';
import {
  aggregateSubject,
  AggregateDimension,
  type AggregateRollupDef,
  type AggregateSubjectDef,
} from './aggregate-registry.js';
import {
  AggregateFunction,
  ComparisonOp,
  TimeBucket,
  type AggregateArgs,
  type AggregateResult,
} from './aggregate.types.js';
import { AsOfInFutureError, SubjectNotAvailableError } from './dashboard.errors.js';
import { queryBound } from '../../db/bound.js';

const OPS: Record<ComparisonOp, string> = { EQ: '=', NE: '<>', GT: '>', GTE: '>=', LT: '<', LTE: '<=' };
const DECIMAL = /^-?\d{1,18}(\.\d{1,8})?$/;
/** Clock skew tolerated between replicas before an `asOf` counts as "in the future". */
const FUTURE_SLACK_MS = 5000;
const TZ = `'Asia/Shanghai'`;
const HOUR_MS = 3_600_000;

/** SQL (text) of the first day of the bucket holding `time`, in Asia/Shanghai. */
export function periodSql(time: string, bucket: TimeBucket): string {
  const local = `((${time}) at time zone ${TZ})`;
  if (bucket === TimeBucket.HALF_YEAR)
    return `to_char(make_date(extract(year from ${local})::int, case when extract(month from ${local}) <= 6 then 1 else 7 end, 1), 'YYYY-MM-DD')`;
  const unit = { DAY: 'day', WEEK: 'week', MONTH: 'month', QUARTER: 'quarter' }[bucket];
  return `to_char(date_trunc('${unit}', ${local}), 'YYYY-MM-DD')`;
}

/** A built statement: SQL with `?` placeholders and its bindings. */
export interface AggregateSql {
  sql: string;
  params: unknown[];
  labels: string[];
}

/** How {@link buildAggregateSql} may answer. */
export interface AggregateSqlOptions {
  /** false: read the base rows even where the subject's rollup could answer (tests compare both). */
  rollup?: boolean;
}

/**
 * Builds the statement for an aggregate. Every identifier comes from the subject's registered
 * definition (a fixed map); every caller value is a bound parameter. Where the subject has a
 * rollup covering the request, the statement reads it (see {@link rollupAggregateSql}); it
 * answers exactly what the base rows would, in the same text.
 * @throws ValidationError naming each bad argument (unknown dimension, flag or field, bad having…).
 */
export function buildAggregateSql(
  def: AggregateSubjectDef,
  a: AggregateArgs,
  asOf: Date,
  jurisdictions: string[] | null,
  opts: AggregateSqlOptions = {},
): AggregateSql {
  const base = baseAggregateSql(def, a, asOf, jurisdictions);
  if (opts.rollup === false || !def.rollup || !rollupCovers(def.rollup, a, asOf)) return base;
  return rollupAggregateSql(def, def.rollup, a, asOf, jurisdictions);
}

/** The whole hour at or before `t`. */
const hourFloor = (t: Date) => new Date(Math.floor(t.getTime() / HOUR_MS) * HOUR_MS);
/** The whole hour at or after `t`. */
const hourCeil = (t: Date) => new Date(Math.ceil(t.getTime() / HOUR_MS) * HOUR_MS);

/**
 * Whether the rollup answers a (validated) request: its dimensions and filters are rolled up,
 * every measure is a count or sum of rolled-up flags and fields, and at least one whole hour lies
 * between `since` and `asOf`.
 */
function rollupCovers(r: AggregateRollupDef, a: AggregateArgs, asOf: Date): boolean {
  const dims = [...a.groupBy, ...a.filters.map((f) => f.dimension)];
  if (!dims.every((d) => d === AggregateDimension.PERIOD || r.dimensions[d])) return false;
  const measuresOk = a.measures.every((m) => {
    switch (m.fn) {
      case AggregateFunction.COUNT:
        return true;
      case AggregateFunction.COUNT_IF:
      case AggregateFunction.RATE:
        return !!m.of && !!r.flags[m.of];
      case AggregateFunction.SUM:
      case AggregateFunction.AVG:
        return !!m.of && !!r.sums[m.of];
      default:
        return false;
    }
  });
  return measuresOk && (!a.since || hourCeil(a.since).getTime() < hourFloor(asOf).getTime());
}

/**
 * The statement over the rollup for a request {@link rollupCovers} accepted. With H the hour of
 * `asOf` and S the first whole hour at or after `since`, the rollup gives the rows created in the
 * whole hours [S, H] (H included) that were not archived by the end of hour H; the base rows (index
 * range scans) correct it, judged by the same predicate as {@link baseAggregateSql}: they add the
 * rows created in [since, S) and the rows created from S on and archived within hour H (they count
 * when created by and archived after asOf), and they subtract the rows of the rollup created after
 * asOf, in (asOf, end of H). The correction is the part of hour H after asOf, which is empty when
 * asOf is now: a county that loaded its whole roster within the current hour is counted from the
 * rollup, not row by row. Every part yields per-row (or per-rollup-row) counts and sums, signed,
 * grouped once. Calendar buckets in Asia/Shanghai (UTC+8, and whole-hour offsets in its history)
 * start on whole UTC hours, so PERIOD of the creation hour is PERIOD of the creation time.
 */
function rollupAggregateSql(
  def: AggregateSubjectDef,
  r: AggregateRollupDef,
  a: AggregateArgs,
  asOf: Date,
  jurisdictions: string[] | null,
): AggregateSql {
  const params: unknown[] = [];
  const bind = (v: unknown) => {
    params.push(v);
    return '?';
  };
  const h = hourFloor(asOf);
  const next = new Date(h.getTime() + HOUR_MS);
  const s = a.since ? hourCeil(a.since) : null;
  const dim = (d: AggregateDimension, rollup: boolean) =>
    d === AggregateDimension.PERIOD
      ? periodSql(rollup ? r.timeHour : def.time, a.bucket!)
      : `(${(rollup ? r.dimensions : def.dimensions)[d]!})::text`;

  // The columns both parts yield: c = rows, f<i> = rows where flag i holds, s<i> = sum of field i.
  const cols = new Map<string, { rollup: string; base: string }>([['c', { rollup: r.count, base: '1' }]]);
  const flagCol = (of: string) => {
    const name = `f_${of.toLowerCase()}`;
    cols.set(name, { rollup: r.flags[of]!, base: `(${def.flags![of]!})::int` });
    return `u.${name}`;
  };
  const sumCol = (of: string) => {
    const name = `s_${of.toLowerCase()}`;
    cols.set(name, { rollup: r.sums[of]!, base: `(${def.fields![of]!})` });
    return `u.${name}`;
  };
  // count(*) is 0 over no rows where sum() is null: coalesce keeps '0' for an empty ungrouped result.
  const measures = a.measures.map((m) => {
    switch (m.fn) {
      case AggregateFunction.COUNT:
        return 'coalesce(sum(u.c), 0)';
      case AggregateFunction.COUNT_IF:
        return `coalesce(sum(${flagCol(m.of!)}), 0)`;
      case AggregateFunction.RATE:
        return `round((coalesce(sum(${flagCol(m.of!)}), 0))::numeric / nullif(coalesce(sum(u.c), 0), 0), 4)`;
      case AggregateFunction.SUM:
        // Over no rows (signed parts that cancel out) a sum is null, as the base rows give it.
        return `case when coalesce(sum(u.c), 0) > 0 then sum(${sumCol(m.of!)}) end`;
      default:
        return `round((sum(${sumCol(m.of!)}))::numeric / nullif(sum(u.c), 0), 4)`;
    }
  });
  const part = (rollup: boolean, where: string[], sign: 1 | -1 = 1) => {
    const keys = a.groupBy.map((d, i) => `${dim(d, rollup)} as k${i}`);
    const values = [...cols].map(
      ([name, e]) => `${sign < 0 ? '-' : ''}(${rollup ? e.rollup : e.base}) as ${name}`,
    );
    if (jurisdictions) {
      where.push(
        jurisdictions.length === 0
          ? 'false'
          : `(${rollup ? r.jurisdiction : def.jurisdiction}) in (${jurisdictions.map((j) => bind(j)).join(', ')})`,
      );
    }
    for (const f of a.filters)
      where.push(`${dim(f.dimension, rollup)} in (${f.values.map((v) => bind(v)).join(', ')})`);
    return `select ${[...keys, ...values].join(', ')} from ${rollup ? r.from : def.from} where ${where.join(' and ')}`;
  };

  // A rollup row is one shard of a group and may count below zero on its own: groups are judged
  // by their sums (the having below), never row by row.
  const rollupWhere = [`(${r.timeHour}) < ${bind(next)}`];
  if (s) rollupWhere.push(`(${r.timeHour}) >= ${bind(s)}`);
  if (r.endTimeHour) rollupWhere.push(`((${r.endTimeHour}) is null or (${r.endTimeHour}) > ${bind(h)})`);
  const rollupPart = part(true, rollupWhere);

  const t = `(${def.time})`;
  const e = def.endTime && `(${def.endTime})`;
  const parts = [rollupPart];
  const sinceEdge = !!a.since && s!.getTime() > a.since.getTime();
  if (sinceEdge || e) {
    const baseWhere = [`${t} <= ${bind(asOf)}`];
    if (e) baseWhere.push(`(${e} is null or ${e} > ${bind(asOf)})`);
    if (def.where) baseWhere.push(`(${def.where})`);
    if (a.since) baseWhere.push(`${t} >= ${bind(a.since)}`);
    const edges: string[] = [];
    if (sinceEdge) edges.push(`(${t} >= ${bind(a.since)} and ${t} < ${bind(s)})`);
    if (e)
      edges.push(`(${e} >= ${bind(h)} and ${e} < ${bind(next)}` + (s ? ` and ${t} >= ${bind(s)})` : ')'));
    parts.push(part(false, [...baseWhere, `(${edges.join(' or ')})`]));
  }
  // The rollup's rows of hour H created after asOf (those archived within H it does not hold).
  const laterWhere = [`${t} > ${bind(asOf)}`, `${t} < ${bind(next)}`];
  if (e) laterWhere.push(`(${e} is null or ${e} >= ${bind(next)})`);
  if (def.where) laterWhere.push(`(${def.where})`);
  parts.push(part(false, laterWhere, -1));

  // A group all of whose targets are gone sums to a count of 0 in the rollup: the base rows would
  // have no group at all.
  const having = [
    ...(a.groupBy.length ? ['sum(u.c) > 0'] : []),
    ...a.having.map((hv) => `(${measures[hv.measure]})::numeric ${OPS[hv.op]} ${bind(hv.value)}::numeric`),
  ];
  const order = a.orderBy.map((o) => {
    const dir = o.descending ? 'desc nulls last' : 'asc nulls first';
    return o.measure != null ? `m${o.measure} ${dir}` : `k${o.key} ${dir}`;
  });
  const select = [
    ...a.groupBy.map((_, i) => `u.k${i} as k${i}`),
    ...measures.map((m, i) => `(${m})::text as m${i}`),
  ].join(', ');
  const groupBy = a.groupBy.length ? ` group by ${a.groupBy.map((_, i) => i + 1).join(', ')}` : '';
  const orderBy = [...order, ...a.groupBy.map((_, i) => `k${i} asc nulls first`)];
  const sql =
    `select ${select} from (${parts.join(' union all ')}) u${groupBy}` +
    (having.length ? ` having ${having.join(' and ')}` : '') +
    (orderBy.length ? ` order by ${orderBy.join(', ')}` : '') +
    ` limit ${bind(a.first + 1)}`;
  return {
    sql,
    params,
    labels: a.measures.map((m) => (m.fn === AggregateFunction.COUNT ? 'COUNT' : `${m.fn}(${m.of ?? ''})`)),
  };
}

/** The statement over the subject's rows (every request can be answered so). */
function baseAggregateSql(
  def: AggregateSubjectDef,
  a: AggregateArgs,
  asOf: Date,
  jurisdictions: string[] | null,
): AggregateSql {
  const problems: { field: string; message: string }[] = [];
  const params: unknown[] = [];
  const bind = (v: unknown) => {
    params.push(v);
    return '?';
  };
  const dimensionSql = (d: AggregateDimension, field: string): string | null => {
    if (d === AggregateDimension.PERIOD) {
      if (!a.bucket) {
        problems.push({ field: 'bucket', message: 'needed when grouping or filtering by PERIOD' });
        return null;
      }
      return periodSql(def.time, a.bucket);
    }
    const e = def.dimensions[d];
    if (!e) {
      const known = [...Object.keys(def.dimensions), 'PERIOD'].join(', ');
      problems.push({ field, message: `${def.name} has no dimension ${d}; it has ${known}` });
      return null;
    }
    return `(${e})::text`;
  };

  if (a.groupBy.length > 4) problems.push({ field: 'groupBy', message: 'at most 4 dimensions' });
  if (new Set(a.groupBy).size !== a.groupBy.length)
    problems.push({ field: 'groupBy', message: 'a dimension is repeated' });
  const keys = a.groupBy.map((d, i) => dimensionSql(d, `groupBy.${i}`));

  if (a.measures.length < 1 || a.measures.length > 8)
    problems.push({ field: 'measures', message: 'from 1 to 8 measures' });
  const labels: string[] = [];
  const measures = a.measures.map((m, i) => {
    const field = `measures.${i}.of`;
    labels.push(m.fn === AggregateFunction.COUNT ? 'COUNT' : `${m.fn}(${m.of ?? ''})`);
    if (m.fn === AggregateFunction.COUNT) return 'count(*)';
    if (m.fn === AggregateFunction.COUNT_IF || m.fn === AggregateFunction.RATE) {
      const flag = m.of ? def.flags?.[m.of] : undefined;
      if (!flag) {
        problems.push({
          field,
          message: `expected a flag of ${def.name}: ${Object.keys(def.flags ?? {}).join(', ') || 'none'}`,
        });
        return 'null';
      }
      return m.fn === AggregateFunction.COUNT_IF
        ? `count(*) filter (where ${flag})`
        : `round((count(*) filter (where ${flag}))::numeric / nullif(count(*), 0), 4)`;
    }
    const num = m.of ? def.fields?.[m.of] : undefined;
    if (!num) {
      problems.push({
        field,
        message: `expected a field of ${def.name}: ${Object.keys(def.fields ?? {}).join(', ') || 'none'}`,
      });
      return 'null';
    }
    if (m.fn === AggregateFunction.AVG) return `round(avg(${num})::numeric, 4)`;
    return `${m.fn.toLowerCase()}(${num})`;
  });

  const where: string[] = [`(${def.time}) <= ${bind(asOf)}`];
  if (def.endTime) where.push(`((${def.endTime}) is null or (${def.endTime}) > ${bind(asOf)})`);
  if (def.where) where.push(`(${def.where})`);
  if (a.since) where.push(`(${def.time}) >= ${bind(a.since)}`);
  if (jurisdictions) {
    where.push(
      jurisdictions.length === 0
        ? 'false'
        : `(${def.jurisdiction}) in (${jurisdictions.map((j) => bind(j)).join(', ')})`,
    );
  }
  a.filters.forEach((f, i) => {
    const e = dimensionSql(f.dimension, `filters.${i}.dimension`);
    if (f.values.length < 1 || f.values.length > 100)
      problems.push({ field: `filters.${i}.values`, message: 'from 1 to 100 values' });
    else if (e) where.push(`${e} in (${f.values.map((v) => bind(v)).join(', ')})`);
  });

  const having = a.having.map((h, i) => {
    if (!Number.isInteger(h.measure) || h.measure < 0 || h.measure >= measures.length) {
      problems.push({
        field: `having.${i}.measure`,
        message: `expected a measure position from 0 to ${measures.length - 1}`,
      });
      return 'true';
    }
    if (!DECIMAL.test(h.value)) {
      problems.push({
        field: `having.${i}.value`,
        message: `expected a decimal such as "10" or "0.05", got "${h.value}"`,
      });
      return 'true';
    }
    return `(${measures[h.measure]})::numeric ${OPS[h.op]} ${bind(h.value)}::numeric`;
  });

  const order = a.orderBy.map((o, i) => {
    const dir = o.descending ? 'desc nulls last' : 'asc nulls first';
    if ((o.measure == null) === (o.key == null)) {
      problems.push({ field: `orderBy.${i}`, message: 'give exactly one of measure or key' });
      return '1';
    }
    if (o.measure != null) {
      if (!Number.isInteger(o.measure) || o.measure < 0 || o.measure >= measures.length) {
        problems.push({ field: `orderBy.${i}.measure`, message: 'not a measure position' });
        return '1';
      }
      return `m${o.measure} ${dir}`;
    }
    if (!Number.isInteger(o.key) || o.key! < 0 || o.key! >= keys.length) {
      problems.push({ field: `orderBy.${i}.key`, message: 'not a groupBy position' });
      return '1';
    }
    return `k${o.key} ${dir}`;
  });
  if (!Number.isInteger(a.first) || a.first < 1 || a.first > 1000)
    problems.push({ field: 'first', message: `expected 1 to 1000, got ${a.first}` });
  if (problems.length) throw new ValidationError(problems);

  const select = [
    ...keys.map((k, i) => `${k} as k${i}`),
    ...measures.map((m, i) => `(${m})::text as m${i}`),
  ].join(', ');
  const groupBy = keys.length ? ` group by ${keys.map((_, i) => i + 1).join(', ')}` : '';
  const orderBy = [...order, ...keys.map((_, i) => `k${i} asc nulls first`)];
  const sql =
    `select ${select} from ${def.from} where ${where.join(' and ')}${groupBy}` +
    (having.length ? ` having ${having.join(' and ')}` : '') +
    (orderBy.length ? ` order by ${orderBy.join(', ')}` : '') +
    ` limit ${bind(a.first + 1)}`;
  return { sql, params, labels };
}

/**
 * Group-by aggregates over registered subjects, computed in one SQL statement each, with the
 * caller's row scope applied (police stations only see their jurisdiction).
 *
 * Snapshot (`asOf`): a row counts when its event time is at or before `asOf` and, for subjects
 * with an end time, it had not ended by then. A dashboard reads `asOf` from its first panel and
 * passes it to the rest, so panels computed seconds apart agree even while rows arrive. What a
 * row-level time cannot give: attribute changes after `asOf` (a status or grade changed later
 * shows its current value) — the history tables of the modules that need it answer that.
 */
export class AggregateService {
  private readonly tablesSeen = new Set<string>();

  constructor(private readonly clock: () => Date = () => new Date()) {}

  /**
   * Runs one aggregate.
   * @throws SubjectNotAvailableError, ForbiddenError (role or scope), ValidationError, AsOfInFutureError.
   */
  async aggregate(em: EntityManager, scope: Scope, a: AggregateArgs): Promise<AggregateResult> {
    const def = aggregateSubject(a.subject);
    if (!def) throw new SubjectNotAvailableError(a.subject, 'no module has registered it');
    if (def.roles && !def.roles.includes(scope.user.role))
      throw new ForbiddenError(`role ${scope.user.role} may not aggregate ${a.subject}`);
    const jurisdictions = scope.visibleJurisdictions();
    if (jurisdictions && !def.jurisdiction)
      throw new ForbiddenError(`${a.subject} has no jurisdiction, so a police station may not aggregate it`);
    const now = this.clock();
    const asOf = a.asOf ?? now;
    if (asOf.getTime() > now.getTime() + FUTURE_SLACK_MS) throw new AsOfInFutureError(asOf);
    if (!(await this.tableExists(em, def.table)))
      throw new SubjectNotAvailableError(a.subject, `table ${def.table} does not exist yet`);
    const rollup = !!def.rollup && (await this.tableExists(em, def.rollup.table));
    const built = buildAggregateSql(def, a, asOf, jurisdictions, { rollup });
    // Bound parameters (the SQL is built with `?` for each value), prepared: a dashboard asks the
    // same shapes again and again, and planning is an eighth of a coverage aggregate's time.
    const rows = await queryBound<Record<string, string | null>>(em, built.sql, built.params, {
      prepare: true,
    });
    const truncated = rows.length > a.first;
    return {
      subject: a.subject,
      asOf,
      groupBy: a.groupBy,
      measures: built.labels,
      truncated,
      rows: rows.slice(0, a.first).map((r) => ({
        keys: a.groupBy.map((_, i) => r[`k${i}`] ?? null),
        values: a.measures.map((_, i) => r[`m${i}`] ?? null),
      })),
    };
  }

  /** Whether a table exists; a table once seen is not looked up again (tables are not dropped). */
  private async tableExists(em: EntityManager, table: string): Promise<boolean> {
    if (this.tablesSeen.has(table)) return true;
    const r: { ok: boolean }[] = await em
      .getConnection()
      .execute('select to_regclass(?) is not null as ok', [table]);
    if (r[0]?.ok) this.tablesSeen.add(table);
    return !!r[0]?.ok;
  }
}
