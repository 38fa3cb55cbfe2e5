import { Field, InputType, Int } from 'type-graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import { ArrayMaxSize, ArrayMinSize, IsIn, IsOptional, Length, Matches, Max, Min } from 'class-validator';
import { TargetCategory } from '../targets/target-category.js';
import { SamplingRuleKind } from './sampling-rule.entity.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

@InputType({ description: 'A new version of a rule, in force from effectiveFrom.' })
export class SamplingRuleInput {
  @Field(() => String) @Matches(/^[A-Za-z0-9_-]{2,64}$/) code!: string;
  @Field(() => SamplingRuleKind) kind!: SamplingRuleKind;
  @Field(() => GraphQLJSONObject, {
    description: 'FrequencyRule, BoostRule or IntensificationWindow (code included).',
  })
  body!: Record<string, unknown>;
  @Field(() => String) @Matches(DATE) effectiveFrom!: string;
  @Field(() => String, { description: 'Why the rule changes.' }) @Length(4, 300) note!: string;
}

@InputType()
export class CoverageFilterInput {
  @Field(() => String, { nullable: true }) @IsOptional() @Length(2, 16) departmentCode?: string;
  @Field(() => TargetCategory, { nullable: true }) @IsOptional() category?: TargetCategory;
  @Field(() => String, { nullable: true }) @IsOptional() @Matches(/^\d{12}$/) jurisdictionCode?: string;
  @Field(() => String, { nullable: true, description: 'Due on or before (e.g. the end of a period).' })
  @IsOptional()
  @Matches(DATE)
  dueBy?: string;
  @Field(() => Boolean, { nullable: true }) @IsOptional() overdueOnly?: boolean;
}

@InputType()
export class SamplingPlanInput {
  @Field(() => [String], {
    description: 'One department, or several for a joint inspection (the first leads).',
  })
  @ArrayMinSize(1)
  @ArrayMaxSize(6)
  departmentCodes!: string[];
  @Field(() => Int, { description: '1, 2, 3, 6 or 12: the calendar period containing plannedDate.' })
  @IsIn([1, 2, 3, 6, 12])
  periodMonths!: number;
  @Field(() => String) @Matches(DATE) plannedDate!: string;
  @Field(() => [String], { nullable: true }) @IsOptional() @ArrayMaxSize(100) itemCodes?: string[];
  @Field(() => [TargetCategory], { nullable: true }) @IsOptional() categories?: TargetCategory[];
  @Field(() => Int, { nullable: true, description: 'At least 2 (治安管理处罚法 Art 87); default 2.' })
  @IsOptional()
  @Min(2)
  @Max(10)
  teamSize?: number;
  @Field(() => Int, { nullable: true, description: 'Inspections per inspector in the period; default 20.' })
  @IsOptional()
  @Min(1)
  @Max(10000)
  workloadCap?: number;
  @Field(() => Int, {
    nullable: true,
    description: 'Minimum random picks per stratum with a quota rule; default 1.',
  })
  @IsOptional()
  @Min(0)
  @Max(1000)
  stratumMinimum?: number;
}

@InputType()
export class AssignmentChangeInput {
  @Field(() => String, { description: 'DrawAssignment id' }) assignmentId!: string;
  @Field(() => String) @Matches(/^\d{6,8}$/) removePoliceNo!: string;
  @Field(() => String) @Matches(/^\d{6,8}$/) addPoliceNo!: string;
  @Field(() => String, { description: 'ILLNESS, RECUSAL, CERTIFICATE, WORKLOAD, DUTY_CONFLICT or OTHER' })
  @Length(2, 32)
  reasonCode!: string;
  @Field(() => String) @Length(1, 300) note!: string;
}

@InputType()
export class RecusalRequestInput {
  @Field(() => String, { description: 'DrawAssignment id' }) assignmentId!: string;
  @Field(() => String) @Matches(/^\d{6,8}$/) policeNo!: string;
  @Field(() => String, { description: 'Who asks (the inspected party), as they name themselves.' })
  @Length(1, 100)
  requestedByParty!: string;
  @Field(() => String) @Length(2, 500) reason!: string;
  @Field(() => String) @Matches(DATE) receivedOn!: string;
}
