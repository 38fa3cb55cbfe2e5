import { Node } from '../../graphql/node.js';
import { Field, ObjectType } from 'type-graphql';
import { Entity, Enum, Index, Property } from '@mikro-orm/core';
import { BaseEntity } from '../../shared/base.entity.js';

export enum InspectorStatus {
  ACTIVE = 'ACTIVE',
  ON_LEAVE = 'ON_LEAVE',
  RETIRED = 'RETIRED',
}

/** An enforcement officer on the inspector roster (执法检查人员名录库). */
@ObjectType({ implements: Node, description: 'An enforcement officer (执法检查人员).' })
@Entity({ tableName: 'inspector' })
export class Inspector extends BaseEntity<'status' | 'qualifiedCategories' | 'archivedAt'> {
  @Field(() => String)
  @Property({ type: 'string', length: 16, unique: true })
  policeNo!: string;

  @Field(() => String)
  @Property({ type: 'string', length: 64 })
  name!: string;

  @Field(() => String)
  @Index()
  @Property({ type: 'string', length: 16 })
  departmentCode!: string;

  @Field(() => String)
  @Index()
  @Property({ type: 'string', length: 6 })
  regionCode!: string;

  @Field(() => String)
  @Property({ type: 'string', length: 64 })
  certificateNo!: string;

  @Field(() => String)
  @Property({ type: 'date' })
  certificateValidFrom!: string;

  @Field(() => String)
  @Index()
  @Property({ type: 'date' })
  certificateValidTo!: string;

  @Field(() => InspectorStatus)
  @Enum({ items: () => InspectorStatus, nativeEnumName: 'inspector_status' })
  status: InspectorStatus = InspectorStatus.ACTIVE;

  @Field(() => [String])
  @Property({ type: 'array', columnType: 'text[]', default: '{}' })
  qualifiedCategories: string[] = [];

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  archivedAt: Date | null = null;
}
