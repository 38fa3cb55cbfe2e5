/**
 * The seed's default frequency, ratio, boost and intensification rules (§二(二)), as data.
 * These seed the editable, versioned rules tables; nothing here is consulted at run time once the
 * tables exist. Values the seed leaves open carry a `note` saying what was chosen and why.
 */
import { HOLIDAY_YEARS } from '../calendar/holidays-data.js';
import { TargetCategory } from '../targets/target-category.js';
import {
  deriveIntensificationWindows,
  type BoostRule,
  type FrequencyRule,
  type HolidayWindowSpec,
  type IntensificationWindow,
} from './schedule.js';

const BASELINE_TEXT =
  '实现随机抽查事项全覆盖，原则上每半年开展一次抽查且随机抽查比例要达到抽查对象名录库5%以上。';

/** Baseline for every category: one draw per half-year of at least 5% of the roster. */
export const BASELINE_RULES: readonly FrequencyRule[] = Object.values(TargetCategory).map(
  (category): FrequencyRule => ({
    code: `BASE-${category}`,
    category,
    mode: 'QUOTA',
    quotaPercent: '5',
    periodMonths: 6,
    priority: 0,
    description: `全类别基线：${BASELINE_TEXT}`,
    seedClause: '二(二)',
  }),
);

/** Category-specific rules of §二(二)1–6. */
export const CATEGORY_RULES: readonly FrequencyRule[] = [
  {
    code: 'ENT-GRADE-A',
    category: TargetCategory.ENTERTAINMENT,
    condition: { grade: 'A' },
    mode: 'COVERAGE',
    intervalMonths: 3,
    priority: 20,
    description: '娱乐场所实行ABC分级管理，所有A级场所每3个月至少抽查1次。',
    seedClause: '二(二)1',
  },
  {
    code: 'ENT-GRADE-B',
    category: TargetCategory.ENTERTAINMENT,
    condition: { grade: 'B' },
    mode: 'COVERAGE',
    intervalMonths: 2,
    priority: 20,
    description: '娱乐场所实行ABC分级管理，所有B级场所每2个月至少抽查1次。',
    seedClause: '二(二)1',
  },
  {
    code: 'ENT-GRADE-C',
    category: TargetCategory.ENTERTAINMENT,
    condition: { grade: 'C' },
    mode: 'COVERAGE',
    intervalMonths: 1,
    priority: 20,
    description: '娱乐场所实行ABC分级管理，所有C级场所每1个月至少抽查1次。未定级场所按C级管理。',
    seedClause: '二(二)1',
    note: '未定级场所无单独规则，按风险最高的C级（每月）处理；如需不同频次，可新增 grade=UNGRADED 的规则。',
  },
  {
    code: 'HOTEL-BLACKLISTED',
    category: TargetCategory.HOTEL,
    condition: { blacklisted: true },
    mode: 'COVERAGE',
    intervalMonths: 1,
    priority: 20,
    description: '对旅馆业实行“黑名单”管理，所有“黑名单”旅馆每1个月至少抽查1次。',
    seedClause: '二(二)1',
  },
  {
    code: 'HOTEL-NORMAL',
    category: TargetCategory.HOTEL,
    condition: { blacklisted: false },
    mode: 'COVERAGE',
    intervalMonths: 3,
    priority: 20,
    description: '正常旅馆每3个月至少抽查1次。',
    seedClause: '二(二)1',
  },
  ...[TargetCategory.AUTO_REPAIR, TargetCategory.SEAL_ENGRAVING, TargetCategory.PAWN].map(
    (category): FrequencyRule => ({
      code: `${category}-3M`,
      category,
      mode: 'COVERAGE',
      intervalMonths: 3,
      priority: 10,
      description: '对于机修业、公章刻制业和典当业，每3个月至少抽查1次。',
      seedClause: '二(二)1',
    }),
  ),
  ...[TargetCategory.SECURITY_SERVICE, TargetCategory.SECURITY_TRAINING].map((category): FrequencyRule => ({
    code: `${category}-H`,
    category,
    mode: 'QUOTA',
    quotaPercent: '5',
    periodMonths: 6,
    priority: 10,
    description: '对保安服务公司和保安培训单位每半年至少抽查1次，每次抽查比例不低于5﹪。',
    seedClause: '二(二)2',
  })),
  {
    code: 'ARMED_ESCORT-Q',
    category: TargetCategory.ARMED_ESCORT,
    mode: 'QUOTA',
    quotaPercent: '10',
    periodMonths: 3,
    priority: 10,
    description: '对武装守护押运服务企业应当加大抽查力度，增加抽查频次和比例。',
    seedClause: '二(二)2',
    note: '原文未定数值：按“高于保安服务公司（每半年、5%）”取每季度、不低于10%，可由管理员调整。',
  },
  ...[TargetCategory.FIREARMS_MAKER, TargetCategory.FIREARMS_SELLER, TargetCategory.FIREARMS_USER].map(
    (category): FrequencyRule => ({
      code: `${category}-Q`,
      category,
      mode: 'COVERAGE',
      intervalMonths: 3,
      priority: 10,
      description:
        '对辖区内的所有民用枪支弹药制造、配售企业和配置使用单位，职能部门和单位每个季度至少检查1次。',
      seedClause: '二(二)3',
    }),
  ),
  {
    code: 'BLASTING_COMMERCIAL-Q',
    category: TargetCategory.BLASTING_COMMERCIAL,
    mode: 'COVERAGE',
    intervalMonths: 3,
    priority: 10,
    description: '对辖区内的所有营业性爆破作业单位，职能部门和单位每个季度至少抽查1次。',
    seedClause: '二(二)4',
  },
  {
    code: 'BLASTING_NONCOMMERCIAL-H',
    category: TargetCategory.BLASTING_NONCOMMERCIAL,
    mode: 'COVERAGE',
    intervalMonths: 6,
    priority: 10,
    description: '对辖区内的所有非营业性爆破作业单位，每半年至少抽查1次。',
    seedClause: '二(二)4',
  },
  ...[TargetCategory.FIRE_SAFETY_KEY, TargetCategory.FIRE_SAFETY_GENERAL].map((category): FrequencyRule => ({
    code: `${category}-Q`,
    category,
    mode: 'QUOTA',
    quotaPercent: '5',
    periodMonths: 3,
    priority: 10,
    description:
      '消防和派出所各单位，原则上，每个季度至少组织一次随机抽查，同时可以根据季节和阶段性火灾形势的需要组织抽查。',
    seedClause: '二(二)5',
    note: '原文只定“每季度至少一次”，未定比例：取每季度不低于5%（与全类别基线比例一致），可由管理员调整。',
  })),
  {
    code: 'INTERNET_CAFE-Q',
    category: TargetCategory.INTERNET_CAFE,
    mode: 'QUOTA',
    quotaPercent: '5',
    periodMonths: 3,
    priority: 10,
    description: '网安部门原则上在随机抽查工作中，每三个月至少抽查1次，每次不低于5%。',
    seedClause: '二(二)6',
  },
];

