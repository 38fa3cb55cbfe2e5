import { BigIntType, Entity, Index, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Field, ID, Int, ObjectType } from 'type-graphql';

/**
 * A source record that failed validation, kept with its reason. The raw bytes may hold ID numbers,
 * so they are stored SM4-encrypted (`rawEnc`) and only ever shown masked.
 */
@ObjectType({ description: 'A source record refused by validation (raw bytes shown masked).' })
@Entity({ tableName: 'sync_quarantine' })
@Unique({ properties: ['adapter', 'rawDigest'] })
@Index({ properties: ['adapter', 'id'] })
export class SyncQuarantine {
  [OptionalProps]?: 'seenCount' | 'createdAt' | 'updatedAt' | 'sourceId';

  @Field(() => ID)
  @PrimaryKey({ type: new BigIntType('string'), autoincrement: true })
  id!: string;

  @Field(() => String)
  @Property({ type: 'string', length: 32 })
  adapter!: string;

  @Field(() => String)
  @Property({ type: 'string', length: 6 })
  regionCode!: string;

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 128, nullable: true })
  sourceId: string | null = null;

  @Field(() => String, { description: 'What was wrong, naming the field.' })
  @Property({ type: 'text' })
  reason!: string;

  @Property({ type: 'text' })
  rawEnc!: string;

  /** SM3 of the raw bytes: the same bad record seen again is counted, not stored twice. */
  @Property({ type: 'string', length: 64 })
  rawDigest!: string;

  @Field(() => Int)
  @Property({ type: 'integer' })
  rawBytes!: number;

  @Field(() => String)
  @Property({ type: new BigIntType('string') })
  firstRunId!: string;

  @Field(() => String)
  @Property({ type: new BigIntType('string') })
  lastRunId!: string;

  @Field(() => Int)
  @Property({ type: 'integer' })
  seenCount: number = 1;

  @Field(() => Date)
  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();

  @Field(() => Date)
  @Property({ type: 'datetime', columnType: 'timestamptz' })
  updatedAt: Date = new Date();
}
