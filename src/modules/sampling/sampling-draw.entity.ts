import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Entity, Enum, Index, Property } from '@mikro-orm/core';
import { Node } from '../../graphql/node.js';
import { BaseEntity } from '../../shared/base.entity.js';

export enum DrawStatus {
  COMMITTED = 'COMMITTED',
  DRAWN = 'DRAWN',
  FAILED = 'FAILED',
  LOCKED = 'LOCKED',
  SUPERSEDED = 'SUPERSEDED',
}
registerEnumType(DrawStatus, {
  name: 'DrawStatus',
  description: 'COMMITTED → DRAWN → LOCKED; FAILED (infeasible) and SUPERSEDED (redrawn) attempts are kept.',
});

/**
 * One attempt of a verifiable draw (docs/draw-algorithm.md). The commitment and the three hashes are
 * stored (and announced) at commit, before the draw; the seed is revealed only once locked.
 */
@ObjectType('Draw', { implements: Node, description: 'One attempt of a verifiable draw (随机抽取).' })
@Entity({ tableName: 'sampling_draw' })
export class SamplingDraw extends BaseEntity<
  | 'status'
  | 'reason'
  | 'previousDrawId'
  | 'entropy'
  | 'result'
  | 'failure'
  | 'drawnBy'
  | 'drawnAt'
  | 'lockedBy'
  | 'lockedAt'
  | 'committedAt'
> {
  @Property({ type: 'string', length: 6 }) regionCode!: string;
  @Index() @Property({ type: 'uuid' }) planId!: string;
  @Field(() => Int) @Property({ type: 'integer' }) attempt!: number;
  @Field(() => DrawStatus)
  @Enum({ items: () => DrawStatus, nativeEnumName: 'sampling_draw_status' })
  status: DrawStatus = DrawStatus.COMMITTED;
  @Field(() => String, { nullable: true, description: 'Why this attempt replaces an earlier one.' })
  @Property({ type: 'string', length: 300, nullable: true })
  reason: string | null = null;
  @Property({ type: 'uuid', nullable: true }) previousDrawId: string | null = null;
  @Field(() => String, { description: 'SM3(seed), announced before the draw.' })
  @Property({ type: 'string', length: 64 })
  commitment!: string;
  /**
   * The secret seed, sealed at rest (`PiiService.sealSecret` token, SM4); rows written before the
   * seal hold 64 lowercase hex in clear. Opened only to draw, to lock (reveal), for the published
   * record of a locked draw and for verification; never selected into a GraphQL answer before.
   */
  @Property({ type: 'text', lazy: true }) seedSealed!: string;
  @Field(() => String, { nullable: true }) @Property({ type: 'text', nullable: true }) entropy:
    string | null = null;
  @Field(() => GraphQLJSONObject) @Property({ type: 'json', columnType: 'jsonb' }) params!: Record<
    string,
    unknown
  >;
  @Field(() => String) @Property({ type: 'string', length: 64 }) paramsHash!: string;
  @Field(() => String) @Property({ type: 'string', length: 64 }) targetPoolHash!: string;
  @Field(() => String) @Property({ type: 'string', length: 64 }) inspectorPoolHash!: string;
  @Field(() => Int) @Property({ type: 'integer' }) targetCount!: number;
  @Field(() => Int) @Property({ type: 'integer' }) inspectorCount!: number;
  /** gzip of the canonical pools as JSON `{ targetPool, inspectorPool }`. */
  @Property({ type: 'blob', columnType: 'bytea', lazy: true }) poolsGz!: Buffer;
  @Property({ type: 'json', columnType: 'jsonb', nullable: true, lazy: true }) result: Record<
    string,
    unknown
  > | null = null;
  @Field(() => GraphQLJSONObject, {
    nullable: true,
    description: 'Infeasible assignment: target, constraint.',
  })
  @Property({ type: 'json', columnType: 'jsonb', nullable: true })
  failure: Record<string, unknown> | null = null;
  @Field(() => String) @Property({ type: 'string', length: 64 }) committedBy!: string;
  @Field(() => Date)
  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()' })
  committedAt: Date = new Date();
  @Field(() => String, { nullable: true }) @Property({ type: 'string', length: 64, nullable: true }) drawnBy:
    string | null = null;
  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  drawnAt: Date | null = null;
  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 64, nullable: true })
  lockedBy: string | null = null;
  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  lockedAt: Date | null = null;
}

