import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Ctx } from '../../graphql/context.js';
import { Role } from '../../graphql/auth.js';
import type { AuditService } from '../audit/audit.service.js';
import { executeBound } from '../../db/bound.js';
import type { EventService, PublishInput } from '../events/event.service.js';
import { REGION_CODE } from '../targets/target.service.js';
import {
  ALGORITHM_VERSION,
  commitSeed,
  DrawInputError,
  freezeInspectorPool,
  freezeTargetPool,
  fromHex,
  hashParams,
  toHex,
  type DrawParams,
} from '../draw/algorithm.js';
import { computeDraw, verifyDrawRecord, type DrawRecord, type DrawResult } from '../draw/record.js';
import { generateSeed, sm3Node } from '../draw/sm3-node.js';
import { addWorkingDays } from '../calendar/working-days.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../../shared/errors.js';
import { isIsoDate } from '../../shared/input.js';
import { Inspector } from '../inspectors/inspector.entity.js';
import { Relationship, RelationshipKind } from '../inspectors/relationship.entity.js';
import { Target } from '../targets/target.entity.js';
import { SamplingPlan, SamplingPlanStatus } from './sampling-plan.entity.js';
import {
  AssignmentChange,
  AssignmentChangeStatus,
  DrawAssignment,
  DrawStatus,
  RecusalRequest,
  RecusalRequestStatus,
  SamplingDraw,
} from './sampling-draw.entity.js';
import type { PlanService } from './plan.service.js';
import type { PiiService } from '../pii/pii.service.js';
import type { SamplingRulesService } from './sampling-rules.service.js';
import { DrawInfeasibleError, SamplingError } from './sampling.errors.js';
import { pgArray } from '../../db/pg-array.js';
import { decodePools, encodePools, type StoredPools } from './pool-store.js';

/** Rows per insert statement when a lock writes its assignments. */
const ASSIGNMENT_BATCH = 2000;

/** An assignment as the lock writes it (one row of draw_assignment). */
interface LockedAssignment {
  id: string;
  targetId: string;
  jurisdictionCode: string;
  plannedDate: string;
  inspectorIds: string[];
  policeNos: string[];
  departmentItems: Record<string, string[]>;
}

/** Reason codes accepted for a manual change of a locked team. */
export const CHANGE_REASON_CODES = [
  'ILLNESS',
  'RECUSAL',
  'CERTIFICATE',
  'WORKLOAD',
  'DUTY_CONFLICT',
  'OTHER',
] as const;

/** Verification answer of {@link DrawService.verify}. */
export interface DrawVerificationResult {
  match: boolean;
  firstDifference: string | null;
}

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

function readPools(draw: SamplingDraw): Promise<StoredPools> {
  return decodePools(draw.poolsGz);
}

/** What reading a draw's secret needs: the entity manager and the keyring holder. */
export type DrawReader = Pick<Ctx, 'em' | 'services'>;

const LEGACY_CLEAR_SEED = /^[0-9a-f]{64}$/;

/** The seed (hex) of a stored draw: opens the sealed token, or reads a legacy clear row as is. */
function openSeed(pii: PiiService, stored: string): string {
  return LEGACY_CLEAR_SEED.test(stored) ? stored : pii.openSecret(stored);
}

/**
 * The verifiable draw (docs/draw-algorithm.md) over a plan: commit (pools frozen and hashed, seed
 * committed, announced) → draw (optional public entropy; every attempt kept) → lock (seed revealed,
 * teams written, events published). Redraws need a new commitment and a recorded reason; changes
 * after the lock need a reason code and a second person.
 */
export class DrawService {
  constructor(
    private readonly audit: AuditService,
    private readonly events: EventService,
    private readonly plans: PlanService,
    private readonly rules: SamplingRulesService,
  ) {}

