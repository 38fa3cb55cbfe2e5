/**
 * The pages' two languages: Simplified Chinese by default, English on request (kept in
 * localStorage). Error texts come from the server's `extensions.messageZh` or, failing that, from
 * the same table the server uses (src/shared/errors.ts), keyed by the stable `extensions.code`.
 */
import { ERROR_TEXT_ZH } from '../../../src/shared/errors.js';
import { TARGET_CATEGORY_LABELS, TargetCategory } from '../../../src/modules/targets/target-category.js';

export type Lang = 'zh' | 'en';

const zh = {
  'app.title': '双随机一公开监管平台',
  'nav.portal': '公开门户',
  'nav.dashboard': '监管看板',
  'nav.graphiql': '接口调试',
  'lang.switch': 'English',
  'common.loading': '加载中…',
  'common.unavailable': '暂无数据（该功能尚未开放）',
  'common.empty': '暂无数据',
  'common.error': '出错了',
  'common.search': '查询',
  'common.refresh': '刷新',
  'common.more': '加载更多',
  'common.total': '共 {n} 条',
  'export.csv': '导出 CSV',
  'export.xlsx': '导出 Excel',
  'export.working': '正在生成…',
  'portal.items': '抽查事项清单（一单）',
  'portal.items.search': '事项名称',
  'portal.items.category': '抽查对象',
  'portal.items.all': '全部',
  'portal.results': '抽查结果公示',
  'portal.results.from': '起始日期',
  'portal.results.to': '截止日期',
  'portal.verify': '抽取结果验证',
  'portal.verify.intro':
    '选择一次已锁定的抽取，或上传/粘贴公开的抽取记录（JSON）。浏览器将用公开的算法和国密 SM3 在本机重新计算，核对结果是否一致。',
  'portal.verify.pick': '已锁定的抽取',
  'portal.verify.pickNone': '— 请选择 —',
  'portal.verify.file': '上传记录文件',
  'portal.verify.paste': '或粘贴记录 JSON',
  'portal.verify.run': '开始验证',
  'portal.verify.running': '正在重新计算…',
  'portal.verify.match': '一致（MATCH）：重新计算的抽取结果与公开记录完全相同。',
  'portal.verify.mismatch': '不一致（MISMATCH）：第一处差异：',
  'portal.verify.badRecord': '不是有效的抽取记录：',
  'portal.verify.badJson': '无法解析 JSON：',
  'portal.verify.summary':
    '计划 {plan}，抽取日期 {date}，对象池 {targets} 个，检查人员池 {inspectors} 名，选中 {selected} 个对象',
  'portal.verify.elapsed': '用时 {ms} 毫秒',
  'col.code': '编码',
  'col.name': '名称',
  'col.department': '抽查主体',
  'col.categories': '抽查对象',
  'col.method': '抽查方式',
  'col.frequency': '抽查频次',
  'col.ratio': '抽查比例(%)',
  'col.legalBasis': '抽查依据',
  'col.version': '版本',
  'col.target': '检查对象',
  'col.category': '类别',
  'col.date': '日期',
  'col.outcome': '检查结果',
  'col.status': '状态',
  'col.job': '任务',
  'col.slot': '计划时间',
  'col.started': '开始',
  'col.finished': '结束',
  'col.errorText': '错误',
  'col.count': '数量',
  'col.grade': '等级',
  'col.topic': '事件',
  'col.entity': '对象',
  'col.time': '时间',
  'col.partner': '对接单位',
  'col.reason': '原因',
  'col.due': '期限',
  'col.plan': '计划',
  'col.period': '周期',
  'col.required': '应查',
  'col.done': '已查',
  'col.rate': '覆盖率',
  'col.overdue': '逾期',
  'col.source': '数据源',
  'col.counts': '获取/新增/更新/隔离',
  'dash.login': '登录',
  'dash.login.token': '访问令牌（Bearer Token）',
  'dash.login.submit': '进入看板',
  'dash.logout': '退出',
  'dash.whoami': '{role} · {dept}',
  'dash.roster': '检查对象名录（按类别）',
  'dash.grades': '娱乐场所分级',
  'dash.coverage': '覆盖情况（按部门、周期）',
  'dash.overdue': '逾期未查对象',
  'dash.draws': '抽取与分派',
  'dash.deadlines': '整改与公示期限',
  'dash.exchange': '数据交换健康状况',
  'dash.deadLetters': '死信',
  'dash.syncRuns': '数据同步记录',
  'dash.jobRuns': '定时任务运行记录',
  'dash.jobs.run': '立即运行',
  'dash.jobs.name': '任务名称',
  'dash.jobs.progress': '运行中… 已用 {s} 秒',
  'dash.jobs.done': '已完成：{status}',
  'dash.live': '实时动态',
  'dash.live.connected': '实时连接正常',
  'dash.live.reconnecting': '连接中断，正在重连…',
  'grade.none': '未定级',
  'graphiql.token': '访问令牌',
  'graphiql.apply': '应用',
};

type Key = keyof typeof zh;

