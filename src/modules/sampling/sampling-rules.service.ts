import type { EntityManager } from '@mikro-orm/postgresql';
import type { Ctx } from '../../graphql/context.js';
import type { AuditService } from '../audit/audit.service.js';
import { REGION_CODE } from '../targets/target.service.js';
import { TargetCategory } from '../targets/target-category.js';
import {
  validateFrequencyRule,
  type BoostRule,
  type FrequencyRule,
  type IntensificationWindow,
} from '../rules/schedule.js';
import { addDays, buildWorkCalendar, CalendarError, type WorkCalendar } from '../calendar/working-days.js';
import type { CalendarDayKind } from '../calendar/holidays-data.js';
import { isIsoDate } from '../../shared/input.js';
import { ValidationError } from '../../shared/errors.js';
import { SamplingRule, SamplingRuleKind } from './sampling-rule.entity.js';
import { CalendarDay } from './calendar-day.entity.js';
import { SamplingError } from './sampling.errors.js';

/** The rules in force on one date, as the pure helpers in src/modules/rules expect them. */
export interface RulesInForce {
  frequency: FrequencyRule[];
  boosts: BoostRule[];
  windows: IntensificationWindow[];
}

const SIGNALS = [
  'COMPLAINTS',
  'ABNORMAL_LISTED',
  'SERIOUS_VIOLATION',
  'BLACKLISTED',
  'FIRE_INCIDENT',
  'KEY_INSPECTION',
];
const DECIMAL = /^\d{1,6}(\.\d{1,4})?$/;

/** Every problem with a rule body of the given kind, as messages naming the field. */
export function validateRuleBody(
  kind: SamplingRuleKind,
  code: string,
  body: Record<string, unknown>,
): string[] {
  const p: string[] = [];
  if (body.code !== code) p.push(`body.code must equal code ${JSON.stringify(code)}`);
  if (kind === SamplingRuleKind.FREQUENCY)
    return [...p, ...validateFrequencyRule(body as unknown as FrequencyRule)];
  if (kind === SamplingRuleKind.BOOST) {
    if (
      body.category !== undefined &&
      !Object.values(TargetCategory).includes(body.category as TargetCategory)
    ) {
      p.push('body.category must be a TargetCategory or absent');
    }
    if (!SIGNALS.includes(body.signal as string)) p.push(`body.signal must be one of ${SIGNALS.join(', ')}`);
    if (body.effect === 'WEIGHT') {
      if (typeof body.weight !== 'string' || !DECIMAL.test(body.weight) || Number(body.weight) <= 1) {
        p.push('body.weight must be a decimal string greater than 1 for WEIGHT');
      }
    } else if (body.effect !== 'FORCE_INCLUDE') p.push('body.effect must be FORCE_INCLUDE or WEIGHT');
    if (
      body.threshold !== undefined &&
      !(Number.isSafeInteger(body.threshold) && (body.threshold as number) >= 1)
    ) {
      p.push('body.threshold must be a positive integer');
    }
    return p;
  }
  if (typeof body.from !== 'string' || !isIsoDate(body.from)) p.push('body.from must be a date YYYY-MM-DD');
  if (typeof body.to !== 'string' || !isIsoDate(body.to) || (body.to as string) < (body.from as string)) {
    p.push('body.to must be a date on or after body.from');
  }
  if (typeof body.multiplier !== 'string' || !DECIMAL.test(body.multiplier)) {
    p.push('body.multiplier must be a decimal string such as "1.5"');
  }
  if (body.areaJurisdictionCodes !== undefined) {
    const a = body.areaJurisdictionCodes;
    if (!Array.isArray(a) || a.some((c) => typeof c !== 'string' || !/^\d{12}$/.test(c))) {
      p.push('body.areaJurisdictionCodes must be 12-digit station codes');
    }
  }
  return p;
}

/**
 * Rules as data (versioned, effective-dated, ADMIN-edited, audited) and the working-day calendar
 * (holidays and 调休, editable). Both are loaded with the seed's defaults by the sampling migration.
 */
export class SamplingRulesService {
  constructor(private readonly audit: AuditService) {}

  /** Rule versions in force on `date` (inclusive effective range). */
  async inForce(em: EntityManager, date: string): Promise<RulesInForce> {
    const rows = await em.find(
      SamplingRule,
      {
        regionCode: REGION_CODE,
        effectiveFrom: { $lte: date },
        $or: [{ effectiveTo: null }, { effectiveTo: { $gte: date } }],
      },
      { orderBy: { code: 'asc' } },
    );
    const out: RulesInForce = { frequency: [], boosts: [], windows: [] };
    for (const r of rows) {
      if (r.kind === SamplingRuleKind.FREQUENCY) out.frequency.push(r.body as unknown as FrequencyRule);
      else if (r.kind === SamplingRuleKind.BOOST) out.boosts.push(r.body as unknown as BoostRule);
      else out.windows.push(r.body as unknown as IntensificationWindow);
    }
    return out;
  }

