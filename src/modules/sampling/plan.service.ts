import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Ctx } from '../../graphql/context.js';
import type { Principal } from '../../graphql/auth.js';
import { Role } from '../../graphql/auth.js';
import type { AuditService } from '../audit/audit.service.js';
import { REGION_CODE } from '../targets/target.service.js';
import { addMonths, periodOf, PERIOD_MONTHS } from '../rules/schedule.js';
import { isWorkingDay, todayInShanghai, addDays, type WorkCalendar } from '../calendar/working-days.js';
import type {
  Inspector as PoolInspectorInput,
  PoolTarget,
  Relationship as PoolRelationship,
} from '../draw/algorithm.js';
import type { TargetCategory } from '../targets/target-category.js';
import { ValidationError, NotFoundError } from '../../shared/errors.js';
import { isIsoDate } from '../../shared/input.js';
import { Department } from '../org/department.entity.js';
import { JointPool } from '../inspectors/joint-pool.entity.js';
import { PlanStratum, SamplingPlan, SamplingPlanStatus } from './sampling-plan.entity.js';
import type { SamplingRulesService } from './sampling-rules.service.js';
import { StrataAccumulator, type PlanPoolRow, type StratumPlan } from './plan-quota.js';
import { PackedPoolTarget } from '../draw/packed-target.js';
import { INSPECTOR_POOL_SQL, RELATIONSHIPS_SQL, TARGET_POOL_SQL } from './pool-sql.js';
import { SamplingError } from './sampling.errors.js';
import { pgArray } from '../../db/pg-array.js';
import { boostResolver, type TargetSignals } from './boost-resolver.js';

/** Workload cap of job-prepared plans: inspections per inspector per period. Plans made by hand set their own. */
export const DEFAULT_WORKLOAD_CAP = 20;
/** Rows per `fetch` when streaming a target pool: bounds the rows alive at once. */
export const POOL_FETCH_ROWS = 2_000;
/** Team size of job-prepared plans (治安管理处罚法 Art 87: at least two). */
export const DEFAULT_TEAM_SIZE = 2;

/** Input of {@link PlanService.create}. */
export interface PlanInput {
  departmentCodes: string[];
  periodMonths: number;
  plannedDate: string;
  itemCodes: string[];
  categories: string[];
  teamSize: number;
  workloadCap: number;
  stratumMinimum: number;
}

/** A plan's pools, read from the database in bulk and ready to freeze. */
export interface PlanPools {
  targets: PoolTarget[];
  inspectors: PoolInspectorInput[];
  relationships: PoolRelationship[];
  strata: StratumPlan[];
  mustInclude: string[];
  /** inspector id → police number (kept out of the published record). */
  policeNoOf: Map<string, string>;
}

function periodMonthsOf(plan: SamplingPlan): number {
  const [sy, sm] = plan.periodStart.split('-').map(Number) as [number, number];
  const [ey, em] = plan.periodEnd.split('-').map(Number) as [number, number];
  return (ey - sy) * 12 + (em - sm) + 1;
}

/**
 * Sampling plans (抽查计划): creation by hand or by the `sampling:prepare-plans` job, and the bulk SQL
 * that computes their target and inspector pools under the rules in force.
 */
export class PlanService {
  constructor(
    private readonly audit: AuditService,
    private readonly rules: SamplingRulesService,
  ) {}

