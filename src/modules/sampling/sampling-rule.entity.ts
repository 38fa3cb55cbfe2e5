import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Entity, Enum, Index, PrimaryKey, Property, Unique, OptionalProps } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

/** What a rule row holds: a frequency/ratio rule, a boost rule or an intensification window. */
export enum SamplingRuleKind {
  FREQUENCY = 'FREQUENCY',
  BOOST = 'BOOST',
  WINDOW = 'WINDOW',
}
registerEnumType(SamplingRuleKind, { name: 'SamplingRuleKind' });

/**
 * One version of a rule (规则), in force from `effectiveFrom` to `effectiveTo` (inclusive, open when null).
 * `body` is a `FrequencyRule`, `BoostRule` or `IntensificationWindow` (src/modules/rules/schedule.ts).
 */
@ObjectType('SamplingRule', { description: 'A versioned sampling rule (frequency, boost or window).' })
@Entity({ tableName: 'sampling_rule' })
@Unique({ properties: ['regionCode', 'code', 'version'] })
export class SamplingRule {
  [OptionalProps]?: 'createdAt' | 'updatedAt' | 'effectiveTo' | 'changeNote';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  @Index()
  @Property({ type: 'string', length: 6 })
  regionCode!: string;

  @Field(() => String)
  @Property({ type: 'string', length: 64 })
  code!: string;

  @Field(() => Int)
  @Property({ type: 'integer' })
  version!: number;

  @Field(() => SamplingRuleKind)
  @Enum({ items: () => SamplingRuleKind, nativeEnumName: 'sampling_rule_kind' })
  kind!: SamplingRuleKind;

  @Field(() => GraphQLJSONObject)
  @Property({ type: 'json', columnType: 'jsonb' })
  body!: Record<string, unknown>;

  @Field(() => String)
  @Property({ type: 'date' })
  effectiveFrom!: string;

  @Field(() => String, { nullable: true })
  @Property({ type: 'date', nullable: true })
  effectiveTo: string | null = null;

  @Field(() => String)
  @Property({ type: 'string', length: 64 })
  createdBy!: string;

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 300, nullable: true })
  changeNote: string | null = null;
}
