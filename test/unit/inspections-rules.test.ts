import { describe, expect, it } from 'vitest';
import { Role } from '../../src/graphql/auth.js';
import { HOLIDAY_YEARS } from '../../src/modules/calendar/holidays-data.js';
import { workCalendarFromYears } from '../../src/modules/calendar/working-days.js';
import {
  deadlineAfter,
  deadlineStatus,
  InspectionState as S,
  redactForPublication,
  routeOf,
  transition,
  type InspectionAction,
} from '../../src/modules/inspections/inspection-rules.js';

const cal = workCalendarFromYears(HOLIDAY_YEARS);
const team = ['100001', '100002'];
const t = (
  state: S,
  action: InspectionAction,
  role: Role,
  actor: string,
  submittedBy: string | null = null,
) => transition({ state, action, role, actor, teamPoliceNos: team, submittedBy });

describe('inspection state machine', () => {
  it('allows each step to its role and refuses the others', () => {
    expect(t(S.ASSIGNED, 'START', Role.INSPECTOR, '100001')).toEqual({ ok: true, to: S.IN_PROGRESS });
    expect(t(S.ASSIGNED, 'START', Role.INSPECTOR, '999999')).toMatchObject({
      ok: false,
      code: 'INSPECTION_NOT_ON_TEAM',
    });
    expect(t(S.ASSIGNED, 'START', Role.ADMIN, '100001')).toMatchObject({
      ok: false,
      code: 'INSPECTION_NOT_ON_TEAM',
    });
    expect(t(S.IN_PROGRESS, 'SUBMIT', Role.INSPECTOR, '100002')).toEqual({ ok: true, to: S.SUBMITTED });
    expect(t(S.RETURNED, 'SUBMIT', Role.INSPECTOR, '100002')).toEqual({ ok: true, to: S.SUBMITTED });
    expect(t(S.SUBMITTED, 'APPROVE', Role.SUPERVISOR, 'sup')).toEqual({ ok: true, to: S.APPROVED });
    expect(t(S.SUBMITTED, 'RETURN', Role.SUPERVISOR, 'sup')).toEqual({ ok: true, to: S.RETURNED });
    expect(t(S.SUBMITTED, 'APPROVE', Role.ADMIN, 'admin')).toMatchObject({
      ok: false,
      code: 'INSPECTION_REVIEWER_ROLE',
    });
    expect(t(S.SUBMITTED, 'APPROVE', Role.INSPECTOR, 'x')).toMatchObject({
      ok: false,
      code: 'INSPECTION_REVIEWER_ROLE',
    });
    expect(t(S.SUBMITTED, 'APPROVE', Role.SUPERVISOR, '100001')).toMatchObject({
      ok: false,
      code: 'INSPECTION_SELF_REVIEW',
    });
    expect(t(S.SUBMITTED, 'APPROVE', Role.SUPERVISOR, 'sub', 'sub')).toMatchObject({
      ok: false,
      code: 'INSPECTION_SELF_REVIEW',
    });
    expect(t(S.APPROVED, 'CLOSE', Role.ADMIN, 'admin')).toEqual({ ok: true, to: S.CLOSED });
    expect(t(S.APPROVED, 'CLOSE', Role.INSPECTOR, '100001')).toMatchObject({
      ok: false,
      code: 'INSPECTION_REVIEWER_ROLE',
    });
    expect(t(S.APPROVED, 'RECORD', Role.INSPECTOR, '100001')).toMatchObject({
      ok: false,
      code: 'INSPECTION_BAD_STATE',
    });
    expect(t(S.CLOSED, 'APPROVE', Role.SUPERVISOR, 'sup')).toMatchObject({
      ok: false,
      code: 'INSPECTION_BAD_STATE',
    });
  });
});

describe('clocks in working days', () => {
  it('skips weekends, 中秋 and 国庆 and counts the make-up Saturday 2026-10-10', () => {
    expect(deadlineAfter(cal, '2026-11-27', 5)).toBe('2026-12-04');
    expect(deadlineAfter(cal, '2026-09-24', 3)).toBe('2026-09-30');
    expect(deadlineAfter(cal, '2026-09-30', 3)).toBe('2026-10-10');
    expect(deadlineAfter(cal, '2026-09-30', 10)).toBe('2026-10-20');
    expect(deadlineAfter(cal, '2026-11-02', 10)).toBe('2026-11-16');
  });
  it('classifies due soon and overdue', () => {
    expect(deadlineStatus('2026-11-28', '2026-11-27', 3)).toBe('OVERDUE');
    expect(deadlineStatus('2026-11-28', '2026-12-01', 3)).toBe('DUE_SOON');
    expect(deadlineStatus('2026-11-28', '2026-12-20', 3)).toBe('LATER');
  });
});

describe('publication routing and redaction', () => {
  it('routes by category', () => {
    expect(routeOf('FIREARMS_USER').publication).toBe('RESTRICTED');
    expect(routeOf('BLASTING_COMMERCIAL').publication).toBe('RESTRICTED');
    expect(routeOf('FIRE_SAFETY_KEY').publication).toBe('PORTAL');
    expect(routeOf('INTERNET_CAFE')).toMatchObject({ publication: 'FULL', credit: true });
    expect(routeOf('UNKNOWN').publication).toBe('RESTRICTED');
  });
  it('removes ID numbers, phones and known names, also masked ones', () => {
    const names = ['欧阳娜娜', '张三', '欧阳'];
    const text = '法人欧阳娜娜（350322198811093310）、店长张三电话13912345678、座机0594-7654321，前台张*在场';
    const out = redactForPublication(text, names);
    for (const s of ['欧阳', '张三', '张*', '350322198811093310', '13912345678', '7654321'])
      expect(out).not.toContain(s);
    expect(out).toContain('法人');
  });
});
