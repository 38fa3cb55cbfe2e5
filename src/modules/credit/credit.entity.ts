import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { Entity, Enum, Property } from '@mikro-orm/core';
import { Node } from '../../graphql/node.js';
import { BaseEntity } from '../../shared/base.entity.js';

/**
 * A credit fact (信用记录) from an approved internet-café result, for the café (ENTITY) or one of
 * its responsible persons (PERSON, name masked).
 */
@ObjectType({
  implements: Node,
  description: 'A credit fact for an internet café or its responsible person.',
})
@Entity({ tableName: 'credit_fact' })
export class CreditFact extends BaseEntity<'personId' | 'personNameMasked' | 'personRole'> {
  @Property({ type: 'string', length: 6 })
  regionCode!: string;

  @Field(() => String)
  @Property({ type: 'uuid' })
  inspectionId!: string;

  @Field(() => String)
  @Property({ type: 'uuid' })
  targetId!: string;

  @Field(() => String, { description: 'ENTITY | PERSON' })
  @Property({ type: 'string', length: 8 })
  subjectType!: 'ENTITY' | 'PERSON';

  @Property({ type: 'uuid', nullable: true })
  personId: string | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 64, nullable: true })
  personNameMasked: string | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 16, nullable: true })
  personRole: string | null = null;

  @Field(() => String, { description: 'POSITIVE | NEGATIVE' })
  @Property({ type: 'string', length: 8 })
  polarity!: 'POSITIVE' | 'NEGATIVE';

  @Field(() => String)
  @Property({ type: 'string', length: 32 })
  reasonCode!: string;

  @Field(() => String)
  @Property({ type: 'text' })
  reasonText!: string;

  @Field(() => String)
  @Property({ type: 'date' })
  recordedOn!: string;
}

export enum BlacklistKind {
  INTERNET_CAFE = 'INTERNET_CAFE',
  HOTEL = 'HOTEL',
}
export enum BlacklistStatus {
  PROPOSED = 'PROPOSED',
  NOTICED = 'NOTICED',
  EFFECTIVE = 'EFFECTIVE',
  DECLINED = 'DECLINED',
  EXPIRED = 'EXPIRED',
  REMOVED = 'REMOVED',
}
registerEnumType(BlacklistKind, { name: 'BlacklistKind' });
registerEnumType(BlacklistStatus, { name: 'BlacklistStatus' });

/**
 * A blacklist entry: proposed → noticed (reasons, basis, rights; objection period) → effective
 * after a decision taken once the objection period has ended → expired or removed. HOTEL entries
 * drive `Target.hotelBlacklisted` (monthly inspection).
 */
@ObjectType({ implements: Node, description: 'A blacklist entry (黑名单) with its due process.' })
@Entity({ tableName: 'blacklist_entry' })
export class BlacklistEntry extends BaseEntity<
  | 'personId'
  | 'personNameMasked'
  | 'inspectionId'
  | 'status'
  | 'noticeServedOn'
  | 'objectionDueOn'
  | 'objectionText'
  | 'objectionFiledOn'
  | 'objectionOutcome'
  | 'decidedBy'
  | 'decidedOn'
  | 'decisionNo'
  | 'validFrom'
  | 'validTo'
  | 'endedOn'
  | 'endReason'
> {
  @Property({ type: 'string', length: 6 })
  regionCode!: string;

  @Field(() => BlacklistKind)
  @Enum({ items: () => BlacklistKind, nativeEnumName: 'blacklist_kind' })
  kind!: BlacklistKind;

  @Field(() => String)
  @Property({ type: 'uuid' })
  targetId!: string;

  @Property({ type: 'uuid', nullable: true })
  personId: string | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 64, nullable: true })
  personNameMasked: string | null = null;

  @Field(() => String)
  @Property({ type: 'string', length: 16 })
  departmentCode!: string;

  @Field(() => String)
  @Property({ type: 'string', length: 12 })
  jurisdictionCode!: string;

  @Field(() => String, { nullable: true })
  @Property({ type: 'uuid', nullable: true })
  inspectionId: string | null = null;

  @Field(() => BlacklistStatus)
  @Enum({ items: () => BlacklistStatus, nativeEnumName: 'blacklist_status' })
  status: BlacklistStatus = BlacklistStatus.PROPOSED;

  @Field(() => String)
  @Property({ type: 'text' })
  reasons!: string;

  @Field(() => String)
  @Property({ type: 'text' })
  basis!: string;

  @Field(() => String)
  @Property({ type: 'string', length: 64 })
  proposedBy!: string;

  @Field(() => String)
  @Property({ type: 'date' })
  proposedOn!: string;

  @Field(() => String, { nullable: true, description: 'Day the prior notice was served (送达).' })
  @Property({ type: 'date', nullable: true })
  noticeServedOn: string | null = null;

  @Field(() => String, { nullable: true, description: 'Last day to object (working days after service).' })
  @Property({ type: 'date', nullable: true })
  objectionDueOn: string | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  objectionText: string | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'date', nullable: true })
  objectionFiledOn: string | null = null;

  @Field(() => String, { nullable: true, description: 'UPHELD | DISMISSED' })
  @Property({ type: 'string', length: 16, nullable: true })
  objectionOutcome: string | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 64, nullable: true })
  decidedBy: string | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'date', nullable: true })
  decidedOn: string | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 40, nullable: true })
  decisionNo: string | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'date', nullable: true })
  validFrom: string | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'date', nullable: true })
  validTo: string | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'date', nullable: true })
  endedOn: string | null = null;

  @Field(() => String, { nullable: true, description: 'EXPIRY | REPAIR | OBJECTION_UPHELD' })
  @Property({ type: 'string', length: 32, nullable: true })
  endReason: string | null = null;
}