/** Every default frequency rule: the baselines followed by the category rules. */
export const DEFAULT_FREQUENCY_RULES: readonly FrequencyRule[] = [...BASELINE_RULES, ...CATEGORY_RULES];

const FIRE_TEXT =
  '对于投诉举报多、存在严重消防安全隐患、被依法实施行政处罚以及发生火灾事故等情况的社会单位，要加大随机抽查的力度。';
const CAFE_TEXT = '对投诉举报多、列入经营异常名录或有严重违法违规记录等情况的网吧，要加大随机抽查力度。';

/**
 * Default boost rules for "加大抽查力度". The seed names the signals but no numbers: the thresholds
 * (3 complaints in 12 months) and weights (×2, ×3) are choices for admins to tune; events that point to
 * present danger (serious hazard or violation, a fire, a blacklisted café) force inclusion.
 */
export const DEFAULT_BOOST_RULES: readonly BoostRule[] = [
  {
    code: 'BOOST-KEY-INSPECTION',
    signal: 'KEY_INSPECTION',
    effect: 'WEIGHT',
    weight: '2',
    description: '对重点领域、高风险的市场主体要列入重点抽查名录库。',
    seedClause: '二(一)2',
  },
  ...[TargetCategory.FIRE_SAFETY_KEY, TargetCategory.FIRE_SAFETY_GENERAL].flatMap((category): BoostRule[] => [
    {
      code: `BOOST-${category}-COMPLAINTS`,
      category,
      signal: 'COMPLAINTS',
      threshold: 3,
      windowMonths: 12,
      effect: 'WEIGHT',
      weight: '3',
      description: FIRE_TEXT,
      seedClause: '二(二)5',
    },
    {
      code: `BOOST-${category}-SERIOUS`,
      category,
      signal: 'SERIOUS_VIOLATION',
      effect: 'FORCE_INCLUDE',
      description: FIRE_TEXT,
      seedClause: '二(二)5',
    },
    {
      code: `BOOST-${category}-FIRE`,
      category,
      signal: 'FIRE_INCIDENT',
      effect: 'FORCE_INCLUDE',
      description: FIRE_TEXT,
      seedClause: '二(二)5',
    },
  ]),
  {
    code: 'BOOST-INTERNET_CAFE-COMPLAINTS',
    category: TargetCategory.INTERNET_CAFE,
    signal: 'COMPLAINTS',
    threshold: 3,
    windowMonths: 12,
    effect: 'WEIGHT',
    weight: '3',
    description: CAFE_TEXT,
    seedClause: '二(二)6',
  },
  {
    code: 'BOOST-INTERNET_CAFE-ABNORMAL',
    category: TargetCategory.INTERNET_CAFE,
    signal: 'ABNORMAL_LISTED',
    effect: 'WEIGHT',
    weight: '3',
    description: CAFE_TEXT,
    seedClause: '二(二)6',
  },
  {
    code: 'BOOST-INTERNET_CAFE-SERIOUS',
    category: TargetCategory.INTERNET_CAFE,
    signal: 'SERIOUS_VIOLATION',
    effect: 'FORCE_INCLUDE',
    description: CAFE_TEXT,
    seedClause: '二(二)6',
  },
  {
    code: 'BOOST-INTERNET_CAFE-BLACKLISTED',
    category: TargetCategory.INTERNET_CAFE,
    signal: 'BLACKLISTED',
    effect: 'FORCE_INCLUDE',
    description: '要将违法违规网吧及相关责任人列入黑名单，通报相关部门，予以公开曝光。',
    seedClause: '二(三)4',
  },
];

