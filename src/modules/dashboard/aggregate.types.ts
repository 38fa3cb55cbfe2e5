import { ArgsType, Field, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { AggregateDimension, AggregateSubject } from './aggregate-registry.js';

export enum TimeBucket {
  DAY = 'DAY',
  WEEK = 'WEEK',
  MONTH = 'MONTH',
  QUARTER = 'QUARTER',
  HALF_YEAR = 'HALF_YEAR',
}
registerEnumType(TimeBucket, {
  name: 'TimeBucket',
  description: 'Calendar buckets in Asia/Shanghai; weeks start on Monday.',
});

export enum AggregateFunction {
  COUNT = 'COUNT',
  COUNT_IF = 'COUNT_IF',
  RATE = 'RATE',
  SUM = 'SUM',
  AVG = 'AVG',
  MIN = 'MIN',
  MAX = 'MAX',
}
registerEnumType(AggregateFunction, {
  name: 'AggregateFunction',
  description: 'COUNT rows; COUNT_IF / RATE (share, 4 decimals) of a flag; SUM / AVG / MIN / MAX of a field.',
});

export enum ComparisonOp {
  EQ = 'EQ',
  NE = 'NE',
  GT = 'GT',
  GTE = 'GTE',
  LT = 'LT',
  LTE = 'LTE',
}
registerEnumType(ComparisonOp, { name: 'ComparisonOp' });

@InputType({
  description: 'One measure: a function and, for all but COUNT, the flag or field it applies to.',
})
export class MeasureInput {
  @Field(() => AggregateFunction)
  fn!: AggregateFunction;

  @Field(() => String, {
    nullable: true,
    description: "A flag (COUNT_IF, RATE) or field (SUM…MAX) of the subject, e.g. 'FAILED'.",
  })
  of?: string | null;
}

@InputType({ description: 'Keep only rows whose dimension has one of these values.' })
export class AggregateFilterInput {
  @Field(() => AggregateDimension)
  dimension!: AggregateDimension;

  @Field(() => [String])
  values!: string[];
}

@InputType({
  description: 'A condition on a measure (by its position in `measures`), applied after grouping.',
})
export class HavingInput {
  @Field(() => Int)
  measure!: number;

  @Field(() => ComparisonOp)
  op!: ComparisonOp;

  @Field(() => String, { description: 'A decimal, e.g. "10" or "0.05".' })
  value!: string;
}

@InputType({ description: 'Order by a measure or a group key (by position); ties fall back to the keys.' })
export class AggregateOrderInput {
  @Field(() => Int, { nullable: true, description: 'Position in `measures`.' })
  measure?: number | null;

  @Field(() => Int, { nullable: true, description: 'Position in `groupBy`.' })
  key?: number | null;

  @Field(() => Boolean, { defaultValue: false })
  descending!: boolean;
}

@ArgsType()
export class AggregateArgs {
  @Field(() => AggregateSubject)
  subject!: AggregateSubject;

  @Field(() => [AggregateDimension], { defaultValue: [] })
  groupBy!: AggregateDimension[];

  @Field(() => TimeBucket, { nullable: true, description: 'Needed when grouping by PERIOD.' })
  bucket?: TimeBucket | null;

  @Field(() => [MeasureInput], { defaultValue: [{ fn: AggregateFunction.COUNT }] })
  measures!: MeasureInput[];

  @Field(() => [AggregateFilterInput], { defaultValue: [] })
  filters!: AggregateFilterInput[];

  @Field(() => [HavingInput], { defaultValue: [] })
  having!: HavingInput[];

  @Field(() => [AggregateOrderInput], { defaultValue: [] })
  orderBy!: AggregateOrderInput[];

  @Field(() => Date, { nullable: true, description: 'Count only events at or after this time.' })
  since?: Date | null;

  @Field(() => Date, {
    nullable: true,
    description:
      'Snapshot time: rows created after it are not counted, rows archived after it still are. Omitted: now. Pass the `asOf` of the first panel to every other panel.',
  })
  asOf?: Date | null;

  @Field(() => Int, { defaultValue: 500, description: 'Groups returned, 1 to 1000.' })
  first!: number;
}

@ObjectType({
  description: 'One group: its keys (in groupBy order; null = no value) and measures (decimal strings).',
})
export class AggregateRow {
  @Field(() => [String], { nullable: 'items' })
  keys!: (string | null)[];

  @Field(() => [String], { nullable: 'items' })
  values!: (string | null)[];
}

@ObjectType({ description: 'An aggregate over one subject, computed in SQL at one snapshot time.' })
export class AggregateResult {
  @Field(() => AggregateSubject)
  subject!: AggregateSubject;

  @Field(() => Date, { description: 'The snapshot time used; pass it as asOf to the other panels.' })
  asOf!: Date;

  @Field(() => [AggregateDimension])
  groupBy!: AggregateDimension[];

  @Field(() => [String], { description: "Measure labels, e.g. 'COUNT', 'RATE(FAILED)'." })
  measures!: string[];

  @Field(() => [AggregateRow])
  rows!: AggregateRow[];

  @Field(() => Boolean, { description: 'More groups exist than `first`.' })
  truncated!: boolean;
}
