import {
  BigIntType,
  Entity,
  Enum,
  Index,
  OptionalProps,
  PrimaryKey,
  Property,
  Unique,
} from '@mikro-orm/core';
import { Field, ObjectType, registerEnumType } from 'type-graphql';

export enum JobRunStatus {
  RUNNING = 'RUNNING',
  DONE = 'DONE',
  FAILED = 'FAILED',
}
registerEnumType(JobRunStatus, { name: 'JobRunStatus' });

/**
 * One run of a scheduled job for one slot. The unique (job, slot) key makes every replica's cron
 * tick for the same slot collapse to one run; a partial unique index allows one RUNNING row per job.
 */
@ObjectType({ description: 'One run of a scheduled or manually triggered job.' })
@Entity({ tableName: 'job_run' })
@Unique({ properties: ['job', 'slot'] })
@Index({ properties: ['job', 'id'] })
export class JobRun {
  [OptionalProps]?: 'status' | 'startedAt' | 'finishedAt' | 'error' | 'result' | 'manual' | 'leaseUntil';

  @Field(() => String)
  // Kept as a string in JS: cursors and GraphQL carry it as text (a JS bigint cannot be JSON-encoded).
  @PrimaryKey({ type: new BigIntType('string'), autoincrement: true })
  id!: string;

  @Field(() => String)
  @Property({ type: 'string', length: 64 })
  job!: string;

  @Field(() => Date, { description: 'The scheduled time this run is for (or the trigger time when manual).' })
  @Property({ type: 'datetime', columnType: 'timestamptz' })
  slot!: Date;

  @Field(() => Boolean)
  @Property({ type: 'boolean', default: false })
  manual: boolean = false;

  @Field(() => JobRunStatus)
  @Enum({ items: () => JobRunStatus, nativeEnumName: 'job_run_status' })
  status: JobRunStatus = JobRunStatus.RUNNING;

  @Property({ type: 'string', length: 64 })
  owner!: string;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  leaseUntil: Date | null = null;

  @Field(() => Date)
  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()' })
  startedAt: Date = new Date();

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  finishedAt: Date | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  error: string | null = null;

  @Property({ type: 'json', columnType: 'jsonb', nullable: true })
  result: Record<string, unknown> | null = null;
}
