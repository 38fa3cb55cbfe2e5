import { Department } from '../modules/org/department.entity.js';
import { InspectionItem, InspectionItemVersion } from '../modules/items/inspection-item.entity.js';
import { Target } from '../modules/targets/target.entity.js';
import { Person } from '../modules/targets/person.entity.js';
import { TargetPerson } from '../modules/targets/target-person.entity.js';
import { Inspector } from '../modules/inspectors/inspector.entity.js';
import { JointPool } from '../modules/inspectors/joint-pool.entity.js';
import { Relationship } from '../modules/inspectors/relationship.entity.js';
import { AuditEvent } from '../modules/audit/audit-event.entity.js';
import { PiiAccess } from '../modules/pii/pii-access.entity.js';
import { EventLog } from '../modules/events/event-log.entity.js';
import { JobRun } from '../modules/jobs/job-run.entity.js';
// @register:entity-imports

/** Every entity, listed explicitly (no globbing: works under tsx, vitest and compiled JS alike). */
export const ENTITIES = [
  Department,
  InspectionItem,
  InspectionItemVersion,
  Target,
  Person,
  TargetPerson,
  Inspector,
  JointPool,
  Relationship,
  AuditEvent,
  PiiAccess,
  EventLog,
  JobRun,
  // @register:entities (one line per entity, above this marker)
];