  private async lockDraw(
    em: EntityManager,
    id: string,
    populate: readonly string[] = ['seedSealed', 'poolsGz', 'result'],
  ): Promise<SamplingDraw> {
    const rows = await em
      .getConnection()
      .execute<{ id: string }[]>(
        'select id from sampling_draw where id = ? for update',
        [id],
        'all',
        em.getTransactionContext(),
      );
    if (!rows.length) throw new NotFoundError('draw', id);
    return em.findOneOrFail(SamplingDraw, { id }, { populate: populate as never });
  }

  private async assertScope(ctx: Ctx, plan: SamplingPlan): Promise<void> {
    if (ctx.user.role === Role.ADMIN) return;
    (await ctx.scope()).assertCanChangeDepartment(plan.leadDepartmentCode);
  }

  /**
   * Freezes the plan's pools, generates a secret seed and stores its SM3 commitment with the pool and
   * params hashes; publishes `drawCommitted` (the announcement). A further attempt on the same plan
   * needs `reason`; the live earlier attempt becomes SUPERSEDED.
   * @throws SamplingError DRAW_REDRAW_NEEDS_REASON, PLAN_STATE, DRAW_EMPTY_POOL, DRAW_INVALID_INPUT.
   */
  async commit(ctx: Ctx, planId: string, reason: string | null): Promise<SamplingDraw> {
    return ctx.em.transactional(async (em) => {
      await em
        .getConnection()
        .execute(
          'select id from sampling_plan where id = ? for update',
          [planId],
          'all',
          em.getTransactionContext(),
        );
      const plan = await this.plans.get(em, planId);
      await this.assertScope(ctx, plan);
      if (plan.status !== SamplingPlanStatus.OPEN) {
        throw new SamplingError(
          'PLAN_STATE',
          `plan ${plan.id} is ${plan.status}; a locked plan changes only by manual change`,
        );
      }
      const earlier = await em.find(SamplingDraw, { planId }, { orderBy: { attempt: 'desc' } });
      if (earlier.length && (reason === null || reason.trim().length < 4)) {
        throw new SamplingError(
          'DRAW_REDRAW_NEEDS_REASON',
          `plan ${plan.id} already has ${earlier.length} attempt(s); a new attempt needs a recorded reason (at least 4 characters)`,
          { field: 'reason' },
        );
      }
      const live = earlier.find((d) => d.status === DrawStatus.COMMITTED || d.status === DrawStatus.DRAWN);
      if (live) live.status = DrawStatus.SUPERSEDED;
      await em.flush();

      const pools = await this.plans.loadPools(em, plan);
      if (!pools.targets.length)
        throw new SamplingError('DRAW_EMPTY_POOL', `plan ${plan.id} has no eligible target`);
      if (!pools.inspectors.length)
        throw new SamplingError('DRAW_EMPTY_POOL', `plan ${plan.id} has no inspector`);
      const params: DrawParams = {
        planId: plan.id,
        plannedDate: plan.plannedDate,
        quotas: pools.strata.filter((s) => s.quota > 0).map((s) => ({ stratum: s.stratum, quota: s.quota })),
        mustInclude: pools.mustInclude,
        teamSize: plan.teamSize,
        workloadCap: plan.workloadCap,
      };
      let frozen;
      try {
        frozen = {
          targets: freezeTargetPool(pools.targets, sm3Node),
          inspectors: freezeInspectorPool(pools.inspectors, pools.relationships, sm3Node),
          params: hashParams(params, sm3Node),
        };
      } catch (e) {
        if (e instanceof DrawInputError)
          throw new SamplingError('DRAW_INVALID_INPUT', e.message, { field: e.field });
        throw e;
      }
      const seed = generateSeed();
      const draw = em.create(SamplingDraw, {
        regionCode: REGION_CODE,
        planId,
        attempt: (earlier[0]?.attempt ?? 0) + 1,
        reason: earlier.length ? reason : null,
        previousDrawId: earlier[0]?.id ?? null,
        commitment: commitSeed(seed, sm3Node),
        seedSealed: ctx.services.pii.sealSecret(toHex(seed)),
        params: JSON.parse(frozen.params.canonical) as Record<string, unknown>,
        paramsHash: frozen.params.hash,
        targetPoolHash: frozen.targets.hash,
        inspectorPoolHash: frozen.inspectors.hash,
        targetCount: frozen.targets.targets.length,
        inspectorCount: frozen.inspectors.inspectors.length,
        poolsGz: Buffer.alloc(0),
        committedBy: ctx.user.sub,
      });
      await em.flush();
      // The pools (tens of MB for a city) go as a bound parameter: MikroORM writes every parameter
      // into the SQL text, which would hold the pools several times over as escaped hex. The entity
      // leaves the identity map so no later read in this context sees the placeholder.
      await executeBound(em, 'update sampling_draw set pools_gz = ? where id = ?', [
        encodePools(frozen.targets, frozen.inspectors),
        draw.id,
      ]);
      em.getUnitOfWork().unsetIdentity(draw);
      await this.plans.refreshStrata(em, plan, pools);
      const announcement = {
        drawId: draw.id,
        planId,
        attempt: draw.attempt,
        algorithm: ALGORITHM_VERSION,
        commitment: draw.commitment,
        targetPoolHash: draw.targetPoolHash,
        inspectorPoolHash: draw.inspectorPoolHash,
        paramsHash: draw.paramsHash,
      };
      await this.events.publish(em, {
        topic: 'drawCommitted',
        entityType: 'Draw',
        entityId: draw.id,
        departmentCode: plan.leadDepartmentCode,
        payload: announcement,
      });
      await this.audit.record(em, ctx.user, {
        action: 'draw.commit',
        entityType: 'Draw',
        entityId: draw.id,
        after: announcement,
        details: { reason: draw.reason, superseded: live?.id ?? null },
      });
      return draw;
    });
  }

