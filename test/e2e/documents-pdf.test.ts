import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { startTestPlatform, Role, type TestPlatform } from '../support/platform.js';
import { fromGlobalId, toGlobalId } from '../../src/graphql/node.js';
import { computeUsccCheckChar } from '../../src/modules/identity/identifiers.js';

let tp: TestPlatform;
let db: pg.Client;
let base: string;
let admin: string;
let sup: string;
let insp1: string;
let analyst: string;
let otherStation: string;
let inspectors: { id: string; police_no: string; name: string; certificate_no: string }[];
let hotelId: string;

const ID_NO = '350322198811093310';
const PHONE = '13912345678';
const OWNER = '欧阳娜娜';
const CONTACT = '李小四';
const USCC = `91350322731234568${computeUsccCheckChar('91350322731234568')}`;
const TARGET = '鲤城悦来宾馆';

async function ok<T = Record<string, unknown>>(
  q: string,
  v: Record<string, unknown>,
  token?: string,
): Promise<T> {
  const r = await tp.gql<T>(q, v, token);
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data as T;
}

/** Fetches a document; returns status, headers and (for a PDF) the extracted text without whitespace. */
async function fetchDoc(path: string, token?: string) {
  const res = await fetch(`${base}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const bytes = Buffer.from(await res.arrayBuffer());
  if (res.headers.get('content-type') !== 'application/pdf') {
    return {
      status: res.status,
      code: JSON.parse(bytes.toString()).errors[0].extensions.code as string,
      bytes,
      text: '',
      docNo: '',
    };
  }
  const pdf = await getDocument({ data: new Uint8Array(bytes), useSystemFonts: false }).promise;
  let text = '';
  for (let p = 1; p <= pdf.numPages; p++) {
    const content = await (await pdf.getPage(p)).getTextContent();
    text += content.items.map((i) => ('str' in i ? i.str : '')).join('');
  }
  await pdf.destroy();
  return {
    status: res.status,
    code: undefined,
    bytes,
    text: text.replace(/\s+/g, ''),
    docNo: decodeURIComponent(res.headers.get('x-document-no') ?? ''),
  };
}

const raw = (gid: string) => fromGlobalId(gid).id;

type Insp = {
  id: string;
  appealCode: string;
  keyPoints: { code: string }[];
  measures: { id: string; kind: string; dueOn: string | null }[];
};

async function approvedInspection(): Promise<Insp> {
  const i = (
    await ok<{ createAdHocInspection: Insp }>(
      `mutation($input: AdHocInspectionInput!) { createAdHocInspection(input: $input) { id appealCode keyPoints { code } measures { id kind dueOn } } }`,
      {
        input: {
          targetId: hotelId,
          inspectorIds: inspectors.slice(0, 2).map((x) => toGlobalId('Inspector', x.id)),
          itemCodes: ['ZA-HOTEL'],
          plannedOn: '2026-11-27',
          departmentCode: 'ZA',
        },
      },
      insp1,
    )
  ).createAdHocInspection;
  await ok(`mutation($id: ID!) { startInspection(id: $id) { state } }`, { id: i.id }, insp1);
  await ok(
    `mutation($id: ID!, $input: RecordResultInput!) { recordInspectionResult(id: $id, input: $input) { state } }`,
    {
      id: i.id,
      input: {
        inspectedOn: '2026-11-27',
        place: '鲤城街道胜利路8号前台',
        outcome: 'HAZARD_FOUND',
        checklist: i.keyPoints.map((k, n) => ({
          pointCode: k.code,
          answer: n === 0 ? 'NONCONFORM' : 'CONFORM',
        })),
        findings: [
          {
            code: 'F-01',
            severity: 'GENERAL',
            legalClause: '《旅馆业治安管理办法》第六条',
            text: `负责人${OWNER}（身份证${ID_NO}，电话${PHONE}）未按规定登记旅客身份`,
          },
        ],
        summary: `联系人${CONTACT}当场表示整改`,
        penalty: 'NONE',
        rectificationWorkingDays: 5,
        contactName: CONTACT,
      },
    },
    insp1,
  );
  await ok(`mutation($id: ID!) { submitInspection(id: $id) { state } }`, { id: i.id }, insp1);
  return (
    await ok<{ approveInspection: Insp }>(
      `mutation($id: ID!) { approveInspection(id: $id) { id appealCode keyPoints { code } measures { id kind dueOn } } }`,
      { id: i.id },
      sup,
    )
  ).approveInspection;
}

beforeAll(async () => {
  tp = await startTestPlatform({ demoScale: 60 });
  base = tp.url.replace(/\/graphql$/, '');
  db = new pg.Client({ connectionString: tp.platform.databaseUrl });
  await db.connect();
  admin = await tp.token(Role.ADMIN);
  const ins = await db.query<{ id: string; police_no: string; name: string; certificate_no: string }>(
    `select id, police_no, name, certificate_no from inspector where status = 'ACTIVE' and archived_at is null
      and certificate_valid_from <= '2026-09-01' and certificate_valid_to >= '2026-12-31' order by police_no limit 2`,
  );
  inspectors = ins.rows;
  insp1 = await tp.token(Role.INSPECTOR, 'ZA', inspectors[0]!.police_no);
  sup = await tp.token(Role.SUPERVISOR, 'ZA', 'sup-za-docs');
  analyst = await tp.token(Role.ANALYST, 'ZA', 'analyst-za');
  const st = await db.query<{ code: string }>(
    `select code from department where kind = 'STATION' and not ('350322510000' = any(jurisdiction_codes)) order by code limit 1`,
  );
  otherStation = await tp.token(Role.SUPERVISOR, st.rows[0]!.code, 'sup-other-station');
  hotelId = (
    await ok<{ createTarget: { id: string } }>(
      `mutation($u: String!) { createTarget(input: { category: HOTEL, name: "${TARGET}", jurisdictionCode: "350322510000", uscc: $u, address: "鲤城街道胜利路8号" }) { id } }`,
      { u: USCC },
      admin,
    )
  ).createTarget.id;
  await ok(
    `mutation($t: ID!, $p: PersonInput!) { linkPerson(targetId: $t, person: $p) { __typename } }`,
    { t: hotelId, p: { role: 'LEGAL_REP', name: OWNER, idType: '111', idNumber: ID_NO, phone: PHONE } },
    admin,
  );
});
afterAll(async () => {
  await db?.end();
  await tp?.stop();
});

describe('official documents as PDF', () => {
  let insp: Insp;
  let noticeNo: string;

  it('issues the notice of random inspection with number, target, items, inspectors, rights and appeal code', async () => {
    insp = await approvedInspection();
    const path = `/documents/inspection-notice/${raw(insp.id)}.pdf`;
    const d = await fetchDoc(path, insp1);
    expect(d.status).toBe(200);
    expect(d.docNo).toMatch(/^仙公治抽〔2026〕\d+号$/);
    noticeNo = d.docNo;
    expect(d.text).toContain('随机抽查告知书');
    expect(d.text).toContain(d.docNo);
    expect(d.text).toContain(TARGET);
    const items = await db.query<{ name: string; implementation_code: string }>(
      `select v.name, v.implementation_code from inspection_item i join inspection_item_version v on v.item_id = i.id
        and v.version = i.published_version where i.code = 'ZA-HOTEL'`,
    );
    expect(d.text).toContain(items.rows[0]!.name.replace(/\s+/g, ''));
    expect(d.text).toContain(items.rows[0]!.implementation_code);
    for (const x of inspectors) {
      expect(d.text).toContain(x.certificate_no);
      expect(d.text).toContain(x.name);
    }
    expect(d.text).toContain(insp.appealCode);
    expect(d.text).toContain('申请回避');
    expect(d.text).toContain('陈述和申辩');
    expect(d.text).toContain('2026年11月27日');

    // Re-rendering: same number, same bytes; one row, one audited issuance.
    const again = await fetchDoc(path, sup);
    expect(again.docNo).toBe(noticeNo);
    expect(again.bytes.equals(d.bytes)).toBe(true);
    const rows = await db.query(
      `select id, doc_no, seq, sm3, size from official_document where subject_id = $1 and kind = 'INSPECTION_NOTICE'`,
      [raw(insp.id)],
    );
    expect(rows.rows).toHaveLength(1);
    expect(rows.rows[0].doc_no).toBe(noticeNo);
    expect(rows.rows[0].size).toBe(d.bytes.length);
    const audit = await db.query(
      `select count(*)::int as n from audit_event where action = 'document.issue' and entity_type = 'OfficialDocument'
         and entity_id::text = $1`,
      [rows.rows[0].id],
    );
    expect(audit.rows[0].n).toBe(1);
  });

  it('numbers per year, department and kind, and exposes numbers and urls in GraphQL', async () => {
    const second = await approvedInspection();
    const r = await ok<{ issueDocument: { docNo: string; seq: number; url: string; kind: string } }>(
      `mutation($id: ID!) { issueDocument(kind: INSPECTION_NOTICE, subjectId: $id) { docNo seq url kind } }`,
      { id: second.id },
      sup,
    );
    const first = Number(/〔2026〕(\d+)号/.exec(noticeNo)![1]);
    expect(r.issueDocument.docNo).toBe(`仙公治抽〔2026〕${first + 1}号`);
    expect(r.issueDocument.url).toBe(`/documents/inspection-notice/${raw(second.id)}.pdf`);
    const listed = await ok<{ officialDocuments: { docNo: string }[]; inspection: { noticeUrl: string } }>(
      `query($id: ID!) { officialDocuments(subjectId: $id) { docNo } inspection(id: $id) { noticeUrl } }`,
      { id: second.id },
      analyst,
    );
    expect(listed.officialDocuments.map((x) => x.docNo)).toEqual([r.issueDocument.docNo]);
    expect(listed.inspection.noticeUrl).toBe(r.issueDocument.url);
    // The global id works in the URL too.
    const viaGid = await fetchDoc(`/documents/inspection-notice/${second.id}.pdf`, analyst);
    expect(viaGid.docNo).toBe(r.issueDocument.docNo);
  });

  it('applies the records’ scope: no token, other stations and non-issuers are refused', async () => {
    const path = `/documents/inspection-record/${raw(insp.id)}.pdf`;
    expect((await fetchDoc(path)).status).toBe(401);
    expect((await fetchDoc(path, otherStation)).status).toBe(404);
    const byAnalyst = await fetchDoc(path, analyst);
    expect([byAnalyst.status, byAnalyst.code]).toEqual([409, 'DOCUMENT_NOT_ISSUED']);
    expect((await fetchDoc(`/documents/no-such-kind/${raw(insp.id)}.pdf`, sup)).status).toBe(404);
  });

  it('renders the inspection record with the checklist, findings and a signatures block', async () => {
    const d = await fetchDoc(`/documents/inspection-record/${raw(insp.id)}.pdf`, insp1);
    expect(d.status).toBe(200);
    expect(d.docNo).toMatch(/^仙公治检〔2026〕\d+号$/);
    expect(d.text).toContain(d.docNo);
    expect(d.text).toContain(TARGET);
    const kp = await db.query<{ text: string }>(
      `select k->>'text' as text from inspection, jsonb_array_elements(key_points) k where id = $1`,
      [raw(insp.id)],
    );
    for (const k of kp.rows) expect(d.text).toContain(k.text.replace(/\s+/g, '').slice(0, 12));
    expect(d.text).toContain('不符合');
    expect(d.text).toContain('《旅馆业治安管理办法》第六条');
    expect(d.text).toContain('被检查单位负责人签名');
    expect(d.text).toContain('责令5个工作日内整改');
  });

  it('renders the rectification order with the working-day deadline and the appeal code', async () => {
    const rect = insp.measures.find((m) => m.kind === 'RECTIFICATION')!;
    expect(rect.dueOn).toBe('2026-12-04');
    const d = await fetchDoc(`/documents/rectification-order/${raw(rect.id)}.pdf`, sup);
    expect(d.status).toBe(200);
    expect(d.docNo).toMatch(/^仙公治责改〔2026〕\d+号$/);
    expect(d.text).toContain(d.docNo);
    expect(d.text).toContain(TARGET);
    expect(d.text).toContain('5个工作日内');
    expect(d.text).toContain('2026年12月4日前');
    expect(d.text).toContain(insp.appealCode);
    expect(d.text).toContain('行政复议');
  });

  it('publishes the bulletin publicly once published, with no ID number, phone or person name', async () => {
    const pub = await db.query<{ id: string }>(`select id from publication where inspection_id = $1`, [
      raw(insp.id),
    ]);
    const pubId = pub.rows[0]!.id;
    const path = `/documents/result-bulletin/${pubId}.pdf`;
    expect((await fetchDoc(path)).status).toBe(404);
    expect((await fetchDoc(path, sup)).code).toBe('DOCUMENT_BAD_SUBJECT');
    await ok(
      `mutation($id: ID!) { publishResult(id: $id) { status } }`,
      { id: toGlobalId('Publication', pubId) },
      sup,
    );
    const listed = await ok<{ publishedResults: { nodes: { bulletinUrl: string | null }[] } }>(
      `query { publishedResults(first: 5, filter: { search: "悦来" }) { nodes { bulletinUrl } } }`,
      {},
    );
    expect(listed.publishedResults.nodes[0]!.bulletinUrl).toBe(path);

    const forbidden = [ID_NO, PHONE, OWNER, CONTACT, ...inspectors.map((x) => x.name)];
    const check = (text: string) => {
      for (const f of forbidden) expect(text, f).not.toContain(f);
      expect(text).not.toMatch(/\d{17}[\dX]/);
      expect(text).not.toMatch(/1[3-9]\d{9}/);
    };
    const d = await fetchDoc(path);
    expect(d.status).toBe(200);
    expect(d.docNo).toMatch(/^仙公治公〔2026〕\d+号$/);
    expect(d.text).toContain('抽查结果公告');
    expect(d.text).toContain(TARGET);
    expect(d.text).toContain('未按规定登记旅客身份');
    check(d.text);

    // Even when personal data reaches the stored text (e.g. a careless correction), the bulletin drops it.
    await db.query(
      `update publication set body = body || $2, target_name = target_name || $3 where id = $1`,
      [pubId, `\n补充：负责人${OWNER}，身份证号${ID_NO}，手机${PHONE}，联系人${CONTACT}`, `（${OWNER}）`],
    );
    const dirty = await fetchDoc(path);
    expect(dirty.docNo).toBe(d.docNo);
    expect(dirty.text).toContain('补充');
    check(dirty.text);
  });

  it('renders the blacklist prior notice with reasons, basis, rights and the objection deadline', async () => {
    const b = (
      await ok<{ proposeBlacklist: { id: string } }>(
        `mutation($t: ID!) { proposeBlacklist(targetId: $t, departmentCode: "ZA", reasons: "一年内三次未按规定登记旅客身份", basis: "《旅馆业治安管理办法》第六条") { id } }`,
        { t: hotelId },
        sup,
      )
    ).proposeBlacklist;
    await ok(
      `mutation($id: ID!) { serveBlacklistNotice(id: $id, servedOn: "2026-11-02") { objectionDueOn } }`,
      { id: b.id },
      sup,
    );
    const d = await fetchDoc(`/documents/blacklist-notice/${raw(b.id)}.pdf`, insp1);
    expect(d.status).toBe(200);
    expect(d.docNo).toMatch(/^仙公治黑告〔2026〕\d+号$/);
    expect(d.text).toContain(d.docNo);
    expect(d.text).toContain('黑名单事先告知书');
    expect(d.text).toContain(TARGET);
    expect(d.text).toContain('一年内三次未按规定登记旅客身份');
    expect(d.text).toContain('《旅馆业治安管理办法》第六条');
    expect(d.text).toContain('陈述、申辩');
    expect(d.text).toContain('2026年11月16日前');
    expect(d.text).toContain('10个工作日');
  });
});