  private async validate(em: EntityManager, input: PlanInput): Promise<void> {
    const p: { field: string; message: string }[] = [];
    if (
      !input.departmentCodes.length ||
      new Set(input.departmentCodes).size !== input.departmentCodes.length
    ) {
      p.push({ field: 'departmentCodes', message: 'name at least one department, each once' });
    }
    const known = await em.count(Department, { code: { $in: input.departmentCodes } });
    if (known !== new Set(input.departmentCodes).size) {
      p.push({ field: 'departmentCodes', message: 'every department must exist' });
    }
    if (!(PERIOD_MONTHS as readonly number[]).includes(input.periodMonths)) {
      p.push({ field: 'periodMonths', message: 'must be 1, 2, 3, 6 or 12' });
    }
    if (!isIsoDate(input.plannedDate)) p.push({ field: 'plannedDate', message: 'expected YYYY-MM-DD' });
    if (!Number.isInteger(input.teamSize) || input.teamSize < 2) {
      p.push({ field: 'teamSize', message: 'at least 2 inspectors per inspection (治安管理处罚法 Art 87)' });
    }
    if (!Number.isInteger(input.workloadCap) || input.workloadCap < 1) {
      p.push({ field: 'workloadCap', message: 'must be a positive integer' });
    }
    if (!Number.isInteger(input.stratumMinimum) || input.stratumMinimum < 0) {
      p.push({ field: 'stratumMinimum', message: 'must be 0 or more' });
    }
    if (p.length) throw new ValidationError(p);
    if (input.departmentCodes.length > 1) {
      const pools = await em.find(JointPool, {
        approvedOn: { $lte: input.plannedDate },
        $or: [{ validTo: null }, { validTo: { $gte: input.plannedDate } }],
      });
      if (!pools.some((pool) => input.departmentCodes.every((d) => pool.departmentCodes.includes(d)))) {
        throw new SamplingError(
          'PLAN_JOINT_NOT_APPROVED',
          `a joint inspection of ${input.departmentCodes.join(', ')} needs an approved joint pool (联合建库) holding all of them`,
          { field: 'departmentCodes' },
        );
      }
    }
  }

  /**
   * Creates a plan for the calendar period (of `periodMonths`) containing `plannedDate` and computes its
   * strata. Joint plans (several departments) need an approved joint pool holding them all. Audited.
   */
  async create(ctx: Ctx, input: PlanInput): Promise<SamplingPlan> {
    const scope = await ctx.scope();
    if (ctx.user.role !== Role.ADMIN) scope.assertCanChangeDepartment(input.departmentCodes[0] ?? '');
    return ctx.em.transactional(async (em) => {
      await this.validate(em, input);
      const period = periodOf(input.plannedDate, input.periodMonths);
      const plan = em.create(SamplingPlan, {
        regionCode: REGION_CODE,
        departmentCodes: input.departmentCodes,
        leadDepartmentCode: input.departmentCodes[0]!,
        periodLabel: period.label,
        periodStart: period.start,
        periodEnd: period.end,
        plannedDate: input.plannedDate,
        itemCodes: input.itemCodes,
        categories: input.categories,
        teamSize: input.teamSize,
        workloadCap: input.workloadCap,
        stratumMinimum: input.stratumMinimum,
        createdBy: ctx.user.sub,
      });
      await em.flush();
      await this.refreshStrata(em, plan);
      await this.audit.record(em, ctx.user, {
        action: 'samplingPlan.create',
        entityType: 'SamplingPlan',
        entityId: plan.id,
        after: { ...input, periodLabel: period.label },
      });
      return plan;
    });
  }

  /** Loads a plan or fails with NOT_FOUND. */
  async get(em: EntityManager, id: string): Promise<SamplingPlan> {
    const plan = await em.findOne(SamplingPlan, { id, regionCode: REGION_CODE });
    if (!plan) throw new NotFoundError('sampling plan', id);
    return plan;
  }

  /** Recomputes and stores the plan's strata (size, must-include, quota) from the current roster. */
  async refreshStrata(em: EntityManager, plan: SamplingPlan, pools?: PlanPools): Promise<StratumPlan[]> {
    const strata = (pools ?? (await this.loadPools(em, plan, { targetsOnly: true }))).strata;
    await em.nativeDelete(PlanStratum, { plan: plan.id });
    if (strata.length) {
      await em.getConnection().execute(
        `insert into plan_stratum (plan_id, region_code, stratum, category, grade, jurisdiction_code, boost_weight, size,
           must_include, quota, minimum, quota_percent, multiplier)
         select ?::uuid, ?, s.* from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::int[], ?::int[],
           ?::int[], ?::int[], ?::text[], ?::text[]) as s`,
        [
          plan.id,
          REGION_CODE,
          pgArray(strata.map((s) => s.stratum)),
          pgArray(strata.map((s) => s.category)),
          pgArray(strata.map((s) => s.grade)),
          pgArray(strata.map((s) => s.jurisdictionCode)),
          pgArray(strata.map((s) => s.boostWeight)),
          pgArray(strata.map((s) => s.size)),
          pgArray(strata.map((s) => s.mustInclude)),
          pgArray(strata.map((s) => s.quota)),
          pgArray(strata.map((s) => s.minimum)),
          pgArray(strata.map((s) => s.quotaPercent)),
          pgArray(strata.map((s) => s.multiplier)),
        ],
        'all',
        em.getTransactionContext(),
      );
    }
    return strata;
  }

