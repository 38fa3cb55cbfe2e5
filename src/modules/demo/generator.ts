import { SEED_ITEMS, type SeedItem } from '../items/seed-items.js';
import {
  BUREAU_CODE,
  DEPARTMENTS,
  DIVISIONS,
  type DepartmentSeed,
  type Division,
} from '../org/departments-data.js';
import { Grade, PersonRole, TargetCategory, TargetStatus } from '../targets/target-category.js';
import { USCC_ALPHABET, citizenIdCheckChar, orgCodeCheckChar, usccCheckChar } from './check-chars.js';
import { AffinePermutation, Rng, Stream, gcd, hashSeed, type SeedWords } from './prng.js';
import { BRAND_A, BRAND_B, GIVEN_CHARS, SURNAMES, TRADE_WORDS, isVillage, placesFor } from './vocabulary.js';

/**
 * Deterministic generator of a plausible 仙游县 at any scale, for demos, tests and benchmarks.
 * Pure code: no database, no clock, no `Math.random`. The lead's loader inserts the result.
 *
 * Determinism: the same options give byte-identical output; a different `seed` gives a
 * different county. Target i is computed from (seed, targets, i) alone — see {@link DemoCounty.targetAt}
 * — so `targets` streams in constant memory even at 1,000,000 and more.
 *
 * Category mix ({@link CATEGORY_SHARES_BP}): counts per category are fixed exactly by largest
 * remainder (each category gets at least one target when `targets` ≥ 16), then spread over the
 * index range by a seeded affine permutation, so any prefix of the stream is well mixed.
 */

/** Which source system a demo target comes from (and which adapter would deliver it). */
export type DemoSourceSystem = 'HOTEL_SYS' | 'ENT_SYS' | 'CAFE_SYS' | 'ROSTER_FILE';

/** A natural person attached to a target (legal representative, manager, staff). */
export interface DemoPerson {
  readonly role: PersonRole;
  readonly name: string;
  /** GA/T 2000.156 `111`: 居民身份证. */
  readonly idType: '111';
  /** 18 characters; about 2% fail their GB 11643 check on purpose. */
  readonly idNumber: string;
  readonly phone: string | null;
}

/** A recorded violation (administrative penalty) of the last three years. */
export interface DemoViolation {
  /** ISO date. */
  readonly date: string;
  /** Category-specific code, e.g. `MINOR_ADMITTED`, `NO_REGISTRATION`, `EXIT_BLOCKED`. */
  readonly type: string;
  /** Penalty decision number, e.g. `仙公治行罚决字〔2025〕0123号`; unique within a county. */
  readonly decisionNo: string;
}

/** One inspection target as its source system (or roster file) would deliver it. */
export interface DemoTarget {
  readonly sourceSystem: DemoSourceSystem;
  /** The source's own key: hotel 13 digits, venue `350322E…`, café 14 digits, roster `R-…`. Unique. */
  readonly sourceId: string;
  readonly category: TargetCategory;
  /** Unique within its category, e.g. `仙游县鲤城鑫源宾馆`. */
  readonly name: string;
  /**
   * USCC as the source holds it: '' for ~10% (individual businesses without one), otherwise
   * unique; ~3% of non-empty values fail the check, some are lower-case or contain spaces.
   */
  readonly usccRaw: string;
  readonly licenceNo: string | null;
  readonly address: string;
  /** 12-digit org code of the police station whose area the target is in. */
  readonly jurisdictionCode: string;
  readonly status: TargetStatus;
  /** Entertainment venues only: A, B, C or null (not yet graded); null for every other category. */
  readonly grade: Grade | null;
  /** Hotels only: on the bureau's hotel blacklist. */
  readonly hotelBlacklisted: boolean;
  /** On the key-inspection roster (重点抽查名录库). */
  readonly keyInspection: boolean;
  /** On the market regulator's abnormal-operation list (经营异常名录). */
  readonly abnormalListed: boolean;
  readonly complaints90d: number;
  readonly violations: readonly DemoViolation[];
  readonly persons: readonly DemoPerson[];
}

/** Inspector status. */
export type DemoInspectorStatus = 'ACTIVE' | 'ON_LEAVE' | 'RETIRED';

/** One enforcement officer of the inspector roster (执法检查人员名录库). */
export interface DemoInspector {
  /** 6-digit police number (警号), string; may start with 0. Unique. */
  readonly policeNo: string;
  readonly name: string;
  readonly departmentCode: string;
  /** Enforcement certificate number, e.g. `闽公执字〔2021〕第012345号`. */
  readonly certificateNo: string;
  /** ISO date. */
  readonly certificateValidFrom: string;
  /** ISO date; ~8% fall within 60 days after `today`, ~3% are already past. */
  readonly certificateValidTo: string;
  readonly status: DemoInspectorStatus;
  readonly qualifiedCategories: readonly TargetCategory[];
}

