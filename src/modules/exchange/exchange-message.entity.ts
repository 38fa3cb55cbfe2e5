import { Entity, Enum, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { GraphQLJSONObject } from 'graphql-scalars';

/** Outbound message states. SUPERSEDED: replaced by a corrected message (correct-and-resend). */
export enum ExchangeMessageStatus {
  PENDING = 'PENDING',
  SENDING = 'SENDING',
  DELIVERED = 'DELIVERED',
  DEAD = 'DEAD',
  SUPERSEDED = 'SUPERSEDED',
}

/** One outbound message of the outbox / message log (read model; the hub writes it with SQL). */
@ObjectType('ExchangeMessage', { description: 'An outbound exchange message (outbox and message log).' })
@Entity({ tableName: 'exchange_message' })
export class ExchangeMessage {
  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id!: string;
  @Property({ type: 'bigint' }) seq!: string;
  @Field(() => String)
  @Property({ type: 'string', length: 16 })
  partnerCode!: string;
  @Field(() => String)
  @Property({ type: 'string', length: 40 })
  messageType!: string;
  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 32, nullable: true })
  eventType!: string | null;
  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 128, nullable: true })
  sourceId!: string | null;
  @Field(() => String)
  @Property({ type: 'string', length: 128 })
  subjectKey!: string;
  @Property({ type: 'string', length: 6 }) regionCode!: string;
  @Field(() => String)
  @Property({ type: 'string', length: 64 })
  contentType!: string;
  @Property({ type: 'blob', lazy: true }) body!: Buffer;
  @Field(() => String)
  @Property({ type: 'string', length: 64 })
  bodySm3!: string;
  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  signature!: string | null;
  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 64, nullable: true })
  keyId!: string | null;
  @Field(() => ExchangeMessageStatus)
  @Enum({ items: () => ExchangeMessageStatus, nativeEnumName: 'exchange_message_status' })
  status!: ExchangeMessageStatus;
  @Field(() => Int)
  @Property({ type: 'integer' })
  attempts!: number;
  @Field(() => Date)
  @Property({ type: 'datetime' })
  nextAttemptAt!: Date;
  @Property({ type: 'datetime', nullable: true }) leaseUntil!: Date | null;
  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 64, nullable: true })
  receiptNo!: string | null;
  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  lastError!: string | null;
  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  deadReason!: string | null;
  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 64, nullable: true })
  correlationId!: string | null;
  @Field(() => String, { nullable: true })
  @Property({ type: 'uuid', nullable: true })
  replaces!: string | null;
  @Property({ type: 'json', nullable: true }) recordIds!: string[] | null;
  @Field(() => GraphQLJSONObject, { nullable: true })
  @Property({ type: 'json', nullable: true })
  feedback!: Record<string, unknown> | null;
  @Field(() => Date)
  @Property({ type: 'datetime' })
  createdAt!: Date;
  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', nullable: true })
  deliveredAt!: Date | null;
  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', nullable: true })
  deadAt!: Date | null;
}

registerEnumType(ExchangeMessageStatus, { name: 'ExchangeMessageStatus' });
