import { redactForPublication } from '../inspections/inspection-rules.js';
import { cnDate, type DocBlock, type DocModel } from './document-pdf.js';

/** Who issues, and when: the common part of every document. */
export interface IssueHeader {
  docNo: string;
  /** E.g. 仙游县公安局治安大队. */
  issuer: string;
  issuedOn: string;
  issuedAt: Date;
}

/** An inspector as printed on a document: name, police number, enforcement certificate. */
export interface DocInspector {
  name: string;
  policeNo: string;
  certificateNo: string;
}

/** Where the party turns with an objection (the supervision office and the appeal page). */
export interface AppealChannel {
  office: string;
  phone: string;
}

/** 随机抽查告知书: the notice of random inspection to the target. */
export interface InspectionNoticeData {
  targetName: string;
  address: string | null;
  categoryLabel: string;
  items: readonly { name: string; implementationCode: string }[];
  plannedOn: string;
  team: readonly DocInspector[];
  appealCode: string;
  channel: AppealChannel;
  recusalDecisionDays: number;
}

/** 检查记录表: the inspection record. */
export interface InspectionRecordData {
  targetName: string;
  address: string | null;
  categoryLabel: string;
  inspectedOn: string;
  place: string | null;
  items: readonly { name: string; implementationCode: string }[];
  team: readonly DocInspector[];
  checklist: readonly { itemCode: string; pointText: string; answer: string; note: string | null }[];
  findings: readonly { code: string; severity: string; legalClause: string | null; text: string }[];
  outcomeLabel: string;
  rectificationWorkingDays: number | null;
  summary: string | null;
}

/** 责令限期整改通知书: the rectification order. */
export interface RectificationOrderData {
  targetName: string;
  inspectedOn: string;
  findings: readonly { text: string; legalClause: string | null }[];
  workingDays: number;
  dueOn: string;
  appealCode: string;
  channel: AppealChannel;
}

/** 抽查结果公告: the published result; every text is redacted again here. */
export interface ResultBulletinData {
  title: string;
  targetName: string;
  categoryLabel: string;
  itemNames: readonly string[];
  inspectedOn: string;
  outcomeLabel: string;
  body: string;
  version: number;
  /** Names of natural persons known for this result (owners, contacts, inspectors). */
  personNames: readonly string[];
}

/** 黑名单事先告知书: the prior notice of a blacklisting. */
export interface BlacklistNoticeData {
  targetName: string;
  personNameMasked: string | null;
  listLabel: string;
  reasons: string;
  basis: string;
  /** Objection deadline once the notice is served; null before (the period then runs from service). */
  objectionDueOn: string | null;
  objectionWorkingDays: number;
  channel: AppealChannel;
}

const CHECK_LABELS: Record<string, string> = {
  CONFORM: '符合',
  NONCONFORM: '不符合',
  NOT_APPLICABLE: '不适用',
};
const SEVERITY_LABELS: Record<string, string> = { MINOR: '轻微', GENERAL: '一般', SERIOUS: '严重' };

function teamTable(team: readonly DocInspector[]): DocBlock {
  return {
    kind: 'table',
    columns: [
      { title: '姓名', weight: 2 },
      { title: '警号', weight: 2 },
      { title: '执法证号', weight: 3 },
    ],
    rows: team.map((t) => [t.name, t.policeNo, t.certificateNo]),
  };
}

function itemTable(items: readonly { name: string; implementationCode: string }[]): DocBlock {
  return {
    kind: 'table',
    columns: [
      { title: '序号', weight: 1 },
      { title: '抽查事项', weight: 5 },
      { title: '实施清单编码', weight: 3 },
    ],
    rows: items.map((it, n) => [String(n + 1), it.name, it.implementationCode]),
  };
}

function model(h: IssueHeader, title: string, addressee: string | undefined, blocks: DocBlock[]): DocModel {
  return {
    title,
    docNo: h.docNo,
    issuer: h.issuer,
    issuedOn: h.issuedOn,
    issuedAt: h.issuedAt,
    addressee,
    blocks,
  };
}

