import 'reflect-metadata';
import './enums.js';
import { buildSchema, type NonEmptyArray } from 'type-graphql';
import type { GraphQLSchema } from 'graphql';
import { createPubSub } from '@graphql-yoga/subscription';
import { policyAuthChecker } from './policy.js';
import { CommonResolver } from './common.resolver.js';
import { ItemResolver } from '../modules/items/item.resolver.js';
import { PersonResolver, TargetPersonResolver, TargetResolver } from '../modules/targets/target.resolver.js';
import { InspectorResolver, RelationshipResolver } from '../modules/inspectors/inspector.resolver.js';
import { DepartmentResolver } from '../modules/org/department.resolver.js';
import { AuditResolver } from '../modules/audit/audit.resolver.js';
import { EventResolver } from '../modules/events/event.resolver.js';
import { JobResolver } from '../modules/jobs/job.resolver.js';
import { ProtectionResolver } from './protection/protection.resolver.js';
import { ExchangeResolver } from '../modules/exchange/exchange.resolver.js';
import {
  AssignmentChangeResolver,
  DrawAssignmentResolver,
  DrawResolver,
  RecusalRequestResolver,
  SamplingPlanResolver,
  SamplingResolver,
  SamplingSubscriptionResolver,
} from '../modules/sampling/sampling.resolver.js';
import { AggregateResolver } from '../modules/dashboard/aggregate.resolver.js';
import { SyncQuarantineResolver, SyncResolver } from '../modules/sync/sync.resolver.js';
import {
  EvidenceResolver,
  InspectionResolver,
  MeasureResolver,
} from '../modules/inspections/inspection.resolver.js';
import { ReferralResolver } from '../modules/inspections/referral.resolver.js';
import { AppealResolver, PublicationResolver } from '../modules/publication/publication.resolver.js';
import { BlacklistResolver, CreditFactResolver } from '../modules/credit/credit.resolver.js';
import {
  BlacklistDocumentsResolver,
  DocumentResolver,
  InspectionDocumentsResolver,
  MeasureDocumentsResolver,
  PublicationDocumentsResolver,
} from '../modules/documents/document.resolver.js';
import { ScorecardResolver } from '../modules/scorecards/scorecard.resolver.js';
// @register:resolver-imports

export const RESOLVERS: NonEmptyArray<new () => object> = [
  CommonResolver,
  ItemResolver,
  TargetResolver,
  TargetPersonResolver,
  PersonResolver,
  InspectorResolver,
  RelationshipResolver,
  DepartmentResolver,
  AuditResolver,
  EventResolver,
  JobResolver,
  ProtectionResolver,
  ExchangeResolver,
  SamplingResolver,
  SamplingPlanResolver,
  DrawResolver,
  DrawAssignmentResolver,
  AssignmentChangeResolver,
  RecusalRequestResolver,
  SamplingSubscriptionResolver,
  AggregateResolver,
  SyncResolver,
  SyncQuarantineResolver,
  InspectionResolver,
  MeasureResolver,
  EvidenceResolver,
  ReferralResolver,
  PublicationResolver,
  AppealResolver,
  CreditFactResolver,
  BlacklistResolver,
  DocumentResolver,
  InspectionDocumentsResolver,
  MeasureDocumentsResolver,
  PublicationDocumentsResolver,
  BlacklistDocumentsResolver,
  ScorecardResolver,
  // @register:resolvers
];

/** Builds the executable schema (no metadata emission: every type is given explicitly). */
export async function createSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: RESOLVERS,
    authChecker: policyAuthChecker,
    // Subscriptions read the event bus through their own `subscribe`; this pub/sub stays unused.
    pubSub: createPubSub(),
    authMode: 'error',
    validate: { forbidUnknownValues: false, validationError: { target: false, value: false } },
    emitSchemaFile: false,
  });
}
