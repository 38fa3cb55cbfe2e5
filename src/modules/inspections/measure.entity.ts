import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Entity, Enum, Property } from '@mikro-orm/core';
import { Node } from '../../graphql/node.js';
import { BaseEntity } from '../../shared/base.entity.js';

/** Measures an inspection result triggers (seed §二(三)2). */
export enum MeasureKind {
  RECTIFICATION = 'RECTIFICATION',
  SUSPENSION_PROPOSAL = 'SUSPENSION_PROPOSAL',
  REVOCATION_PROPOSAL = 'REVOCATION_PROPOSAL',
  CRIMINAL_CASE = 'CRIMINAL_CASE',
}
export enum MeasureStatus {
  OPEN = 'OPEN',
  DONE = 'DONE',
  OVERDUE = 'OVERDUE',
  CANCELLED = 'CANCELLED',
}
registerEnumType(MeasureKind, { name: 'MeasureKind' });
registerEnumType(MeasureStatus, { name: 'MeasureStatus' });

/** A measure: rectification order with its working-day deadline, or a proposal/flag it raises. */
@ObjectType({ implements: Node, description: 'A measure (整改、停业整顿建议、吊销建议、刑事案件).' })
@Entity({ tableName: 'inspection_measure' })
export class Measure extends BaseEntity<
  'status' | 'workingDays' | 'dueOn' | 'followUpInspectionId' | 'causedBy' | 'closedAt'
> {
  @Property({ type: 'string', length: 6 })
  regionCode!: string;

  @Field(() => String)
  @Property({ type: 'uuid' })
  inspectionId!: string;

  @Property({ type: 'uuid' })
  targetId!: string;

  @Field(() => String)
  @Property({ type: 'string', length: 16 })
  departmentCode!: string;

  @Field(() => MeasureKind)
  @Enum({ items: () => MeasureKind, nativeEnumName: 'measure_kind' })
  kind!: MeasureKind;

  @Field(() => MeasureStatus)
  @Enum({ items: () => MeasureStatus, nativeEnumName: 'measure_status' })
  status: MeasureStatus = MeasureStatus.OPEN;

  @Field(() => String)
  @Property({ type: 'date' })
  orderedOn!: string;

  @Field(() => Int, { nullable: true })
  @Property({ type: 'integer', nullable: true })
  workingDays: number | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'date', nullable: true })
  dueOn: string | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'uuid', nullable: true })
  followUpInspectionId: string | null = null;

  @Field(() => String, { nullable: true, description: 'The measure whose failure raised this one.' })
  @Property({ type: 'uuid', nullable: true })
  causedBy: string | null = null;

  @Field(() => String)
  @Property({ type: 'text' })
  note!: string;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  closedAt: Date | null = null;
}

export enum ReferralStatus {
  PROPOSED = 'PROPOSED',
  APPROVED = 'APPROVED',
  REJECTED = 'REJECTED',
  TRANSFERRED = 'TRANSFERRED',
}
registerEnumType(ReferralStatus, { name: 'ReferralStatus' });

/** One line of the material checklist of a referral (移送材料清单). */
@ObjectType('ReferralMaterial')
export class ReferralMaterial {
  @Field(() => String) code!: string;
  @Field(() => String) label!: string;
  @Field(() => Boolean) provided!: boolean;
  @Field(() => String, { nullable: true }) digest!: string | null;
}

/**
 * An outbound case-lead referral (案件线索移送) to a competent department, with its clocks:
 * approval within 3 working days of the proposal, transfer within 24 hours of approval.
 */
@ObjectType({ implements: Node, description: 'An outbound referral (移送).' })
@Entity({ tableName: 'referral' })
export class Referral extends BaseEntity<
  | 'inspectionId'
  | 'status'
  | 'decidedBy'
  | 'decidedAt'
  | 'decidedOn'
  | 'decisionReason'
  | 'transferDueAt'
  | 'transferredAt'
> {
  @Property({ type: 'string', length: 6 })
  regionCode!: string;

  @Field(() => String)
  @Property({ type: 'string', length: 40 })
  referralNo!: string;

  @Field(() => String, { nullable: true })
  @Property({ type: 'uuid', nullable: true })
  inspectionId: string | null = null;

  @Property({ type: 'uuid' })
  targetId!: string;

  @Field(() => String)
  @Property({ type: 'string', length: 16 })
  departmentCode!: string;

  @Field(() => String, { description: 'COMMERCE | CULTURE | OTHER' })
  @Property({ type: 'string', length: 16 })
  toPartner!: string;

  @Field(() => String)
  @Property({ type: 'string', length: 100 })
  toDepartment!: string;

  @Field(() => String)
  @Property({ type: 'text' })
  suspectedViolation!: string;

  @Field(() => String)
  @Property({ type: 'text' })
  facts!: string;

  @Field(() => [String])
  @Property({ type: 'array', columnType: 'text[]' })
  legalBasis!: string[];

  @Field(() => [ReferralMaterial])
  @Property({ type: 'json', columnType: 'jsonb' })
  checklist!: ReferralMaterial[];

  @Field(() => ReferralStatus)
  @Enum({ items: () => ReferralStatus, nativeEnumName: 'referral_status' })
  status: ReferralStatus = ReferralStatus.PROPOSED;

  @Field(() => String)
  @Property({ type: 'string', length: 64 })
  proposedBy!: string;

  @Field(() => String)
  @Property({ type: 'date' })
  proposedOn!: string;

  @Field(() => String, { description: 'Approve or reject by this day (3 working days).' })
  @Property({ type: 'date' })
  approvalDueOn!: string;

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 64, nullable: true })
  decidedBy: string | null = null;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  decidedAt: Date | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'date', nullable: true })
  decidedOn: string | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  decisionReason: string | null = null;

  @Field(() => Date, { nullable: true, description: 'Transfer by this instant (24 h after approval).' })
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  transferDueAt: Date | null = null;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  transferredAt: Date | null = null;
}
