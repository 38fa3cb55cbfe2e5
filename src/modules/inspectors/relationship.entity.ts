import { Field, ObjectType } from 'type-graphql';
import { Entity, Enum, Index, ManyToOne, Property } from '@mikro-orm/core';
import { BaseEntity } from '../../shared/base.entity.js';
import { Inspector } from './inspector.entity.js';
import { Target } from '../targets/target.entity.js';
import { Person } from '../targets/person.entity.js';

export enum RelationshipKind {
  RELATIVE = 'RELATIVE',
  FORMER_EMPLOYER = 'FORMER_EMPLOYER',
  SHAREHOLDER = 'SHAREHOLDER',
  OTHER = 'OTHER',
}

/** A declared relationship that requires recusal (回避): inspector ↔ target or person. */
@ObjectType({ description: 'A declared relationship requiring recusal (回避).' })
@Entity({ tableName: 'relationship' })
export class Relationship extends BaseEntity<'target' | 'person' | 'validTo' | 'note'> {
  @Index()
  @ManyToOne(() => Inspector)
  inspector!: Inspector;

  @Index()
  @ManyToOne(() => Target, { nullable: true })
  target: Target | null = null;

  @Index()
  @ManyToOne(() => Person, { nullable: true })
  person: Person | null = null;

  @Field(() => RelationshipKind)
  @Enum({ items: () => RelationshipKind, nativeEnumName: 'relationship_kind' })
  kind!: RelationshipKind;

  @Field(() => String)
  @Property({ type: 'date' })
  validFrom!: string;

  @Field(() => String, { nullable: true })
  @Property({ type: 'date', nullable: true })
  validTo: string | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 300, nullable: true })
  note: string | null = null;
}
