import { Node } from '../../graphql/node.js';
import { Field, ObjectType } from 'type-graphql';
import { Entity, Property } from '@mikro-orm/core';
import { BaseEntity } from '../../shared/base.entity.js';

/**
 * A natural person linked to targets (legal representative, manager, staff).
 * The ID number is stored SM4-encrypted with an HMAC-SM3 blind index; no column holds it in clear.
 */
@ObjectType({
  implements: Node,
  description: 'A natural person linked to targets. ID and phone are masked unless read with a purpose.',
})
@Entity({ tableName: 'person' })
export class Person extends BaseEntity<
  'idType' | 'idEnc' | 'idIndex' | 'idMasked' | 'idValid' | 'phoneEnc' | 'phoneMasked'
> {
  @Field(() => String)
  @Property({ type: 'string', length: 64 })
  name!: string;

  /** GA/T 2000.156 document type (111 = 居民身份证). */
  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 8, nullable: true })
  idType: string | null = null;

  @Property({ type: 'text', nullable: true })
  idEnc: string | null = null;

  @Property({ type: 'string', length: 64, nullable: true, unique: true })
  idIndex: string | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 32, nullable: true })
  idMasked: string | null = null;

  @Field(() => Boolean, { nullable: true })
  @Property({ type: 'boolean', nullable: true })
  idValid: boolean | null = null;

  @Property({ type: 'text', nullable: true })
  phoneEnc: string | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 32, nullable: true })
  phoneMasked: string | null = null;
}
