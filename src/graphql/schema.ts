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
