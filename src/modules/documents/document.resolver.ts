import { Arg, Authorized, Ctx as C, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Ctx } from '../../graphql/context.js';
import { fromGlobalId, toGlobalId } from '../../graphql/node.js';
import { Inspection } from '../inspections/inspection.entity.js';
import { Measure } from '../inspections/measure.entity.js';
import { Publication, PublicationStatus } from '../publication/publication.entity.js';
import { BlacklistEntry } from '../credit/credit.entity.js';
import { DocumentKind, OfficialDocument } from './official-document.entity.js';
import { DOCUMENT_KINDS, documentUrl } from './document.service.js';

/** Issued official documents: number, digest and where to fetch the PDF. */
@Resolver(() => OfficialDocument)
export class DocumentResolver {
  @FieldResolver(() => String, { description: 'GET this path with the bearer token for the PDF.' })
  url(@Root() d: OfficialDocument): string {
    return documentUrl(d.kind, d.subjectId);
  }

  @FieldResolver(() => ID, { description: 'Global id of the inspection, measure, publication or entry.' })
  subjectId(@Root() d: OfficialDocument): string {
    return toGlobalId(d.subjectType, d.subjectId);
  }

  @FieldResolver(() => Date)
  issuedAt(@Root() d: OfficialDocument): Date {
    return d.createdAt;
  }

  @Authorized()
  @Mutation(() => OfficialDocument, {
    description:
      'Issues (numbers, audits) the document of this kind for a subject, or returns it when already issued.',
  })
  issueDocument(
    @Arg('kind', () => DocumentKind) kind: DocumentKind,
    @Arg('subjectId', () => ID) subjectId: string,
    @C() ctx: Ctx,
  ): Promise<OfficialDocument> {
    return ctx.services.documents.issue(
      ctx,
      kind,
      fromGlobalId(subjectId, DOCUMENT_KINDS[kind].subjectType).id,
    );
  }

  @Authorized()
  @Query(() => [OfficialDocument], { description: 'Documents issued for a subject (global id).' })
  officialDocuments(
    @Arg('subjectId', () => ID) subjectId: string,
    @C() ctx: Ctx,
  ): Promise<OfficialDocument[]> {
    const { type, id } = fromGlobalId(subjectId);
    return ctx.services.documents.listFor(ctx, type, id);
  }
}

/** Document links on the records they belong to (no query: the path is known before issuance). */
@Resolver(() => Inspection)
export class InspectionDocumentsResolver {
  @FieldResolver(() => String, { description: '随机抽查告知书 (PDF; issued on first fetch).' })
  noticeUrl(@Root() i: Inspection): string {
    return documentUrl(DocumentKind.INSPECTION_NOTICE, i.id);
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: '检查记录表 (PDF), once a result is recorded.',
  })
  recordUrl(@Root() i: Inspection): string | null {
    return i.outcome && i.inspectedOn ? documentUrl(DocumentKind.INSPECTION_RECORD, i.id) : null;
  }
}

@Resolver(() => Measure)
export class MeasureDocumentsResolver {
  @FieldResolver(() => String, {
    nullable: true,
    description: '责令限期整改通知书 (PDF) of a rectification.',
  })
  orderUrl(@Root() m: Measure): string | null {
    return m.kind === 'RECTIFICATION' && m.dueOn ? documentUrl(DocumentKind.RECTIFICATION_ORDER, m.id) : null;
  }
}

@Resolver(() => Publication)
export class PublicationDocumentsResolver {
  @FieldResolver(() => String, { nullable: true, description: '抽查结果公告 (PDF), public once published.' })
  bulletinUrl(@Root() p: Publication): string | null {
    return p.status === PublicationStatus.PUBLISHED ? documentUrl(DocumentKind.RESULT_BULLETIN, p.id) : null;
  }
}

@Resolver(() => BlacklistEntry)
export class BlacklistDocumentsResolver {
  @FieldResolver(() => String, { description: '黑名单事先告知书 (PDF).' })
  priorNoticeUrl(@Root() b: BlacklistEntry): string {
    return documentUrl(DocumentKind.BLACKLIST_NOTICE, b.id);
  }
}
