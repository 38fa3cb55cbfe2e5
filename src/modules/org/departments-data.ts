import { TargetCategory } from '../targets/target-category.js';

/**
 * Reference data: 仙游县公安局 (region 350322), its branches and offices named in the seed
 * (body and annex), and one police station (派出所) per township-level division of the county.
 *
 * Township-level divisions (verified against public gazetteer pages, 2021 state): 2 streets
 * (鲤城街道, 鲤南街道 — the former 鲤南镇, formed in 2002 partly from the abolished 城东镇),
 * 11 towns and 5 townships (菜溪乡 is the former 象溪乡). There is no 城东镇 any more, so no
 * station for it; the 18 divisions give 18 stations. Station names follow the contracts
 * (`鲤城派出所`, `鲤南派出所`): the division name without its 街道/镇/乡 suffix.
 *
 * 12-digit organisation codes (机构代码), a scheme of our own that continues the contracts'
 * examples (鲤城 `350322510000`, 鲤南 `350322520000`):
 * - digits 1–6: region code `350322`;
 * - digits 7–8: unit serial — `00` the bureau, `01`–`49` branches and offices, `51`–`99`
 *   police stations (room for 49, in gazetteer order: 鲤城 51, 鲤南 52, 枫亭 53 … 菜溪 68);
 * - digits 9–12: `0000`, reserved for sub-units (警务室, squads).
 *
 * 效能办 (§三(三) "县局效能办要充分发挥组织协调作用"): kept as a department (`XN`, kind
 * OFFICE) because the seed gives it a standing duty — coordinating and supervising the rollout —
 * which the platform models as a read-all, inspect-nothing role. It supervises no category and
 * holds no inspectors. The leading group's office (领导小组办公室) sits in 法制大队 (annex §二),
 * so it is not a separate department.
 *
 * 消防大队 (`XF`): fire services left the police in the 2018–19 reform (now 消防救援大队), but
 * the seed (July 2018) names it; it is kept so the seed's fire-safety items have an owner.
 */

/** Kind of unit, matching `DepartmentKind` in `department.entity.ts`. */
export type DepartmentSeedKind = 'BRANCH' | 'STATION' | 'OFFICE';

/** One department of the bureau as reference data; the lead's loader turns it into a `Department`. */
export interface DepartmentSeed {
  /** Stable short code, e.g. `ZA`, `PCS-LC`. At most 16 characters. */
  readonly code: string;
  readonly name: string;
  readonly kind: DepartmentSeedKind;
  /** 12-digit organisation code; see the module comment for the scheme. */
  readonly orgCode: string;
  /** Code of the parent unit; absent only for the bureau itself. */
  readonly parentCode?: string;
  /** Station org codes this unit sees: a station its own, a county-wide branch all of them. */
  readonly jurisdictionCodes: readonly string[];
  readonly regionCode: '350322';
  /** Target categories the unit supervises (抽查对象 it may be 抽查主体 for). */
  readonly categories: readonly TargetCategory[];
}

/** Kind of township-level division. */
export type DivisionKind = 'STREET' | 'TOWN' | 'TOWNSHIP';

/** A township-level division of 仙游县 and the police station that covers it. */
export interface Division {
  /** Full name, e.g. `鲤城街道`, `枫亭镇`, `菜溪乡`. */
  readonly name: string;
  /** Name without suffix, e.g. `鲤城`. */
  readonly shortName: string;
  readonly kind: DivisionKind;
  /** Code of its police station department, e.g. `PCS-LC`. */
  readonly stationCode: string;
  /** 12-digit organisation code of its police station. */
  readonly stationOrgCode: string;
}

/** Region code of 仙游县. */
export const XIANYOU_REGION_CODE = '350322';

/** Code of the bureau itself (仙游县公安局). */
export const BUREAU_CODE = 'GAJ';

const DIVISION_LIST: readonly [name: string, kind: DivisionKind, pinyinCode: string][] = [
  ['鲤城街道', 'STREET', 'LC'],
  ['鲤南街道', 'STREET', 'LN'],
  ['枫亭镇', 'TOWN', 'FT'],
  ['榜头镇', 'TOWN', 'BT'],
  ['郊尾镇', 'TOWN', 'JW'],
  ['度尾镇', 'TOWN', 'DW'],
  ['赖店镇', 'TOWN', 'LD'],
  ['盖尾镇', 'TOWN', 'GW'],
  ['园庄镇', 'TOWN', 'YZ'],
  ['大济镇', 'TOWN', 'DJ'],
  ['龙华镇', 'TOWN', 'LH'],
  ['钟山镇', 'TOWN', 'ZS'],
  ['游洋镇', 'TOWN', 'YY'],
  ['西苑乡', 'TOWNSHIP', 'XY'],
  ['石苍乡', 'TOWNSHIP', 'SC'],
  ['社硎乡', 'TOWNSHIP', 'SX'],
  ['书峰乡', 'TOWNSHIP', 'SF'],
  ['菜溪乡', 'TOWNSHIP', 'CX'],
];