/** The notice of random inspection: items, inspectors with certificates, rights, appeal code. */
export function composeInspectionNotice(h: IssueHeader, d: InspectionNoticeData): DocModel {
  return model(h, '随机抽查告知书', d.targetName, [
    {
      kind: 'paragraph',
      text: `根据“双随机、一公开”监管工作要求，经随机抽取，本机关定于${cnDate(d.plannedOn)}对你单位（${d.categoryLabel}${d.address ? `，地址：${d.address}` : ''}）开展随机抽查。请你单位按时接受检查，如实提供有关材料和情况。`,
    },
    { kind: 'heading', text: '一、抽查事项' },
    itemTable(d.items),
    { kind: 'heading', text: '二、检查人员' },
    teamTable(d.team),
    { kind: 'heading', text: '三、你单位享有的权利' },
    {
      kind: 'paragraph',
      text: '1．检查人员不得少于二人，并应当出示执法证件；检查人员少于二人或者未出示执法证件的，你单位有权拒绝检查。',
    },
    {
      kind: 'paragraph',
      text: `2．认为检查人员与你单位有直接利害关系或者其他关系可能影响公正检查的，有权申请回避，本机关在${d.recusalDecisionDays}日内作出决定。`,
    },
    { kind: 'paragraph', text: '3．对检查中认定的事实和理由，有权进行陈述和申辩。' },
    {
      kind: 'paragraph',
      text: `4．对抽查结果有异议的，可凭申诉码 ${d.appealCode} 在本局“双随机、一公开”公开查询页面提出申诉，或向${d.channel.office}（电话${d.channel.phone}）提出。`,
    },
    { kind: 'fields', rows: [['申诉码', d.appealCode]] },
    { kind: 'signatures', lines: ['被检查单位签收人'] },
  ]);
}

/** The inspection record: checklist answers, findings, outcome and a signatures block. */
export function composeInspectionRecord(h: IssueHeader, d: InspectionRecordData): DocModel {
  const blocks: DocBlock[] = [
    {
      kind: 'fields',
      rows: [
        ['被检查单位', d.targetName],
        ['类别', d.categoryLabel],
        ['地址', d.address ?? ''],
        ['检查日期', cnDate(d.inspectedOn)],
        ['检查地点', d.place ?? d.address ?? ''],
        ['检查人员', d.team.map((t) => `${t.name}（执法证号${t.certificateNo}）`).join('、')],
      ],
    },
    { kind: 'heading', text: '一、抽查事项' },
    itemTable(d.items),
    { kind: 'heading', text: '二、检查要点及情况' },
    {
      kind: 'table',
      columns: [
        { title: '事项', weight: 2 },
        { title: '检查要点', weight: 5 },
        { title: '结论', weight: 1 },
        { title: '备注', weight: 2 },
      ],
      rows: d.checklist.map((c) => [
        c.itemCode,
        c.pointText,
        CHECK_LABELS[c.answer] ?? c.answer,
        c.note ?? '',
      ]),
    },
    { kind: 'heading', text: '三、发现的问题' },
  ];
  if (d.findings.length)
    blocks.push({
      kind: 'table',
      columns: [
        { title: '编号', weight: 1 },
        { title: '程度', weight: 1 },
        { title: '问题', weight: 5 },
        { title: '依据', weight: 3 },
      ],
      rows: d.findings.map((f) => [
        f.code,
        SEVERITY_LABELS[f.severity] ?? f.severity,
        f.text,
        f.legalClause ?? '',
      ]),
    });
  else blocks.push({ kind: 'paragraph', text: '未发现问题。' });
  blocks.push(
    { kind: 'heading', text: '四、检查结果' },
    {
      kind: 'fields',
      rows: [
        ['检查结果', d.outcomeLabel],
        ['处理措施', d.rectificationWorkingDays ? `责令${d.rectificationWorkingDays}个工作日内整改` : '无'],
        ['说明', d.summary ?? ''],
      ],
    },
    { kind: 'signatures', lines: ['检查人员签名', '检查人员签名', '被检查单位负责人签名'] },
  );
  return model(h, '检查记录表', undefined, blocks);
}

