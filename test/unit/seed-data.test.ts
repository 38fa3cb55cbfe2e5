import { describe, expect, it } from 'vitest';
import { SEED_EFFECTIVE_FROM, SEED_ITEMS } from '../../src/modules/items/seed-items.js';
import {
  DEPARTMENTS,
  DIVISIONS,
  STATION_ORG_CODES,
  findDepartment,
  findDepartmentByOrgCode,
} from '../../src/modules/org/departments-data.js';
import { TargetCategory } from '../../src/modules/targets/target-category.js';

describe('departments reference data', () => {
  it('has unique codes and 12-digit org codes, all in region 350322', () => {
    expect(new Set(DEPARTMENTS.map((d) => d.code)).size).toBe(DEPARTMENTS.length);
    expect(new Set(DEPARTMENTS.map((d) => d.orgCode)).size).toBe(DEPARTMENTS.length);
    for (const d of DEPARTMENTS) {
      expect(d.orgCode).toMatch(/^350322\d{6}$/);
      expect(d.regionCode).toBe('350322');
      expect(d.code.length).toBeLessThanOrEqual(16);
    }
  });

  it('names every unit of the seed, including 效能办', () => {
    for (const code of ['ZA', 'WA', 'XF', 'FZ', 'ZH', 'DC', 'ZG', 'XN'])
      expect(findDepartment(code)).toBeDefined();
    expect(findDepartment('XN')?.kind).toBe('OFFICE');
    expect(findDepartment('XN')?.categories).toEqual([]);
  });

  it('has one station per township-level division (2 streets, 11 towns, 5 townships)', () => {
    expect(DIVISIONS).toHaveLength(18);
    expect(DIVISIONS.filter((d) => d.kind === 'STREET')).toHaveLength(2);
    expect(DIVISIONS.filter((d) => d.kind === 'TOWN')).toHaveLength(11);
    expect(DIVISIONS.filter((d) => d.kind === 'TOWNSHIP')).toHaveLength(5);
    const stations = DEPARTMENTS.filter((d) => d.kind === 'STATION');
    expect(stations).toHaveLength(18);
    for (const s of stations) expect(s.jurisdictionCodes).toEqual([s.orgCode]);
  });

  it('keeps the contracts’ example station codes', () => {
    expect(findDepartmentByOrgCode('350322510000')?.name).toBe('鲤城派出所');
    expect(findDepartmentByOrgCode('350322520000')?.name).toBe('鲤南派出所');
  });

  it('links every parent and jurisdiction code to an existing unit', () => {
    for (const d of DEPARTMENTS) {
      if (d.parentCode !== undefined) expect(findDepartment(d.parentCode)).toBeDefined();
      for (const j of d.jurisdictionCodes) expect(STATION_ORG_CODES).toContain(j);
    }
  });

  it('gives every target category a supervising branch', () => {
    const covered = new Set(DEPARTMENTS.filter((d) => d.kind === 'BRANCH').flatMap((d) => d.categories));
    for (const c of Object.values(TargetCategory)) expect(covered.has(c)).toBe(true);
  });
});

describe('seed inspection items', () => {
  it('has every field of §二(一)1 on every item', () => {
    for (const item of SEED_ITEMS) {
      expect(item.code).toMatch(/^[A-Z]+(-[A-Z]+)+$/);
      expect(item.code.length).toBeLessThanOrEqual(32);
      expect(item.name.length).toBeGreaterThan(0);
      expect(item.legalBasis.length).toBeGreaterThan(0);
      for (const basis of item.legalBasis) expect(basis).toMatch(/^《.+》/);
      expect(item.categories.length).toBeGreaterThan(0);
      expect(item.content.length).toBeGreaterThan(0);
      expect(item.keyPoints.length).toBeGreaterThan(0);
      item.keyPoints.forEach((p, i) => {
        expect(p.code).toBe(`${item.code}-${String(i + 1).padStart(2, '0')}`);
        expect(p.text.length).toBeGreaterThan(0);
      });
      expect(item.method.length).toBeGreaterThan(0);
      expect(item.method.length).toBeLessThanOrEqual(100);
      expect(item.ratioPercent).toMatch(/^\d{1,3}\.\d{2}$/);
      expect(Number(item.ratioPercent)).toBeGreaterThanOrEqual(5);
      expect(Number(item.ratioPercent)).toBeLessThanOrEqual(100);
      expect(item.frequencyText.length).toBeGreaterThan(0);
      expect(item.frequencyText.length).toBeLessThanOrEqual(200);
      if (item.frequencyMonths !== null) expect(item.frequencyMonths).toBeLessThanOrEqual(6);
      expect(item.implementationCode).toMatch(/^350322-GA-[A-Z]+-\d{3}$/);
      expect(item.effectiveFrom).toBe(SEED_EFFECTIVE_FROM);
    }
  });

  it('has unique item, key-point and implementation codes', () => {
    expect(new Set(SEED_ITEMS.map((i) => i.code)).size).toBe(SEED_ITEMS.length);
    expect(new Set(SEED_ITEMS.map((i) => i.implementationCode)).size).toBe(SEED_ITEMS.length);
    const points = SEED_ITEMS.flatMap((i) => i.keyPoints.map((p) => p.code));
    expect(new Set(points).size).toBe(points.length);
  });

  it('covers every target category exactly once', () => {
    const all = SEED_ITEMS.flatMap((i) => i.categories);
    expect([...all].sort()).toEqual([...Object.values(TargetCategory)].sort());
  });

  it('is owned by departments that exist and supervise the item’s categories', () => {
    for (const item of SEED_ITEMS) {
      const dept = findDepartment(item.departmentCode);
      expect(dept, item.code).toBeDefined();
      for (const c of item.categories) expect(dept!.categories).toContain(c);
    }
  });

  it('carries the seed’s frequencies', () => {
    const byCat = (c: TargetCategory) => SEED_ITEMS.find((i) => i.categories.includes(c))!;
    expect(byCat(TargetCategory.ENTERTAINMENT).frequencyTiers).toEqual(
      expect.arrayContaining([
        { condition: 'GRADE_A', months: 3 },
        { condition: 'GRADE_B', months: 2 },
        { condition: 'GRADE_C', months: 1 },
      ]),
    );
    expect(byCat(TargetCategory.HOTEL).frequencyTiers).toContainEqual({
      condition: 'BLACKLISTED',
      months: 1,
    });
    expect(byCat(TargetCategory.SECURITY_SERVICE)).toMatchObject({
      frequencyMonths: 6,
      ratioPercent: '5.00',
    });
    expect(byCat(TargetCategory.FIREARMS_USER)).toMatchObject({ frequencyMonths: 3, ratioPercent: '100.00' });
    expect(byCat(TargetCategory.BLASTING_NONCOMMERCIAL).frequencyMonths).toBe(6);
    expect(byCat(TargetCategory.BLASTING_COMMERCIAL).frequencyMonths).toBe(3);
    expect(byCat(TargetCategory.INTERNET_CAFE)).toMatchObject({ frequencyMonths: 3, departmentCode: 'WA' });
    expect(Number(byCat(TargetCategory.ARMED_ESCORT).ratioPercent)).toBeGreaterThan(5);
  });
});
