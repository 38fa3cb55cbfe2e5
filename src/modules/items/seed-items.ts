import { TargetCategory } from '../targets/target-category.js';

/**
 * The inspection-item list (一单) the seed implies: one item per inspected trade the seed's
 * §二(二) names, with every element §二(一)1 requires — 抽查事项名称 (`name`), 抽查依据
 * (`legalBasis`), 抽查主体 (`departmentCode`), 抽查对象 (`categories`), 抽查内容 (`content`),
 * 抽查标准和要点 (`keyPoints`), 抽查方式 (`method`), 抽查比例 (`ratioPercent`), 抽查频次
 * (`frequencyText`, `frequencyMonths`).
 *
 * Codes:
 * - `code`: `{department}-{trade}`, e.g. `ZA-HOTEL`; stable, at most 32 characters.
 * - `implementationCode` (检查实施清单编码): `350322-GA-{department}-{NNN}` — region code, `GA`
 *   for 公安, the owning department's short code, and a 3-digit serial within that department in
 *   list order. Serials are never reused after an item is withdrawn.
 * - key points: `{code}-{NN}`.
 *
 * Ratios: where the seed requires every unit to be checked in each period ("所有…每N个月至少抽查
 * 1次"), the ratio is `100.00` (coverage scheduling). Where it fixes only a share, that share
 * (`5.00`). Where it says only "加大力度" (armed escort), the ratio and frequency are this
 * platform's defaults, said so in `frequencyText`, and editable.
 *
 * Legal bases cite article numbers only where the article's content is certain; citations that
 * name a regulation without an article refer to it as a whole. They should be reviewed by 法制大队
 * before the list is published.
 */

/** One checklist point (抽查标准和要点). */
export interface SeedKeyPoint {
  /** `{itemCode}-{NN}`. */
  readonly code: string;
  readonly text: string;
}

/**
 * A stricter frequency for a subset of an item's targets (e.g. grade C venues monthly).
 * `condition` names the target attribute that selects the subset.
 */
export interface SeedFrequencyTier {
  readonly condition: 'GRADE_A' | 'GRADE_B' | 'GRADE_C' | 'UNGRADED' | 'BLACKLISTED' | 'NOT_BLACKLISTED';
  readonly months: number;
}

/** One inspection item of the seed list, in the shape the items module loads. */
export interface SeedItem {
  readonly code: string;
  /** 抽查事项名称 */
  readonly name: string;
  /** 抽查依据: laws and regulations, with articles. */
  readonly legalBasis: readonly string[];
  /** 抽查主体: department short code (see `departments-data.ts`). */
  readonly departmentCode: string;
  /** 抽查对象 */
  readonly categories: readonly TargetCategory[];
  /** 抽查内容 */
  readonly content: string;
  /** 抽查标准和要点 */
  readonly keyPoints: readonly SeedKeyPoint[];
  /** 抽查方式, e.g. `现场检查`, `现场检查、网络监测`. */
  readonly method: string;
  /** 抽查比例: percent of the roster per period, two-decimal string, e.g. `5.00`. */
  readonly ratioPercent: string;
  /** 抽查频次 as published. */
  readonly frequencyText: string;
  /** Baseline period in months that every target of the item must respect; null when not fixed. */
  readonly frequencyMonths: number | null;
  /** Stricter periods for subsets; absent when the baseline applies to all. Our addition. */
  readonly frequencyTiers?: readonly SeedFrequencyTier[];
  /** 检查实施清单编码 */
  readonly implementationCode: string;
  /** ISO date the item takes effect: the seed's date. */
  readonly effectiveFrom: string;
}

/** The seed's date (仙游县公安局, 2018年7月3日). */
export const SEED_EFFECTIVE_FROM = '2018-07-03';

const PUNISHMENT_LAW_87 =
  '《中华人民共和国治安管理处罚法》第八十七条（检查时人民警察不得少于二人，出示工作证件和检查证明文件）';

interface ItemDraft extends Omit<SeedItem, 'keyPoints' | 'implementationCode' | 'effectiveFrom'> {
  readonly points: readonly string[];
}

