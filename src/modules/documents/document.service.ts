import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Ctx } from '../../graphql/context.js';
import { Role, type Principal } from '../../graphql/auth.js';
import { Scope } from '../../graphql/policy.js';
import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import type { AuditService } from '../audit/audit.service.js';
import { todayInShanghai } from '../calendar/working-days.js';
import { Department, DepartmentKind } from '../org/department.entity.js';
import { Target } from '../targets/target.entity.js';
import { TargetPerson } from '../targets/target-person.entity.js';
import { TARGET_CATEGORY_LABELS, type TargetCategory } from '../targets/target-category.js';
import { InspectionItem, InspectionItemVersion } from '../items/inspection-item.entity.js';
import { Inspection } from '../inspections/inspection.entity.js';
import { Measure, MeasureKind } from '../inspections/measure.entity.js';
import { OUTCOME_LABELS, SUPERVISION_OFFICE_CONTACT } from '../inspections/inspection-rules.js';
import { Publication, PublicationStatus } from '../publication/publication.entity.js';
import { personNamesOf } from '../publication/publication.service.js';
import { BlacklistEntry, BlacklistKind } from '../credit/credit.entity.js';
import { DocumentKind, OfficialDocument } from './official-document.entity.js';
import { DocumentError } from './documents.errors.js';
import {
  composeBlacklistNotice,
  composeInspectionNotice,
  composeInspectionRecord,
  composeRectificationOrder,
  composeResultBulletin,
  type IssueHeader,
} from './document-compose.js';
import { renderPdf, type DocModel } from './document-pdf.js';

/** Per kind: the subject's entity name, the word in the number (文号) and the URL slug. */
export const DOCUMENT_KINDS: Record<DocumentKind, { subjectType: string; word: string; slug: string }> = {
  [DocumentKind.INSPECTION_NOTICE]: { subjectType: 'Inspection', word: '抽', slug: 'inspection-notice' },
  [DocumentKind.INSPECTION_RECORD]: { subjectType: 'Inspection', word: '检', slug: 'inspection-record' },
  [DocumentKind.RECTIFICATION_ORDER]: { subjectType: 'Measure', word: '责改', slug: 'rectification-order' },
  [DocumentKind.RESULT_BULLETIN]: { subjectType: 'Publication', word: '公', slug: 'result-bulletin' },
  [DocumentKind.BLACKLIST_NOTICE]: { subjectType: 'BlacklistEntry', word: '黑告', slug: 'blacklist-notice' },
};

/** The kind named by a URL slug (`inspection-notice` …), or undefined. */
export function kindOfSlug(slug: string): DocumentKind | undefined {
  return (Object.keys(DOCUMENT_KINDS) as DocumentKind[]).find((k) => DOCUMENT_KINDS[k].slug === slug);
}

/** Where a document is served: `GET /documents/<slug>/<subject uuid>.pdf`. */
export function documentUrl(kind: DocumentKind, subjectId: string): string {
  return `/documents/${DOCUMENT_KINDS[kind].slug}/${subjectId}.pdf`;
}

// The one-character names the bureau uses in its document numbers (仙公治抽〔2026〕12号).
const DEPARTMENT_WORDS: Record<string, string> = {
  ZA: '治',
  WA: '网',
  XF: '消',
  FZ: '法',
  ZH: '指',
  DC: '督',
  ZG: '政',
  XN: '效',
};

/**
 * The 文号 of a document: 仙公 + the department's word + the kind's word + 〔year〕 + n + 号.
 * @example documentNumber({ code: 'ZA', name: '治安大队', kind: 'BRANCH' }, 'INSPECTION_NOTICE', 2026, 12) // '仙公治抽〔2026〕12号'
 */
export function documentNumber(
  dept: { code: string; name: string; kind: string },
  kind: DocumentKind,
  year: number,
  seq: number,
): string {
  const word =
    dept.kind === DepartmentKind.STATION
      ? dept.name.replace(/派出所$/, '所')
      : dept.kind === DepartmentKind.OFFICE && dept.name.endsWith('公安局')
        ? ''
        : (DEPARTMENT_WORDS[dept.code] ?? Array.from(dept.name)[0] ?? '');
  return `仙公${word}${DOCUMENT_KINDS[kind].word}〔${year}〕${seq}号`;
}

/** A party's recusal (回避) request is decided within this many days (DESIGN.md "Frequencies"). */
export const RECUSAL_DECISION_DAYS = 2;

