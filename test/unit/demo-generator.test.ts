import { describe, expect, it } from 'vitest';
import {
  isValidCitizenId,
  isValidUscc,
  normaliseUscc,
  usccCheckChar,
  citizenIdCheckChar,
} from '../../src/modules/demo/check-chars.js';
import {
  CATEGORY_SHARES_BP,
  DEFAULT_DEMO_OPTIONS,
  generateDemoCounty,
  type DemoTarget,
} from '../../src/modules/demo/generator.js';
import { Rng, Stream, hashSeed } from '../../src/modules/demo/prng.js';
import { findDepartment, STATION_ORG_CODES } from '../../src/modules/org/departments-data.js';
import { Grade, TargetCategory, TargetStatus } from '../../src/modules/targets/target-category.js';

const DEFAULT = generateDemoCounty(DEFAULT_DEMO_OPTIONS);
const DEFAULT_TARGETS = [...DEFAULT.targets];
const LARGE_TARGETS = [...generateDemoCounty({ targets: 20_000, inspectors: 0, seed: 'ratios' }).targets];

function take<T>(it: Iterable<T>, n: number): T[] {
  const out: T[] = [];
  for (const x of it) {
    if (out.length >= n) break;
    out.push(x);
  }
  return out;
}

describe('check characters', () => {
  it('agrees with published examples', () => {
    // 11010519491231002X is the worked example of GB 11643-1999; the USCC was checked by hand.
    expect(citizenIdCheckChar('11010519491231002')).toBe('X');
    expect(isValidCitizenId('11010519491231002X')).toBe(true);
    expect(isValidCitizenId('110105194912310021')).toBe(false);
    expect(usccCheckChar('91350100M000100Y4')).toBe('3');
    expect(isValidUscc('91350100M000100Y43')).toBe(true);
    expect(isValidUscc('91350100M000100Y44')).toBe(false);
    expect(normaliseUscc(' 9135 0100m000100y43 ')).toBe('91350100M000100Y43');
  });
});

describe('prng', () => {
  it('is a pure function of (seed, stream, index)', () => {
    const a = Rng.at(hashSeed('s'), Stream.TARGET, 7);
    const b = Rng.at(hashSeed('s'), Stream.TARGET, 7);
    const c = Rng.at(hashSeed('s'), Stream.TARGET, 8);
    const xs = [a.u32(), a.u32(), a.u32()];
    expect([b.u32(), b.u32(), b.u32()]).toEqual(xs);
    expect([c.u32(), c.u32(), c.u32()]).not.toEqual(xs);
  });

  it('gives unbiased-looking integers', () => {
    const rng = Rng.at(hashSeed('dist'), Stream.LAYOUT, 0);
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 100_000; i++) buckets[rng.int(10)]! += 1;
    for (const b of buckets) expect(Math.abs(b - 10_000)).toBeLessThan(500);
  });
});

describe('generateDemoCounty: determinism', () => {
  it('gives the same county for the same options', () => {
    const again = generateDemoCounty(DEFAULT_DEMO_OPTIONS);
    expect(JSON.stringify([...again.targets])).toBe(JSON.stringify(DEFAULT_TARGETS));
    expect(again.inspectors).toEqual(DEFAULT.inspectors);
    expect(again.relationships).toEqual(DEFAULT.relationships);
    expect(again.jointPools).toEqual(DEFAULT.jointPools);
  });

  it('gives a different county for a different seed', () => {
    const other = generateDemoCounty({ ...DEFAULT_DEMO_OPTIONS, seed: 'another' });
    expect(JSON.stringify(take(other.targets, 50))).not.toBe(JSON.stringify(DEFAULT_TARGETS.slice(0, 50)));
    expect(other.inspectors.map((i) => i.policeNo)).not.toEqual(DEFAULT.inspectors.map((i) => i.policeNo));
  });

  it('re-iterates identically and matches targetAt', () => {
    expect(take(DEFAULT.targets, 20)).toEqual(DEFAULT_TARGETS.slice(0, 20));
    for (const i of [0, 1, 17, 1234, 2999]) expect(DEFAULT.targetAt(i)).toEqual(DEFAULT_TARGETS[i]);
    expect(() => DEFAULT.targetAt(3000)).toThrow(RangeError);
    expect(() => DEFAULT.targetAt(-1)).toThrow(RangeError);
  });

  it('rejects bad options', () => {
    expect(() => generateDemoCounty({ targets: -1, inspectors: 1, seed: 'x' })).toThrow(RangeError);
    expect(() => generateDemoCounty({ targets: 1.5, inspectors: 1, seed: 'x' })).toThrow(RangeError);
    expect(() => generateDemoCounty({ targets: 10, inspectors: -3, seed: 'x' })).toThrow(RangeError);
    expect(() => generateDemoCounty({ targets: 10, inspectors: 1, seed: 'x', today: '2026/11/20' })).toThrow(
      RangeError,
    );
  });

  it('handles an empty county', () => {
    const empty = generateDemoCounty({ targets: 0, inspectors: 0, seed: 'x' });
    expect([...empty.targets]).toEqual([]);
    expect(empty.inspectors).toEqual([]);
    expect(empty.relationships).toEqual([]);
  });
});