/** The team drawn for one target of a locked draw; inspectors see the rows that name them. */
@ObjectType('DrawAssignment', { implements: Node, description: 'A drawn target and its inspector team.' })
@Entity({ tableName: 'draw_assignment' })
export class DrawAssignment extends BaseEntity<'departmentItems' | 'manuallyChanged'> {
  @Property({ type: 'string', length: 6 }) regionCode!: string;
  @Index() @Property({ type: 'uuid' }) drawId!: string;
  @Property({ type: 'uuid' }) planId!: string;
  @Property({ type: 'uuid' }) targetId!: string;
  @Field(() => String) @Property({ type: 'string', length: 12 }) jurisdictionCode!: string;
  @Field(() => String) @Property({ type: 'date' }) plannedDate!: string;
  @Property({ type: 'array', columnType: 'uuid[]' }) inspectorIds!: string[];
  @Field(() => [String], { description: 'Police numbers of the team, in draw order.' })
  @Property({ type: 'array', columnType: 'text[]' })
  policeNos!: string[];
  @Field(() => GraphQLJSONObject, {
    description: 'Items per department (joint inspections keep them apart).',
  })
  @Property({ type: 'json', columnType: 'jsonb', default: '{}' })
  departmentItems: Record<string, string[]> = {};
  @Field(() => Boolean) @Property({ type: 'boolean', default: false }) manuallyChanged: boolean = false;
}

export enum AssignmentChangeStatus {
  PENDING = 'PENDING',
  APPLIED = 'APPLIED',
  REJECTED = 'REJECTED',
}
registerEnumType(AssignmentChangeStatus, { name: 'AssignmentChangeStatus' });

/** A manual change of a locked team: requested with a reason code, applied only when a second person (SUPERVISOR) approves. */
@ObjectType('AssignmentChange', { implements: Node })
@Entity({ tableName: 'assignment_change' })
export class AssignmentChange extends BaseEntity<'status' | 'approvedBy' | 'decidedAt'> {
  @Property({ type: 'string', length: 6 }) regionCode!: string;
  @Property({ type: 'uuid' }) assignmentId!: string;
  @Property({ type: 'uuid' }) drawId!: string;
  @Field(() => String) @Property({ type: 'string', length: 16 }) removePoliceNo!: string;
  @Field(() => String) @Property({ type: 'string', length: 16 }) addPoliceNo!: string;
  @Field(() => String) @Property({ type: 'string', length: 32 }) reasonCode!: string;
  @Field(() => String) @Property({ type: 'string', length: 300 }) note!: string;
  @Field(() => AssignmentChangeStatus)
  @Enum({ items: () => AssignmentChangeStatus, nativeEnumName: 'assignment_change_status' })
  status: AssignmentChangeStatus = AssignmentChangeStatus.PENDING;
  @Field(() => String) @Property({ type: 'string', length: 64 }) requestedBy!: string;
  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 64, nullable: true })
  approvedBy: string | null = null;
  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  decidedAt: Date | null = null;
}

export enum RecusalRequestStatus {
  PENDING = 'PENDING',
  GRANTED = 'GRANTED',
  REJECTED = 'REJECTED',
}
registerEnumType(RecusalRequestStatus, { name: 'RecusalRequestStatus' });

/** An inspected party's request that an inspector step aside (申请回避); decided within 2 working days. */
@ObjectType('RecusalRequest', { implements: Node })
@Entity({ tableName: 'recusal_request' })
export class RecusalRequest extends BaseEntity<'status' | 'decidedBy' | 'decidedAt' | 'decisionNote'> {
  @Property({ type: 'string', length: 6 }) regionCode!: string;
  @Property({ type: 'uuid' }) assignmentId!: string;
  @Field(() => String) @Property({ type: 'string', length: 16 }) policeNo!: string;
  @Field(() => String) @Property({ type: 'string', length: 100 }) requestedByParty!: string;
  @Field(() => String) @Property({ type: 'string', length: 500 }) reason!: string;
  @Field(() => String) @Property({ type: 'date' }) receivedOn!: string;
  @Field(() => String, { description: 'Deadline: 2 working days after receipt (调休 counted).' })
  @Property({ type: 'date' })
  decideBy!: string;
  @Field(() => RecusalRequestStatus)
  @Enum({ items: () => RecusalRequestStatus, nativeEnumName: 'recusal_request_status' })
  status: RecusalRequestStatus = RecusalRequestStatus.PENDING;
  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 64, nullable: true })
  decidedBy: string | null = null;
  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  decidedAt: Date | null = null;
  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 300, nullable: true })
  decisionNote: string | null = null;
}
