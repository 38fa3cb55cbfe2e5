import { randomUUID } from 'node:crypto';
import { Field, Int, ObjectType } from 'type-graphql';
import { Entity, Enum, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { Node } from '../../graphql/node.js';
import { BaseEntity } from '../../shared/base.entity.js';
import { TargetCategory } from '../targets/target-category.js';
import {
  ChecklistAnswer,
  FindingSeverity,
  InspectionOutcome,
  InspectionSource,
  InspectionState,
  PenaltyKind,
} from './inspection-rules.js';

/** One member of the inspection team, frozen at assignment (certificate as valid on the day). */
@ObjectType('InspectionTeamMember')
export class TeamMember {
  @Field(() => String) inspectorId!: string;
  @Field(() => String) policeNo!: string;
  @Field(() => String) name!: string;
  @Field(() => String, { description: '执法证号' }) certificateNo!: string;
  @Field(() => String) departmentCode!: string;
}

/** A key point to check (from the item version in force), with its item. */
@ObjectType('InspectionKeyPoint')
export class InspectionKeyPoint {
  @Field(() => String) itemCode!: string;
  @Field(() => String) code!: string;
  @Field(() => String) text!: string;
}

/** The answer for one key point (抽查要点). */
@ObjectType('ChecklistEntry')
export class ChecklistEntry {
  @Field(() => String) pointCode!: string;
  @Field(() => ChecklistAnswer) answer!: ChecklistAnswer;
  @Field(() => String, { nullable: true }) note!: string | null;
}

/** A finding: what was wrong, how serious, and under which clause. */
@ObjectType('Finding')
export class Finding {
  @Field(() => String) code!: string;
  @Field(() => FindingSeverity) severity!: FindingSeverity;
  @Field(() => String, { nullable: true }) legalClause!: string | null;
  @Field(() => String) text!: string;
}

/**
 * One inspection of one target by a team of at least two inspectors (治安管理处罚法 Art 87),
 * from a draw, ad hoc, or as the follow-up of a rectification order.
 */
@ObjectType({ implements: Node, description: 'An inspection (检查) and its result.' })
@Entity({ tableName: 'inspection' })
export class Inspection extends BaseEntity<
  | 'assignmentId'
  | 'followUpOf'
  | 'inspectedOn'
  | 'place'
  | 'state'
  | 'outcome'
  | 'checklist'
  | 'findings'
  | 'summary'
  | 'penalty'
  | 'rectificationWorkingDays'
  | 'suspectedCrime'
  | 'criminalCaseFlag'
  | 'contactName'
  | 'returnReason'
  | 'submittedBy'
  | 'submittedAt'
  | 'approvedBy'
  | 'approvedAt'
  | 'approvedOn'
  | 'closedAt'
  | 'rowVersion'
  | 'keyPoints'
> {
  @Index()
  @Property({ type: 'string', length: 6 })
  regionCode!: string;

  @Field(() => InspectionSource)
  @Enum({ items: () => InspectionSource, nativeEnumName: 'inspection_source' })
  source!: InspectionSource;

  /** The sampling module's assignment (no foreign key: that module owns it). */
  @Field(() => String, { nullable: true })
  @Property({ type: 'uuid', nullable: true })
  assignmentId: string | null = null;

  @Field(() => String, {
    nullable: true,
    description: 'The inspection whose rectification this one follows up.',
  })
  @Property({ type: 'uuid', nullable: true })
  followUpOf: string | null = null;

  @Property({ type: 'uuid' })
  targetId!: string;

  @Field(() => String)
  @Property({ type: 'string', length: 200 })
  targetName!: string;

  @Field(() => TargetCategory)
  @Enum({ items: () => TargetCategory, nativeEnumName: 'target_category' })
  category!: TargetCategory;

  @Field(() => String)
  @Property({ type: 'string', length: 16 })
  departmentCode!: string;

  @Field(() => String)
  @Property({ type: 'string', length: 12 })
  jurisdictionCode!: string;

  @Field(() => [String])
  @Property({ type: 'array', columnType: 'text[]' })
  itemCodes!: string[];

  @Field(() => [String], { description: '检查实施清单编码 of each item.' })
  @Property({ type: 'array', columnType: 'text[]' })
  implementationCodes!: string[];

  @Field(() => [InspectionKeyPoint])
  @Property({ type: 'json', columnType: 'jsonb' })
  keyPoints: InspectionKeyPoint[] = [];

  @Field(() => String)
  @Property({ type: 'date' })
  plannedOn!: string;

  @Field(() => String, { nullable: true })
  @Property({ type: 'date', nullable: true })
  inspectedOn: string | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 300, nullable: true })
  place: string | null = null;

  @Field(() => [TeamMember])
  @Property({ type: 'json', columnType: 'jsonb' })
  team!: TeamMember[];

  @Property({ type: 'array', columnType: 'text[]' })
  teamPoliceNos!: string[];

  @Field(() => InspectionState)
  @Enum({ items: () => InspectionState, nativeEnumName: 'inspection_state' })
  state: InspectionState = InspectionState.ASSIGNED;

  @Field(() => InspectionOutcome, { nullable: true })
  @Enum({ items: () => InspectionOutcome, nativeEnumName: 'inspection_outcome', nullable: true })
  outcome: InspectionOutcome | null = null;

  @Field(() => [ChecklistEntry])
  @Property({ type: 'json', columnType: 'jsonb' })
  checklist: ChecklistEntry[] = [];

  @Field(() => [Finding])
  @Property({ type: 'json', columnType: 'jsonb' })
  findings: Finding[] = [];

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  summary: string | null = null;

  @Field(() => PenaltyKind)
  @Enum({ items: () => PenaltyKind, nativeEnumName: 'penalty_kind' })
  penalty: PenaltyKind = PenaltyKind.NONE;

  @Field(() => Int, { nullable: true, description: 'Rectification ordered within this many working days.' })
  @Property({ type: 'integer', nullable: true })
  rectificationWorkingDays: number | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  suspectedCrime: string | null = null;

  @Field(() => Boolean)
  @Property({ type: 'boolean' })
  criminalCaseFlag: boolean = false;

  /** The party's contact person on the day (a personal name: never published). */
  @Property({ type: 'string', length: 64, nullable: true })
  contactName: string | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  returnReason: string | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 64, nullable: true })
  submittedBy: string | null = null;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  submittedAt: Date | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 64, nullable: true })
  approvedBy: string | null = null;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  approvedAt: Date | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'date', nullable: true })
  approvedOn: string | null = null;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  closedAt: Date | null = null;

  /** Given to the party with the notice; lets it appeal anonymously. Staff-only in the API. */
  @Property({ type: 'string', length: 16 })
  appealCode!: string;

  @Field(() => Int)
  @Property({ type: 'integer', version: true })
  rowVersion: number = 1;
}

/** An evidence file: stored under `<dataDir>/evidence/<sm3>`, never inlined in the API. */
@ObjectType('EvidenceFile', { description: 'Evidence file metadata; download with the url (staff token).' })
@Entity({ tableName: 'inspection_evidence' })
export class EvidenceFile {
  [OptionalProps]?: 'createdAt' | 'updatedAt';

  @Field(() => String)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Field(() => Date)
  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  @Property({ type: 'uuid' })
  inspectionId!: string;

  @Field(() => String, { description: 'SM3 digest of the bytes (hex).' })
  @Property({ type: 'string', length: 64 })
  sm3!: string;

  @Field(() => String, { description: 'Size in bytes (decimal string).' })
  @Property({ type: 'bigint' })
  size!: string;

  @Field(() => String)
  @Property({ type: 'string', length: 64 })
  contentType!: string;

  @Field(() => String)
  @Property({ type: 'string', length: 200 })
  fileName!: string;

  @Field(() => String)
  @Property({ type: 'string', length: 64 })
  uploadedBy!: string;
}