/** A loaded subject: who owns it, who may see it, and how to compose its document. */
interface Subject {
  id: string;
  regionCode: string;
  departmentCode: string;
  jurisdictionCode: string;
  /** Anyone may read it (a published bulletin). */
  isPublic: boolean;
  /** Why a first issuance is refused in this state, or null. */
  notIssuable: string | null;
  compose(h: IssueHeader): DocModel;
}

/** The actor written to audit rows when a public bulletin is numbered on its first anonymous read. */
const DOCUMENTS_ACTOR: Principal = { sub: 'system:documents', role: Role.ADMIN, dept: null, name: null };
const STAFF: readonly Role[] = [Role.ADMIN, Role.SUPERVISOR, Role.INSPECTOR, Role.ANALYST];
const ISSUERS: readonly Role[] = [Role.ADMIN, Role.SUPERVISOR, Role.INSPECTOR];

/** A rendered document. */
export interface RenderedDocument {
  doc: OfficialDocument;
  pdf: Buffer;
}

/**
 * Official documents (文书): numbered per year, department and kind through `document_counter`
 * (row-locked, so numbers are gapless and never repeat), stored once per kind and subject so a
 * re-rendering carries the same number and the same bytes, rendered to PDF in Chinese. Each
 * issuance is audited.
 */