const en: Record<Key, string> = {
  'app.title': 'Double-random, one-public supervision',
  'nav.portal': 'Public portal',
  'nav.dashboard': 'Dashboard',
  'nav.graphiql': 'GraphiQL',
  'lang.switch': '中文',
  'common.loading': 'Loading…',
  'common.unavailable': 'Not available yet',
  'common.empty': 'No data',
  'common.error': 'Error',
  'common.search': 'Search',
  'common.refresh': 'Refresh',
  'common.more': 'Load more',
  'common.total': '{n} in total',
  'export.csv': 'Export CSV',
  'export.xlsx': 'Export Excel',
  'export.working': 'Preparing…',
  'portal.items': 'Inspection item list',
  'portal.items.search': 'Item name',
  'portal.items.category': 'Target category',
  'portal.items.all': 'All',
  'portal.results': 'Published inspection results',
  'portal.results.from': 'From',
  'portal.results.to': 'To',
  'portal.verify': 'Draw verification',
  'portal.verify.intro':
    'Pick a locked draw, or upload/paste a published draw record (JSON). Your browser recomputes the draw with the published algorithm and SM3 and compares.',
  'portal.verify.pick': 'Locked draws',
  'portal.verify.pickNone': '— choose —',
  'portal.verify.file': 'Upload a record file',
  'portal.verify.paste': 'or paste the record JSON',
  'portal.verify.run': 'Verify',
  'portal.verify.running': 'Recomputing…',
  'portal.verify.match': 'MATCH: the recomputed draw equals the published record.',
  'portal.verify.mismatch': 'MISMATCH: first difference: ',
  'portal.verify.badRecord': 'Not a valid draw record: ',
  'portal.verify.badJson': 'Not valid JSON: ',
  'portal.verify.summary':
    'Plan {plan}, date {date}, {targets} targets and {inspectors} inspectors in the pools, {selected} targets selected',
  'portal.verify.elapsed': '{ms} ms',
  'col.code': 'Code',
  'col.name': 'Name',
  'col.department': 'Department',
  'col.categories': 'Categories',
  'col.method': 'Method',
  'col.frequency': 'Frequency',
  'col.ratio': 'Ratio (%)',
  'col.legalBasis': 'Legal basis',
  'col.version': 'Version',
  'col.target': 'Target',
  'col.category': 'Category',
  'col.date': 'Date',
  'col.outcome': 'Outcome',
  'col.status': 'Status',
  'col.job': 'Job',
  'col.slot': 'Slot',
  'col.started': 'Started',
  'col.finished': 'Finished',
  'col.errorText': 'Error',
  'col.count': 'Count',
  'col.grade': 'Grade',
  'col.topic': 'Topic',
  'col.entity': 'Entity',
  'col.time': 'Time',
  'col.partner': 'Partner',
  'col.reason': 'Reason',
  'col.due': 'Due',
  'col.plan': 'Plan',
  'col.period': 'Period',
  'col.required': 'Required',
  'col.done': 'Done',
  'col.rate': 'Coverage',
  'col.overdue': 'Overdue',
  'col.source': 'Source',
  'col.counts': 'Fetched/inserted/updated/quarantined',
  'dash.login': 'Sign in',
  'dash.login.token': 'Access token (Bearer)',
  'dash.login.submit': 'Open dashboard',
  'dash.logout': 'Sign out',
  'dash.whoami': '{role} · {dept}',
  'dash.roster': 'Target roster by category',
  'dash.grades': 'Entertainment venues by grade',
  'dash.coverage': 'Coverage by department and period',
  'dash.overdue': 'Overdue targets',
  'dash.draws': 'Draws and assignments',
  'dash.deadlines': 'Rectification and publication deadlines',
  'dash.exchange': 'Exchange health',
  'dash.deadLetters': 'Dead letters',
  'dash.syncRuns': 'Sync runs',
  'dash.jobRuns': 'Job runs',
  'dash.jobs.run': 'Run now',
  'dash.jobs.name': 'Job name',
  'dash.jobs.progress': 'Running… {s} s',
  'dash.jobs.done': 'Finished: {status}',
  'dash.live': 'Live events',
  'dash.live.connected': 'Live connection up',
  'dash.live.reconnecting': 'Connection lost, reconnecting…',
  'grade.none': 'Ungraded',
  'graphiql.token': 'Access token',
  'graphiql.apply': 'Apply',
};

const DICTIONARIES: Record<Lang, Record<Key, string>> = { zh, en };
const STORAGE_KEY = 'shuangsui.lang';

/** The current language: stored choice, else Chinese. */
export function getLang(): Lang {
  return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'zh';
}

/** Stores the language and reloads the page so every text is re-rendered in it. */
export function setLang(lang: Lang): void {
  localStorage.setItem(STORAGE_KEY, lang);
  location.reload();
}

/** A text of the current language; `{name}` placeholders are filled from `vars`. */
export function t(key: Key, vars: Record<string, string | number> = {}): string {
  const text = DICTIONARIES[getLang()][key];
  return text.replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? `{${name}}`));
}

/** Name of a target category in the current language (the code itself in English). */
export function categoryName(code: string): string {
  if (getLang() === 'en') return code;
  return TARGET_CATEGORY_LABELS[code as TargetCategory] ?? code;
}

/** Every target category code, in the server's order. */
export const CATEGORY_CODES: readonly string[] = Object.values(TargetCategory);

/**
 * What to show for an API error: in Chinese the server's `messageZh` or the shared table's text
 * for the code (with the detail after it), in English the server's message.
 */
export function errorText(code: string, message: string, messageZh?: string): string {
  if (getLang() === 'en') return `${message} (${code})`;
  const zhText = messageZh ?? ERROR_TEXT_ZH[code] ?? '请求失败';
  return `${zhText}（${code}）：${message}`;
}

export type { Key as TextKey };
