import { Field, InputType, Int, registerEnumType } from 'type-graphql';
import { ArrayMaxSize, IsIn, IsOptional, Length, Matches, Max, Min, ValidateNested } from 'class-validator';
import { Grade, PersonRole, TargetCategory, TargetStatus } from './target-category.js';

export enum TargetSort {
  NAME = 'NAME',
  UPDATED_AT = 'UPDATED_AT',
  COMPLAINTS = 'COMPLAINTS',
}
registerEnumType(TargetSort, { name: 'TargetSort' });

export enum SortDirection {
  ASC = 'ASC',
  DESC = 'DESC',
}
registerEnumType(SortDirection, { name: 'SortDirection' });

@InputType()
export class PersonInput {
  @Field(() => PersonRole)
  @IsIn(Object.values(PersonRole))
  role!: PersonRole;

  @Field(() => String)
  @Length(1, 64)
  name!: string;

  @Field(() => String, { nullable: true, description: 'GA/T 2000.156 code, 111 = 居民身份证' })
  @IsOptional()
  @Matches(/^\d{3}$/)
  idType?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Checked (GB 11643) but never refused for a bad check digit.',
  })
  @IsOptional()
  @Length(6, 32)
  idNumber?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Matches(/^[0-9+\-\s]{5,20}$/)
  phone?: string | null;
}

@InputType()
export class LicenceNoInput {
  @Field(() => String) @Length(1, 32) kind!: string;
  @Field(() => String) @Length(1, 64) number!: string;
}

@InputType()
export class TargetFieldsInput {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(2, 200)
  name?: string;

  @Field(() => String, {
    nullable: true,
    description: 'USCC as written; validity is recorded, not enforced.',
  })
  @IsOptional()
  @Length(0, 64)
  uscc?: string | null;

  @Field(() => [LicenceNoInput], { nullable: true })
  @IsOptional()
  @ValidateNested({ each: true })
  licenceNos?: LicenceNoInput[];

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(0, 300)
  address?: string | null;

  @Field(() => String, { nullable: true, description: '12-digit police-station code' })
  @IsOptional()
  @Matches(/^\d{12}$/)
  jurisdictionCode?: string;

  @Field(() => TargetStatus, { nullable: true })
  @IsOptional()
  status?: TargetStatus;

  @Field(() => Grade, { nullable: true })
  @IsOptional()
  grade?: Grade | null;

  @Field(() => Boolean, { nullable: true })
  @IsOptional()
  hotelBlacklisted?: boolean;

  @Field(() => Boolean, { nullable: true })
  @IsOptional()
  keyInspection?: boolean;

  @Field(() => Boolean, { nullable: true })
  @IsOptional()
  abnormalListed?: boolean;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @Min(0)
  @Max(100000)
  complaints90d?: number;
}

@InputType()
export class CreateTargetInput extends TargetFieldsInput {
  @Field(() => TargetCategory)
  @IsIn(Object.values(TargetCategory))
  category!: TargetCategory;

  @Field(() => String)
  @Length(2, 200)
  declare name: string;

  @Field(() => String)
  @Matches(/^\d{12}$/)
  declare jurisdictionCode: string;

  @Field(() => [PersonInput], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  persons?: PersonInput[];
}

@InputType()
export class TargetFilter {
  @Field(() => [TargetCategory], { nullable: true })
  categories?: TargetCategory[];

  @Field(() => [Grade], { nullable: true })
  grades?: Grade[];

  @Field(() => Boolean, { nullable: true, description: 'true: only entertainment venues not yet graded.' })
  ungraded?: boolean;

  @Field(() => [TargetStatus], { nullable: true })
  statuses?: TargetStatus[];

  @Field(() => [String], { nullable: true })
  jurisdictionCodes?: string[];

  @Field(() => Boolean, { nullable: true })
  hotelBlacklisted?: boolean;

  @Field(() => Boolean, { nullable: true })
  keyInspection?: boolean;

  @Field(() => Boolean, { nullable: true })
  abnormalListed?: boolean;

  @Field(() => Boolean, { nullable: true })
  usccValid?: boolean;

  @Field(() => Int, { nullable: true })
  minComplaints?: number;

  @Field(() => String, { nullable: true, description: 'Substring of the name; Chinese works.' })
  @IsOptional()
  @Length(1, 50)
  search?: string;

  @Field(() => String, { nullable: true })
  uscc?: string;

  @Field(() => Boolean, { nullable: true, description: 'Include archived targets (default false).' })
  includeArchived?: boolean;
}
