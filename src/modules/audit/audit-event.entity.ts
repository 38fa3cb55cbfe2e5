import { Field, ObjectType } from 'type-graphql';
import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/** An append-only, SM3 hash-chained audit record (全程留痕). The app role may only insert. */
@ObjectType({ description: 'An audit record (全程留痕), hash-chained with SM3.' })
@Entity({ tableName: 'audit_event' })
export class AuditEvent {
  @Field(() => String)
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @Field(() => Date)
  @Property({ type: 'datetime', columnType: 'timestamptz' })
  at!: Date;

  @Field(() => String)
  @Property({ type: 'string', length: 64 })
  actorId!: string;

  @Field(() => String)
  @Property({ type: 'string', length: 16 })
  actorRole!: string;

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 16, nullable: true })
  actorDept!: string | null;

  @Field(() => String)
  @Property({ type: 'string', length: 64 })
  action!: string;

  @Field(() => String)
  @Property({ type: 'string', length: 64 })
  entityType!: string;

  @Field(() => String)
  @Index()
  @Property({ type: 'string', length: 64 })
  entityId!: string;

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 64, nullable: true })
  beforeDigest!: string | null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 64, nullable: true })
  afterDigest!: string | null;

  @Property({ type: 'json', columnType: 'jsonb', nullable: true })
  details!: Record<string, unknown> | null;

  @Field(() => String)
  @Property({ type: 'string', length: 64 })
  prevHash!: string;

  @Field(() => String)
  @Property({ type: 'string', length: 64 })
  hash!: string;
}