describe('generateDemoCounty: proportions', () => {
  it('yields exactly the allocated count per category, every category present', () => {
    const seen = new Map<TargetCategory, number>();
    for (const t of DEFAULT_TARGETS) seen.set(t.category, (seen.get(t.category) ?? 0) + 1);
    for (const c of Object.values(TargetCategory)) {
      expect(seen.get(c) ?? 0, c).toBe(DEFAULT.categoryCounts[c]);
      expect(DEFAULT.categoryCounts[c], c).toBeGreaterThanOrEqual(1);
    }
    expect(DEFAULT_TARGETS).toHaveLength(3000);
  });

  it('follows the documented share table within one target plus rounding', () => {
    const sum = Object.values(CATEGORY_SHARES_BP).reduce((s, x) => s + x, 0);
    expect(sum).toBe(10_000);
    for (const c of Object.values(TargetCategory)) {
      const expected = (CATEGORY_SHARES_BP[c] * 3000) / 10_000;
      expect(Math.abs(DEFAULT.categoryCounts[c] - expected), c).toBeLessThanOrEqual(2);
    }
    const fire =
      DEFAULT.categoryCounts[TargetCategory.FIRE_SAFETY_GENERAL] +
      DEFAULT.categoryCounts[TargetCategory.FIRE_SAFETY_KEY];
    expect(fire / 3000).toBeGreaterThan(0.3);
  });

  it('mixes categories along the stream rather than in blocks', () => {
    const head = new Set(DEFAULT_TARGETS.slice(0, 100).map((t) => t.category));
    expect(head.size).toBeGreaterThanOrEqual(6);
  });

  it('spreads targets over all stations, the county seat most', () => {
    const perStation = new Map<string, number>();
    for (const t of LARGE_TARGETS)
      perStation.set(t.jurisdictionCode, (perStation.get(t.jurisdictionCode) ?? 0) + 1);
    expect([...perStation.keys()].sort()).toEqual([...STATION_ORG_CODES].sort());
    const seat = perStation.get('350322510000')!;
    for (const n of perStation.values()) expect(n).toBeLessThanOrEqual(seat);
  });

  it('uses the right source system per category', () => {
    for (const t of DEFAULT_TARGETS) {
      const expected =
        t.category === TargetCategory.HOTEL
          ? 'HOTEL_SYS'
          : t.category === TargetCategory.ENTERTAINMENT
            ? 'ENT_SYS'
            : t.category === TargetCategory.INTERNET_CAFE
              ? 'CAFE_SYS'
              : 'ROSTER_FILE';
      expect(t.sourceSystem).toBe(expected);
    }
  });

  it('sets category-specific flags only where they apply', () => {
    for (const t of LARGE_TARGETS) {
      if (t.category !== TargetCategory.ENTERTAINMENT) expect(t.grade).toBeNull();
      if (t.category !== TargetCategory.HOTEL) expect(t.hotelBlacklisted).toBe(false);
    }
    const ent = LARGE_TARGETS.filter((t) => t.category === TargetCategory.ENTERTAINMENT);
    for (const g of [Grade.A, Grade.B, Grade.C, null]) expect(ent.some((t) => t.grade === g)).toBe(true);
    const hotels = LARGE_TARGETS.filter((t) => t.category === TargetCategory.HOTEL);
    const blacklisted = hotels.filter((t) => t.hotelBlacklisted).length / hotels.length;
    expect(blacklisted).toBeGreaterThan(0.02);
    expect(blacklisted).toBeLessThan(0.1);
    const operating =
      LARGE_TARGETS.filter((t) => t.status === TargetStatus.OPERATING).length / LARGE_TARGETS.length;
    expect(operating).toBeGreaterThan(0.88);
    expect(operating).toBeLessThan(0.96);
    expect(LARGE_TARGETS.some((t) => t.status === TargetStatus.SUSPENDED)).toBe(true);
    expect(LARGE_TARGETS.some((t) => t.status === TargetStatus.CLOSED)).toBe(true);
    expect(LARGE_TARGETS.some((t) => t.keyInspection)).toBe(true);
    expect(LARGE_TARGETS.some((t) => t.abnormalListed)).toBe(true);
    expect(LARGE_TARGETS.some((t) => t.violations.length > 0)).toBe(true);
  });
});

