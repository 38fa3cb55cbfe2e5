import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Entity, Property } from '@mikro-orm/core';
import { BaseEntity } from '../../shared/base.entity.js';

/** The official documents the platform issues (issue 4, item 8). */
export enum DocumentKind {
  /** 随机抽查告知书: to the target, before the inspection. Subject: Inspection. */
  INSPECTION_NOTICE = 'INSPECTION_NOTICE',
  /** 检查记录表: checklist answers, findings, signatures. Subject: Inspection. */
  INSPECTION_RECORD = 'INSPECTION_RECORD',
  /** 责令限期整改通知书: the rectification order. Subject: Measure (RECTIFICATION). */
  RECTIFICATION_ORDER = 'RECTIFICATION_ORDER',
  /** 抽查结果公告: the published result, redacted. Subject: Publication (PUBLISHED). */
  RESULT_BULLETIN = 'RESULT_BULLETIN',
  /** 黑名单事先告知书: reasons, basis, rights, objection deadline. Subject: BlacklistEntry. */
  BLACKLIST_NOTICE = 'BLACKLIST_NOTICE',
}
registerEnumType(DocumentKind, { name: 'DocumentKind', description: 'Kinds of official documents.' });

/**
 * An issued official document: its number (文号, per year, department and kind) is fixed at the
 * first issuance, so every later rendering carries the same number. The SM3 digest and size are
 * those of the PDF as issued.
 */
@ObjectType('OfficialDocument', { description: 'An issued official document (文书) with its number.' })
@Entity({ tableName: 'official_document' })
export class OfficialDocument extends BaseEntity {
  @Property({ type: 'string', length: 6 })
  regionCode!: string;

  @Field(() => DocumentKind)
  @Property({ type: 'string', length: 24 })
  kind!: DocumentKind;

  @Field(() => String, { description: '文号, e.g. 仙公治抽〔2026〕12号.' })
  @Property({ type: 'string', length: 60 })
  docNo!: string;

  @Field(() => Int)
  @Property({ type: 'integer' })
  year!: number;

  @Field(() => Int)
  @Property({ type: 'integer' })
  seq!: number;

  @Field(() => String)
  @Property({ type: 'string', length: 16 })
  departmentCode!: string;

  @Field(() => String, { description: 'Inspection, Measure, Publication or BlacklistEntry.' })
  @Property({ type: 'string', length: 32 })
  subjectType!: string;

  @Property({ type: 'uuid' })
  subjectId!: string;

  @Field(() => String, { description: 'SM3 of the PDF as issued (hex).' })
  @Property({ type: 'string', length: 64 })
  sm3!: string;

  @Field(() => Int, { description: 'Size of the PDF as issued, in bytes.' })
  @Property({ type: 'integer' })
  size!: number;

  @Field(() => String)
  @Property({ type: 'string', length: 64 })
  issuedBy!: string;
}