  /**
   * Reads the plan's pools in bulk (three statements, ordered `id COLLATE "C"`), under the rules in
   * force on the planned date. `targetsOnly` skips the inspector side (for previews).
   *
   * The target pool (up to a million rows) is streamed through a server-side cursor in batches of
   * {@link POOL_FETCH_ROWS}: each batch becomes compact {@link PackedPoolTarget}s and strata tallies
   * and is dropped, so the rows are never all held at once. Runs in the caller's transaction, or in
   * its own when there is none (a cursor lives in a transaction).
   */
  async loadPools(
    em: EntityManager,
    plan: SamplingPlan,
    opts: { targetsOnly?: boolean } = {},
  ): Promise<PlanPools> {
    if (!em.getTransactionContext()) return em.transactional((tx) => this.loadPools(tx, plan, opts));
    const conn = em.getConnection();
    const trx = em.getTransactionContext();
    const day = plan.plannedDate;
    const rules = await this.rules.inForce(em, day);
    type Row = PlanPoolRow & TargetSignals & { persons: string | null; last_team: string | null; j: string };
    const cursor = `target_pool_${randomUUID().replace(/-/g, '')}`;
    // A cursor is planned for its first 10% by default (fast start); the whole pool is read, so plan for all of it.
    const [{ previous }] = await conn.execute<[{ previous: string }]>(
      `select current_setting('cursor_tuple_fraction') as previous, set_config('cursor_tuple_fraction', '1', true)`,
      [],
      'all',
      trx,
    );
    await conn.execute(
      `declare ${cursor} no scroll cursor for ${TARGET_POOL_SQL}`,
      [
        REGION_CODE,
        day,
        day,
        pgArray(plan.departmentCodes),
        day,
        REGION_CODE,
        pgArray(plan.categories),
        pgArray(plan.categories),
        plan.periodEnd,
      ],
      'all',
      trx,
    );
    await conn.execute(`select set_config('cursor_tuple_fraction', ?, true)`, [previous], 'all', trx);
    const boostOf = boostResolver(rules.boosts);
    const accumulator = new StrataAccumulator();
    const lead = plan.leadDepartmentCode;
    const targets: PoolTarget[] = [];
    const mustInclude: string[] = [];
    // One string per category, shared by its targets (each row brings its own copy).
    const categories = new Map<string, TargetCategory>();
    for (;;) {
      const rows = await conn.execute<Row[]>(`fetch ${POOL_FETCH_ROWS} from ${cursor}`, [], 'all', trx);
      for (const r of rows) {
        const effect = boostOf(r);
        r.force = effect.force;
        r.weight = effect.weight;
        const stratum = accumulator.add(r);
        let category = categories.get(r.category);
        if (category === undefined) {
          category = r.category as TargetCategory;
          categories.set(category, category);
        }
        targets.push(new PackedPoolTarget(r.id, stratum, category, lead, r.persons, r.last_team));
        if (r.due || r.force) mustInclude.push(r.id);
      }
      if (rows.length < POOL_FETCH_ROWS) break;
    }
    await conn.execute(`close ${cursor}`, [], 'all', trx);
    const strata = accumulator.finish(rules.frequency, rules.windows, {
      plannedDate: day,
      periodMonths: periodMonthsOf(plan),
      stratumMinimum: plan.stratumMinimum,
    });
    const pools: PlanPools = {
      targets,
      inspectors: [],
      relationships: [],
      strata,
      mustInclude,
      policeNoOf: new Map(),
    };
    if (opts.targetsOnly) return pools;
    const inspectors = await conn.execute<
      {
        id: string;
        police_no: string;
        department_code: string;
        status: string;
        vf: string;
        vt: string;
        qc: string[];
        pool_depts: string[];
        load: number;
      }[]
    >(
      INSPECTOR_POOL_SQL,
      [
        day,
        day,
        REGION_CODE,
        plan.periodStart,
        plan.periodEnd,
        REGION_CODE,
        pgArray(plan.departmentCodes),
        lead,
      ],
      'all',
      trx,
    );
    for (const i of inspectors) {
      pools.policeNoOf.set(i.id, i.police_no);
      pools.inspectors.push({
        id: i.id,
        departmentCode: i.department_code,
        poolDepartmentCodes: i.pool_depts,
        certificateValidFrom: i.vf,
        certificateValidTo: i.vt,
        status: i.status as PoolInspectorInput['status'],
        qualifiedCategories: i.qc as TargetCategory[],
        currentLoad: i.load,
      });
    }
    const rels = await conn.execute<
      { inspector_id: string; target_id: string | null; person_id: string | null }[]
    >(RELATIONSHIPS_SQL, [day, day], 'all', trx);
    pools.relationships = rels
      .filter((r) => pools.policeNoOf.has(r.inspector_id))
      .map((r) => ({
        inspectorId: r.inspector_id,
        ...(r.target_id ? { targetId: r.target_id } : {}),
        ...(r.person_id ? { personId: r.person_id } : {}),
      }));
    return pools;
  }

