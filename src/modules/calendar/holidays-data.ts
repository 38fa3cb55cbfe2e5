/**
 * China's public holidays and make-up workdays (调休上班日) as plain data.
 *
 * This file is data only: it is the seed for the calendar tables, which stay editable by admins.
 * The functions that interpret it live in `working-days.ts` and take the calendar as a parameter.
 *
 * Conventions:
 * - `date` is a civil date in Asia/Shanghai, `YYYY-MM-DD`.
 * - Every day of an announced 放假调休 block is listed as `HOLIDAY`, weekend days included.
 * - `MAKEUP_WORKDAY` is a Saturday or Sunday on which people work; `name` is the holiday it pays for.
 * - `provisional: true` marks a date derived from the rules rather than taken from an official notice.
 */

/** What an entry makes of its day. */
export type CalendarDayKind = 'HOLIDAY' | 'MAKEUP_WORKDAY';

/** One exceptional day of the national calendar. */
export interface CalendarDayEntry {
  /** Civil date in Asia/Shanghai, e.g. `'2026-10-01'`. */
  readonly date: string;
  readonly kind: CalendarDayKind;
  /** Holiday name, e.g. `'春节'`; for a make-up workday, the holiday it belongs to. */
  readonly name: string;
  /** True when the date is derived, not confirmed by the official notice. */
  readonly provisional?: boolean;
}

/** Where a year's data comes from. */
export interface HolidayYearSource {
  /** `OFFICIAL`: copied from the State Council notice; `PROVISIONAL`: derived, to be confirmed. */
  readonly status: 'OFFICIAL' | 'PROVISIONAL';
  /** Issuing body and title of the notice, or the rules the derivation followed. */
  readonly title: string;
  /** Date the notice was issued, when known. */
  readonly issuedOn?: string;
  /** Free text for admins: how the data was checked and what still needs checking. */
  readonly note: string;
}

/** All exceptional days of one calendar year plus their provenance. */
export interface HolidayYearData {
  readonly year: number;
  readonly source: HolidayYearSource;
  readonly entries: readonly CalendarDayEntry[];
}

/** Names of the seven statutory festivals, as the State Council notices spell them. */
export const HOLIDAY_NAMES = ['元旦', '春节', '清明节', '劳动节', '端午节', '中秋节', '国庆节'] as const;

/** One of {@link HOLIDAY_NAMES}. */
export type HolidayName = (typeof HOLIDAY_NAMES)[number];

