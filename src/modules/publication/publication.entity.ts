import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Entity, Enum, Property } from '@mikro-orm/core';
import { Node } from '../../graphql/node.js';
import { BaseEntity } from '../../shared/base.entity.js';
import { TargetCategory } from '../targets/target-category.js';
import { InspectionOutcome, PublicationMode } from '../inspections/inspection-rules.js';

export enum PublicationStatus {
  PENDING = 'PENDING',
  PUBLISHED = 'PUBLISHED',
  WITHDRAWN = 'WITHDRAWN',
  NOT_PUBLISHED = 'NOT_PUBLISHED',
}
registerEnumType(PublicationStatus, { name: 'PublicationStatus' });

/**
 * The published form of an approved result (一公开). Its texts are redacted when written; the
 * public API reads only PUBLISHED rows. RESTRICTED rows carry no findings detail.
 */
@ObjectType({ implements: Node, description: 'A published inspection result (抽查结果公示).' })
@Entity({ tableName: 'publication' })
export class Publication extends BaseEntity<
  'status' | 'publishedAt' | 'publishedOn' | 'version' | 'withdrawnAt' | 'lastReason'
> {
  @Property({ type: 'string', length: 6 })
  regionCode!: string;

  @Property({ type: 'uuid' })
  inspectionId!: string;

  @Property({ type: 'uuid' })
  targetId!: string;

  @Field(() => TargetCategory)
  @Enum({ items: () => TargetCategory, nativeEnumName: 'target_category' })
  category!: TargetCategory;

  @Field(() => String)
  @Property({ type: 'string', length: 16 })
  departmentCode!: string;

  @Field(() => String)
  @Property({ type: 'string', length: 12 })
  jurisdictionCode!: string;

  @Field(() => PublicationMode)
  @Enum({ items: () => PublicationMode, nativeEnumName: 'publication_mode' })
  mode!: PublicationMode;

  @Field(() => PublicationStatus)
  @Enum({ items: () => PublicationStatus, nativeEnumName: 'publication_status' })
  status: PublicationStatus = PublicationStatus.PENDING;

  @Field(() => String)
  @Property({ type: 'string', length: 300 })
  title!: string;

  @Field(() => String)
  @Property({ type: 'string', length: 200 })
  targetName!: string;

  @Field(() => [String])
  @Property({ type: 'array', columnType: 'text[]' })
  itemNames!: string[];

  @Field(() => String)
  @Property({ type: 'date' })
  inspectedOn!: string;

  @Field(() => InspectionOutcome)
  @Enum({ items: () => InspectionOutcome, nativeEnumName: 'inspection_outcome' })
  outcome!: InspectionOutcome;

  @Field(() => String)
  @Property({ type: 'text' })
  body!: string;

  @Field(() => String, { description: 'Publish by this day (working days after approval).' })
  @Property({ type: 'date' })
  dueOn!: string;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  publishedAt: Date | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'date', nullable: true })
  publishedOn: string | null = null;

  @Field(() => Int)
  @Property({ type: 'integer' })
  version: number = 1;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  withdrawnAt: Date | null = null;

  @Field(() => String, { nullable: true, description: 'Reason of the last correction or withdrawal.' })
  @Property({ type: 'text', nullable: true })
  lastReason: string | null = null;
}

export enum AppealStatus {
  FILED = 'FILED',
  UPHELD = 'UPHELD',
  DISMISSED = 'DISMISSED',
}
export enum AppealRemedy {
  CORRECT = 'CORRECT',
  WITHDRAW = 'WITHDRAW',
}
registerEnumType(AppealStatus, { name: 'AppealStatus' });
registerEnumType(AppealRemedy, { name: 'AppealRemedy' });

/** An objection (申诉) filed by the inspected party with the appeal code of its result notice. */
@ObjectType({ implements: Node, description: 'An objection to a result (申诉).' })
@Entity({ tableName: 'appeal' })
export class Appeal extends BaseEntity<
  'status' | 'contact' | 'decision' | 'remedy' | 'decidedBy' | 'decidedAt'
> {
  @Property({ type: 'string', length: 6 })
  regionCode!: string;

  @Field(() => String)
  @Property({ type: 'uuid' })
  inspectionId!: string;

  @Field(() => String)
  @Property({ type: 'string', length: 16 })
  departmentCode!: string;

  /** Receipt number the party uses to follow the appeal. */
  @Field(() => String)
  @Property({ type: 'string', length: 20 })
  ticket!: string;

  @Field(() => String)
  @Property({ type: 'text' })
  text!: string;

  @Property({ type: 'string', length: 100, nullable: true })
  contact: string | null = null;

  @Field(() => AppealStatus)
  @Enum({ items: () => AppealStatus, nativeEnumName: 'appeal_status' })
  status: AppealStatus = AppealStatus.FILED;

  @Field(() => String)
  @Property({ type: 'date' })
  filedOn!: string;

  @Field(() => String, { description: 'Decide by this day (SLA in working days).' })
  @Property({ type: 'date' })
  dueOn!: string;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  decision: string | null = null;

  @Field(() => AppealRemedy, { nullable: true })
  @Enum({ items: () => AppealRemedy, nativeEnumName: 'appeal_remedy', nullable: true })
  remedy: AppealRemedy | null = null;

  @Property({ type: 'string', length: 64, nullable: true })
  decidedBy: string | null = null;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  decidedAt: Date | null = null;
}