  /**
   * Runs a committed attempt with the optional public entropy. An infeasible assignment is stored as
   * a FAILED attempt and then reported as DRAW_INFEASIBLE naming the target and constraint.
   * @throws SamplingError DRAW_STATE when the attempt was already drawn (a redraw needs a new commit).
   */
  async draw(ctx: Ctx, drawId: string, entropy: string | null): Promise<SamplingDraw> {
    if (entropy !== null && (entropy.length > 200 || hasControlCharacter(entropy))) {
      throw new ValidationError([
        { field: 'entropy', message: 'up to 200 characters, no control characters' },
      ]);
    }
    const outcome = await ctx.em.transactional(async (em) => {
      const draw = await this.lockDraw(em, drawId);
      const plan = await this.plans.get(em, draw.planId);
      await this.assertScope(ctx, plan);
      if (draw.status !== DrawStatus.COMMITTED) {
        throw new SamplingError(
          'DRAW_STATE',
          `draw ${draw.id} is ${draw.status}; each commitment is drawn once — commit a new attempt with a reason to redraw`,
          { status: draw.status },
        );
      }
      const pools = await readPools(draw);
      const computed = computeDraw(
        {
          targetPool: freezeTargetPool(pools.targetPool, sm3Node),
          inspectorPool: freezeInspectorPool(pools.inspectorPool, [], sm3Node),
          params: draw.params as unknown as DrawParams,
          seed: fromHex(openSeed(ctx.services.pii, draw.seedSealed), 'seed'),
          entropy: entropy ?? '',
        },
        sm3Node,
      );
      if (computed.commitment !== draw.commitment || computed.paramsHash !== draw.paramsHash) {
        throw new SamplingError(
          'DRAW_STATE',
          `draw ${draw.id}: stored seed or params do not match the commitment`,
        );
      }
      draw.entropy = entropy ?? '';
      draw.result = computed.result as unknown as Record<string, unknown>;
      draw.drawnBy = ctx.user.sub;
      draw.drawnAt = new Date();
      const a = computed.result.assignment;
      if (a.status === 'INFEASIBLE') {
        draw.status = DrawStatus.FAILED;
        draw.failure = { targetId: a.targetId, constraint: a.constraint, eligibleCount: a.eligibleCount };
      } else {
        draw.status = DrawStatus.DRAWN;
      }
      await em.flush();
      await this.audit.record(em, ctx.user, {
        action: 'draw.draw',
        entityType: 'Draw',
        entityId: draw.id,
        after: { status: draw.status, entropy: draw.entropy, failure: draw.failure },
      });
      return draw;
    });
    if (outcome.status === DrawStatus.FAILED) {
      const f = outcome.failure as { targetId: string; constraint: string; eligibleCount: number };
      throw new DrawInfeasibleError(outcome.id, f.targetId, f.constraint, f.eligibleCount);
    }
    return outcome;
  }

