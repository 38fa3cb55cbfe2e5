import { Entity, Enum, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';

/** 受案登记 states: awaiting the decision, or decided (立案 / 不予立案 / 移送有管辖权单位). */
export enum IntakeStatus {
  PENDING = 'PENDING',
  ACCEPTED = 'ACCEPTED',
  DECLINED = 'DECLINED',
  PASSED_ON = 'PASSED_ON',
}

/** An intake record for an inbound CASE_REFERRAL, with its 3-working-day decision clock. */
@ObjectType('ExchangeIntake', {
  description: '受案登记: an inbound case referral awaiting or past its decision.',
})
@Entity({ tableName: 'exchange_intake' })
export class ExchangeIntake {
  @Field(() => ID)
  @PrimaryKey({ type: 'bigint' })
  id!: string;
  @Field(() => String)
  @Property({ type: 'string', length: 64 })
  inboundMessageId!: string;
  @Field(() => String)
  @Property({ type: 'string', length: 128 })
  referralNo!: string;
  @Field(() => String)
  @Property({ type: 'string', length: 16 })
  partnerCode!: string;
  @Field(() => String)
  @Property({ type: 'string', length: 18 })
  referringCode!: string;
  @Field(() => String)
  @Property({ type: 'text' })
  referringName!: string;
  @Property({ type: 'string', length: 6 }) regionCode!: string;
  @Field(() => String)
  @Property({ type: 'text' })
  subjectName!: string;
  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 18, nullable: true })
  subjectUscc!: string | null;
  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 32, nullable: true })
  subjectIdMasked!: string | null;
  @Field(() => String)
  @Property({ type: 'string', length: 16 })
  suspectedKind!: string;
  @Field(() => String)
  @Property({ type: 'text' })
  suspectedText!: string;
  @Field(() => String)
  @Property({ type: 'text' })
  facts!: string;
  @Field(() => String)
  @Property({ type: 'text' })
  legalBasis!: string;
  @Field(() => String)
  @Property({ type: 'date' })
  referredOn!: string;
  @Field(() => Date)
  @Property({ type: 'datetime' })
  receivedAt!: Date;
  @Field(() => String)
  @Property({ type: 'date' })
  decideBy!: string;
  @Field(() => IntakeStatus)
  @Enum({ items: () => IntakeStatus, nativeEnumName: 'exchange_intake_status' })
  status!: IntakeStatus;
  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  decisionReason!: string | null;
  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 128, nullable: true })
  caseNo!: string | null;
  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', nullable: true })
  decidedAt!: Date | null;
  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 64, nullable: true })
  decidedBy!: string | null;
  @Field(() => String, { nullable: true })
  @Property({ type: 'uuid', nullable: true })
  decisionMessageId!: string | null;
}

registerEnumType(IntakeStatus, { name: 'IntakeStatus' });
