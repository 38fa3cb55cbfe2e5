/**
 * Categories of inspection targets named by the seed (§二(二)) and the roster-file contract.
 * Codes are stable identifiers used in the database, GraphQL, rules and exchange messages.
 */
export enum TargetCategory {
  HOTEL = 'HOTEL',
  ENTERTAINMENT = 'ENTERTAINMENT',
  INTERNET_CAFE = 'INTERNET_CAFE',
  AUTO_REPAIR = 'AUTO_REPAIR',
  SEAL_ENGRAVING = 'SEAL_ENGRAVING',
  PAWN = 'PAWN',
  SECURITY_SERVICE = 'SECURITY_SERVICE',
  SECURITY_TRAINING = 'SECURITY_TRAINING',
  ARMED_ESCORT = 'ARMED_ESCORT',
  FIREARMS_MAKER = 'FIREARMS_MAKER',
  FIREARMS_SELLER = 'FIREARMS_SELLER',
  FIREARMS_USER = 'FIREARMS_USER',
  BLASTING_COMMERCIAL = 'BLASTING_COMMERCIAL',
  BLASTING_NONCOMMERCIAL = 'BLASTING_NONCOMMERCIAL',
  FIRE_SAFETY_KEY = 'FIRE_SAFETY_KEY',
  FIRE_SAFETY_GENERAL = 'FIRE_SAFETY_GENERAL',
}

/** Chinese names, as used in roster files (行业类别) and official documents. */
export const TARGET_CATEGORY_LABELS: Record<TargetCategory, string> = {
  [TargetCategory.HOTEL]: '旅馆业',
  [TargetCategory.ENTERTAINMENT]: '娱乐场所',
  [TargetCategory.INTERNET_CAFE]: '网吧',
  [TargetCategory.AUTO_REPAIR]: '机修业',
  [TargetCategory.SEAL_ENGRAVING]: '公章刻制业',
  [TargetCategory.PAWN]: '典当业',
  [TargetCategory.SECURITY_SERVICE]: '保安服务公司',
  [TargetCategory.SECURITY_TRAINING]: '保安培训单位',
  [TargetCategory.ARMED_ESCORT]: '武装守护押运',
  [TargetCategory.FIREARMS_MAKER]: '枪支制造',
  [TargetCategory.FIREARMS_SELLER]: '枪支配售',
  [TargetCategory.FIREARMS_USER]: '枪支配置使用',
  [TargetCategory.BLASTING_COMMERCIAL]: '营业性爆破',
  [TargetCategory.BLASTING_NONCOMMERCIAL]: '非营业性爆破',
  [TargetCategory.FIRE_SAFETY_KEY]: '消防安全重点单位',
  [TargetCategory.FIRE_SAFETY_GENERAL]: '一般消防单位',
};

/** Operating status of a target. */
export enum TargetStatus {
  OPERATING = 'OPERATING',
  SUSPENDED = 'SUSPENDED',
  CLOSED = 'CLOSED',
  REVOKED = 'REVOKED',
}

/** Entertainment security grade (治安级别). C is the highest risk; ungraded counts as C. */
export enum Grade {
  A = 'A',
  B = 'B',
  C = 'C',
}

/** Role a natural person plays for a target. */
export enum PersonRole {
  LEGAL_REP = 'LEGAL_REP',
  MANAGER = 'MANAGER',
  CASHIER = 'CASHIER',
  SECURITY = 'SECURITY',
  OTHER = 'OTHER',
}