/** A joint inspector pool across departments (联合建库, seed §二(一)2). */
export interface DemoJointPool {
  readonly code: string;
  readonly name: string;
  readonly departmentCodes: readonly string[];
  /** Code of the approving department. */
  readonly approvedBy: string;
  /** ISO date. */
  readonly approvedOn: string;
}

/** Kind of declared relationship that triggers recusal (回避). */
export type DemoRelationshipKind = 'RELATIVE' | 'FORMER_EMPLOYER' | 'SHAREHOLDER' | 'OTHER';

/** A relationship an inspector declared; at least one of `targetSourceId` and `personIdNumber` is set. */
export interface DemoRelationship {
  readonly inspectorPoliceNo: string;
  readonly targetSourceId?: string;
  readonly personIdNumber?: string;
  readonly kind: DemoRelationshipKind;
  /** ISO date. */
  readonly declaredOn: string;
}

/** Options of {@link generateDemoCounty}. */
export interface DemoCountyOptions {
  /** Number of targets, 0 … 90,000,000. Default scale: 3,000. */
  readonly targets: number;
  /** Number of inspectors, 0 … 900,000. Default scale: 150. */
  readonly inspectors: number;
  /** Any string; the whole county derives from it. */
  readonly seed: string;
  /** Reference date (ISO) for certificate expiry, violations and declarations. Default `2026-11-20`. */
  readonly today?: string;
}

/** A generated county. `targets` is lazy and re-iterable; everything else is small and eager. */
export interface DemoCounty {
  readonly departments: readonly DepartmentSeed[];
  readonly items: readonly SeedItem[];
  readonly targets: Iterable<DemoTarget>;
  readonly inspectors: DemoInspector[];
  readonly jointPools: DemoJointPool[];
  readonly relationships: DemoRelationship[];
  /** Exact number of targets per category. */
  readonly categoryCounts: Readonly<Record<TargetCategory, number>>;
  /** Target i (0 ≤ i < targets), identical to the i-th element of `targets`. Throws `RangeError` outside. */
  targetAt(index: number): DemoTarget;
}

/** The default demo scale: a county of about 3,000 targets and 150 inspectors. */
export const DEFAULT_DEMO_OPTIONS: Required<DemoCountyOptions> = {
  targets: 3000,
  inspectors: 150,
  seed: 'xianyou-350322',
  today: '2026-11-20',
};

/**
 * Category mix in basis points (sum 10,000). The brief's example shares (fire ~35%, hotels 12%,
 * auto repair 15%, cafés 4%, entertainment 5%, seal/pawn/security 1% each …) add up to only ~75%,
 * so they were scaled up where a real county has the most units: general fire-safety units
 * (shops, workshops, 红木 furniture makers), auto repair and hotels.
 *
 * | category | bp | at 3,000 |
 * |---|---|---|
 * | FIRE_SAFETY_GENERAL | 4200 | 1260 |
 * | FIRE_SAFETY_KEY | 700 | 210 |
 * | AUTO_REPAIR | 1900 | 570 |
 * | HOTEL | 1500 | 450 |
 * | ENTERTAINMENT | 650 | 195 |
 * | INTERNET_CAFE | 500 | 150 |
 * | SEAL_ENGRAVING | 120 | 36 |
 * | SECURITY_SERVICE | 120 | 36 |
 * | BLASTING_NONCOMMERCIAL | 120 | 36 (quarries: 仙游 is hilly) |
 * | PAWN | 80 | 24 |
 * | FIREARMS_USER | 35 | 10–11 |
 * | BLASTING_COMMERCIAL | 30 | 9 |
 * | SECURITY_TRAINING | 20 | 6 |
 * | ARMED_ESCORT | 10 | 3 |
 * | FIREARMS_SELLER | 10 | 3 |
 * | FIREARMS_MAKER | 5 | 1–2 |
 */
export const CATEGORY_SHARES_BP: Readonly<Record<TargetCategory, number>> = {
  [TargetCategory.FIRE_SAFETY_GENERAL]: 4200,
  [TargetCategory.FIRE_SAFETY_KEY]: 700,
  [TargetCategory.AUTO_REPAIR]: 1900,
  [TargetCategory.HOTEL]: 1500,
  [TargetCategory.ENTERTAINMENT]: 650,
  [TargetCategory.INTERNET_CAFE]: 500,
  [TargetCategory.SEAL_ENGRAVING]: 120,
  [TargetCategory.SECURITY_SERVICE]: 120,
  [TargetCategory.BLASTING_NONCOMMERCIAL]: 120,
  [TargetCategory.PAWN]: 80,
  [TargetCategory.FIREARMS_USER]: 35,
  [TargetCategory.BLASTING_COMMERCIAL]: 30,
  [TargetCategory.SECURITY_TRAINING]: 20,
  [TargetCategory.ARMED_ESCORT]: 10,
  [TargetCategory.FIREARMS_SELLER]: 10,
  [TargetCategory.FIREARMS_MAKER]: 5,
};