  /**
   * Reveals the seed and locks the drawn attempt: writes one assignment per drawn target (items per
   * department for joint plans), publishes `drawLocked` (public) and `inspectionAssigned` to each
   * team member (recipient = police number).
   */
  async lock(ctx: Ctx, drawId: string): Promise<SamplingDraw> {
    return ctx.em.transactional(async (em) => {
      // The pools are not needed to lock; leaving them out keeps every flush's change check small.
      const draw = await this.lockDraw(em, drawId, ['seedSealed', 'result']);
      const plan = await this.plans.get(em, draw.planId);
      await this.assertScope(ctx, plan);
      if (draw.status !== DrawStatus.DRAWN) {
        throw new SamplingError('DRAW_STATE', `draw ${draw.id} is ${draw.status}, expected DRAWN`, {
          status: draw.status,
        });
      }
      const result = draw.result as unknown as DrawResult;
      if (result.assignment.status !== 'ASSIGNED')
        throw new SamplingError('DRAW_STATE', 'an infeasible draw cannot be locked');
      const teams = result.assignment.teams;
      const inspectorIds = [...new Set(teams.flatMap((t) => t.inspectorIds))];
      const inspectors = inspectorIds.length ? await em.find(Inspector, { id: { $in: inspectorIds } }) : [];
      const policeNo = new Map(inspectors.map((i) => [i.id, i.policeNo]));
      const conn = em.getConnection();
      const trx = em.getTransactionContext();
      const items = await conn.execute<{ code: string; department_code: string; categories: string[] }[]>(
        // A plan without an explicit item list inspects every published item of its departments.
        `select i.code, i.department_code, v.categories from inspection_item i
           join inspection_item_version v on v.item_id = i.id and v.version = i.published_version
         where i.status = 'PUBLISHED' and (i.code = any(?::text[])
           or (cardinality(?::text[]) = 0 and i.department_code = any(?::text[])))`,
        [pgArray(plan.itemCodes), pgArray(plan.itemCodes), pgArray(plan.departmentCodes)],
        'all',
        trx,
      );
      const targetRows = teams.length
        ? await conn.execute<{ id: string; category: string; jurisdiction_code: string }[]>(
            'select id::text as id, category::text as category, jurisdiction_code from target where id = any(?::uuid[])',
            [pgArray(teams.map((t) => t.targetId))],
            'all',
            trx,
          )
        : [];
      const targetInfo = new Map(targetRows.map((t) => [t.id, t]));
      // Items per department and category, computed once (a city-scale lock has ~33,000 teams).
      const itemsFor = new Map<string, Record<string, string[]>>();
      const departmentItemsOf = (category: string | undefined): Record<string, string[]> => {
        const key = category ?? '';
        let found = itemsFor.get(key);
        if (!found) {
          found = {};
          for (const dept of plan.departmentCodes) {
            found[dept] = items
              .filter(
                (i) =>
                  i.department_code === dept && (category === undefined || i.categories.includes(category)),
              )
              .map((i) => i.code)
              .sort();
          }
          itemsFor.set(key, found);
        }
        return found;
      };
      const assignments: LockedAssignment[] = teams.map((team) => {
        const info = targetInfo.get(team.targetId);
        return {
          id: randomUUID(),
          targetId: team.targetId,
          jurisdictionCode: info?.jurisdiction_code ?? '',
          plannedDate: plan.plannedDate,
          inspectorIds: team.inspectorIds,
          policeNos: team.inspectorIds.map((id) => policeNo.get(id) ?? id),
          departmentItems: departmentItemsOf(info?.category),
        };
      });
      draw.status = DrawStatus.LOCKED;
      draw.lockedBy = ctx.user.sub;
      draw.lockedAt = new Date();
      this.plans.markLocked(plan);
      await em.flush();
      // Set-based: one statement per 2,000 assignments instead of a managed entity each.
      for (let from = 0; from < assignments.length; from += ASSIGNMENT_BATCH) {
        const rows = assignments.slice(from, from + ASSIGNMENT_BATCH).map((a) => ({
          id: a.id,
          target_id: a.targetId,
          jurisdiction_code: a.jurisdictionCode,
          inspector_ids: a.inspectorIds,
          police_nos: a.policeNos,
          department_items: a.departmentItems,
        }));
        await executeBound(
          em,
          `insert into draw_assignment (id, region_code, draw_id, plan_id, target_id, jurisdiction_code, planned_date,
             inspector_ids, police_nos, department_items)
           select r.id, ?, ?, ?, r.target_id, r.jurisdiction_code, ?::date, r.inspector_ids, r.police_nos,
                  r.department_items
             from rows from (jsonb_to_recordset(?::jsonb) as (id uuid, target_id uuid, jurisdiction_code text,
                    inspector_ids uuid[], police_nos text[], department_items jsonb))
                  with ordinality as r(id, target_id, jurisdiction_code, inspector_ids, police_nos, department_items, n)
            order by r.n`,
          [REGION_CODE, draw.id, plan.id, plan.plannedDate, JSON.stringify(rows)],
        );
      }
      // One inspection per assignment, in this transaction: a lock without its inspections cannot exist.
      await ctx.services.inspections.createManyFromAssignments(
        em,
        ctx.user,
        assignments.map((a) => ({
          assignmentId: a.id,
          targetId: a.targetId,
          inspectorIds: a.inspectorIds,
          itemCodes: [...new Set(Object.values(a.departmentItems).flat())].sort(),
          plannedOn: a.plannedDate,
          departmentCode: plan.leadDepartmentCode,
        })),
      );
      const announced: PublishInput[] = [
        {
          topic: 'drawLocked',
          entityType: 'Draw',
          entityId: draw.id,
          departmentCode: plan.leadDepartmentCode,
          payload: {
            drawId: draw.id,
            planId: plan.id,
            periodLabel: plan.periodLabel,
            commitment: draw.commitment,
            seed: openSeed(ctx.services.pii, draw.seedSealed),
            entropy: draw.entropy,
            targetPoolHash: draw.targetPoolHash,
            inspectorPoolHash: draw.inspectorPoolHash,
            paramsHash: draw.paramsHash,
            selected: teams.length,
          },
        },
      ];
      for (const a of assignments) {
        for (const no of a.policeNos) {
          announced.push({
            topic: 'inspectionAssigned',
            entityType: 'DrawAssignment',
            entityId: a.id,
            departmentCode: plan.leadDepartmentCode,
            jurisdictionCode: a.jurisdictionCode,
            recipient: no,
            payload: {
              assignmentId: a.id,
              drawId: draw.id,
              targetId: a.targetId,
              plannedDate: a.plannedDate,
              team: a.policeNos,
            },
          });
        }
      }
      await this.events.publishMany(em, announced);
      await this.audit.record(em, ctx.user, {
        action: 'draw.lock',
        entityType: 'Draw',
        entityId: draw.id,
        after: { status: draw.status, assignments: assignments.length },
      });
      return draw;
    });
  }

