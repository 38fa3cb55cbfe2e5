import { Field, InputType, Int } from 'type-graphql';
import { ArrayMinSize, IsIn, IsOptional, Length, Matches, Max, Min, ValidateNested } from 'class-validator';
import { TargetCategory } from '../targets/target-category.js';
import { ItemStatus } from './inspection-item.entity.js';

@InputType()
export class KeyPointInput {
  @Field(() => String)
  @Length(1, 32)
  code!: string;

  @Field(() => String)
  @Length(1, 500)
  text!: string;
}

/** The content of an item version; every field the seed names (§二(一)1). */
@InputType()
export class ItemContentInput {
  @Field(() => String, { description: '抽查事项名称' })
  @Length(2, 200)
  name!: string;

  @Field(() => [String], { description: '抽查依据' })
  @ArrayMinSize(1)
  @Length(2, 300, { each: true })
  legalBasis!: string[];

  @Field(() => String, { description: '抽查主体 (department code)' })
  @Length(2, 16)
  departmentCode!: string;

  @Field(() => [TargetCategory], { description: '抽查对象' })
  @ArrayMinSize(1)
  @IsIn(Object.values(TargetCategory), { each: true })
  categories!: TargetCategory[];

  @Field(() => String, { description: '抽查内容' })
  @Length(2, 4000)
  content!: string;

  @Field(() => [KeyPointInput], { description: '抽查标准和要点' })
  @ArrayMinSize(1)
  @ValidateNested({ each: true })
  keyPoints!: KeyPointInput[];

  @Field(() => String, { description: '抽查方式' })
  @Length(2, 100)
  method!: string;

  @Field(() => String, { description: '抽查比例, percent as a decimal string, e.g. "5" or "12.5"' })
  @Matches(/^(100(\.0{1,2})?|\d{1,2}(\.\d{1,2})?)$/, {
    message: 'expected a percent from 0 to 100 with up to 2 decimals',
  })
  ratioPercent!: string;

  @Field(() => String, { description: '抽查频次' })
  @Length(2, 200)
  frequencyText!: string;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @Min(1)
  @Max(60)
  frequencyMonths?: number | null;

  @Field(() => String, { description: '检查实施清单编码' })
  @Length(4, 40)
  implementationCode!: string;

  @Field(() => String, { description: 'YYYY-MM-DD' })
  @Matches(/^\d{4}-\d{2}-\d{2}$/)
  effectiveFrom!: string;

  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/)
  effectiveTo?: string | null;
}

@InputType()
export class CreateItemInput extends ItemContentInput {
  @Field(() => String, { description: 'Stable item code, e.g. ZA-YL-001' })
  @Matches(/^[A-Z0-9-]{3,32}$/, { message: 'expected 3–32 characters of A-Z, 0-9 and -' })
  code!: string;
}

@InputType()
export class ItemFilter {
  @Field(() => TargetCategory, { nullable: true })
  category?: TargetCategory;

  @Field(() => String, { nullable: true })
  departmentCode?: string;

  @Field(() => ItemStatus, { nullable: true })
  status?: ItemStatus;

  @Field(() => String, { nullable: true, description: 'Substring of the name (Chinese works).' })
  @IsOptional()
  @Length(1, 50)
  search?: string;
}