const HOLIDAYS_2026: HolidayYearData = {
  year: 2026,
  source: {
    status: 'OFFICIAL',
    title: '国务院办公厅关于2026年部分节假日安排的通知',
    issuedOn: '2025-11-04',
    note:
      '依据国务院办公厅2025年11月4日发布、新华社同日全文播发的通知逐日录入（光明网、中山日报等转载一致）。' +
      '春节：2月15日（腊月二十八）至23日（正月初七）放假调休共9天，2月14日（周六）、2月28日（周六）上班；' +
      '元旦1月4日（周日）上班；劳动节5月9日（周六）上班；国庆节9月20日（周日）、10月10日（周六）上班。',
  },
  entries: [
    { date: '2026-01-01', kind: 'HOLIDAY', name: '元旦' },
    { date: '2026-01-02', kind: 'HOLIDAY', name: '元旦' },
    { date: '2026-01-03', kind: 'HOLIDAY', name: '元旦' },
    { date: '2026-01-04', kind: 'MAKEUP_WORKDAY', name: '元旦' },
    { date: '2026-02-14', kind: 'MAKEUP_WORKDAY', name: '春节' },
    { date: '2026-02-15', kind: 'HOLIDAY', name: '春节' },
    { date: '2026-02-16', kind: 'HOLIDAY', name: '春节' },
    { date: '2026-02-17', kind: 'HOLIDAY', name: '春节' },
    { date: '2026-02-18', kind: 'HOLIDAY', name: '春节' },
    { date: '2026-02-19', kind: 'HOLIDAY', name: '春节' },
    { date: '2026-02-20', kind: 'HOLIDAY', name: '春节' },
    { date: '2026-02-21', kind: 'HOLIDAY', name: '春节' },
    { date: '2026-02-22', kind: 'HOLIDAY', name: '春节' },
    { date: '2026-02-23', kind: 'HOLIDAY', name: '春节' },
    { date: '2026-02-28', kind: 'MAKEUP_WORKDAY', name: '春节' },
    { date: '2026-04-04', kind: 'HOLIDAY', name: '清明节' },
    { date: '2026-04-05', kind: 'HOLIDAY', name: '清明节' },
    { date: '2026-04-06', kind: 'HOLIDAY', name: '清明节' },
    { date: '2026-05-01', kind: 'HOLIDAY', name: '劳动节' },
    { date: '2026-05-02', kind: 'HOLIDAY', name: '劳动节' },
    { date: '2026-05-03', kind: 'HOLIDAY', name: '劳动节' },
    { date: '2026-05-04', kind: 'HOLIDAY', name: '劳动节' },
    { date: '2026-05-05', kind: 'HOLIDAY', name: '劳动节' },
    { date: '2026-05-09', kind: 'MAKEUP_WORKDAY', name: '劳动节' },
    { date: '2026-06-19', kind: 'HOLIDAY', name: '端午节' },
    { date: '2026-06-20', kind: 'HOLIDAY', name: '端午节' },
    { date: '2026-06-21', kind: 'HOLIDAY', name: '端午节' },
    { date: '2026-09-20', kind: 'MAKEUP_WORKDAY', name: '国庆节' },
    { date: '2026-09-25', kind: 'HOLIDAY', name: '中秋节' },
    { date: '2026-09-26', kind: 'HOLIDAY', name: '中秋节' },
    { date: '2026-09-27', kind: 'HOLIDAY', name: '中秋节' },
    { date: '2026-10-01', kind: 'HOLIDAY', name: '国庆节' },
    { date: '2026-10-02', kind: 'HOLIDAY', name: '国庆节' },
    { date: '2026-10-03', kind: 'HOLIDAY', name: '国庆节' },
    { date: '2026-10-04', kind: 'HOLIDAY', name: '国庆节' },
    { date: '2026-10-05', kind: 'HOLIDAY', name: '国庆节' },
    { date: '2026-10-06', kind: 'HOLIDAY', name: '国庆节' },
    { date: '2026-10-07', kind: 'HOLIDAY', name: '国庆节' },
    { date: '2026-10-10', kind: 'MAKEUP_WORKDAY', name: '国庆节' },
  ],
};