  /**
   * The full record (pools, seed, entropy, params, result) of a drawn, failed or locked attempt; the
   * seed is opened here, so callers outside this service get it only through {@link publishedRecord}
   * (locked draws) or {@link verify} (a verdict, not the record).
   */
  private async record(r: DrawReader, drawId: string): Promise<DrawRecord> {
    const draw = await r.em.findOne(
      SamplingDraw,
      { id: drawId },
      { populate: ['seedSealed', 'poolsGz', 'result'] as never },
    );
    if (!draw) throw new NotFoundError('draw', drawId);
    if (draw.result === null)
      throw new SamplingError('DRAW_STATE', `draw ${drawId} is ${draw.status}: not drawn yet`);
    const pools = await readPools(draw);
    return {
      algorithm: ALGORITHM_VERSION,
      commitment: draw.commitment,
      seed: openSeed(r.services.pii, draw.seedSealed),
      entropy: draw.entropy ?? '',
      params: draw.params as unknown as DrawParams,
      paramsHash: draw.paramsHash,
      targetPoolHash: draw.targetPoolHash,
      inspectorPoolHash: draw.inspectorPoolHash,
      result: draw.result as unknown as DrawResult,
      targetPool: pools.targetPool,
      inspectorPool: pools.inspectorPool,
    };
  }

