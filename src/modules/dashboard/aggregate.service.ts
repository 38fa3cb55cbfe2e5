import type { EntityManager } from '@mikro-orm/postgresql';
import type { Scope } from '../../graphql/policy.js';
import { ForbiddenError, ValidationError } from '../../shared/errors.js';
import { aggregateSubject, AggregateDimension, type AggregateSubjectDef } from './aggregate-registry.js';
import {
  AggregateFunction,
  ComparisonOp,
  TimeBucket,
  type AggregateArgs,
  type AggregateResult,
} from './aggregate.types.js';
import { AsOfInFutureError, SubjectNotAvailableError } from './dashboard.errors.js';

const OPS: Record<ComparisonOp, string> = { EQ: '=', NE: '<>', GT: '>', GTE: '>=', LT: '<', LTE: '<=' };
const DECIMAL = /^-?\d{1,18}(\.\d{1,8})?$/;
/** Clock skew tolerated between replicas before an `asOf` counts as "in the future". */
const FUTURE_SLACK_MS = 5000;
const TZ = `'Asia/Shanghai'`;

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

/**
 * Builds the statement for an aggregate. Every identifier comes from the subject's registered
 * definition (a fixed map); every caller value is a bound parameter.
 * @throws ValidationError naming each bad argument (unknown dimension, flag or field, bad having…).
 */
export function buildAggregateSql(
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
    const conn = em.getConnection();
    if (!this.tablesSeen.has(def.table)) {
      const r: { ok: boolean }[] = await conn.execute('select to_regclass(?) is not null as ok', [def.table]);
      if (!r[0]?.ok) throw new SubjectNotAvailableError(a.subject, `table ${def.table} does not exist yet`);
      this.tablesSeen.add(def.table);
    }
    const built = buildAggregateSql(def, a, asOf, jurisdictions);
    const rows: Record<string, string | null>[] = await conn.execute(built.sql, built.params);
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
}
