import type { EntityManager } from '@mikro-orm/postgresql';
import type { Ctx } from '../../graphql/context.js';
import { NotFoundError, ValidationError } from '../../shared/errors.js';
import type { AuditService } from '../audit/audit.service.js';
import type { EventService } from '../events/event.service.js';
import { Target } from '../targets/target.entity.js';
import { Inspection } from './inspection.entity.js';
import { InspectionError } from './inspection.errors.js';
import { deadlineAfter, SUPERVISION_OFFICE_CONTACT } from './inspection-rules.js';
import { Referral, ReferralStatus, type ReferralMaterial } from './measure.entity.js';
import type { InspectionService } from './inspection.service.js';

/** The material checklist of an outbound referral (移送材料). Every REQUIRED line must be provided before approval. */
export const REFERRAL_MATERIALS: readonly { code: string; label: string; required: boolean }[] = [
  { code: 'TRANSFER_LETTER', label: '案件移送书', required: true },
  { code: 'CASE_REPORT', label: '涉嫌违法案件情况的调查报告', required: true },
  { code: 'INSPECTION_RECORD', label: '现场检查记录（检查记录表）', required: true },
  { code: 'EVIDENCE_LIST', label: '涉案物品清单及证据材料', required: true },
  { code: 'EXPERT_OPINION', label: '检验报告或鉴定意见', required: false },
];

/** Outbound case-lead referrals (移送) with the 3-working-day approval and 24-hour transfer clocks. */
export class ReferralService {
  constructor(
    private readonly audit: AuditService,
    private readonly events: EventService,
    private readonly inspections: InspectionService,
  ) {}

  private async changed(em: EntityManager, ctx: Ctx, r: Referral, action: string, before: unknown) {
    await this.audit.record(em, ctx.user, {
      action: `referral.${action}`,
      entityType: 'Referral',
      entityId: r.id,
      before,
      after: { status: r.status, approvalDueOn: r.approvalDueOn, transferDueAt: r.transferDueAt },
    });
    await this.events.publish(em, {
      topic: 'referralChanged',
      entityType: 'Referral',
      entityId: r.id,
      departmentCode: r.departmentCode,
      payload: { referralId: r.id, status: r.status, action },
    });
  }

  propose(
    ctx: Ctx,
    a: {
      targetId: string;
      inspectionId?: string;
      departmentCode: string;
      toPartner: string;
      toDepartment: string;
      suspectedViolation: string;
      facts: string;
      legalBasis: string[];
      materials: { code: string; provided: boolean; digest?: string }[];
    },
  ): Promise<Referral> {
    const known = new Set(REFERRAL_MATERIALS.map((m) => m.code));
    const bad = a.materials.filter((m) => !known.has(m.code));
    if (bad.length)
      throw new ValidationError(
        bad.map((m) => ({
          field: 'materials.code',
          message: `unknown material ${m.code}; one of ${[...known].join(', ')}`,
        })),
      );
    return ctx.em.transactional(async (em) => {
      (await ctx.scope()).assertCanChangeDepartment(a.departmentCode);
      const t = await em.findOne(Target, { id: a.targetId });
      if (!t) throw new NotFoundError('target', a.targetId);
      if (a.inspectionId && !(await em.count(Inspection, { id: a.inspectionId, targetId: t.id })))
        throw new NotFoundError('inspection', a.inspectionId);
      const today = this.inspections.today();
      const no = await em.getConnection().execute<{ last: number }[]>(
        `insert into document_counter (year, department_code, kind, last) values (?, ?, 'REFERRAL', 1)
         on conflict (year, department_code, kind) do update set last = document_counter.last + 1 returning last`,
        [Number(today.slice(0, 4)), a.departmentCode],
        'all',
        em.getTransactionContext(),
      );
      const checklist: ReferralMaterial[] = REFERRAL_MATERIALS.map((m) => {
        const given = a.materials.find((x) => x.code === m.code);
        return {
          code: m.code,
          label: m.label,
          provided: given?.provided ?? false,
          digest: given?.digest ?? null,
        };
      });
      const r = em.create(Referral, {
        regionCode: t.regionCode,
        referralNo: `移${a.departmentCode}〔${today.slice(0, 4)}〕${no[0]!.last}号`,
        inspectionId: a.inspectionId ?? null,
        targetId: t.id,
        departmentCode: a.departmentCode,
        toPartner: a.toPartner,
        toDepartment: a.toDepartment,
        suspectedViolation: a.suspectedViolation,
        facts: a.facts,
        legalBasis: a.legalBasis,
        checklist,
        proposedBy: ctx.user.sub,
        proposedOn: today,
        approvalDueOn: deadlineAfter(
          this.inspections.calendar,
          today,
          this.inspections.settings.clocks.referralApprovalWorkingDays,
        ),
      });
      em.persist(r);
      await em.flush();
      await this.changed(em, ctx, r, 'propose', null);
      return r;
    });
  }

