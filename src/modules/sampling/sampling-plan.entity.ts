import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { Node } from '../../graphql/node.js';
import { BaseEntity } from '../../shared/base.entity.js';

export enum SamplingPlanStatus {
  OPEN = 'OPEN',
  LOCKED = 'LOCKED',
  CANCELLED = 'CANCELLED',
}
registerEnumType(SamplingPlanStatus, { name: 'SamplingPlanStatus' });

/**
 * A sampling plan (抽查计划) of one department — or several for a joint inspection (联合抽查), the first
 * leading — for one calendar period. Its pools are computed from the roster and rules when a draw
 * is committed; `plan_stratum` rows show the latest computation.
 */
@ObjectType('SamplingPlan', { implements: Node, description: 'A sampling plan (抽查计划).' })
@Entity({ tableName: 'sampling_plan' })
export class SamplingPlan extends BaseEntity<
  'itemCodes' | 'categories' | 'stratumMinimum' | 'status' | 'jobSlot' | 'rowVersion'
> {
  @Field(() => String)
  @Property({ type: 'string', length: 6 })
  regionCode!: string;

  @Field(() => [String], { description: 'Departments; more than one = a joint inspection, the first leads.' })
  @Property({ type: 'array', columnType: 'text[]' })
  departmentCodes!: string[];

  @Field(() => String)
  @Index()
  @Property({ type: 'string', length: 16 })
  leadDepartmentCode!: string;

  @Field(() => String, { description: "e.g. '2026-M12', '2027-Q1'" })
  @Property({ type: 'string', length: 16 })
  periodLabel!: string;

  @Field(() => String)
  @Property({ type: 'date' })
  periodStart!: string;

  @Field(() => String)
  @Property({ type: 'date' })
  periodEnd!: string;

  @Field(() => String, { description: 'Inspection date; certificates must be valid on it.' })
  @Property({ type: 'date' })
  plannedDate!: string;

  @Field(() => [String])
  @Property({ type: 'array', columnType: 'text[]', default: '{}' })
  itemCodes: string[] = [];

  @Field(() => [String], {
    description: 'Restricts the plan to these categories; empty = all the departments supervise.',
  })
  @Property({ type: 'array', columnType: 'text[]', default: '{}' })
  categories: string[] = [];

  @Field(() => Int)
  @Property({ type: 'integer' })
  teamSize!: number;

  @Field(() => Int)
  @Property({ type: 'integer' })
  workloadCap!: number;

  @Field(() => Int, { description: 'Minimum random picks in every stratum with a quota rule.' })
  @Property({ type: 'integer', default: 1 })
  stratumMinimum: number = 1;

  @Field(() => SamplingPlanStatus)
  @Enum({ items: () => SamplingPlanStatus, nativeEnumName: 'sampling_plan_status' })
  status: SamplingPlanStatus = SamplingPlanStatus.OPEN;

  @Field(() => Date, {
    nullable: true,
    description: 'Scheduled slot of the job that prepared it; null if made by hand.',
  })
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  jobSlot: Date | null = null;

  @Field(() => String)
  @Property({ type: 'string', length: 64 })
  createdBy!: string;

  @Property({ type: 'integer', version: true })
  rowVersion: number = 1;
}

/** One stratum (category × grade × jurisdiction, boosted targets apart) of a plan's pool. */
@ObjectType('PlanStratum')
@Entity({ tableName: 'plan_stratum' })
export class PlanStratum {
  @PrimaryKey({ type: 'bigint' })
  id!: string;

  @ManyToOne(() => SamplingPlan, { fieldName: 'plan_id' })
  plan!: SamplingPlan;

  @Property({ type: 'string', length: 6 })
  regionCode!: string;

  @Field(() => String) @Property({ type: 'string', length: 120 }) stratum!: string;
  @Field(() => String) @Property({ type: 'string', length: 32 }) category!: string;
  @Field(() => String, { description: 'A, B, C or U (ungraded)' })
  @Property({ type: 'string', length: 9 })
  grade!: string;
  @Field(() => String) @Property({ type: 'string', length: 12 }) jurisdictionCode!: string;
  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 16, nullable: true })
  boostWeight: string | null = null;
  @Field(() => Int) @Property({ type: 'integer' }) size!: number;
  @Field(() => Int) @Property({ type: 'integer' }) mustInclude!: number;
  @Field(() => Int, { description: 'Random picks beyond the must-include targets.' })
  @Property({ type: 'integer' })
  quota!: number;
  @Field(() => Int) @Property({ type: 'integer' }) minimum!: number;
  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 16, nullable: true })
  quotaPercent: string | null = null;
  @Field(() => String) @Property({ type: 'string', length: 16 }) multiplier!: string;
}
