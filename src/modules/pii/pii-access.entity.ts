import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/** A record of one clear-text read of personal data: who, when, subject, purpose. */
@Entity({ tableName: 'pii_access' })
export class PiiAccess {
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()' })
  at: Date = new Date();

  @Property({ type: 'string', length: 64 })
  actorId!: string;

  @Property({ type: 'string', length: 16 })
  actorRole!: string;

  @Property({ type: 'string', length: 16, nullable: true })
  actorDept!: string | null;

  @Property({ type: 'string', length: 32 })
  subjectType!: string;

  @Index()
  @Property({ type: 'string', length: 64 })
  subjectId!: string;

  @Property({ type: 'string', length: 32 })
  field!: string;

  @Property({ type: 'string', length: 200 })
  purpose!: string;
}
