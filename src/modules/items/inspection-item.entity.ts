import { Field, Int, ObjectType } from 'type-graphql';
import { Node } from '../../graphql/node.js';
import { Collection, Entity, Enum, Index, ManyToOne, OneToMany, Property, Unique } from '@mikro-orm/core';
import { BaseEntity } from '../../shared/base.entity.js';

export enum ItemStatus {
  DRAFT = 'DRAFT',
  PUBLISHED = 'PUBLISHED',
  UNPUBLISHED = 'UNPUBLISHED',
  ARCHIVED = 'ARCHIVED',
}

/** One checklist point (抽查标准和要点) of an item version. */
export interface KeyPoint {
  code: string;
  text: string;
}

@ObjectType('KeyPoint', { description: '抽查标准和要点: one checklist point.' })
export class KeyPointType {
  @Field(() => String) code!: string;
  @Field(() => String) text!: string;
}

/**
 * An inspection item (抽查事项) of the published list (一单). Its content lives in versions;
 * an edit writes a new version and old versions stay readable.
 */
@ObjectType('InspectionItem', {
  implements: Node,
  description: 'An item of the inspection-item list (一单). Content lives in versions.',
})
@Entity({ tableName: 'inspection_item' })
export class InspectionItem extends BaseEntity<
  'status' | 'currentVersion' | 'publishedVersion' | 'publishedAt'
> {
  @Field(() => String)
  @Property({ type: 'string', length: 32, unique: true })
  code!: string;

  @Field(() => ItemStatus)
  @Enum({ items: () => ItemStatus, nativeEnumName: 'item_status' })
  status: ItemStatus = ItemStatus.DRAFT;

  @Field(() => Int)
  @Property({ type: 'integer' })
  currentVersion: number = 1;

  /** The version the public sees; null until first published. */
  @Field(() => Int, { nullable: true })
  @Property({ type: 'integer', nullable: true })
  publishedVersion: number | null = null;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  publishedAt: Date | null = null;

  @Field(() => String)
  @Index()
  @Property({ type: 'string', length: 16 })
  departmentCode!: string;

  @OneToMany(() => InspectionItemVersion, (v) => v.item)
  versions = new Collection<InspectionItemVersion>(this);
}

/** An immutable version of an inspection item with every field the seed names (§二(一)1). */
@ObjectType('InspectionItemVersion', { description: 'An immutable version of an item.' })
@Entity({ tableName: 'inspection_item_version' })
@Unique({ properties: ['item', 'version'] })
export class InspectionItemVersion extends BaseEntity<'effectiveTo'> {
  @ManyToOne(() => InspectionItem, { deleteRule: 'cascade' })
  item!: InspectionItem;

  @Field(() => Int)
  @Property({ type: 'integer' })
  version!: number;

  @Field(() => String, { description: '抽查事项名称' })
  @Property({ type: 'string', length: 200 })
  name!: string;

  /** 抽查依据: laws and regulations with articles. */
  @Field(() => [String], { description: '抽查依据' })
  @Property({ type: 'array', columnType: 'text[]' })
  legalBasis!: string[];

  /** 抽查主体 */
  @Field(() => String, { description: '抽查主体' })
  @Property({ type: 'string', length: 16 })
  departmentCode!: string;

  /** 抽查对象 */
  @Field(() => [String], { description: '抽查对象' })
  @Property({ type: 'array', columnType: 'text[]' })
  categories!: string[];

  /** 抽查内容 */
  @Field(() => String, { description: '抽查内容' })
  @Property({ type: 'text' })
  content!: string;

  /** 抽查标准和要点 */
  @Field(() => [KeyPointType], { description: '抽查标准和要点' })
  @Property({ type: 'json', columnType: 'jsonb' })
  keyPoints!: KeyPoint[];

  /** 抽查方式 */
  @Field(() => String, { description: '抽查方式' })
  @Property({ type: 'string', length: 100 })
  method!: string;

  /** 抽查比例, percent as a decimal string. */
  @Field(() => String, { description: '抽查比例 (percent, decimal string)' })
  @Property({ type: 'decimal', columnType: 'numeric(5,2)' })
  ratioPercent!: string;

  /** 抽查频次 */
  @Field(() => String, { description: '抽查频次' })
  @Property({ type: 'string', length: 200 })
  frequencyText!: string;

  @Field(() => Int, { nullable: true })
  @Property({ type: 'integer', nullable: true })
  frequencyMonths!: number | null;

  /** 检查实施清单编码 */
  @Field(() => String, { description: '检查实施清单编码' })
  @Property({ type: 'string', length: 40 })
  implementationCode!: string;

  @Field(() => String)
  @Property({ type: 'date' })
  effectiveFrom!: string;

  @Field(() => String, { nullable: true })
  @Property({ type: 'date', nullable: true })
  effectiveTo: string | null = null;

  @Field(() => String)
  @Property({ type: 'string', length: 64 })
  createdBy!: string;
}