/** The rectification order with its working-day deadline and the party's remedies. */
export function composeRectificationOrder(h: IssueHeader, d: RectificationOrderData): DocModel {
  return model(h, '责令限期整改通知书', d.targetName, [
    {
      kind: 'paragraph',
      text: `本机关于${cnDate(d.inspectedOn)}对你单位进行随机抽查，发现你单位存在下列问题：`,
    },
    ...d.findings.map((f, n): DocBlock => ({
      kind: 'paragraph',
      text: `${n + 1}．${f.text}${f.legalClause ? `（违反${f.legalClause}）` : ''}`,
    })),
    {
      kind: 'paragraph',
      text: `根据有关法律法规的规定，现责令你单位于${d.workingDays}个工作日内，即${cnDate(d.dueOn)}前改正，并将整改情况书面报告本机关。本机关将于期满后复查；逾期不改正的，依法责令停业整顿或者给予其他处理。`,
    },
    {
      kind: 'fields',
      rows: [
        ['整改期限', `${cnDate(d.dueOn)}前（${d.workingDays}个工作日）`],
        ['申诉码', d.appealCode],
      ],
    },
    {
      kind: 'paragraph',
      text: `你单位如不服本通知，可以在收到本通知书之日起六十日内依法申请行政复议，或者在六个月内依法向人民法院提起行政诉讼；对抽查结果有异议的，可凭申诉码 ${d.appealCode} 向${d.channel.office}（电话${d.channel.phone}）提出申诉。`,
    },
    { kind: 'signatures', lines: ['被检查单位签收人'] },
  ]);
}

/**
 * The result bulletin. Everything printed goes through `redactForPublication` with the known
 * person names, even though the publication text is redacted when written: a document is a second
 * way out, and an upstream correction could have slipped personal data in.
 */
export function composeResultBulletin(h: IssueHeader, d: ResultBulletinData): DocModel {
  const r = (s: string) => redactForPublication(s, d.personNames);
  return model(h, '抽查结果公告', undefined, [
    { kind: 'paragraph', text: r(`根据“双随机、一公开”监管工作要求，现将${d.title}公告如下：`) },
    {
      kind: 'fields',
      rows: [
        ['检查对象', r(d.targetName)],
        ['类别', d.categoryLabel],
        ['抽查事项', r(d.itemNames.join('、'))],
        ['检查日期', cnDate(d.inspectedOn)],
        ['检查结果', d.outcomeLabel],
      ],
    },
    { kind: 'heading', text: '详细情况' },
    ...r(d.body)
      .split('\n')
      .filter((l) => l.trim())
      .map((l): DocBlock => ({ kind: 'paragraph', text: l })),
    ...(d.version > 1
      ? [{ kind: 'paragraph', text: `（本公告为第${d.version}版，已更正。）` } as DocBlock]
      : []),
    {
      kind: 'paragraph',
      text: '被检查单位对抽查结果有异议的，可凭结果告知书所载申诉码在本局公开查询页面提出申诉。',
    },
  ]);
}

/** The prior notice of a blacklisting: reasons, basis, rights and the objection deadline. */
export function composeBlacklistNotice(h: IssueHeader, d: BlacklistNoticeData): DocModel {
  const who = d.personNameMasked ? `你单位及其责任人员${d.personNameMasked}` : '你单位';
  const deadline = d.objectionDueOn
    ? `${cnDate(d.objectionDueOn)}前（自送达之日起${d.objectionWorkingDays}个工作日内）`
    : `自本告知书送达之日起${d.objectionWorkingDays}个工作日内`;
  return model(h, '黑名单事先告知书', d.targetName, [
    { kind: 'paragraph', text: `本机关拟将${who}列入${d.listLabel}，现将有关事项告知如下：` },
    { kind: 'heading', text: '一、事实和理由' },
    { kind: 'paragraph', text: d.reasons },
    { kind: 'heading', text: '二、依据' },
    { kind: 'paragraph', text: d.basis },
    { kind: 'heading', text: '三、你单位享有的权利' },
    {
      kind: 'paragraph',
      text: `你单位享有陈述、申辩的权利，可于${deadline}向本机关提出书面陈述、申辩意见（${d.channel.office}，电话${d.channel.phone}）。逾期未提出的，视为放弃上述权利。`,
    },
    {
      kind: 'paragraph',
      text: '异议期届满并经本机关审查决定后方可列入；列入后有效期届满自动移出，已纠正违法行为并完成信用修复的可申请提前移出。',
    },
    { kind: 'fields', rows: [['异议截止', deadline]] },
    { kind: 'signatures', lines: ['被告知单位签收人'] },
  ]);
}
