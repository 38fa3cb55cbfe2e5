import { Node } from '../../graphql/node.js';
import { Field, ObjectType, Int } from 'type-graphql';
import { Collection, Entity, Enum, Index, OneToMany, Property, Unique } from '@mikro-orm/core';
import { BaseEntity } from '../../shared/base.entity.js';
import { Grade, TargetCategory, TargetStatus } from './target-category.js';
import type { TargetPerson } from './target-person.entity.js';

export interface LicenceNo {
  kind: string;
  number: string;
}
export interface Violation {
  date: string;
  type: string;
  decisionNo?: string | null;
  fineYuan?: string | null;
  serious?: boolean;
}
export interface Incident {
  date: string;
  kind: string;
  caseNo?: string | null;
}

@ObjectType('LicenceNo')
export class LicenceNoType {
  @Field(() => String) kind!: string;
  @Field(() => String) number!: string;
}

@ObjectType('Violation', { description: 'A recorded violation; feeds the risk rules.' })
export class ViolationType {
  @Field(() => String) date!: string;
  @Field(() => String) type!: string;
  @Field(() => String, { nullable: true }) decisionNo?: string | null;
  @Field(() => String, { nullable: true, description: 'Fine in yuan, decimal as a string.' }) fineYuan?:
    string | null;
  @Field(() => Boolean, { nullable: true }) serious?: boolean;
}

@ObjectType('Incident')
export class IncidentType {
  @Field(() => String) date!: string;
  @Field(() => String) kind!: string;
  @Field(() => String, { nullable: true }) caseNo?: string | null;
}

/** An inspection target (检查对象) on the roster (名录库). */
@ObjectType({ implements: Node, description: 'An inspection target (检查对象) on the roster.' })
@Entity({ tableName: 'target' })
@Unique({ properties: ['sourceSystem', 'sourceId'] })
@Index({ properties: ['category', 'jurisdictionCode'] })
export class Target extends BaseEntity<
  | 'usccRaw'
  | 'usccNormalised'
  | 'usccValid'
  | 'licenceNos'
  | 'address'
  | 'status'
  | 'grade'
  | 'hotelBlacklisted'
  | 'keyInspection'
  | 'abnormalListed'
  | 'complaints90d'
  | 'violations'
  | 'incidents'
  | 'attributes'
  | 'archivedAt'
  | 'sourceUpdatedAt'
  | 'rowVersion'
> {
  // Not indexed: one value per deployment (one county), so no plan would use it.
  @Field(() => String)
  @Property({ type: 'string', length: 6 })
  regionCode!: string;

  @Field(() => TargetCategory)
  @Enum({ items: () => TargetCategory, nativeEnumName: 'target_category' })
  category!: TargetCategory;

  @Field(() => String)
  @Property({ type: 'string', length: 200 })
  name!: string;

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 64, nullable: true })
  usccRaw: string | null = null;

  @Field(() => String, { nullable: true })
  @Index()
  @Property({ type: 'string', length: 32, nullable: true })
  usccNormalised: string | null = null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'Check character valid (GB 32100-2015); invalid codes are kept and only warned about.',
  })
  @Property({ type: 'boolean', nullable: true })
  usccValid: boolean | null = null;

  @Field(() => [LicenceNoType])
  @Property({ type: 'json', columnType: 'jsonb', default: '[]' })
  licenceNos: LicenceNo[] = [];

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 300, nullable: true })
  address: string | null = null;

  /** Police-station code (12 digits) whose jurisdiction the target lies in. */
  @Field(() => String)
  @Index()
  @Property({ type: 'string', length: 12 })
  jurisdictionCode!: string;

  @Field(() => TargetStatus)
  @Enum({ items: () => TargetStatus, nativeEnumName: 'target_status' })
  status: TargetStatus = TargetStatus.OPERATING;

  /** Entertainment security grade; null = not graded (counts as C). */
  @Field(() => Grade, { nullable: true, description: 'null = not graded; counts as C.' })
  @Enum({ items: () => Grade, nativeEnumName: 'grade', nullable: true })
  grade: Grade | null = null;

  @Field(() => Boolean)
  @Property({ type: 'boolean', default: false })
  hotelBlacklisted: boolean = false;

  /** On the key-inspection roster (重点抽查名录库). */
  @Field(() => Boolean)
  @Property({ type: 'boolean', default: false })
  keyInspection: boolean = false;

  /** On the abnormal-operation list (经营异常名录). */
  @Field(() => Boolean)
  @Property({ type: 'boolean', default: false })
  abnormalListed: boolean = false;

  @Field(() => Int)
  @Property({ type: 'integer', default: 0 })
  complaints90d: number = 0;

  @Field(() => [ViolationType])
  @Property({ type: 'json', columnType: 'jsonb', default: '[]' })
  violations: Violation[] = [];

  @Field(() => [IncidentType])
  @Property({ type: 'json', columnType: 'jsonb', default: '[]' })
  incidents: Incident[] = [];

  @Property({ type: 'json', columnType: 'jsonb', default: '{}' })
  attributes: Record<string, string | number | boolean | null> = {};

  @Field(() => String)
  @Property({ type: 'string', length: 16 })
  sourceSystem!: string;

  @Field(() => String)
  @Property({ type: 'string', length: 64 })
  sourceId!: string;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  sourceUpdatedAt: Date | null = null;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  archivedAt: Date | null = null;

  @Property({ type: 'integer', version: true })
  rowVersion: number = 1;

  @OneToMany('TargetPerson', 'target')
  persons = new Collection<TargetPerson>(this);
}