const CATEGORIES = Object.values(TargetCategory);

/**
 * Relative weight of each division (rough population and business density): the county seat
 * and the south bank are dense, the mountain townships sparse.
 */
export const DIVISION_WEIGHTS: Readonly<Record<string, number>> = {
  鲤城: 14,
  鲤南: 9,
  枫亭: 9,
  榜头: 11,
  郊尾: 7,
  度尾: 6,
  赖店: 6,
  盖尾: 6,
  园庄: 5,
  大济: 6,
  龙华: 5,
  钟山: 4,
  游洋: 3,
  西苑: 2,
  石苍: 2,
  社硎: 2,
  书峰: 2,
  菜溪: 2,
};

/** The source system that delivers targets of a category. */
export function sourceSystemFor(category: TargetCategory): DemoSourceSystem {
  switch (category) {
    case TargetCategory.HOTEL:
      return 'HOTEL_SYS';
    case TargetCategory.ENTERTAINMENT:
      return 'ENT_SYS';
    case TargetCategory.INTERNET_CAFE:
      return 'CAFE_SYS';
    default:
      return 'ROSTER_FILE';
  }
}

/**
 * Splits `total` over `weights` by largest remainder (ties to the earlier entry). With
 * `minEach` > 0 and enough total, entries below `minEach` are topped up from the largest ones,
 * so small categories exist without distorting the big ones.
 */