/** The 18 township-level divisions of 仙游县, in gazetteer order, each with its station. */
export const DIVISIONS: readonly Division[] = DIVISION_LIST.map(([name, kind, py], i) => ({
  name,
  shortName: name.replace(/(街道|镇|乡)$/, ''),
  kind,
  stationCode: `PCS-${py}`,
  stationOrgCode: `${XIANYOU_REGION_CODE}${51 + i}0000`,
}));

/** Org codes of every police station, in gazetteer order. */
export const STATION_ORG_CODES: readonly string[] = DIVISIONS.map((d) => d.stationOrgCode);

const ZA_CATEGORIES: readonly TargetCategory[] = [
  TargetCategory.HOTEL,
  TargetCategory.ENTERTAINMENT,
  TargetCategory.AUTO_REPAIR,
  TargetCategory.SEAL_ENGRAVING,
  TargetCategory.PAWN,
  TargetCategory.SECURITY_SERVICE,
  TargetCategory.SECURITY_TRAINING,
  TargetCategory.ARMED_ESCORT,
  TargetCategory.FIREARMS_MAKER,
  TargetCategory.FIREARMS_SELLER,
  TargetCategory.FIREARMS_USER,
  TargetCategory.BLASTING_COMMERCIAL,
  TargetCategory.BLASTING_NONCOMMERCIAL,
];

/**
 * Categories a police station supervises in its own area: the venues it manages day to day
 * (hotels, entertainment, cafés) and general fire-safety units (消防法 Art 53: 公安派出所 may
 * carry out routine fire-safety inspections; seed §二(二)5 "消防和派出所各单位").
 */
export const STATION_CATEGORIES: readonly TargetCategory[] = [
  TargetCategory.HOTEL,
  TargetCategory.ENTERTAINMENT,
  TargetCategory.INTERNET_CAFE,
  TargetCategory.FIRE_SAFETY_GENERAL,
];

function unit(
  code: string,
  name: string,
  kind: DepartmentSeedKind,
  serial: number,
  categories: readonly TargetCategory[],
  countyWide: boolean,
): DepartmentSeed {
  return {
    code,
    name,
    kind,
    orgCode: `${XIANYOU_REGION_CODE}${String(serial).padStart(2, '0')}0000`,
    parentCode: BUREAU_CODE,
    jurisdictionCodes: countyWide ? STATION_ORG_CODES : [],
    regionCode: XIANYOU_REGION_CODE,
    categories,
  };
}

/**
 * Every department: the bureau, its branches and offices, then the 18 stations.
 * Order is stable; codes never change once loaded.
 */
export const DEPARTMENTS: readonly DepartmentSeed[] = [
  {
    code: BUREAU_CODE,
    name: '仙游县公安局',
    kind: 'OFFICE',
    orgCode: `${XIANYOU_REGION_CODE}000000`,
    jurisdictionCodes: STATION_ORG_CODES,
    regionCode: XIANYOU_REGION_CODE,
    categories: [],
  },
  unit('ZA', '治安大队', 'BRANCH', 1, ZA_CATEGORIES, true),
  unit('WA', '网安大队', 'BRANCH', 2, [TargetCategory.INTERNET_CAFE], true),
  unit(
    'XF',
    '消防大队',
    'BRANCH',
    3,
    [TargetCategory.FIRE_SAFETY_KEY, TargetCategory.FIRE_SAFETY_GENERAL],
    true,
  ),
  unit('FZ', '法制大队', 'BRANCH', 4, [], true),
  unit('ZH', '指挥中心', 'OFFICE', 5, [], true),
  unit('DC', '警务督察', 'OFFICE', 6, [], true),
  unit('ZG', '政工室', 'OFFICE', 7, [], false),
  unit('XN', '县局效能办', 'OFFICE', 8, [], true),
  ...DIVISIONS.map((d): DepartmentSeed => ({
    code: d.stationCode,
    name: `${d.shortName}派出所`,
    kind: 'STATION',
    orgCode: d.stationOrgCode,
    parentCode: BUREAU_CODE,
    jurisdictionCodes: [d.stationOrgCode],
    regionCode: XIANYOU_REGION_CODE,
    categories: STATION_CATEGORIES,
  })),
];

const BY_CODE = new Map(DEPARTMENTS.map((d) => [d.code, d]));
const BY_ORG_CODE = new Map(DEPARTMENTS.map((d) => [d.orgCode, d]));

/** The department with this short code, or `undefined`. */
export function findDepartment(code: string): DepartmentSeed | undefined {
  return BY_CODE.get(code);
}

/** The department with this 12-digit organisation code, or `undefined`. */
export function findDepartmentByOrgCode(orgCode: string): DepartmentSeed | undefined {
  return BY_ORG_CODE.get(orgCode);
}
