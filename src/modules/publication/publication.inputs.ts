import { Field, InputType } from 'type-graphql';
import { IsOptional, Length, Matches } from 'class-validator';
import { TargetCategory } from '../targets/target-category.js';
import { InspectionOutcome, PublicationMode } from '../inspections/inspection-rules.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Filter of the public result list; it can only narrow the PUBLISHED rows. */
@InputType()
export class PublishedResultFilter {
  @Field(() => [TargetCategory], { nullable: true }) categories?: TargetCategory[];
  @Field(() => [String], { nullable: true }) departmentCodes?: string[];
  @Field(() => [String], { nullable: true }) jurisdictionCodes?: string[];
  @Field(() => [InspectionOutcome], { nullable: true }) outcomes?: InspectionOutcome[];
  @Field(() => [PublicationMode], { nullable: true }) modes?: PublicationMode[];
  @Field(() => String, { nullable: true }) @IsOptional() @Length(1, 100) search?: string;
  @Field(() => String, { nullable: true }) @IsOptional() @Matches(DATE) inspectedFrom?: string;
  @Field(() => String, { nullable: true }) @IsOptional() @Matches(DATE) inspectedTo?: string;
}
