import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * Domain events for subscriptions. Rows carry a sequence number so a client that reconnects
 * (to any replica) resumes with `since`; NOTIFY carries only the id.
 */
@Entity({ tableName: 'event_log' })
@Index({ properties: ['topic', 'id'] })
export class EventLog {
  [OptionalProps]?: 'at';

  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()' })
  at: Date = new Date();

  @Property({ type: 'string', length: 64 })
  topic!: string;

  @Property({ type: 'string', length: 64 })
  entityType!: string;

  @Property({ type: 'string', length: 64 })
  entityId!: string;

  /** Department that owns the subject, for authorization of subscribers. */
  @Property({ type: 'string', length: 16, nullable: true })
  departmentCode!: string | null;

  @Property({ type: 'string', length: 12, nullable: true })
  jurisdictionCode!: string | null;

  /** Inspector (police number) the event is addressed to, if any. */
  @Property({ type: 'string', length: 16, nullable: true })
  recipient!: string | null;

  @Property({ type: 'json', columnType: 'jsonb' })
  payload!: Record<string, unknown>;
}