describe('generateDemoCounty: identifiers', () => {
  const nonEmpty = LARGE_TARGETS.filter((t) => t.usccRaw !== '');
  const persons = LARGE_TARGETS.flatMap((t) => t.persons);

  it('leaves about 10% of USCCs empty', () => {
    const empty = 1 - nonEmpty.length / LARGE_TARGETS.length;
    expect(empty).toBeGreaterThan(0.08);
    expect(empty).toBeLessThan(0.12);
  });

  it('breaks about 3% of USCC check characters and formats some raw', () => {
    const invalid = nonEmpty.filter((t) => !isValidUscc(normaliseUscc(t.usccRaw))).length / nonEmpty.length;
    expect(invalid).toBeGreaterThan(0.02);
    expect(invalid).toBeLessThan(0.04);
    expect(nonEmpty.some((t) => /[a-z]/.test(t.usccRaw))).toBe(true);
    expect(nonEmpty.some((t) => /\s/.test(t.usccRaw))).toBe(true);
    for (const t of nonEmpty)
      expect(normaliseUscc(t.usccRaw)).toMatch(/^9[12]350322MA[0-9A-HJ-NPQRTUWXY]{8}$/);
  });

  it('never repeats a USCC, source id or name within a category', () => {
    const usccs = nonEmpty.map((t) => normaliseUscc(t.usccRaw).slice(0, 17));
    expect(new Set(usccs).size).toBe(usccs.length);
    expect(new Set(LARGE_TARGETS.map((t) => t.sourceId)).size).toBe(LARGE_TARGETS.length);
    expect(new Set(LARGE_TARGETS.map((t) => `${t.category}|${t.name}`)).size).toBe(LARGE_TARGETS.length);
  });

  it('breaks about 2% of ID numbers; the rest are valid, born 1950–2004 in 3503xx', () => {
    const invalid = persons.filter((p) => !isValidCitizenId(p.idNumber)).length / persons.length;
    expect(invalid).toBeGreaterThan(0.012);
    expect(invalid).toBeLessThan(0.028);
    for (const p of persons) {
      expect(p.idNumber).toMatch(/^3503\d{2}(19[5-9]\d|200[0-4])\d{4}\d{3}[\dX]$/);
      expect(p.idType).toBe('111');
    }
    const bodies = persons.map((p) => p.idNumber.slice(6, 17));
    expect(new Set(bodies).size).toBe(bodies.length);
    expect(persons.every((p) => p.phone === null || /^1[3-9]\d{9}$/.test(p.phone))).toBe(true);
  });

  it('gives every target a legal representative and a real-town address', () => {
    for (const t of DEFAULT_TARGETS) {
      expect(t.persons[0]?.role).toBe('LEGAL_REP');
      expect(t.address).toMatch(/^仙游县.+(街道|镇|乡)/);
      expect(t.name.startsWith('仙游县')).toBe(true);
    }
  });
});

describe('generateDemoCounty: streaming', () => {
  it('iterates 200,000 targets without holding them (bounded RSS)', () => {
    const county = generateDemoCounty({ targets: 1_000_000, inspectors: 0, seed: 'bench' });
    globalThis.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    let count = 0;
    let last: DemoTarget | undefined;
    for (const t of county.targets) {
      last = t;
      count += 1;
      if (count % 20_000 === 0) peak = Math.max(peak, process.memoryUsage().rss);
      if (count === 200_000) break;
    }
    expect(count).toBe(200_000);
    expect(last).toEqual(county.targetAt(199_999));
    // 200,000 retained targets would take several hundred MB; streaming stays far below that.
    expect(peak - before).toBeLessThan(150 * 1024 * 1024);
  });
});