  /** The published record of a LOCKED draw (no names: ids only), for anyone. */
  async publishedRecord(r: DrawReader, drawId: string): Promise<DrawRecord> {
    const draw = await r.em.findOne(SamplingDraw, { id: drawId });
    if (!draw || draw.status !== DrawStatus.LOCKED) {
      throw new SamplingError(
        'DRAW_NOT_LOCKED',
        `draw ${drawId} is not locked (or does not exist); records are published at the lock`,
      );
    }
    return this.record(r, drawId);
  }

  /**
   * The revealed seed (hex) of a LOCKED draw; null before the lock (the seed is still secret).
   * @example await draws.revealedSeed(ctx, draw) // '3f…' (64 hex) once locked
   */
  async revealedSeed(r: DrawReader, draw: SamplingDraw): Promise<string | null> {
    if (draw.status !== DrawStatus.LOCKED) return null;
    const row = await r.em.findOneOrFail(
      SamplingDraw,
      { id: draw.id },
      { populate: ['seedSealed'] as never },
    );
    return openSeed(r.services.pii, row.seedSealed);
  }

  /**
   * Recomputes the draw from what the database holds, against the values announced at commit:
   * MATCH, or the first difference.
   */
  async verify(r: DrawReader, drawId: string): Promise<DrawVerificationResult> {
    const record = await this.record(r, drawId);
    const draw = await r.em.findOneOrFail(SamplingDraw, { id: drawId });
    const v = verifyDrawRecord(record, sm3Node, {
      commitment: draw.commitment,
      targetPoolHash: draw.targetPoolHash,
      inspectorPoolHash: draw.inspectorPoolHash,
      paramsHash: draw.paramsHash,
    });
    return v.match
      ? { match: true, firstDifference: null }
      : { match: false, firstDifference: v.firstDifference };
  }

