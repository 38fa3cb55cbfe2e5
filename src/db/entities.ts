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
import { TrustedDocument } from '../graphql/protection/trusted-document.entity.js';
import { UnknownOperation } from '../graphql/protection/unknown-operation.entity.js';
import { ExchangeMessage } from '../modules/exchange/exchange-message.entity.js';
import { ExchangeIntake } from '../modules/exchange/exchange-intake.entity.js';
import { SamplingRule } from '../modules/sampling/sampling-rule.entity.js';
import { CalendarDay } from '../modules/sampling/calendar-day.entity.js';
import { TargetVisit } from '../modules/sampling/target-visit.entity.js';
import { PlanStratum, SamplingPlan } from '../modules/sampling/sampling-plan.entity.js';
import {
  AssignmentChange,
  DrawAssignment,
  RecusalRequest,
  SamplingDraw,
} from '../modules/sampling/sampling-draw.entity.js';
import { SyncRun } from '../modules/sync/sync-run.entity.js';
import { SyncQuarantine } from '../modules/sync/sync-quarantine.entity.js';
import { SyncCursor } from '../modules/sync/sync-cursor.entity.js';
import { Inspection, EvidenceFile } from '../modules/inspections/inspection.entity.js';
import { Measure, Referral } from '../modules/inspections/measure.entity.js';
import { Publication, Appeal } from '../modules/publication/publication.entity.js';
import { CreditFact, BlacklistEntry } from '../modules/credit/credit.entity.js';
import { OfficialDocument } from '../modules/documents/official-document.entity.js';
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
  TrustedDocument,
  UnknownOperation,
  ExchangeMessage,
  ExchangeIntake,
  SamplingRule,
  CalendarDay,
  TargetVisit,
  SamplingPlan,
  PlanStratum,
  SamplingDraw,
  DrawAssignment,
  AssignmentChange,
  RecusalRequest,
  SyncRun,
  SyncQuarantine,
  SyncCursor,
  Inspection,
  EvidenceFile,
  Measure,
  Referral,
  Publication,
  Appeal,
  CreditFact,
  BlacklistEntry,
  OfficialDocument,
  // @register:entities (one line per entity, above this marker)
];