describe('generateDemoCounty: inspectors, pools and relationships', () => {
  const { inspectors, jointPools, relationships } = DEFAULT;

  it('has about 150 inspectors, mostly in stations and 治安/消防', () => {
    expect(inspectors).toHaveLength(150);
    const inStations = inspectors.filter((i) => i.departmentCode.startsWith('PCS-')).length;
    const zaXf = inspectors.filter((i) => i.departmentCode === 'ZA' || i.departmentCode === 'XF').length;
    expect(inStations).toBeGreaterThan(75);
    expect(zaXf).toBeGreaterThan(40);
    expect(inspectors.filter((i) => i.departmentCode === 'WA').length).toBeGreaterThanOrEqual(2);
  });

  it('references only existing departments and categories those departments supervise', () => {
    for (const i of inspectors) {
      const dept = findDepartment(i.departmentCode);
      expect(dept, i.departmentCode).toBeDefined();
      for (const c of i.qualifiedCategories) expect(dept!.categories).toContain(c);
    }
    for (const p of jointPools) {
      expect(findDepartment(p.approvedBy)).toBeDefined();
      for (const d of p.departmentCodes) expect(findDepartment(d), d).toBeDefined();
    }
    for (const item of DEFAULT.items) expect(findDepartment(item.departmentCode)).toBeDefined();
  });

  it('has unique 6-digit police numbers and plausible certificates', () => {
    expect(new Set(inspectors.map((i) => i.policeNo)).size).toBe(inspectors.length);
    const today = DEFAULT_DEMO_OPTIONS.today;
    const in60 = new Date(Date.parse(`${today}T00:00:00Z`) + 60 * 86_400_000).toISOString().slice(0, 10);
    for (const i of inspectors) {
      expect(i.policeNo).toMatch(/^\d{6}$/);
      expect(i.certificateNo).toMatch(/^闽公执字〔\d{4}〕第\d{6}号$/);
      expect(i.certificateValidFrom < i.certificateValidTo).toBe(true);
      expect(i.certificateValidFrom <= today).toBe(true);
    }
    const expired = inspectors.filter((i) => i.certificateValidTo < today).length;
    const expiring = inspectors.filter(
      (i) => i.certificateValidTo >= today && i.certificateValidTo <= in60,
    ).length;
    expect(expired).toBeGreaterThanOrEqual(1);
    expect(expired).toBeLessThan(15);
    expect(expiring).toBeGreaterThanOrEqual(3);
    expect(expiring).toBeLessThan(30);
    const active = inspectors.filter((i) => i.status === 'ACTIVE').length;
    expect(active / inspectors.length).toBeGreaterThan(0.8);
  });

  it('has at least two active, certified inspectors qualified for every category', () => {
    const today = DEFAULT_DEMO_OPTIONS.today;
    for (const c of Object.values(TargetCategory)) {
      const ok = inspectors.filter(
        (i) => i.status === 'ACTIVE' && i.certificateValidTo >= today && i.qualifiedCategories.includes(c),
      );
      expect(ok.length, c).toBeGreaterThanOrEqual(2);
    }
  });

  it('pools 网安 with 治安', () => {
    expect(jointPools.some((p) => p.departmentCodes.includes('WA') && p.departmentCodes.includes('ZA'))).toBe(
      true,
    );
    expect(new Set(jointPools.map((p) => p.code)).size).toBe(jointPools.length);
  });

  it('declares relationships against existing inspectors, targets and persons', () => {
    expect(relationships.length).toBeGreaterThan(5);
    const police = new Set(inspectors.map((i) => i.policeNo));
    const bySource = new Map(DEFAULT_TARGETS.map((t) => [t.sourceId, t]));
    const ids = new Set(DEFAULT_TARGETS.flatMap((t) => t.persons.map((p) => p.idNumber)));
    for (const r of relationships) {
      expect(police.has(r.inspectorPoliceNo)).toBe(true);
      expect(r.targetSourceId !== undefined || r.personIdNumber !== undefined).toBe(true);
      if (r.targetSourceId !== undefined) expect(bySource.has(r.targetSourceId)).toBe(true);
      if (r.personIdNumber !== undefined) expect(ids.has(r.personIdNumber)).toBe(true);
      if (r.targetSourceId !== undefined && r.personIdNumber !== undefined) {
        expect(bySource.get(r.targetSourceId)!.persons.map((p) => p.idNumber)).toContain(r.personIdNumber);
      }
      expect(r.declaredOn >= '2018-07-03' && r.declaredOn <= DEFAULT_DEMO_OPTIONS.today).toBe(true);
    }
    expect(new Set(relationships.map((r) => r.kind)).size).toBeGreaterThanOrEqual(3);
  });
});
