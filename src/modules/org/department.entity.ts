import { Node } from '../../graphql/node.js';
import { Field, ObjectType } from 'type-graphql';
import { Entity, Enum, Index, Property } from '@mikro-orm/core';
import { BaseEntity } from '../../shared/base.entity.js';

export enum DepartmentKind {
  BRANCH = 'BRANCH',
  STATION = 'STATION',
  OFFICE = 'OFFICE',
}

/** A branch (大队), office or police station (派出所) of the bureau. */
@ObjectType({ implements: Node, description: 'A branch (大队), office or police station (派出所).' })
@Entity({ tableName: 'department' })
export class Department extends BaseEntity<'archivedAt' | 'jurisdictionCodes' | 'categories' | 'parentCode'> {
  @Field(() => String)
  @Property({ type: 'string', length: 16, unique: true })
  code!: string;

  @Field(() => String)
  @Property({ type: 'string', length: 64 })
  name!: string;

  @Field(() => DepartmentKind)
  @Enum({ items: () => DepartmentKind, nativeEnumName: 'department_kind' })
  kind!: DepartmentKind;

  @Field(() => String)
  @Property({ type: 'string', length: 12 })
  orgCode!: string;

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 16, nullable: true })
  parentCode: string | null = null;

  @Field(() => String)
  @Index()
  @Property({ type: 'string', length: 6 })
  regionCode!: string;

  /** Police-station codes this department sees; a station sees its own area only. */
  @Field(() => [String])
  @Property({ type: 'array', columnType: 'text[]', default: '{}' })
  jurisdictionCodes: string[] = [];

  /** Target categories this department supervises. */
  @Field(() => [String])
  @Property({ type: 'array', columnType: 'text[]', default: '{}' })
  categories: string[] = [];

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  archivedAt: Date | null = null;
}