  /**
   * The `sampling:prepare-plans` job: one monthly plan per department with categories and inspectors
   * for the month after `now`, on its first working day. Idempotent: a partial unique index on
   * (region, lead department, period) where job_slot is set makes replicas and re-runs collapse.
   */
  async prepareUpcoming(
    em: EntityManager,
    actor: Principal,
    slot: Date,
    now: Date,
    calendar: WorkCalendar | null,
  ): Promise<{ period: string; created: number; existing: number }> {
    const start = addMonths(`${todayInShanghai(now).slice(0, 7)}-01`, 1);
    const period = periodOf(start, 1);
    let planned = period.start;
    if (calendar) {
      try {
        while (!isWorkingDay(calendar, planned) && planned < period.end) planned = addDays(planned, 1);
      } catch {
        planned = period.start;
      }
    }
    return em.transactional(async (tx) => {
      const depts = await tx.getConnection().execute<{ code: string }[]>(
        `select d.code from department d where d.region_code = ? and d.archived_at is null and cardinality(d.categories) > 0
           and (select count(*) from inspector i where i.department_code = d.code and i.archived_at is null
                and i.status = 'ACTIVE') >= ? order by d.code`,
        [REGION_CODE, DEFAULT_TEAM_SIZE],
        'all',
        tx.getTransactionContext(),
      );
      let created = 0;
      for (const d of depts) {
        const id = randomUUID();
        const inserted = await tx.getConnection().execute<{ id: string }[]>(
          `insert into sampling_plan (id, region_code, department_codes, lead_department_code, period_label, period_start,
             period_end, planned_date, item_codes, team_size, workload_cap, job_slot, created_by)
           select ?, ?, array[?::text], ?, ?, ?, ?, ?,
             coalesce((select array_agg(code order by code) from inspection_item where department_code = ? and status = 'PUBLISHED'), '{}'),
             ?, ?, ?, ?
           on conflict (region_code, lead_department_code, period_label) where job_slot is not null do nothing
           returning id::text as id`,
          [
            id,
            REGION_CODE,
            d.code,
            d.code,
            period.label,
            period.start,
            period.end,
            planned,
            d.code,
            DEFAULT_TEAM_SIZE,
            DEFAULT_WORKLOAD_CAP,
            slot,
            actor.sub,
          ],
          'all',
          tx.getTransactionContext(),
        );
        if (!inserted.length) continue;
        created++;
        const plan = await tx.findOneOrFail(SamplingPlan, { id });
        await this.refreshStrata(tx, plan);
        await this.audit.record(tx, actor, {
          action: 'samplingPlan.prepare',
          entityType: 'SamplingPlan',
          entityId: id,
          after: { department: d.code, period: period.label, plannedDate: planned },
          details: { slot: slot.toISOString() },
        });
      }
      return { period: period.label, created, existing: depts.length - created };
    });
  }

  /** Marks a plan LOCKED once its draw is locked. */
  markLocked(plan: SamplingPlan): void {
    if (plan.status !== SamplingPlanStatus.OPEN) {
      throw new SamplingError('PLAN_STATE', `plan ${plan.id} is ${plan.status}, expected OPEN`);
    }
    plan.status = SamplingPlanStatus.LOCKED;
  }
}
