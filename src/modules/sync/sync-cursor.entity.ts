import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/** The cursor last committed for an adapter, written in the same transaction as its batch. */
@Entity({ tableName: 'sync_cursor' })
export class SyncCursor {
  [OptionalProps]?: 'cursor' | 'resyncOpen' | 'updatedAt';

  @PrimaryKey({ type: 'string', length: 32 })
  adapter!: string;

  @Property({ type: 'string', length: 6 })
  regionCode!: string;

  @Property({ type: 'text', nullable: true })
  cursor: string | null = null;

  /** A full resync (café `SEQ_EXPIRED`) is between its first and last batch. */
  @Property({ type: 'boolean' })
  resyncOpen: boolean = false;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  updatedAt: Date = new Date();
}