  /**
   * Requests a change of a locked team: one inspector out, another in, with a reason code and note.
   * Applied only when a different person with the SUPERVISOR role approves ({@link decideChange}).
   */
  async requestChange(
    ctx: Ctx,
    input: {
      assignmentId: string;
      removePoliceNo: string;
      addPoliceNo: string;
      reasonCode: string;
      note: string;
    },
  ): Promise<AssignmentChange> {
    const p: { field: string; message: string }[] = [];
    if (!(CHANGE_REASON_CODES as readonly string[]).includes(input.reasonCode)) {
      p.push({ field: 'reasonCode', message: `one of ${CHANGE_REASON_CODES.join(', ')}` });
    }
    if (input.note.trim().length < 4)
      p.push({ field: 'note', message: 'state the reason (at least 4 characters)' });
    if (p.length) throw new ValidationError(p);
    return ctx.em.transactional(async (em) => {
      const a = await em.findOne(DrawAssignment, { id: input.assignmentId });
      if (!a) throw new NotFoundError('assignment', input.assignmentId);
      const plan = await this.plans.get(em, a.planId);
      await this.assertScope(ctx, plan);
      if (!a.policeNos.includes(input.removePoliceNo)) {
        throw new ValidationError([{ field: 'removePoliceNo', message: 'not on this team' }]);
      }
      await this.checkReplacement(em, a, input.addPoliceNo);
      const change = em.create(AssignmentChange, {
        regionCode: REGION_CODE,
        assignmentId: a.id,
        drawId: a.drawId,
        removePoliceNo: input.removePoliceNo,
        addPoliceNo: input.addPoliceNo,
        reasonCode: input.reasonCode,
        note: input.note,
        requestedBy: ctx.user.sub,
      });
      await em.flush();
      await this.audit.record(em, ctx.user, {
        action: 'assignmentChange.request',
        entityType: 'AssignmentChange',
        entityId: change.id,
        after: input,
      });
      return change;
    });
  }

  private async checkReplacement(
    em: EntityManager,
    a: DrawAssignment,
    addPoliceNo: string,
  ): Promise<Inspector> {
    const inspector = await em.findOne(Inspector, { policeNo: addPoliceNo, archivedAt: null });
    const target = await em.findOne(Target, { id: a.targetId });
    const problems: string[] = [];
    if (!inspector) problems.push('no such inspector');
    else {
      if (a.policeNos.includes(addPoliceNo)) problems.push('already on this team');
      if (inspector.status !== 'ACTIVE') problems.push(`status ${inspector.status}`);
      if (inspector.certificateValidFrom > a.plannedDate || inspector.certificateValidTo < a.plannedDate) {
        problems.push('certificate not valid on the planned date');
      }
      if (target && !inspector.qualifiedCategories.includes(target.category))
        problems.push(`not qualified for ${target.category}`);
      const rel = await em.count(Relationship, { inspector: inspector.id, target: a.targetId });
      if (rel) problems.push('has a registered relationship with the target (recusal)');
    }
    if (problems.length) throw new ValidationError([{ field: 'addPoliceNo', message: problems.join('; ') }]);
    return inspector!;
  }

  /**
   * Approves (applies) or rejects a requested change. The approver must hold SUPERVISOR and must not be
   * the requester (second person). Applying publishes `inspectionAssigned` to the new member. Audited.
   * @throws SamplingError CHANGE_SECOND_PERSON.
   */
  async decideChange(ctx: Ctx, changeId: string, approve: boolean): Promise<AssignmentChange> {
    if (ctx.user.role !== Role.SUPERVISOR)
      throw new ForbiddenError('a manual change is approved by a SUPERVISOR');
    return ctx.em.transactional(async (em) => {
      const change = await em.findOne(AssignmentChange, { id: changeId });
      if (!change) throw new NotFoundError('assignment change', changeId);
      if (change.status !== AssignmentChangeStatus.PENDING) {
        throw new SamplingError('DRAW_STATE', `change ${changeId} is already ${change.status}`);
      }
      if (change.requestedBy === ctx.user.sub) {
        throw new SamplingError(
          'CHANGE_SECOND_PERSON',
          'the approver must be a second person, not the requester',
          {
            requestedBy: change.requestedBy,
          },
        );
      }
      const a = await em.findOneOrFail(DrawAssignment, { id: change.assignmentId });
      const before = { policeNos: a.policeNos };
      change.status = approve ? AssignmentChangeStatus.APPLIED : AssignmentChangeStatus.REJECTED;
      change.approvedBy = ctx.user.sub;
      change.decidedAt = new Date();
      if (approve) {
        const added = await this.checkReplacement(em, a, change.addPoliceNo);
        const i = a.policeNos.indexOf(change.removePoliceNo);
        if (i < 0) throw new SamplingError('DRAW_STATE', `${change.removePoliceNo} is no longer on the team`);
        a.policeNos = a.policeNos.map((n, k) => (k === i ? added.policeNo : n));
        a.inspectorIds = a.inspectorIds.map((id, k) => (k === i ? added.id : id));
        a.manuallyChanged = true;
        await em.flush();
        await this.events.publish(em, {
          topic: 'inspectionAssigned',
          entityType: 'DrawAssignment',
          entityId: a.id,
          jurisdictionCode: a.jurisdictionCode,
          recipient: added.policeNo,
          payload: {
            assignmentId: a.id,
            drawId: a.drawId,
            targetId: a.targetId,
            plannedDate: a.plannedDate,
            team: a.policeNos,
            manual: true,
          },
        });
      }
      await em.flush();
      await this.audit.record(em, ctx.user, {
        action: approve ? 'assignmentChange.apply' : 'assignmentChange.reject',
        entityType: 'DrawAssignment',
        entityId: a.id,
        before,
        after: { policeNos: a.policeNos },
        details: {
          changeId,
          reasonCode: change.reasonCode,
          note: change.note,
          requestedBy: change.requestedBy,
        },
      });
      return change;
    });
  }

