import { Field, ID, InputType, Int } from 'type-graphql';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsOptional,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { TargetCategory } from '../targets/target-category.js';
import {
  ChecklistAnswer,
  FindingSeverity,
  InspectionOutcome,
  InspectionSource,
  InspectionState,
  PenaltyKind,
} from './inspection-rules.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

@InputType({ description: 'An ad-hoc inspection (not from a draw).' })
export class AdHocInspectionInput {
  @Field(() => ID) targetId!: string;
  @Field(() => [ID], { description: 'Inspector ids; at least two.' })
  @ArrayMinSize(2)
  @ArrayMaxSize(10)
  inspectorIds!: string[];
  @Field(() => [String]) @ArrayMinSize(1) @ArrayMaxSize(10) itemCodes!: string[];
  @Field(() => String) @Matches(DATE) plannedOn!: string;
  @Field(() => String) @Length(2, 16) departmentCode!: string;
}

@InputType()
export class ChecklistEntryInput {
  @Field(() => String) @Length(1, 40) pointCode!: string;
  @Field(() => ChecklistAnswer) answer!: ChecklistAnswer;
  @Field(() => String, { nullable: true }) @IsOptional() @Length(0, 500) note?: string;
}

@InputType()
export class FindingInput {
  @Field(() => String) @Length(1, 40) code!: string;
  @Field(() => FindingSeverity) severity!: FindingSeverity;
  @Field(() => String, { nullable: true }) @IsOptional() @Length(0, 300) legalClause?: string;
  @Field(() => String) @Length(1, 2000) text!: string;
}

@InputType({ description: 'The result of an inspection, as recorded by a team member.' })
export class RecordResultInput {
  @Field(() => String) @Matches(DATE) inspectedOn!: string;
  @Field(() => String, { nullable: true }) @IsOptional() @Length(1, 300) place?: string;
  @Field(() => InspectionOutcome) outcome!: InspectionOutcome;
  @Field(() => [ChecklistEntryInput], { nullable: true })
  @IsOptional()
  @ValidateNested({ each: true })
  @ArrayMaxSize(200)
  checklist?: ChecklistEntryInput[];
  @Field(() => [FindingInput], { nullable: true })
  @IsOptional()
  @ValidateNested({ each: true })
  @ArrayMaxSize(100)
  findings?: FindingInput[];
  @Field(() => String, { nullable: true }) @IsOptional() @Length(0, 4000) summary?: string;
  @Field(() => PenaltyKind, { nullable: true }) @IsOptional() penalty?: PenaltyKind;
  @Field(() => Int, { nullable: true, description: 'Order rectification within this many working days.' })
  @IsOptional()
  @Min(1)
  @Max(90)
  rectificationWorkingDays?: number;
  @Field(() => String, { nullable: true, description: 'Suspected crime (raises the criminal-case flag).' })
  @IsOptional()
  @Length(2, 1000)
  suspectedCrime?: string;
  @Field(() => String, { nullable: true, description: "Party's contact person (never published)." })
  @IsOptional()
  @Length(1, 64)
  contactName?: string;
}

@InputType()
export class InspectionFilter {
  @Field(() => [InspectionState], { nullable: true }) states?: InspectionState[];
  @Field(() => [String], { nullable: true }) departmentCodes?: string[];
  @Field(() => [TargetCategory], { nullable: true }) categories?: TargetCategory[];
  @Field(() => [InspectionSource], { nullable: true }) sources?: InspectionSource[];
  @Field(() => ID, { nullable: true }) targetId?: string;
  @Field(() => Boolean, { nullable: true, description: 'Only inspections whose team includes the caller.' })
  mine?: boolean;
  @Field(() => String, { nullable: true }) @IsOptional() @Matches(DATE) plannedFrom?: string;
  @Field(() => String, { nullable: true }) @IsOptional() @Matches(DATE) plannedTo?: string;
}
