import { Field, ObjectType } from 'type-graphql';
import { Entity, Enum, Index, ManyToOne, Property, Unique } from '@mikro-orm/core';
import { BaseEntity } from '../../shared/base.entity.js';
import { PersonRole } from './target-category.js';
import { Target } from './target.entity.js';
import { Person } from './person.entity.js';

/** A person's role at a target, with dates (staff join and leave). */
@ObjectType({ description: "A person's role at a target." })
@Entity({ tableName: 'target_person' })
@Unique({ properties: ['target', 'person', 'role'] })
export class TargetPerson extends BaseEntity<'since' | 'until'> {
  @ManyToOne(() => Target, { deleteRule: 'cascade' })
  target!: Target;

  // A plain field (not a resolver): read directly, with no per-row wrapper (see plainFieldsReadDirectly).
  @Field(() => Person)
  @Index()
  @ManyToOne(() => Person)
  person!: Person;

  @Field(() => PersonRole)
  @Enum({ items: () => PersonRole, nativeEnumName: 'person_role' })
  role!: PersonRole;

  @Field(() => String, { nullable: true })
  @Property({ type: 'date', nullable: true })
  since: string | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'date', nullable: true })
  until: string | null = null;
}