// The 2027 notice was not published when this was written. The derivation applies the 2024 revision of
// 《全国年节及纪念日放假办法》 and the 调休 principles announced with it, and follows the precedent of
// 2021, whose weekdays match 2027 for 元旦 (Fri), 劳动节 (Sat) and 国庆节 (Fri).
const HOLIDAYS_2027: HolidayYearData = {
  year: 2027,
  source: {
    status: 'PROVISIONAL',
    title: '推算：《全国年节及纪念日放假办法》（2024年修订，2025年1月1日起施行）及配套调休原则',
    note:
      '【暂定，须在国务院办公厅发布2027年节假日安排通知后逐日核对并改为正式】' +
      '推算依据：元旦1天、春节4天（除夕至初三）、清明1天、劳动节2天、端午1天、中秋1天、国庆3天；' +
      '春节自除夕起放假调休8天，国庆自10月1日起放假调休7天，劳动节放假调休5天，' +
      '元旦、清明、端午、中秋连休3天（逢周三只放当日），节前节后连续工作一般不超过6天。' +
      '农历与节气已按天文算法核对（北京时间）：正月初一2027-02-06（朔为2月6日23:56前后，' +
      '距午夜仅数分钟，部分软件的农历库误作2月7日），除夕2月5日（周五）；清明2027-04-05（周一）；' +
      '端午2027-06-09（周三）；中秋2027-09-15（周三）。' +
      '调休上班日（1月31日、2月20日、5月8日、9月26日、10月9日）为推测，最可能与正式通知不同。',
  },
  entries: [
    { date: '2027-01-01', kind: 'HOLIDAY', name: '元旦', provisional: true },
    { date: '2027-01-02', kind: 'HOLIDAY', name: '元旦', provisional: true },
    { date: '2027-01-03', kind: 'HOLIDAY', name: '元旦', provisional: true },
    { date: '2027-01-31', kind: 'MAKEUP_WORKDAY', name: '春节', provisional: true },
    { date: '2027-02-05', kind: 'HOLIDAY', name: '春节', provisional: true },
    { date: '2027-02-06', kind: 'HOLIDAY', name: '春节', provisional: true },
    { date: '2027-02-07', kind: 'HOLIDAY', name: '春节', provisional: true },
    { date: '2027-02-08', kind: 'HOLIDAY', name: '春节', provisional: true },
    { date: '2027-02-09', kind: 'HOLIDAY', name: '春节', provisional: true },
    { date: '2027-02-10', kind: 'HOLIDAY', name: '春节', provisional: true },
    { date: '2027-02-11', kind: 'HOLIDAY', name: '春节', provisional: true },
    { date: '2027-02-12', kind: 'HOLIDAY', name: '春节', provisional: true },
    { date: '2027-02-20', kind: 'MAKEUP_WORKDAY', name: '春节', provisional: true },
    { date: '2027-04-03', kind: 'HOLIDAY', name: '清明节', provisional: true },
    { date: '2027-04-04', kind: 'HOLIDAY', name: '清明节', provisional: true },
    { date: '2027-04-05', kind: 'HOLIDAY', name: '清明节', provisional: true },
    { date: '2027-05-01', kind: 'HOLIDAY', name: '劳动节', provisional: true },
    { date: '2027-05-02', kind: 'HOLIDAY', name: '劳动节', provisional: true },
    { date: '2027-05-03', kind: 'HOLIDAY', name: '劳动节', provisional: true },
    { date: '2027-05-04', kind: 'HOLIDAY', name: '劳动节', provisional: true },
    { date: '2027-05-05', kind: 'HOLIDAY', name: '劳动节', provisional: true },
    { date: '2027-05-08', kind: 'MAKEUP_WORKDAY', name: '劳动节', provisional: true },
    { date: '2027-06-09', kind: 'HOLIDAY', name: '端午节', provisional: true },
    { date: '2027-09-15', kind: 'HOLIDAY', name: '中秋节', provisional: true },
    { date: '2027-09-26', kind: 'MAKEUP_WORKDAY', name: '国庆节', provisional: true },
    { date: '2027-10-01', kind: 'HOLIDAY', name: '国庆节', provisional: true },
    { date: '2027-10-02', kind: 'HOLIDAY', name: '国庆节', provisional: true },
    { date: '2027-10-03', kind: 'HOLIDAY', name: '国庆节', provisional: true },
    { date: '2027-10-04', kind: 'HOLIDAY', name: '国庆节', provisional: true },
    { date: '2027-10-05', kind: 'HOLIDAY', name: '国庆节', provisional: true },
    { date: '2027-10-06', kind: 'HOLIDAY', name: '国庆节', provisional: true },
    { date: '2027-10-07', kind: 'HOLIDAY', name: '国庆节', provisional: true },
    { date: '2027-10-09', kind: 'MAKEUP_WORKDAY', name: '国庆节', provisional: true },
  ],
};

/**
 * The shipped calendar seed, one element per covered year, in ascending order.
 * A year not listed here is not covered: deadline functions refuse it rather than ignore holidays.
 */
export const HOLIDAY_YEARS: readonly HolidayYearData[] = [HOLIDAYS_2026, HOLIDAYS_2027];