export class DocumentService {
  constructor(
    private readonly audit: AuditService,
    private readonly settings: { objectionWorkingDays: number; recusalDecisionDays: number },
    private readonly log: Logger,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /**
   * The document of `kind` for a subject, as the caller may have it: issued on the first request by
   * staff of the owning department (or, for a published bulletin, by anyone), then re-rendered.
   * @throws UnauthenticatedError / ForbiddenError / NotFoundError by scope, DocumentError by state.
   */
  async get(
    em: EntityManager,
    user: Principal,
    kind: DocumentKind,
    subjectId: string,
  ): Promise<RenderedDocument> {
    const { subject, canIssue } = await this.authorize(em, user, kind, subjectId);
    let doc = await em.findOne(OfficialDocument, { kind, subjectId: subject.id });
    if (!doc) {
      if (!canIssue)
        throw new DocumentError('DOCUMENT_NOT_ISSUED', `the ${kind} of ${subjectId} has not been issued yet`);
      if (subject.notIssuable) throw new DocumentError('DOCUMENT_BAD_SUBJECT', subject.notIssuable);
      doc = await this.issueLoaded(em, user.role === Role.PUBLIC ? DOCUMENTS_ACTOR : user, kind, subject);
    }
    const pdf = await renderPdf(subject.compose(await this.header(em, doc)));
    return { doc, pdf };
  }

  /** Issues (or returns the already issued) document of `kind` for a subject (GraphQL). */
  async issue(ctx: Ctx, kind: DocumentKind, subjectId: string): Promise<OfficialDocument> {
    const { subject, canIssue } = await this.authorize(ctx.em, ctx.user, kind, subjectId);
    const found = await ctx.em.findOne(OfficialDocument, { kind, subjectId: subject.id });
    if (found) return found;
    if (!canIssue) throw new ForbiddenError(`only ${subject.departmentCode} issues this document`);
    if (subject.notIssuable) throw new DocumentError('DOCUMENT_BAD_SUBJECT', subject.notIssuable);
    return this.issueLoaded(ctx.em, ctx.user, kind, subject);
  }

  /** Documents issued for a subject the caller may see. */
  async listFor(ctx: Ctx, subjectType: string, subjectId: string): Promise<OfficialDocument[]> {
    const kinds = (Object.keys(DOCUMENT_KINDS) as DocumentKind[]).filter(
      (k) => DOCUMENT_KINDS[k].subjectType === subjectType,
    );
    const out: OfficialDocument[] = [];
    for (const k of kinds) {
      const d = await ctx.em.findOne(OfficialDocument, { kind: k, subjectId });
      if (!d) continue;
      await this.authorize(ctx.em, ctx.user, k, subjectId);
      out.push(d);
    }
    return out;
  }

  private async authorize(
    em: EntityManager,
    user: Principal,
    kind: DocumentKind,
    subjectId: string,
  ): Promise<{ subject: Subject; canIssue: boolean }> {
    if (user.role === Role.PUBLIC && kind !== DocumentKind.RESULT_BULLETIN) throw new UnauthenticatedError();
    const subject = await this.load(em, kind, subjectId);
    if (!subject) throw new NotFoundError('document subject', subjectId);
    if (!STAFF.includes(user.role)) {
      if (!subject.isPublic) throw new NotFoundError('document subject', subjectId);
      return { subject, canIssue: true };
    }
    const scope = await Scope.load(em, user);
    const jur = scope.visibleJurisdictions();
    if (jur && !jur.includes(subject.jurisdictionCode))
      throw new NotFoundError('document subject', subjectId);
    const mayIssue =
      subject.isPublic ||
      (ISSUERS.includes(user.role) && (user.role === Role.ADMIN || user.dept === subject.departmentCode));
    return { subject, canIssue: mayIssue };
  }

  private async issueLoaded(
    em0: EntityManager,
    actor: Principal,
    kind: DocumentKind,
    subject: Subject,
  ): Promise<OfficialDocument> {
    return em0.transactional(async (em) => {
      const conn = em.getConnection();
      const tx = em.getTransactionContext();
      // Two first requests at once: the second waits here and then finds the first one's row.
      await conn.execute(
        `select pg_advisory_xact_lock(hashtextextended(?, 0))`,
        [`official_document:${kind}:${subject.id}`],
        'all',
        tx,
      );
      const found = await em.findOne(OfficialDocument, { kind, subjectId: subject.id });
      if (found) return found;
      const issuedAt = this.clock();
      const year = Number(todayInShanghai(issuedAt).slice(0, 4));
      const next = await conn.execute<{ last: number }[]>(
        `insert into document_counter (year, department_code, kind, last) values (?, ?, ?, 1)
         on conflict (year, department_code, kind) do update set last = document_counter.last + 1 returning last`,
        [year, subject.departmentCode, `DOC_${kind}`],
        'all',
        tx,
      );
      const seq = next[0]!.last;
      const dept = await em.findOneOrFail(Department, { code: subject.departmentCode });
      const doc = em.create(OfficialDocument, {
        createdAt: issuedAt,
        updatedAt: issuedAt,
        regionCode: subject.regionCode,
        kind,
        docNo: documentNumber(dept, kind, year, seq),
        year,
        seq,
        departmentCode: subject.departmentCode,
        subjectType: DOCUMENT_KINDS[kind].subjectType,
        subjectId: subject.id,
        sm3: '',
        size: 0,
        issuedBy: actor.sub,
      });
      const pdf = await renderPdf(subject.compose(await this.header(em, doc)));
      doc.sm3 = createHash('sm3').update(pdf).digest('hex');
      doc.size = pdf.length;
      em.persist(doc);
      await em.flush();
      await this.audit.record(em, actor, {
        action: 'document.issue',
        entityType: 'OfficialDocument',
        entityId: doc.id,
        after: {
          kind,
          docNo: doc.docNo,
          subjectType: doc.subjectType,
          subjectId: doc.subjectId,
          sm3: doc.sm3,
        },
      });
      this.log.info({ kind, docNo: doc.docNo, subjectId: subject.id }, 'document issued');
      return doc;
    });
  }

  private async header(em: EntityManager, doc: OfficialDocument): Promise<IssueHeader> {
    const dept = await em.findOne(Department, { code: doc.departmentCode });
    const name = dept?.name ?? doc.departmentCode;
    return {
      docNo: doc.docNo,
      issuer: name.startsWith('仙游县') ? name : `仙游县公安局${name}`,
      issuedOn: todayInShanghai(doc.createdAt),
      issuedAt: doc.createdAt,
    };
  }

  private async items(em: EntityManager, i: Inspection) {
    const items = await em.find(InspectionItem, { code: { $in: i.itemCodes } });
    const out: { name: string; implementationCode: string }[] = [];
    for (const [n, code] of i.itemCodes.entries()) {
      const it = items.find((x) => x.code === code);
      const v = it
        ? await em.findOne(InspectionItemVersion, {
            item: it.id,
            version: it.publishedVersion ?? it.currentVersion,
          })
        : null;
      out.push({
        name: v?.name ?? code,
        implementationCode: i.implementationCodes[n] ?? v?.implementationCode ?? '',
      });
    }
    return out;
  }

  private async load(em: EntityManager, kind: DocumentKind, id: string): Promise<Subject | null> {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) return null;
    const channel = { office: SUPERVISION_OFFICE_CONTACT.name, phone: SUPERVISION_OFFICE_CONTACT.phone };
    const label = (c: string) => TARGET_CATEGORY_LABELS[c as TargetCategory] ?? c;
    const team = (i: Inspection) =>
      i.team.map((t) => ({ name: t.name, policeNo: t.policeNo, certificateNo: t.certificateNo }));
    switch (kind) {
      case DocumentKind.INSPECTION_NOTICE:
      case DocumentKind.INSPECTION_RECORD: {
        const i = await em.findOne(Inspection, { id });
        if (!i) return null;
        const target = await em.findOneOrFail(Target, { id: i.targetId });
        const items = await this.items(em, i);
        const base = {
          id: i.id,
          regionCode: i.regionCode,
          departmentCode: i.departmentCode,
          jurisdictionCode: i.jurisdictionCode,
          isPublic: false,
        };
        if (kind === DocumentKind.INSPECTION_NOTICE)
          return {
            ...base,
            notIssuable: null,
            compose: (h) =>
              composeInspectionNotice(h, {
                targetName: i.targetName,
                address: target.address,
                categoryLabel: label(i.category),
                items,
                plannedOn: i.plannedOn,
                team: team(i),
                appealCode: i.appealCode,
                channel,
                recusalDecisionDays: this.settings.recusalDecisionDays,
              }),
          };
        return {
          ...base,
          notIssuable:
            i.outcome && i.inspectedOn
              ? null
              : 'the inspection record needs a recorded result (outcome and date)',
          compose: (h) =>
            composeInspectionRecord(h, {
              targetName: i.targetName,
              address: target.address,
              categoryLabel: label(i.category),
              inspectedOn: i.inspectedOn!,
              place: i.place,
              items,
              team: team(i),
              checklist: i.checklist.map((c) => {
                const k = i.keyPoints.find((p) => p.code === c.pointCode);
                return {
                  itemCode: k?.itemCode ?? '',
                  pointText: k?.text ?? c.pointCode,
                  answer: c.answer,
                  note: c.note,
                };
              }),
              findings: i.findings,
              outcomeLabel: OUTCOME_LABELS[i.outcome!],
              rectificationWorkingDays: i.rectificationWorkingDays,
              summary: i.summary,
            }),
        };
      }
      case DocumentKind.RECTIFICATION_ORDER: {
        const m = await em.findOne(Measure, { id });
        if (!m) return null;
        const i = await em.findOneOrFail(Inspection, { id: m.inspectionId });
        const ok = m.kind === MeasureKind.RECTIFICATION && m.dueOn && m.workingDays;
        return {
          id: m.id,
          regionCode: m.regionCode,
          departmentCode: m.departmentCode,
          jurisdictionCode: i.jurisdictionCode,
          isPublic: false,
          notIssuable: ok
            ? null
            : 'a rectification order is issued for a RECTIFICATION measure with a deadline',
          compose: (h) =>
            composeRectificationOrder(h, {
              targetName: i.targetName,
              inspectedOn: i.inspectedOn ?? m.orderedOn,
              findings: i.findings,
              workingDays: m.workingDays!,
              dueOn: m.dueOn!,
              appealCode: i.appealCode,
              channel,
            }),
        };
      }
      case DocumentKind.RESULT_BULLETIN: {
        const p = await em.findOne(Publication, { id });
        if (!p) return null;
        const i = await em.findOneOrFail(Inspection, { id: p.inspectionId });
        const persons = await em.find(TargetPerson, { target: p.targetId }, { populate: ['person'] });
        const published = p.status === PublicationStatus.PUBLISHED;
        return {
          id: p.id,
          regionCode: p.regionCode,
          departmentCode: p.departmentCode,
          jurisdictionCode: p.jurisdictionCode,
          isPublic: published,
          notIssuable: published
            ? null
            : `a bulletin is issued for a PUBLISHED result; this one is ${p.status}`,
          compose: (h) =>
            composeResultBulletin(h, {
              title: p.title,
              targetName: p.targetName,
              categoryLabel: label(p.category),
              itemNames: p.itemNames,
              inspectedOn: p.inspectedOn,
              outcomeLabel: OUTCOME_LABELS[p.outcome],
              body: p.body,
              version: p.version,
              personNames: personNamesOf(i, persons),
            }),
        };
      }
      case DocumentKind.BLACKLIST_NOTICE: {
        const b = await em.findOne(BlacklistEntry, { id });
        if (!b) return null;
        const target = await em.findOneOrFail(Target, { id: b.targetId });
        return {
          id: b.id,
          regionCode: b.regionCode,
          departmentCode: b.departmentCode,
          jurisdictionCode: b.jurisdictionCode,
          isPublic: false,
          notIssuable: null,
          compose: (h) =>
            composeBlacklistNotice(h, {
              targetName: target.name,
              personNameMasked: b.personNameMasked,
              listLabel: b.kind === BlacklistKind.HOTEL ? '旅馆业黑名单' : '互联网上网服务营业场所黑名单',
              reasons: b.reasons,
              basis: b.basis,
              objectionDueOn: b.objectionDueOn,
              objectionWorkingDays: this.settings.objectionWorkingDays,
              channel,
            }),
        };
      }
    }
  }
}