  /** Approves (transfer clock starts: 24 h) or rejects with a reason. Approval needs every required material. */
  decide(ctx: Ctx, id: string, approve: boolean, reason: string | undefined): Promise<Referral> {
    return ctx.em.transactional(async (em) => {
      const r = await this.load(ctx, em, id);
      if (r.status !== ReferralStatus.PROPOSED)
        throw new InspectionError('REFERRAL_BAD_STATE', `the referral is ${r.status}`);
      if (r.proposedBy === ctx.user.sub)
        throw new InspectionError('INSPECTION_SELF_REVIEW', 'the proposer cannot approve the referral');
      if (approve) {
        const missing = r.checklist.filter(
          (m) => !m.provided && REFERRAL_MATERIALS.find((x) => x.code === m.code)?.required,
        );
        if (missing.length)
          throw new InspectionError(
            'REFERRAL_MATERIALS_MISSING',
            `missing materials: ${missing.map((m) => m.label).join('、')}`,
            { missing: missing.map((m) => m.code) },
          );
      } else if (!reason || reason.trim().length < 2)
        throw new ValidationError([{ field: 'reason', message: 'state why the referral is rejected' }]);
      const before = { status: r.status };
      const now = this.inspections.now();
      r.status = approve ? ReferralStatus.APPROVED : ReferralStatus.REJECTED;
      r.decidedBy = ctx.user.sub;
      r.decidedAt = now;
      r.decidedOn = this.inspections.today();
      r.decisionReason = reason?.trim() ?? null;
      if (approve)
        r.transferDueAt = new Date(
          now.getTime() + this.inspections.settings.clocks.referralTransferHours * 3_600_000,
        );
      await em.flush();
      await this.changed(em, ctx, r, 'decide', before);
      return r;
    });
  }

  /** Records the transfer and hands the case to the exchange hub. */
  transfer(ctx: Ctx, id: string): Promise<Referral> {
    return ctx.em.transactional(async (em) => {
      const r = await this.load(ctx, em, id);
      if (r.status !== ReferralStatus.APPROVED)
        throw new InspectionError(
          'REFERRAL_BAD_STATE',
          `only an APPROVED referral is transferred; it is ${r.status}`,
        );
      const before = { status: r.status };
      r.status = ReferralStatus.TRANSFERRED;
      r.transferredAt = this.inspections.now();
      await em.flush();
      await this.changed(em, ctx, r, 'transfer', before);
      const t = await em.findOneOrFail(Target, { id: r.targetId });
      if (r.toPartner === 'COMMERCE' || r.toPartner === 'CULTURE') {
        await this.inspections.enqueue(em, {
          type: 'CASE_REFERRAL',
          sourceId: r.id,
          subjectKey: t.id,
          subject: { targetId: t.id, uscc: t.usccNormalised, name: t.name, category: t.category },
          payload: {
            referralId: r.id,
            referralNo: r.referralNo,
            toPartner: r.toPartner,
            suspectedViolation: r.suspectedViolation,
            facts: r.facts,
            legalBasis: r.legalBasis,
            evidence: r.checklist
              .filter((m) => m.digest)
              .map((m) => ({ name: m.label, digest: m.digest!, algorithm: 'SM3' })),
            contact: { ...SUPERVISION_OFFICE_CONTACT },
            referredOn: r.decidedOn!,
          },
        });
      }
      return r;
    });
  }

  private async load(ctx: Ctx, em: EntityManager, id: string): Promise<Referral> {
    const r = await em.findOne(Referral, { id });
    if (!r) throw new NotFoundError('referral', id);
    (await ctx.scope()).assertCanChangeDepartment(r.departmentCode);
    return r;
  }
}