  /**
   * Saves a new version of a rule (or its first one), in force from `effectiveFrom`; the previous
   * version ends the day before. Audited with both bodies.
   * @throws ValidationError naming each bad field; SamplingError RULE_INVALID when the new version
   * would not start after the current one.
   */
  async save(
    ctx: Ctx,
    input: {
      code: string;
      kind: SamplingRuleKind;
      body: Record<string, unknown>;
      effectiveFrom: string;
      note: string;
    },
  ): Promise<SamplingRule> {
    const problems = validateRuleBody(input.kind, input.code, input.body);
    if (!isIsoDate(input.effectiveFrom)) problems.push('effectiveFrom must be a date YYYY-MM-DD');
    if (problems.length) throw new ValidationError(problems.map((message) => ({ field: 'body', message })));
    return ctx.em.transactional(async (em) => {
      const previous = await em.findOne(
        SamplingRule,
        { regionCode: REGION_CODE, code: input.code },
        { orderBy: { version: 'desc' } },
      );
      if (previous && previous.kind !== input.kind) {
        throw new SamplingError(
          'RULE_INVALID',
          `rule ${input.code} is a ${previous.kind} rule, not ${input.kind}`,
        );
      }
      if (previous && previous.effectiveFrom >= input.effectiveFrom) {
        throw new SamplingError(
          'RULE_INVALID',
          `a new version of ${input.code} must start after ${previous.effectiveFrom}, got ${input.effectiveFrom}`,
          { field: 'effectiveFrom' },
        );
      }
      if (previous && (previous.effectiveTo === null || previous.effectiveTo >= input.effectiveFrom)) {
        previous.effectiveTo = addDays(input.effectiveFrom, -1);
      }
      const rule = em.create(SamplingRule, {
        regionCode: REGION_CODE,
        code: input.code,
        version: (previous?.version ?? 0) + 1,
        kind: input.kind,
        body: input.body,
        effectiveFrom: input.effectiveFrom,
        createdBy: ctx.user.sub,
        changeNote: input.note,
      });
      await em.flush();
      await this.audit.record(em, ctx.user, {
        action: 'samplingRule.save',
        entityType: 'SamplingRule',
        entityId: rule.id,
        before: previous ? { version: previous.version, body: previous.body } : undefined,
        after: { version: rule.version, body: rule.body, effectiveFrom: rule.effectiveFrom },
        details: { code: input.code, note: input.note },
      });
      return rule;
    });
  }

  /** The working-day calendar from the `calendar_day` table; covered years are those with entries. */
  async workCalendar(em: EntityManager): Promise<WorkCalendar> {
    const days = await em.find(CalendarDay, {}, { orderBy: { day: 'asc' } });
    return buildWorkCalendar({
      coveredYears: [...new Set(days.map((d) => Number(d.day.slice(0, 4))))],
      entries: days.map((d) => ({ date: d.day, kind: d.kind, name: d.name, provisional: d.provisional })),
    });
  }

  /**
   * Adds or changes an exceptional day (holiday or make-up workday); `kind` null removes it.
   * The whole calendar is re-validated (a make-up workday must fall on a weekend). Audited.
   */
  async setDay(
    ctx: Ctx,
    day: string,
    kind: CalendarDayKind | null,
    name: string,
  ): Promise<CalendarDay | null> {
    if (!isIsoDate(day)) throw new ValidationError([{ field: 'day', message: 'expected a date YYYY-MM-DD' }]);
    return ctx.em.transactional(async (em) => {
      const existing = await em.findOne(CalendarDay, { day });
      const before = existing ? { kind: existing.kind, name: existing.name } : undefined;
      let row: CalendarDay | null = existing;
      if (kind === null) {
        if (existing) em.remove(existing);
        row = null;
      } else if (existing) {
        existing.kind = kind;
        existing.name = name;
        existing.provisional = false;
        existing.updatedBy = ctx.user.sub;
      } else {
        row = em.create(CalendarDay, { day, kind, name, updatedBy: ctx.user.sub });
      }
      await em.flush();
      try {
        await this.workCalendar(em);
      } catch (e) {
        if (e instanceof CalendarError)
          throw new SamplingError('CALENDAR_INVALID', e.message, { field: 'day' });
        throw e;
      }
      await this.audit.record(em, ctx.user, {
        action: kind === null ? 'calendarDay.remove' : 'calendarDay.set',
        entityType: 'CalendarDay',
        entityId: day,
        before,
        after: kind === null ? undefined : { kind, name },
      });
      return row;
    });
  }
}
