import { BigIntType, Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';

/** How often one client sent one unregistered document (counted in audit and enforce modes). */
@ObjectType({ description: 'An operation a client sent that is not in the trusted-documents list.' })
@Entity({ tableName: 'unknown_operation' })
export class UnknownOperation {
  @Field(() => String)
  @PrimaryKey({ type: 'string', length: 64 })
  clientName!: string;

  @Field(() => String, { description: 'sha256 of the document text.' })
  @PrimaryKey({ type: 'string', length: 64 })
  sha256!: string;

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 128, nullable: true })
  operationName!: string | null;

  @Field(() => String, { description: 'Times seen (a decimal string: it may exceed 2^31).' })
  @Property({ type: new BigIntType('string') })
  count!: string;

  @Field(() => Date)
  @Property({ type: 'datetime', columnType: 'timestamptz' })
  firstSeen!: Date;

  @Field(() => Date)
  @Property({ type: 'datetime', columnType: 'timestamptz' })
  lastSeen!: Date;
}
