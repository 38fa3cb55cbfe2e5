import { BigIntType, Entity, Index, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';

/**
 * An operation a front-end team registered (trusted documents / persisted operations). Matched by
 * the sha256 of its exact text (Apollo's and the GraphQL-over-HTTP `documentId` convention); the
 * SM3 hash is kept beside it for the national-standard audit trail and accepted as `sm3:<hex>` ids.
 */
@ObjectType({ description: 'A registered (trusted) GraphQL document.' })
@Entity({ tableName: 'trusted_document' })
@Unique({ properties: ['clientName', 'sha256'] })
export class TrustedDocument {
  [OptionalProps]?: 'createdAt';

  @Field(() => String)
  @PrimaryKey({ type: new BigIntType('string'), autoincrement: true })
  id!: string;

  @Field(() => String)
  @Property({ type: 'string', length: 64 })
  clientName!: string;

  @Field(() => String)
  @Property({ type: 'string', length: 128 })
  name!: string;

  @Field(() => String, { description: 'sha256 of the exact document text (hex); send it as `documentId`.' })
  @Index()
  @Property({ type: 'string', length: 64 })
  sha256!: string;

  @Field(() => String, { description: 'SM3 of the exact document text (hex).' })
  @Index()
  @Property({ type: 'string', length: 64 })
  sm3!: string;

  @Field(() => String)
  @Property({ type: 'text' })
  document!: string;

  @Field(() => String)
  @Property({ type: 'string', length: 64 })
  createdBy!: string;

  @Field(() => Date)
  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
