import { Field, ObjectType } from 'type-graphql';
import { Entity, Property } from '@mikro-orm/core';
import { BaseEntity } from '../../shared/base.entity.js';

/** An approved joint inspector pool across departments (联合建库). */
@ObjectType({ description: 'An approved joint inspector pool (联合建库).' })
@Entity({ tableName: 'joint_pool' })
export class JointPool extends BaseEntity<'validTo'> {
  @Field(() => String)
  @Property({ type: 'string', length: 32, unique: true })
  code!: string;

  @Field(() => String)
  @Property({ type: 'string', length: 100 })
  name!: string;

  @Field(() => [String])
  @Property({ type: 'array', columnType: 'text[]' })
  departmentCodes!: string[];

  @Field(() => String)
  @Property({ type: 'string', length: 64 })
  approvedBy!: string;

  @Field(() => String)
  @Property({ type: 'date' })
  approvedOn!: string;

  @Field(() => String, { nullable: true })
  @Property({ type: 'date', nullable: true })
  validTo: string | null = null;
}