const DRAFTS: readonly ItemDraft[] = [
  {
    code: 'ZA-ENT',
    name: '娱乐场所治安管理情况抽查',
    legalBasis: [
      '《娱乐场所管理条例》第十一条（向县级公安部门备案）',
      '《娱乐场所管理条例》第十四条（禁止毒品、赌博、卖淫嫖娼等行为）',
      '《娱乐场所管理条例》第十五条（闭路电视监控设备，录像资料保存30日）',
      '《娱乐场所管理条例》第十六条（包厢、包间不得设置隔断，安装透明门窗）',
      '《娱乐场所管理条例》第二十五条（从业人员名簿）',
      '《娱乐场所管理条例》第二十六条（营业日志）',
      '《娱乐场所治安管理办法》（公安部令第103号）',
      PUNISHMENT_LAW_87,
    ],
    departmentCode: 'ZA',
    categories: [TargetCategory.ENTERTAINMENT],
    content: '娱乐场所备案、治安管理制度落实、从业人员管理、监控设备运行及禁止性行为情况',
    points: [
      '已向公安机关备案，备案事项变更及时办理变更备案',
      '出入口、主要通道闭路电视监控设备正常运行，录像资料保存不少于30日',
      '包厢、包间未设隔断，门窗透明，亮度符合规定',
      '建立从业人员名簿和营业日志，如实记录并按规定保存',
      '无涉毒、涉赌、涉黄等违法犯罪活动，显著位置设置警示标志',
      '按规定配备保安人员，落实巡查制度',
    ],
    method: '现场检查',
    ratioPercent: '100.00',
    frequencyText:
      'ABC分级管理：A级场所每3个月至少抽查1次，B级每2个月至少1次，C级（含未定级）每1个月至少1次；重大节假日、重点区域加强抽查',
    frequencyMonths: 3,
    frequencyTiers: [
      { condition: 'GRADE_A', months: 3 },
      { condition: 'GRADE_B', months: 2 },
      { condition: 'GRADE_C', months: 1 },
      { condition: 'UNGRADED', months: 1 },
    ],
  },
  {
    code: 'ZA-HOTEL',
    name: '旅馆业治安管理情况抽查',
    legalBasis: [
      '《旅馆业治安管理办法》第四条（特种行业许可证）',
      '《旅馆业治安管理办法》第六条（安全管理制度、安全保卫人员）',
      '《旅馆业治安管理办法》第七条（查验身份证件，如实登记旅客）',
      '《旅馆业治安管理办法》第九条（发现违法犯罪嫌疑人员、通缉人员及时报告）',
      '《中华人民共和国治安管理处罚法》第五十六条（不按规定登记住宿旅客）',
      PUNISHMENT_LAW_87,
    ],
    departmentCode: 'ZA',
    categories: [TargetCategory.HOTEL],
    content: '旅馆特种行业许可、旅客住宿登记、治安管理制度落实及违法犯罪线索报告情况',
    points: [
      '持有效特种行业许可证，许可事项与实际经营一致',
      '落实"四实"登记，查验旅客身份证件，按规定上传旅客信息',
      '设置旅客财物保管设施，建立安全管理制度和值班制度',
      '发现违法犯罪嫌疑人员、被通缉人员及时报告公安机关',
      '无卖淫嫖娼、赌博、吸毒等违法犯罪活动',
    ],
    method: '现场检查、信息系统核查',
    ratioPercent: '100.00',
    frequencyText: '"黑名单"旅馆每1个月至少抽查1次，正常旅馆每3个月至少抽查1次；重大节假日、重点区域加强抽查',
    frequencyMonths: 3,
    frequencyTiers: [
      { condition: 'BLACKLISTED', months: 1 },
      { condition: 'NOT_BLACKLISTED', months: 3 },
    ],
  },
  {
    code: 'ZA-AUTO',
    name: '机动车修理业治安管理情况抽查',
    legalBasis: [
      '《机动车修理业、报废机动车回收业治安管理办法》（公安部令第38号）',
      '《中华人民共和国治安管理处罚法》第五十九条（收购公安机关通报寻查的赃物或者有赃物嫌疑的物品）',
      PUNISHMENT_LAW_87,
    ],
    departmentCode: 'ZA',
    categories: [TargetCategory.AUTO_REPAIR],
    content: '机修业备案、承修登记、可疑车辆报告及治安管理制度落实情况',
    points: [
      '已向公安机关备案，登记事项真实完整',
      '承修车辆如实登记车辆号牌、车架号、发动机号及送修人身份信息',
      '发现拼装、盗抢嫌疑车辆或车身有撞痕、血迹等可疑情况及时报告公安机关',
      '不承修无号牌且无合法来源证明的车辆，不改装、拼装机动车',
    ],
    method: '现场检查',
    ratioPercent: '100.00',
    frequencyText: '每3个月至少抽查1次；重大节假日、重点区域加强抽查',
    frequencyMonths: 3,
  },
  {
    code: 'ZA-SEAL',
    name: '公章刻制业治安管理情况抽查',
    legalBasis: [
      '《印铸刻字业暂行管理规则》',
      '《国务院关于国家行政机关和企业事业单位社会团体印章管理的规定》（国发〔1999〕25号）',
      '《中华人民共和国治安管理处罚法》第五十二条（伪造、变造或者买卖公文、证件、印章）',
      PUNISHMENT_LAW_87,
    ],
    departmentCode: 'ZA',
    categories: [TargetCategory.SEAL_ENGRAVING],
    content: '公章刻制业许可（备案）、承刻手续查验、印章信息上传及印模留存情况',
    points: [
      '持有效许可（备案）手续，刻制场所、设备与登记一致',
      '承刻公章查验单位证明文件和经办人身份证件，手续齐全',
      '刻制信息及时录入公章治安管理信息系统，印模按规定留存',
      '无私自承刻、超范围刻制或伪造印章行为',
    ],
    method: '现场检查、信息系统核查',
    ratioPercent: '100.00',
    frequencyText: '每3个月至少抽查1次；重大节假日、重点区域加强抽查',
    frequencyMonths: 3,
  },
  {
    code: 'ZA-PAWN',
    name: '典当业治安管理情况抽查',
    legalBasis: [
      '《典当管理办法》（商务部、公安部令2005年第8号）第二十七条（禁止收当赃物、来源不明物品等）',
      '《典当管理办法》第三十五条（查验当户有效身份证件）',
      '《中华人民共和国治安管理处罚法》第五十九条第（一）项（不查验证明、不履行登记手续）',
      PUNISHMENT_LAW_87,
    ],
    departmentCode: 'ZA',
    categories: [TargetCategory.PAWN],
    content: '典当行特种行业许可、收当查验登记、可疑物品报告及当物管理情况',
    points: [
      '持有效典当经营许可证和特种行业许可证',
      '收当查验当户身份证件和当物来源证明，如实登记并按规定上传',
      '不收当赃物、来源不明物品及法律法规禁止收当的财物',
      '发现公安机关通报协查的人员或物品立即报告',
    ],
    method: '现场检查、信息系统核查',
    ratioPercent: '100.00',
    frequencyText: '每3个月至少抽查1次；重大节假日、重点区域加强抽查',
    frequencyMonths: 3,
  },
  {
    code: 'ZA-SEC',
    name: '保安服务公司监督检查',
    legalBasis: [
      '《保安服务管理条例》第八条（保安服务公司设立条件）',
      '《保安服务管理条例》第十六条、第十七条（保安员条件与禁止情形）',
      '《公安机关实施保安服务管理条例办法》（公安部令第112号）',
      PUNISHMENT_LAW_87,
    ],
    departmentCode: 'ZA',
    categories: [TargetCategory.SECURITY_SERVICE],
    content: '保安服务许可、保安员资格与管理、保安服务合同及服务行为情况',
    points: [
      '持有效保安服务许可证，分支机构、跨区域经营按规定备案',
      '保安员持保安员证上岗，无不得担任保安员的情形',
      '依法与保安员签订劳动合同，落实培训和保险',
      '保安服务合同和服务记录按规定留存，无违法服务行为',
    ],
    method: '现场检查、书面检查',
    ratioPercent: '5.00',
    frequencyText: '每半年至少抽查1次，每次抽查比例不低于5%',
    frequencyMonths: 6,
  },
  {
    code: 'ZA-SECTRN',
    name: '保安培训单位监督检查',
    legalBasis: [
      '《保安服务管理条例》第三十三条（保安培训单位条件）',
      '《保安培训机构管理办法》（公安部令第85号）',
      PUNISHMENT_LAW_87,
    ],
    departmentCode: 'ZA',
    categories: [TargetCategory.SECURITY_TRAINING],
    content: '保安培训许可、培训条件、教学管理及学员档案情况',
    points: [
      '持有效保安培训许可证，培训场所、师资与许可条件一致',
      '按规定的培训大纲和课时开展教学',
      '学员档案、考核记录完整',
    ],
    method: '现场检查、书面检查',
    ratioPercent: '5.00',
    frequencyText: '每半年至少抽查1次，每次抽查比例不低于5%',
    frequencyMonths: 6,
  },
  {
    code: 'ZA-ESCORT',
    name: '武装守护押运服务企业监督检查',
    legalBasis: [
      '《保安服务管理条例》第十条（武装守护押运服务保安服务公司条件）',
      '《专职守护押运人员枪支使用管理条例》',
      '《中华人民共和国枪支管理法》',
      PUNISHMENT_LAW_87,
    ],
    departmentCode: 'ZA',
    categories: [TargetCategory.ARMED_ESCORT],
    content: '武装守护押运资质、公务用枪管理、押运人员资格及押运作业规范情况',
    points: [
      '持有效保安服务许可证（武装守护押运），押运车辆符合规定',
      '枪支弹药专库（柜）存放，枪弹分离，领用登记完整',
      '押运人员持证上岗，经枪支使用培训合格',
      '押运作业按规定路线和程序实施，应急预案和演练记录齐全',
    ],
    method: '现场检查、书面检查',
    ratioPercent: '10.00',
    frequencyText:
      '加大抽查力度：每季度至少抽查1次，每次不低于10%（高于保安服务公司，为本平台默认值，可调整）',
    frequencyMonths: 3,
  },
  {
    code: 'ZA-GUN-MAKE',
    name: '民用枪支弹药制造企业监督检查',
    legalBasis: [
      '《中华人民共和国枪支管理法》第十四条（枪支制造、配售特别许可制度）',
      '《中华人民共和国枪支管理法》',
      PUNISHMENT_LAW_87,
    ],
    departmentCode: 'ZA',
    categories: [TargetCategory.FIREARMS_MAKER],
    content: '民用枪支弹药制造许可、生产限额、编号管理及安全管理制度落实情况',
    points: [
      '持有效制造许可，按核定品种和限额生产',
      '枪支按规定编号、登记，出厂记录完整',
      '库房技防、物防、人防措施落实，24小时值守',
      '安全管理制度、责任人和应急预案落实',
    ],
    method: '现场检查',
    ratioPercent: '100.00',
    frequencyText: '每个季度至少检查1次（全部企业）',
    frequencyMonths: 3,
  },
  {
    code: 'ZA-GUN-SELL',
    name: '民用枪支弹药配售企业监督检查',
    legalBasis: [
      '《中华人民共和国枪支管理法》第十四条（枪支制造、配售特别许可制度）',
      '《中华人民共和国枪支管理法》',
      PUNISHMENT_LAW_87,
    ],
    departmentCode: 'ZA',
    categories: [TargetCategory.FIREARMS_SELLER],
    content: '民用枪支弹药配售许可、配购证件查验、进销存登记及储存安全情况',
    points: [
      '持有效配售许可，按核定品种配售',
      '凭公安机关核发的配购证件配售，进销存登记一致',
      '枪支弹药分库（柜）存放，技防、物防措施落实',
    ],
    method: '现场检查',
    ratioPercent: '100.00',
    frequencyText: '每个季度至少检查1次（全部企业）',
    frequencyMonths: 3,
  },
  {
    code: 'ZA-GUN-USE',
    name: '民用枪支配置使用单位监督检查',
    legalBasis: [
      '《中华人民共和国枪支管理法》第六条（可以配置民用枪支的单位）',
      '《中华人民共和国枪支管理法》第二十五条（配置枪支单位的保管使用规定）',
      PUNISHMENT_LAW_87,
    ],
    departmentCode: 'ZA',
    categories: [TargetCategory.FIREARMS_USER],
    content: '民用枪支持枪证件、保管使用、枪支年检及安全管理制度落实情况',
    points: [
      '持有效持枪证件，枪证一致',
      '枪支专库（柜）存放，枪弹分离，专人保管',
      '领用、归还登记完整，无出租、出借枪支行为',
      '按规定参加枪支年度检验',
    ],
    method: '现场检查',
    ratioPercent: '100.00',
    frequencyText: '每个季度至少检查1次（全部单位）',
    frequencyMonths: 3,
  },
  {
    code: 'ZA-BLAST-COM',
    name: '营业性爆破作业单位监督检查',
    legalBasis: [
      '《民用爆炸物品安全管理条例》第三十一条（爆破作业单位条件）',
      '《民用爆炸物品安全管理条例》第三十三条（爆破作业人员培训、考核、持证）',
      '《民用爆炸物品安全管理条例》第三十五条（特定区域爆破作业审批）',
      '《爆破作业单位资质条件和管理要求》（GA 990-2012）',
      '《爆破作业项目管理要求》（GA 991-2012）',
      PUNISHMENT_LAW_87,
    ],
    departmentCode: 'ZA',
    categories: [TargetCategory.BLASTING_COMMERCIAL],
    content: '爆破作业单位许可证、人员资格、民用爆炸物品领用清退及储存安全情况',
    points: [
      '持有效爆破作业单位许可证（营业性），按资质等级承接项目',
      '爆破作业人员、安全员、保管员持证上岗',
      '民用爆炸物品领取、发放、清退如实登记，当班清退回库',
      '储存库技防、物防、人防和犬防措施落实',
      '爆破作业项目按规定备案或审批',
    ],
    method: '现场检查、书面检查',
    ratioPercent: '100.00',
    frequencyText: '每个季度至少抽查1次（全部单位）',
    frequencyMonths: 3,
  },
  {
    code: 'ZA-BLAST-NON',
    name: '非营业性爆破作业单位监督检查',
    legalBasis: [
      '《民用爆炸物品安全管理条例》第三十一条（爆破作业单位条件）',
      '《民用爆炸物品安全管理条例》第三十三条（爆破作业人员培训、考核、持证）',
      '《爆破作业单位资质条件和管理要求》（GA 990-2012）',
      '《小型民用爆炸物品储存库安全规范》（GA 838-2009）',
      PUNISHMENT_LAW_87,
    ],
    departmentCode: 'ZA',
    categories: [TargetCategory.BLASTING_NONCOMMERCIAL],
    content: '爆破作业单位许可证、人员资格、民用爆炸物品流向登记及储存安全情况',
    points: [
      '持有效爆破作业单位许可证（非营业性），作业范围与许可一致',
      '爆破作业人员、安全员、保管员持证上岗',
      '民用爆炸物品流向登记完整，账物相符',
      '储存库安全防范措施落实',
    ],
    method: '现场检查、书面检查',
    ratioPercent: '100.00',
    frequencyText: '每半年至少抽查1次（全部单位）',
    frequencyMonths: 6,
  },
  {
    code: 'XF-FIRE-KEY',
    name: '消防安全重点单位履行消防安全职责情况抽查',
    legalBasis: [
      '《中华人民共和国消防法》第十六条（单位消防安全职责）',
      '《中华人民共和国消防法》第十七条（消防安全重点单位职责）',
      '《中华人民共和国消防法》第二十八条（不得损坏、挪用消防设施，占用、堵塞疏散通道）',
      '《中华人民共和国消防法》第五十三条（消防监督检查）',
      '《消防监督检查规定》（公安部令第120号）',
      '《机关、团体、企业、事业单位消防安全管理规定》（公安部令第61号）',
    ],
    departmentCode: 'XF',
    categories: [TargetCategory.FIRE_SAFETY_KEY],
    content: '消防安全责任制、消防设施器材、疏散通道与安全出口、防火巡查检查及消防档案情况',
    points: [
      '确定消防安全管理人，落实消防安全责任制和管理制度',
      '消防设施、器材完好有效，每年至少全面检测1次',
      '疏散通道、安全出口畅通，应急照明和疏散指示标志完好',
      '每日防火巡查、每月防火检查，记录完整',
      '组织员工消防培训和灭火疏散演练，建立消防档案',
      '消防控制室值班人员持证上岗，24小时双人值班',
    ],
    method: '现场检查',
    ratioPercent: '5.00',
    frequencyText:
      '每个季度至少组织1次随机抽查，可根据季节和火灾形势组织抽查；投诉举报多、存在严重隐患、受过行政处罚或发生火灾的单位加大抽查力度',
    frequencyMonths: 3,
  },
  {
    code: 'XF-FIRE-GEN',
    name: '一般单位履行消防安全职责情况抽查',
    legalBasis: [
      '《中华人民共和国消防法》第十六条（单位消防安全职责）',
      '《中华人民共和国消防法》第二十八条（不得损坏、挪用消防设施，占用、堵塞疏散通道）',
      '《中华人民共和国消防法》第五十三条（公安派出所日常消防监督检查）',
      '《消防监督检查规定》（公安部令第120号）',
    ],
    departmentCode: 'XF',
    categories: [TargetCategory.FIRE_SAFETY_GENERAL],
    content: '单位消防安全职责落实、消防设施器材、疏散通道与安全出口情况（消防和派出所组织实施）',
    points: [
      '落实消防安全责任人，制定消防安全制度',
      '按规定配置灭火器材，保持完好有效',
      '疏散通道、安全出口畅通，未被占用、堵塞、封闭',
      '无违规住人、违规用火用电等火灾隐患',
    ],
    method: '现场检查',
    ratioPercent: '5.00',
    frequencyText:
      '每个季度至少组织1次随机抽查（消防和派出所）；投诉举报多、存在严重隐患、受过行政处罚或发生火灾的单位加大抽查力度',
    frequencyMonths: 3,
  },
  {
    code: 'WA-CAFE',
    name: '互联网上网服务营业场所（网吧）监督检查',
    legalBasis: [
      '《互联网上网服务营业场所管理条例》第十九条（技术措施、巡查制度、违法行为报告）',
      '《互联网上网服务营业场所管理条例》第二十一条（不得接纳未成年人）',
      '《互联网上网服务营业场所管理条例》第二十二条（营业时间）',
      '《互联网上网服务营业场所管理条例》第二十三条（核对、登记身份证件，记录保存不少于60日）',
      '《互联网上网服务营业场所管理条例》第二十四条（信息网络安全、治安和消防安全职责）',
      '《计算机信息网络国际联网安全保护管理办法》（公安部令第33号）',
      PUNISHMENT_LAW_87,
    ],
    departmentCode: 'WA',
    categories: [TargetCategory.INTERNET_CAFE],
    content: '实名登记、安全技术措施运行、未成年人进入、营业时间及信息网络安全管理情况',
    points: [
      '落实上网消费者实名登记，一人一证一机',
      '安全管理技术措施正常运行，上网日志留存不少于60日',
      '未接纳未成年人，按规定时间营业',
      '建立场内巡查制度，发现违法行为及时制止并报告',
      '从业人员登记信息完整、真实',
    ],
    method: '现场检查、网络监测',
    ratioPercent: '5.00',
    frequencyText:
      '每3个月至少抽查1次，每次不低于5%；投诉举报多、列入经营异常名录或有严重违法违规记录的加大抽查力度；重点时期、重点区域加强抽查',
    frequencyMonths: 3,
  },
];

function finalise(drafts: readonly ItemDraft[]): SeedItem[] {
  const serials = new Map<string, number>();
  return drafts.map(({ points, ...rest }) => {
    const serial = (serials.get(rest.departmentCode) ?? 0) + 1;
    serials.set(rest.departmentCode, serial);
    return {
      ...rest,
      keyPoints: points.map((text, i) => ({ code: `${rest.code}-${String(i + 1).padStart(2, '0')}`, text })),
      implementationCode: `350322-GA-${rest.departmentCode}-${String(serial).padStart(3, '0')}`,
      effectiveFrom: SEED_EFFECTIVE_FROM,
    };
  });
}

/** The seed inspection-item list, in publication order. */
export const SEED_ITEMS: readonly SeedItem[] = finalise(DRAFTS);
