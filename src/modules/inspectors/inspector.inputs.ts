import { Field, InputType } from 'type-graphql';
import { ArrayMinSize, IsIn, IsOptional, Length, Matches } from 'class-validator';
import { TargetCategory } from '../targets/target-category.js';
import { InspectorStatus } from './inspector.entity.js';
import { RelationshipKind } from './relationship.entity.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

@InputType()
export class InspectorFieldsInput {
  @Field(() => String, { nullable: true }) @IsOptional() @Length(1, 64) name?: string;
  @Field(() => String, { nullable: true }) @IsOptional() @Length(2, 16) departmentCode?: string;
  @Field(() => String, { nullable: true, description: '执法证号' })
  @IsOptional()
  @Length(4, 64)
  certificateNo?: string;
  @Field(() => String, { nullable: true }) @IsOptional() @Matches(DATE) certificateValidFrom?: string;
  @Field(() => String, { nullable: true }) @IsOptional() @Matches(DATE) certificateValidTo?: string;
  @Field(() => InspectorStatus, { nullable: true }) @IsOptional() status?: InspectorStatus;
  @Field(() => [TargetCategory], { nullable: true })
  @IsOptional()
  @IsIn(Object.values(TargetCategory), { each: true })
  qualifiedCategories?: TargetCategory[];
}

@InputType()
export class CreateInspectorInput extends InspectorFieldsInput {
  @Field(() => String, { description: '警号, 6 digits' }) @Matches(/^\d{6,8}$/) policeNo!: string;
  @Field(() => String) @Length(1, 64) declare name: string;
  @Field(() => String) @Length(2, 16) declare departmentCode: string;
  @Field(() => String) @Length(4, 64) declare certificateNo: string;
  @Field(() => String) @Matches(DATE) declare certificateValidFrom: string;
  @Field(() => String) @Matches(DATE) declare certificateValidTo: string;
}

@InputType()
export class InspectorFilter {
  @Field(() => [String], { nullable: true }) departmentCodes?: string[];
  @Field(() => [InspectorStatus], { nullable: true }) statuses?: InspectorStatus[];
  @Field(() => String, { nullable: true, description: 'Certificate expires before this date (YYYY-MM-DD).' })
  @IsOptional()
  @Matches(DATE)
  certificateExpiresBefore?: string;
  @Field(() => TargetCategory, { nullable: true }) qualifiedFor?: TargetCategory;
  @Field(() => String, { nullable: true }) @IsOptional() @Length(1, 30) search?: string;
  @Field(() => Boolean, { nullable: true }) includeArchived?: boolean;
}

@InputType()
export class JointPoolInput {
  @Field(() => String) @Matches(/^[A-Z0-9-]{2,32}$/) code!: string;
  @Field(() => String) @Length(2, 100) name!: string;
  @Field(() => [String]) @ArrayMinSize(2) departmentCodes!: string[];
  @Field(() => String) @Matches(DATE) approvedOn!: string;
  @Field(() => String, { nullable: true }) @IsOptional() @Matches(DATE) validTo?: string | null;
}

@InputType()
export class RelationshipInput {
  @Field(() => String, { description: 'Police number of the inspector' })
  @Matches(/^\d{6,8}$/)
  policeNo!: string;
  @Field(() => String, { nullable: true, description: 'Global id of the target' }) @IsOptional() targetId?:
    string | null;
  @Field(() => String, { nullable: true, description: 'ID number of the related person' })
  @IsOptional()
  @Length(15, 20)
  personIdNumber?: string | null;
  @Field(() => RelationshipKind) kind!: RelationshipKind;
  @Field(() => String) @Matches(DATE) validFrom!: string;
  @Field(() => String, { nullable: true }) @IsOptional() @Matches(DATE) validTo?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @Length(0, 300) note?: string | null;
}
