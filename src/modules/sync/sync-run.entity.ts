import { BigIntType, Entity, Enum, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';

export enum SyncRunStatus {
  RUNNING = 'RUNNING',
  DONE = 'DONE',
  FAILED = 'FAILED',
}
registerEnumType(SyncRunStatus, { name: 'SyncRunStatus' });

/** One run of one source adapter: counts, timings, cursors before and after, and the error if any. */
@ObjectType({ description: 'One sync run of a source adapter (hotel, entertainment, internet-cafe).' })
@Entity({ tableName: 'sync_run' })
@Index({ properties: ['adapter', 'id'] })
export class SyncRun {
  [OptionalProps]?:
    | 'status'
    | 'manual'
    | 'startedAt'
    | 'finishedAt'
    | 'durationMs'
    | 'cursorBefore'
    | 'cursorAfter'
    | 'batches'
    | 'fetched'
    | 'inserted'
    | 'updated'
    | 'unchanged'
    | 'deleted'
    | 'quarantined'
    | 'staffJoined'
    | 'staffLeft'
    | 'warnings'
    | 'errorCode'
    | 'error';

  @Field(() => ID)
  @PrimaryKey({ type: new BigIntType('string'), autoincrement: true })
  id!: string;

  @Field(() => String)
  @Property({ type: 'string', length: 32 })
  adapter!: string;

  @Field(() => String)
  @Property({ type: 'string', length: 6 })
  regionCode!: string;

  @Field(() => SyncRunStatus)
  @Enum({ items: () => SyncRunStatus, nativeEnumName: 'sync_run_status' })
  status: SyncRunStatus = SyncRunStatus.RUNNING;

  @Field(() => Boolean)
  @Property({ type: 'boolean' })
  manual: boolean = false;

  @Field(() => Date)
  @Property({ type: 'datetime', columnType: 'timestamptz' })
  startedAt: Date = new Date();

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  finishedAt: Date | null = null;

  @Field(() => Int, { nullable: true })
  @Property({ type: 'integer', nullable: true })
  durationMs: number | null = null;

  @Field(() => String, { nullable: true, description: 'The committed cursor the run started from.' })
  @Property({ type: 'text', nullable: true })
  cursorBefore: string | null = null;

  @Field(() => String, { nullable: true, description: 'The last cursor committed by this run.' })
  @Property({ type: 'text', nullable: true })
  cursorAfter: string | null = null;

  @Field(() => Int) @Property({ type: 'integer' }) batches: number = 0;
  @Field(() => Int) @Property({ type: 'integer' }) fetched: number = 0;
  @Field(() => Int) @Property({ type: 'integer' }) inserted: number = 0;
  @Field(() => Int) @Property({ type: 'integer' }) updated: number = 0;
  @Field(() => Int) @Property({ type: 'integer' }) unchanged: number = 0;
  @Field(() => Int) @Property({ type: 'integer' }) deleted: number = 0;
  @Field(() => Int) @Property({ type: 'integer' }) quarantined: number = 0;
  @Field(() => Int) @Property({ type: 'integer' }) staffJoined: number = 0;
  @Field(() => Int) @Property({ type: 'integer' }) staffLeft: number = 0;

  @Field(() => Int, { description: 'Identifier check failures (USCC, ID number) kept with a validity flag.' })
  @Property({ type: 'integer' })
  warnings: number = 0;

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 32, nullable: true })
  errorCode: string | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  error: string | null = null;
}
