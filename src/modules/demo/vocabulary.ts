import { TargetCategory } from '../targets/target-category.js';

/**
 * Word lists for plausible names and addresses in 仙游县. The 鲤南 roads and the villages of
 * 枫亭, 大济 and 盖尾 come from public gazetteer pages; the county-seat list mixes known roads
 * (八二五大街, 解放路) with generic ones, and other divisions use the generic market-town roads
 * every Fujian town has. Nothing here is meant to match a real business or person.
 */

/** Common surnames in 莆仙 (the area is dominated by 陈, 林, 黄, 郑). Repeats are weights. */
export const SURNAMES: readonly string[] = [
  ...'陈陈陈陈林林林林黄黄黄郑郑郑吴吴王王李李张张蔡蔡傅傅余许徐杨刘朱卓翁郭詹连谢方游罗曾薛柯戴宋苏魏肖潘邱姚范',
];

/** Characters for given names. */
export const GIVEN_CHARS: readonly string[] = [
  ...'志明建华国强金辉文秀丽俊杰伟芳德清荣忠玉英春梅建平海燕振宇鹏飞晓东雪峰丽娟美琴淑珍永福宗耀锦坤雅婷思源宏亮秋菊佳慧',
];

/** Brand syllables combined in pairs for business names. */
export const BRAND_A: readonly string[] = [
  ...'鑫恒金华龙盛兴隆顺福泰宏佳瑞祥丰达昌汇嘉永新天鸿荣德诚信裕利通和安万富益凯豪腾星',
];
/** Second brand syllables; disjoint from {@link BRAND_A} so no name doubles a character. */
export const BRAND_B: readonly string[] = [
  ...'源晟创茂发辉杰锦海润美宇成航远翔旺雅辰誉骏曦乐欣景晖森阳光林宝山川鼎峰城悦',
];

/** Trade words by category: the last part of a business name. */
export const TRADE_WORDS: Record<TargetCategory, readonly string[]> = {
  [TargetCategory.HOTEL]: ['宾馆', '大酒店', '商务酒店', '旅社', '快捷酒店', '假日酒店', '客栈', '招待所'],
  [TargetCategory.ENTERTAINMENT]: [
    'KTV',
    '量贩式KTV',
    '歌舞厅',
    '音乐酒吧',
    '娱乐会所',
    '电子游艺厅',
    '演艺吧',
  ],
  [TargetCategory.INTERNET_CAFE]: ['网咖', '网吧', '电竞馆', '网络会所'],
  [TargetCategory.AUTO_REPAIR]: [
    '机修厂',
    '汽车修理厂',
    '汽车维修服务部',
    '摩托车修理店',
    '汽车美容维修中心',
    '轮胎汽修店',
  ],
  [TargetCategory.SEAL_ENGRAVING]: ['刻章店', '印章刻制有限公司', '印章服务部'],
  [TargetCategory.PAWN]: ['典当有限责任公司', '典当行'],
  [TargetCategory.SECURITY_SERVICE]: ['保安服务有限公司', '安保服务有限公司'],
  [TargetCategory.SECURITY_TRAINING]: ['保安培训学校', '保安职业培训中心'],
  [TargetCategory.ARMED_ESCORT]: ['押运保安服务有限公司', '守押保安服务有限公司'],
  [TargetCategory.FIREARMS_MAKER]: ['运动器材制造有限公司', '体育枪弹制造有限公司'],
  [TargetCategory.FIREARMS_SELLER]: ['体育用品有限公司', '狩猎用品商行'],
  [TargetCategory.FIREARMS_USER]: ['射击俱乐部', '狩猎场', '射击运动训练基地', '野生动物救护站'],
  [TargetCategory.BLASTING_COMMERCIAL]: ['爆破工程有限公司', '爆破技术服务有限公司'],
  [TargetCategory.BLASTING_NONCOMMERCIAL]: [
    '石场',
    '采石场',
    '矿业有限公司',
    '石材开采有限公司',
    '建材有限公司',
  ],
  [TargetCategory.FIRE_SAFETY_KEY]: [
    '红木家具有限公司',
    '购物广场',
    '工艺品有限公司',
    '鞋业有限公司',
    '大酒店',
    '医院',
    '养老院',
    '中学',
    '商业城',
    '石化加油站',
    '电子有限公司',
    '纺织有限公司',
  ],
  [TargetCategory.FIRE_SAFETY_GENERAL]: [
    '商行',
    '超市',
    '工艺品厂',
    '红木家具厂',
    '餐饮店',
    '服装店',
    '五金建材店',
    '小吃店',
    '茶庄',
    '电器商行',
    '家具厂',
    '幼儿园',
    '食品厂',
    '仓储中心',
  ],
};

/** Roads of the county seat (鲤城街道). */
const SEAT_ROADS = [
  '八二五大街',
  '解放路',
  '紫泽街',
  '县前街',
  '西门路',
  '南门路',
  '学府路',
  '胜利路',
  '东门路',
  '木兰大道',
];
/** Roads of 鲤南 (south bank). */
const SOUTH_ROADS = ['八二五南街', '解放南路', '园区中路', '园区东路', '锦园路', '仙港大道', '城南路'];
/** Generic market-town roads. */
const TOWN_ROADS = [
  '中山路',
  '建设路',
  '人民路',
  '新华路',
  '工业路',
  '文化街',
  '府前路',
  '兴业路',
  '沿溪路',
  '商业街',
];

/** Villages or communities by division short name, where known; others use town roads. */
const PLACES: Record<string, readonly string[]> = {
  鲤城: SEAT_ROADS,
  鲤南: SOUTH_ROADS,
  枫亭: ['霞街', '学士', '兰友', '霞桥', '溪南村', '海滨村', '辉煌村', '建国村', '耕丰村'],
  大济: ['大济村', '汾阳村', '钟峰村', '乌石村', '龙坂村', '北山村', '蒲山村', '金井村'],
  盖尾: ['盖尾村', '仙华村', '前连村', '湖坂村', '石马村', '仙潭村', '聚仙村'],
};

/** A street or village for an address in the given division. */
export function placesFor(shortName: string): readonly string[] {
  return PLACES[shortName] ?? TOWN_ROADS;
}

/** True when the place list of a division is villages (addresses take no road number prefix). */
export function isVillage(place: string): boolean {
  return place.endsWith('村');
}
