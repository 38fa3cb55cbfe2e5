import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * A done inspection visit of a target: the input of coverage (last visit), rotation (last team) and
 * quota progress. Append-only. The inspections module inserts one row per completed visit
 * (`inspection_id` unique, so a retried insert is idempotent with `on conflict do nothing`).
 */
@Entity({ tableName: 'target_visit' })
export class TargetVisit {
  [OptionalProps]?: 'recordedAt' | 'inspectionId' | 'drawId' | 'departmentCode' | 'teamPoliceNos';

  @PrimaryKey({ type: 'bigint' })
  id!: string;

  @Property({ type: 'string', length: 6 })
  regionCode!: string;

  @Index()
  @Property({ type: 'uuid' })
  targetId!: string;

  @Property({ type: 'date' })
  visitedOn!: string;

  @Property({ type: 'string', length: 64, nullable: true, unique: true })
  inspectionId: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  drawId: string | null = null;

  @Property({ type: 'string', length: 16, nullable: true })
  departmentCode: string | null = null;

  @Property({ type: 'array', columnType: 'text[]', default: '{}' })
  teamPoliceNos: string[] = [];

  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()' })
  recordedAt: Date = new Date();
}