/**
 * Holidays that open an intensification window ("重大节假日、重点区域应当加强抽查"), 7 days ahead.
 * Multipliers are choices: ×2 for the two long breaks, ×1.5 for 元旦 and 劳动节.
 */
export const DEFAULT_HOLIDAY_WINDOW_SPECS: readonly HolidayWindowSpec[] = [
  { holiday: '元旦', codePart: 'NEW_YEAR', multiplier: '1.5', leadDays: 7 },
  { holiday: '春节', codePart: 'SPRING_FESTIVAL', multiplier: '2', leadDays: 7 },
  { holiday: '劳动节', codePart: 'LABOUR_DAY', multiplier: '1.5', leadDays: 7 },
  { holiday: '国庆节', codePart: 'NATIONAL_DAY', multiplier: '2', leadDays: 7 },
];

/**
 * Default windows derived from the shipped holiday data, e.g. `HOLIDAY-2026-NATIONAL_DAY`
 * 2026-09-24…2026-10-07 ×2. County-wide; key-area windows (`areaJurisdictionCodes`) are entered by admins.
 */
export const DEFAULT_INTENSIFICATION_WINDOWS: readonly IntensificationWindow[] = deriveIntensificationWindows(
  HOLIDAY_YEARS,
  DEFAULT_HOLIDAY_WINDOW_SPECS,
);