export function allocateByWeight(weights: readonly number[], total: number, minEach = 0): number[] {
  const n = weights.length;
  const counts = new Array<number>(n).fill(0);
  const sum = weights.reduce((s, w) => s + w, 0);
  if (sum <= 0 || total <= 0) return counts;
  const exact = weights.map((w) => (w * total) / sum);
  let given = 0;
  for (let i = 0; i < n; i++) {
    const f = Math.floor(exact[i]!);
    counts[i] = f;
    given += f;
  }
  const order = exact.map((x, i) => ({ i, r: x - Math.floor(x) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (let k = 0; k < total - given; k++) counts[order[k % n]!.i]! += 1;
  if (minEach > 0 && total >= n * minEach) {
    for (let i = 0; i < n; i++) {
      while (counts[i]! < minEach) {
        let largest = 0;
        for (let j = 1; j < n; j++) if (counts[j]! > counts[largest]!) largest = j;
        counts[largest]! -= 1;
        counts[i]! += 1;
      }
    }
  }
  return counts;
}

/** Exact target count per category for a county of `total` targets. */
export function allocateCategoryCounts(total: number): Record<TargetCategory, number> {
  const counts = allocateByWeight(
    CATEGORIES.map((c) => CATEGORY_SHARES_BP[c]),
    total,
    1,
  );
  return Object.fromEntries(CATEGORIES.map((c, i) => [c, counts[i]!])) as Record<TargetCategory, number>;
}

// Unique-serial spaces. Each is walked by i ↦ (i·K + offset) mod M with gcd(K, M) = 1, a bijection,
// so serials never collide while the index stays below M.
const USCC_SERIAL_SPACE = 31 ** 6;
const ID_DAY0 = Date.UTC(1950, 0, 1) / 86_400_000;
const ID_DAYS = Date.UTC(2004, 11, 31) / 86_400_000 - ID_DAY0 + 1;
const ID_SERIAL_SPACE = ID_DAYS * 1000;
const PERSONS_PER_TARGET_MAX = 8;
const POLICE_NO_STEP = 7919;

/** A step near M·(φ−1), coprime with M: consecutive indices land far apart in the space. */
function goldenStep(space: number): number {
  let k = Math.floor(space * 0.6180339887498949);
  while (gcd(k, space) !== 1) k++;
  return k;
}
const USCC_STEP = goldenStep(USCC_SERIAL_SPACE);
const ID_STEP = goldenStep(ID_SERIAL_SPACE);

const ID_REGIONS = ['350322', '350302', '350303', '350304', '350305'];
const ID_REGION_WEIGHTS = [85, 4, 3, 5, 3];

interface Layout {
  readonly seed: SeedWords;
  readonly total: number;
  readonly today: string;
  readonly todayDay: number;
  readonly perm: AffinePermutation | null;
  /** Start position of each category's block, in CATEGORIES order, plus a final sentinel. */
  readonly starts: number[];
  readonly usccOffset: number;
  readonly idOffset: number;
  readonly divisionWeights: number[];
}

function dayOf(iso: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) throw new RangeError(`expected an ISO date YYYY-MM-DD, got '${iso}'`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / 86_400_000;
}

function isoOf(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

/** (a·b + c) mod m without losing precision: a·b may exceed 2^53 when both are large. */
function mulMod(a: number, b: number, m: number, c: number): number {
  return Number((BigInt(a) * BigInt(b) + BigInt(c)) % BigInt(m));
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function encodeBase31(value: number, width: number): string {
  let v = value;
  let out = '';
  for (let k = 0; k < width; k++) {
    out = USCC_ALPHABET.charAt(v % 31) + out;
    v = Math.floor(v / 31);
  }
  return out;
}

function makeLayout(options: DemoCountyOptions): Layout {
  const { targets, seed } = options;
  if (!Number.isSafeInteger(targets) || targets < 0)
    throw new RangeError(`targets must be a non-negative integer`);
  const today = options.today ?? DEFAULT_DEMO_OPTIONS.today;
  const words = hashSeed(seed);
  const rng = Rng.at(words, Stream.LAYOUT, 0);
  const counts = allocateCategoryCounts(targets);
  const starts: number[] = [];
  let acc = 0;
  for (const c of CATEGORIES) {
    starts.push(acc);
    acc += counts[c];
  }
  starts.push(acc);
  return {
    seed: words,
    total: targets,
    today,
    todayDay: dayOf(today),
    perm: targets > 0 ? new AffinePermutation(targets, rng) : null,
    starts,
    usccOffset: rng.int(USCC_SERIAL_SPACE),
    idOffset: rng.int(ID_SERIAL_SPACE),
    divisionWeights: DIVISIONS.map((d) => DIVISION_WEIGHTS[d.shortName] ?? 1),
  };
}

function categoryAt(layout: Layout, position: number): { category: TargetCategory; ordinal: number } {
  let lo = 0;
  let hi = CATEGORIES.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (layout.starts[mid]! <= position) lo = mid;
    else hi = mid - 1;
  }
  return { category: CATEGORIES[lo]!, ordinal: position - layout.starts[lo]! };
}

function personName(rng: Rng): string {
  const given = rng.chance(0.8) ? rng.pick(GIVEN_CHARS) + rng.pick(GIVEN_CHARS) : rng.pick(GIVEN_CHARS);
  return rng.pick(SURNAMES) + given;
}

function phone(rng: Rng): string {
  return `1${rng.pick(['3', '5', '8', '7', '9'])}${rng.int(10)}${pad(rng.int(100_000_000), 8)}`;
}

function citizenId(layout: Layout, rng: Rng, serial: number): string {
  const u = mulMod(serial, ID_STEP, ID_SERIAL_SPACE, layout.idOffset);
  const birth = isoOf(ID_DAY0 + Math.floor(u / 1000)).replaceAll('-', '');
  const body = `${rng.weighted(ID_REGIONS, ID_REGION_WEIGHTS)}${birth}${pad(u % 1000, 3)}`;
  const check = citizenIdCheckChar(body);
  if (!rng.chance(0.02)) return body + check;
  const map = '0123456789X';
  return body + map.charAt((map.indexOf(check) + 1 + rng.int(10)) % 11);
}

const INDIVIDUAL_BUSINESS: ReadonlySet<TargetCategory> = new Set([
  TargetCategory.HOTEL,
  TargetCategory.AUTO_REPAIR,
  TargetCategory.FIRE_SAFETY_GENERAL,
]);

function uscc(layout: Layout, rng: Rng, index: number, category: TargetCategory): string {
  const individual = INDIVIDUAL_BUSINESS.has(category) && rng.chance(0.45);
  // ~13% of the individual-business categories (≈76% of targets) → ≈10% of all targets have none.
  if (individual && rng.chance(0.29)) return '';
  const serial = mulMod(index, USCC_STEP, USCC_SERIAL_SPACE, layout.usccOffset);
  const orgBody = `MA${encodeBase31(serial, 6)}`;
  const first17 = `9${individual ? '2' : '1'}350322${orgBody}${orgCodeCheckChar(orgBody)}`;
  const check = usccCheckChar(first17);
  let code = first17 + check;
  if (rng.chance(0.03)) {
    code = first17 + USCC_ALPHABET.charAt((USCC_ALPHABET.indexOf(check) + 1 + rng.int(30)) % 31);
  }
  const style = rng.float();
  if (style < 0.04) return code.toLowerCase();
  if (style < 0.07) return `${code.slice(0, 2)} ${code.slice(2, 8)} ${code.slice(8)}`;
  if (style < 0.08) return ` ${code} `;
  return code;
}

function licenceNo(rng: Rng, category: TargetCategory, ordinal: number): string | null {
  const year = rng.range(2008, 2024);
  const n = ordinal + 1;
  switch (category) {
    case TargetCategory.HOTEL:
      return `闽公特旅字〔${year}〕第${pad(n, 4)}号`;
    case TargetCategory.ENTERTAINMENT:
      return `仙公娱备〔${year}〕${n}号`;
    case TargetCategory.INTERNET_CAFE:
      return `闽网文〔${year}〕${pad(n, 4)}-${pad(rng.range(1, 3), 3)}号`;
    case TargetCategory.AUTO_REPAIR:
      return `仙公机修备〔${year}〕${n}号`;
    case TargetCategory.SEAL_ENGRAVING:
      return `闽公特章字〔${year}〕第${pad(n, 4)}号`;
    case TargetCategory.PAWN:
      return `闽公特典字〔${year}〕第${pad(n, 4)}号`;
    case TargetCategory.SECURITY_SERVICE:
    case TargetCategory.ARMED_ESCORT:
      return `闽公保服字〔${year}〕第${pad(n, 3)}号`;
    case TargetCategory.SECURITY_TRAINING:
      return `闽公保培字〔${year}〕第${pad(n, 3)}号`;
    case TargetCategory.FIREARMS_MAKER:
      return `公枪制字〔${year}〕第${pad(n, 3)}号`;
    case TargetCategory.FIREARMS_SELLER:
      return `闽公枪售字〔${year}〕第${pad(n, 3)}号`;
    case TargetCategory.FIREARMS_USER:
      return `闽公枪配字〔${year}〕第${pad(n, 3)}号`;
    case TargetCategory.BLASTING_COMMERCIAL:
      return `35000013${pad(n, 5)}`;
    case TargetCategory.BLASTING_NONCOMMERCIAL:
      return `35030012${pad(n, 5)}`;
    case TargetCategory.FIRE_SAFETY_KEY:
      return rng.chance(0.5) ? `仙消安检字〔${year}〕第${pad(n, 4)}号` : null;
    case TargetCategory.FIRE_SAFETY_GENERAL:
      return null;
  }
}

function sourceId(category: TargetCategory, ordinal: number): string {
  const n = ordinal + 1;
  switch (sourceSystemFor(category)) {
    case 'HOTEL_SYS':
      return `350322${pad(n, 7)}`;
    case 'ENT_SYS':
      return `350322E${pad(n, 5)}`;
    case 'CAFE_SYS':
      return `35032210${pad(n, 6)}`;
    case 'ROSTER_FILE':
      return `R-${category}-${pad(n, 6)}`;
  }
}

function businessName(category: TargetCategory, ordinal: number, division: Division): string {
  const trades = TRADE_WORDS[category];
  const brands = BRAND_A.length * BRAND_B.length;
  const brand = ordinal % brands;
  const trade = Math.floor(ordinal / brands) % trades.length;
  const branch = Math.floor(ordinal / (brands * trades.length));
  const base = `仙游县${division.shortName}${BRAND_A[brand % BRAND_A.length]}${BRAND_B[Math.floor(brand / BRAND_A.length)]}${trades[trade]}`;
  return branch === 0 ? base : `${base}${branch + 1}分店`;
}

function address(rng: Rng, division: Division): string {
  const place = rng.pick(placesFor(division.shortName));
  return isVillage(place)
    ? `仙游县${division.name}${place}${rng.range(1, 300)}号`
    : `仙游县${division.name}${place}${rng.range(1, 999)}号`;
}

const VIOLATION_TYPES: Readonly<Record<TargetCategory, readonly string[]>> = {
  [TargetCategory.HOTEL]: ['NO_REGISTRATION', 'UPLOAD_DELAY', 'NO_REPORT', 'OTHER'],
  [TargetCategory.ENTERTAINMENT]: [
    'OVER_HOURS',
    'MINOR_ADMITTED',
    'CCTV_FAULT',
    'NO_STAFF_REGISTER',
    'OTHER',
  ],
  [TargetCategory.INTERNET_CAFE]: [
    'MINOR_ADMITTED',
    'NO_REALNAME',
    'OVER_HOURS',
    'UNLICENSED_EXPANSION',
    'OTHER',
  ],
  [TargetCategory.AUTO_REPAIR]: ['NO_REGISTRATION', 'NO_REPORT', 'OTHER'],
  [TargetCategory.SEAL_ENGRAVING]: ['NO_VERIFICATION', 'NO_UPLOAD', 'OTHER'],
  [TargetCategory.PAWN]: ['NO_VERIFICATION', 'NO_REGISTRATION', 'OTHER'],
  [TargetCategory.SECURITY_SERVICE]: ['UNCERTIFIED_GUARD', 'OTHER'],
  [TargetCategory.SECURITY_TRAINING]: ['RECORD_INCOMPLETE', 'OTHER'],
  [TargetCategory.ARMED_ESCORT]: ['STORAGE', 'RECORD_INCOMPLETE', 'OTHER'],
  [TargetCategory.FIREARMS_MAKER]: ['STORAGE', 'RECORD_INCOMPLETE'],
  [TargetCategory.FIREARMS_SELLER]: ['STORAGE', 'RECORD_INCOMPLETE'],
  [TargetCategory.FIREARMS_USER]: ['STORAGE', 'RECORD_INCOMPLETE'],
  [TargetCategory.BLASTING_COMMERCIAL]: ['STORAGE', 'RECORD_INCOMPLETE', 'UNCERTIFIED_WORKER'],
  [TargetCategory.BLASTING_NONCOMMERCIAL]: ['STORAGE', 'RECORD_INCOMPLETE', 'UNCERTIFIED_WORKER'],
  [TargetCategory.FIRE_SAFETY_KEY]: ['EXIT_BLOCKED', 'EQUIPMENT_FAULT', 'NO_PATROL', 'OTHER'],
  [TargetCategory.FIRE_SAFETY_GENERAL]: ['EXIT_BLOCKED', 'EQUIPMENT_FAULT', 'OTHER'],
};

function decisionPrefix(category: TargetCategory): string {
  if (category === TargetCategory.INTERNET_CAFE) return '仙公网行罚决字';
  if (category === TargetCategory.FIRE_SAFETY_KEY || category === TargetCategory.FIRE_SAFETY_GENERAL) {
    return '仙消行罚决字';
  }
  return '仙公治行罚决字';
}

const HIGH_RISK: ReadonlySet<TargetCategory> = new Set([
  TargetCategory.ARMED_ESCORT,
  TargetCategory.FIREARMS_MAKER,
  TargetCategory.FIREARMS_SELLER,
  TargetCategory.FIREARMS_USER,
  TargetCategory.BLASTING_COMMERCIAL,
  TargetCategory.BLASTING_NONCOMMERCIAL,
]);

function buildTarget(layout: Layout, index: number): DemoTarget {
  if (!Number.isInteger(index) || index < 0 || index >= layout.total || !layout.perm) {
    throw new RangeError(`target index ${index} outside 0…${layout.total - 1}`);
  }
  const { category, ordinal } = categoryAt(layout, layout.perm.apply(index));
  const rng = Rng.at(layout.seed, Stream.TARGET, index);
  const division = rng.weighted(DIVISIONS, layout.divisionWeights);

  const usccRaw = uscc(layout, rng, index, category);
  const licence = licenceNo(rng, category, ordinal);

  const s = rng.float();
  const revocable = category === TargetCategory.INTERNET_CAFE || HIGH_RISK.has(category);
  const status =
    s < 0.92
      ? TargetStatus.OPERATING
      : s < 0.95
        ? TargetStatus.SUSPENDED
        : revocable && s < 0.96
          ? TargetStatus.REVOKED
          : TargetStatus.CLOSED;

  let grade: Grade | null = null;
  if (category === TargetCategory.ENTERTAINMENT) {
    grade = rng.weighted([Grade.A, Grade.B, Grade.C, null], [45, 35, 12, 8]);
  }
  const hotelBlacklisted = category === TargetCategory.HOTEL && rng.chance(0.05);
  const abnormalListed =
    usccRaw !== '' && rng.chance(category === TargetCategory.INTERNET_CAFE ? 0.06 : 0.03);

  const busy =
    category === TargetCategory.ENTERTAINMENT ||
    category === TargetCategory.INTERNET_CAFE ||
    category === TargetCategory.FIRE_SAFETY_KEY;
  const complaints90d = rng.geometric(busy ? 0.55 : 0.85, 30);

  const violations: DemoViolation[] = [];
  const nViolations = rng.chance(busy ? 0.15 : 0.07) ? 1 + rng.geometric(0.6, 2) : 0;
  for (let v = 0; v < nViolations; v++) {
    const day = layout.todayDay - rng.range(1, 3 * 365);
    violations.push({
      date: isoOf(day),
      type: rng.pick(VIOLATION_TYPES[category]),
      decisionNo: `${decisionPrefix(category)}〔${isoOf(day).slice(0, 4)}〕${pad(index * 4 + v + 1, 4)}号`,
    });
  }

  const keyInspection =
    HIGH_RISK.has(category) ||
    hotelBlacklisted ||
    grade === Grade.C ||
    (category === TargetCategory.FIRE_SAFETY_KEY && rng.chance(0.7)) ||
    complaints90d >= 5 ||
    violations.length >= 2 ||
    rng.chance(0.03);

  const persons: DemoPerson[] = [];
  const addPerson = (role: PersonRole, phoneChance: number): void => {
    persons.push({
      role,
      name: personName(rng),
      idType: '111',
      idNumber: citizenId(layout, rng, index * PERSONS_PER_TARGET_MAX + persons.length),
      phone: rng.chance(phoneChance) ? phone(rng) : null,
    });
  };
  addPerson(PersonRole.LEGAL_REP, 0.95);
  if (rng.chance(category === TargetCategory.FIRE_SAFETY_GENERAL ? 0.25 : 0.45))
    addPerson(PersonRole.MANAGER, 0.85);
  if (category === TargetCategory.ENTERTAINMENT || category === TargetCategory.INTERNET_CAFE) {
    const cashiers = rng.range(1, 3);
    for (let k = 0; k < cashiers; k++) addPerson(PersonRole.CASHIER, 0.8);
  }
  if (category === TargetCategory.ENTERTAINMENT || category === TargetCategory.HOTEL) {
    const guards = category === TargetCategory.ENTERTAINMENT ? rng.range(1, 2) : rng.chance(0.3) ? 1 : 0;
    for (let k = 0; k < guards; k++) addPerson(PersonRole.SECURITY, 0.8);
  }

  return {
    sourceSystem: sourceSystemFor(category),
    sourceId: sourceId(category, ordinal),
    category,
    name: businessName(category, ordinal, division),
    usccRaw,
    licenceNo: licence,
    address: address(rng, division),
    jurisdictionCode: division.stationOrgCode,
    status,
    grade,
    hotelBlacklisted,
    keyInspection,
    abnormalListed,
    complaints90d,
    violations,
    persons,
  };
}

interface InspectorSlot {
  readonly department: DepartmentSeed;
}

const STATIONS = DEPARTMENTS.filter((d) => d.kind === 'STATION');

function inspectorSlots(total: number): InspectorSlot[] {
  // Shares: stations 60% (by division weight), 治安 20%, 消防 17%, 网安 3% — 网安 stays small on
  // purpose, which is why it pools with 治安 (seed §二(一)2).
  const branchCodes = ['ZA', 'XF', 'WA'];
  const branches = branchCodes.map((c) => DEPARTMENTS.find((d) => d.code === c)!);
  const stationWeights = STATIONS.map((d) => {
    const division = DIVISIONS.find((v) => v.stationCode === d.code)!;
    return (60 * (DIVISION_WEIGHTS[division.shortName] ?? 1)) / 101;
  });
  const units = [...branches, ...STATIONS];
  const counts = allocateByWeight([20, 17, 3, ...stationWeights], total, 2);
  const slots: InspectorSlot[] = [];
  units.forEach((department, u) => {
    for (let k = 0; k < counts[u]!; k++) slots.push({ department });
  });
  return slots;
}

const ZA_CORE = [
  TargetCategory.HOTEL,
  TargetCategory.ENTERTAINMENT,
  TargetCategory.AUTO_REPAIR,
  TargetCategory.SEAL_ENGRAVING,
  TargetCategory.PAWN,
];
const ZA_SECURITY = [TargetCategory.SECURITY_SERVICE, TargetCategory.SECURITY_TRAINING];

function qualified(rng: Rng, department: DepartmentSeed, rankInDepartment: number): TargetCategory[] {
  if (department.code !== 'ZA') return [...department.categories];
  // The first three 治安 officers are generalists so every category has qualified inspectors.
  if (rankInDepartment < 3) return [...department.categories];
  const out = [...ZA_CORE];
  if (rng.chance(0.5)) out.push(...ZA_SECURITY);
  if (rng.chance(0.35)) out.push(...department.categories.filter((c) => HIGH_RISK.has(c)));
  return out;
}

function buildInspectors(layout: Layout, total: number): DemoInspector[] {
  if (!Number.isSafeInteger(total) || total < 0 || total > 900_000) {
    throw new RangeError(`inspectors must be an integer in 0…900000, got ${total}`);
  }
  const slots = inspectorSlots(total);
  const offset = Rng.at(layout.seed, Stream.LAYOUT, 1).int(1_000_000);
  const ranks = new Map<string, number>();
  return slots.map(({ department }, k) => {
    const rng = Rng.at(layout.seed, Stream.INSPECTOR, k);
    const rank = ranks.get(department.code) ?? 0;
    ranks.set(department.code, rank + 1);
    const policeNo = pad((k * POLICE_NO_STEP + offset) % 1_000_000, 6);
    const bucket = rng.float();
    const validToDay =
      bucket < 0.03
        ? layout.todayDay - rng.range(1, 180)
        : bucket < 0.11
          ? layout.todayDay + rng.range(0, 60)
          : layout.todayDay + rng.range(61, 6 * 365);
    const validFromDay = validToDay - 6 * 365 - 1;
    const st = rng.float();
    const status: DemoInspectorStatus = st < 0.9 ? 'ACTIVE' : st < 0.96 ? 'ON_LEAVE' : 'RETIRED';
    return {
      policeNo,
      name: personName(rng),
      departmentCode: department.code,
      certificateNo: `闽公执字〔${isoOf(validFromDay).slice(0, 4)}〕第${policeNo}号`,
      certificateValidFrom: isoOf(validFromDay),
      certificateValidTo: isoOf(validToDay),
      status,
      qualifiedCategories: qualified(rng, department, rank),
    };
  });
}

function buildJointPools(): DemoJointPool[] {
  const stationCodes = STATIONS.map((d) => d.code);
  return [
    {
      code: 'JP-WA-ZA',
      name: '网安治安联合执法检查人员库',
      departmentCodes: ['WA', 'ZA'],
      approvedBy: BUREAU_CODE,
      approvedOn: '2018-07-20',
    },
    {
      code: 'JP-XF-PCS',
      name: '消防派出所联合执法检查人员库',
      departmentCodes: ['XF', ...stationCodes],
      approvedBy: BUREAU_CODE,
      approvedOn: '2018-07-20',
    },
    {
      code: 'JP-ZA-PCS',
      name: '治安派出所特种行业联合执法检查人员库',
      departmentCodes: ['ZA', ...stationCodes],
      approvedBy: BUREAU_CODE,
      approvedOn: '2018-07-20',
    },
    {
      code: 'JP-CROSS',
      name: '娱乐场所网吧跨部门联合抽查人员库',
      departmentCodes: ['ZA', 'WA', 'XF'],
      approvedBy: BUREAU_CODE,
      approvedOn: '2018-08-01',
    },
  ];
}

function buildRelationships(layout: Layout, inspectors: readonly DemoInspector[]): DemoRelationship[] {
  if (layout.total === 0) return [];
  const out: DemoRelationship[] = [];
  const firstDay = dayOf('2018-07-03');
  inspectors.forEach((inspector, k) => {
    const rng = Rng.at(layout.seed, Stream.RELATIONSHIP, k);
    if (!rng.chance(0.12)) return;
    const n = rng.chance(0.2) ? 2 : 1;
    const department = DEPARTMENTS.find((d) => d.code === inspector.departmentCode)!;
    const area = department.kind === 'STATION' ? department.orgCode : null;
    for (let r = 0; r < n; r++) {
      // Prefer a target the inspector could actually be drawn for, so recusal has something to do.
      let target = buildTarget(layout, rng.int(layout.total));
      for (let attempt = 0; attempt < 24; attempt++) {
        if (
          (area === null || target.jurisdictionCode === area) &&
          inspector.qualifiedCategories.includes(target.category)
        ) {
          break;
        }
        target = buildTarget(layout, rng.int(layout.total));
      }
      const kind = rng.weighted<DemoRelationshipKind>(
        ['RELATIVE', 'FORMER_EMPLOYER', 'SHAREHOLDER', 'OTHER'],
        [45, 25, 15, 15],
      );
      const declaredOn = isoOf(rng.range(firstDay, layout.todayDay));
      const person = rng.pick(target.persons);
      if (kind === 'RELATIVE') {
        out.push({
          inspectorPoliceNo: inspector.policeNo,
          targetSourceId: target.sourceId,
          personIdNumber: person.idNumber,
          kind,
          declaredOn,
        });
      } else if (kind === 'OTHER' && rng.chance(0.5)) {
        out.push({
          inspectorPoliceNo: inspector.policeNo,
          personIdNumber: person.idNumber,
          kind,
          declaredOn,
        });
      } else {
        out.push({
          inspectorPoliceNo: inspector.policeNo,
          targetSourceId: target.sourceId,
          kind,
          declaredOn,
        });
      }
    }
  });
  return out;
}

/**
 * Generates a demo county. Targets are lazy: iterating `targets` builds each one on the fly
 * (constant memory), and iterating it again yields the same sequence.
 *
 * Example: `generateDemoCounty({ targets: 3000, inspectors: 150, seed: 'demo' })`.
 * Throws `RangeError` for a negative or non-integer count, more than 90,000,000 targets,
 * more than 900,000 inspectors, or a malformed `today`.
 * Unique serials (USCC, citizen IDs) are guaranteed up to about 2,500,000 targets.
 */
export function generateDemoCounty(options: DemoCountyOptions): DemoCounty {
  const layout = makeLayout(options);
  const inspectors = buildInspectors(layout, options.inspectors);
  const categoryCounts = Object.fromEntries(
    CATEGORIES.map((c, i) => [c, layout.starts[i + 1]! - layout.starts[i]!]),
  ) as Record<TargetCategory, number>;
  const targets: Iterable<DemoTarget> = {
    *[Symbol.iterator]() {
      for (let i = 0; i < layout.total; i++) yield buildTarget(layout, i);
    },
  };
  return {
    departments: DEPARTMENTS,
    items: SEED_ITEMS,
    targets,
    inspectors,
    jointPools: buildJointPools(),
    relationships: buildRelationships(layout, inspectors),
    categoryCounts,
    targetAt: (index: number) => buildTarget(layout, index),
  };
}