  /** Records a party's recusal request (申请回避) against a team member; the deadline is 2 working days. */
  async fileRecusal(
    ctx: Ctx,
    input: {
      assignmentId: string;
      policeNo: string;
      requestedByParty: string;
      reason: string;
      receivedOn: string;
    },
  ): Promise<RecusalRequest> {
    if (!isIsoDate(input.receivedOn))
      throw new ValidationError([{ field: 'receivedOn', message: 'expected YYYY-MM-DD' }]);
    return ctx.em.transactional(async (em) => {
      const a = await em.findOne(DrawAssignment, { id: input.assignmentId });
      if (!a) throw new NotFoundError('assignment', input.assignmentId);
      if (!a.policeNos.includes(input.policeNo))
        throw new ValidationError([{ field: 'policeNo', message: 'not on this team' }]);
      const decideBy = addWorkingDays(await this.rules.workCalendar(em), input.receivedOn, 2);
      const r = em.create(RecusalRequest, { regionCode: REGION_CODE, ...input, decideBy });
      await em.flush();
      await this.audit.record(em, ctx.user, {
        action: 'recusalRequest.file',
        entityType: 'RecusalRequest',
        entityId: r.id,
        after: { ...input, decideBy },
      });
      return r;
    });
  }

  /** Decides a recusal request; a grant registers the relationship so later draws recuse the inspector. */
  async decideRecusal(ctx: Ctx, id: string, grant: boolean, note: string): Promise<RecusalRequest> {
    return ctx.em.transactional(async (em) => {
      const r = await em.findOne(RecusalRequest, { id });
      if (!r) throw new NotFoundError('recusal request', id);
      if (r.status !== RecusalRequestStatus.PENDING)
        throw new SamplingError('DRAW_STATE', `request ${id} is ${r.status}`);
      r.status = grant ? RecusalRequestStatus.GRANTED : RecusalRequestStatus.REJECTED;
      r.decidedBy = ctx.user.sub;
      r.decidedAt = new Date();
      r.decisionNote = note;
      if (grant) {
        const a = await em.findOneOrFail(DrawAssignment, { id: r.assignmentId });
        const inspector = await em.findOneOrFail(Inspector, { policeNo: r.policeNo });
        em.create(Relationship, {
          inspector,
          target: em.getReference(Target, a.targetId),
          kind: RelationshipKind.OTHER,
          validFrom: r.receivedOn,
          note: `回避申请 ${r.id}`,
        });
      }
      await em.flush();
      await this.audit.record(em, ctx.user, {
        action: grant ? 'recusalRequest.grant' : 'recusalRequest.reject',
        entityType: 'RecusalRequest',
        entityId: r.id,
        after: { status: r.status, note },
      });
      return r;
    });
  }
}
