import 'reflect-metadata';
import './enums.js';
import {
  ArgumentValidationError,
  AuthenticationError,
  AuthorizationError,
  buildSchema,
  type AuthCheckerFn,
  type AuthMode,
  getMetadataStorage,
  type NonEmptyArray,
  type ValidatorFn,
} from 'type-graphql';
import { validateOrReject, type ValidationError, type ValidatorOptions } from 'class-validator';
import {
  GraphQLInterfaceType,
  GraphQLObjectType,
  GraphQLUnionType,
  type GraphQLFieldResolver,
  type GraphQLSchema,
} from 'graphql';
import { createPubSub } from '@graphql-yoga/subscription';
import { policyAuthChecker } from './policy.js';
import { CommonResolver } from './common.resolver.js';
import { ItemResolver } from '../modules/items/item.resolver.js';
import { PersonResolver, TargetResolver } from '../modules/targets/target.resolver.js';
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

/** class-validator settings of argument validation: what type-graphql's `validate` option applied. */
const VALIDATOR_OPTIONS: ValidatorOptions = {
  forbidUnknownValues: false,
  skipMissingProperties: true,
  validationError: { target: false, value: false },
};

const validatable = (v: unknown): v is object => v !== null && typeof v === 'object';

/**
 * Validates object arguments (and the objects in list arguments) with class-validator, exactly as
 * type-graphql's `validate` option does: same settings, same `ArgumentValidationError`. But
 * class-validator is imported once, here. type-graphql's own path runs `await import('class-validator')`
 * on every object argument of every call, and each dynamic import goes through the module loader:
 * under tsx (`npm start`) a round trip to the loader's thread, 11% of an aggregate request's CPU.
 */
export const validateArgs: ValidatorFn = async (argValue) => {
  if (!validatable(argValue)) return;
  try {
    if (Array.isArray(argValue)) {
      await Promise.all(argValue.filter(validatable).map((a) => validateOrReject(a, VALIDATOR_OPTIONS)));
    } else {
      await validateOrReject(argValue, VALIDATOR_OPTIONS);
    }
  } catch (err) {
    throw new ArgumentValidationError(err as ValidationError[]);
  }
};

const AUTH_MODE: AuthMode = 'error';

/** Builds the executable schema (no metadata emission: every type is given explicitly). */
export async function createSchema(): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers: RESOLVERS,
    authChecker: policyAuthChecker,
    // Subscriptions read the event bus through their own `subscribe`; this pub/sub stays unused.
    pubSub: createPubSub(),
    authMode: AUTH_MODE,
    validateFn: validateArgs,
    emitSchemaFile: false,
  });
  plainFieldsReadDirectly(schema, { authChecker: policyAuthChecker as AuthCheckerFn, authMode: AUTH_MODE });
  resolveTypesSynchronously(schema);
  return schema;
}

/**
 * type-graphql wraps an interface's or union's `resolveType` in an async function, so every value
 * of an abstract type waits a promise for its type name; graphql-jit (src/graphql/jit.ts) takes
 * names only, not promises. Replaced here by the same mapping run synchronously: the declared
 * resolver's answer, a type name as is, a class as its object type's name. A declared resolver that
 * is itself async still answers a promise (graphql-js accepts it; no such resolver exists today).
 */
export function resolveTypesSynchronously(schema: GraphQLSchema): void {
  const storage = getMetadataStorage();
  const declared = [
    ...storage.interfaceTypes.map((i) => [i.name, i.resolveType] as const),
    ...storage.unions.map((u) => [u.name, u.resolveType] as const),
  ];
  for (const [name, resolveType] of declared) {
    const type = schema.getType(name);
    if (!resolveType || !(type instanceof GraphQLInterfaceType || type instanceof GraphQLUnionType)) continue;
    const nameOf = (resolved: unknown): string | undefined =>
      !resolved || typeof resolved === 'string'
        ? ((resolved as string | undefined) ?? undefined)
        : storage.objectTypes.find((o) => o.target === resolved)?.name;
    type.resolveType = (...args: Parameters<NonNullable<GraphQLInterfaceType['resolveType']>>) => {
      const resolved = (resolveType as (...a: unknown[]) => unknown)(...args);
      return resolved instanceof Promise ? resolved.then(nameOf) : nameOf(resolved);
    };
  }
}

/** The schema's auth settings, as given to type-graphql's `buildSchema`. */
export interface DirectAuth {
  authChecker: AuthCheckerFn;
  authMode: AuthMode;
}

/**
 * type-graphql wraps every field in a resolver that runs its middlewares and auth check, even a
 * plain property with neither; a roster page runs that wrapper a thousand times. Here the fields
 * with no `@Authorized`, no middleware, no `@FieldResolver`, no arguments and the same property and
 * schema name get graphql-js's default resolver instead, which reads the same property. It is what
 * type-graphql's own `simpleResolvers` does, decided per field from the metadata, so a field that
 * gains `@Authorized` later keeps its check. There are no global middlewares (they would need the
 * wrapper on every field: drop this call if one is ever added).
 */
export function plainFieldsReadDirectly(schema: GraphQLSchema, auth: DirectAuth): void {
  const storage = getMetadataStorage();
  // Guards are read from where the decorators record them: `FieldMetadata.roles` is not filled in.
  const key = (target: unknown, field: string) =>
    `${String((target as { name?: string }).name)}\u0000${field}`;
  const roles = new Map<string, readonly string[]>();
  for (const a of storage.authorizedFields) roles.set(key(a.target, a.fieldName), a.roles as string[]);
  const withMiddleware = new Set<string>();
  for (const m of storage.middlewares) withMiddleware.add(key(m.target, m.fieldName));
  const guarded = (k: string) => roles.has(k) || withMiddleware.has(k);
  const guardedClasses = new Set<unknown>([
    ...storage.resolverMiddlewares.map((m) => m.target),
    ...storage.authorizedResolver.map((a) => a.target),
  ]);
  for (const type of Object.values(schema.getTypeMap())) {
    if (!(type instanceof GraphQLObjectType) || type.name.startsWith('__')) continue;
    const meta = storage.objectTypes.find((o) => o.name === type.name);
    if (!meta) continue;
    // The class and its ancestors, and the interfaces it implements: where its fields are declared.
    const owners = new Set<unknown>(meta.interfaceClasses ?? []);
    for (
      let c: unknown = meta.target;
      typeof c === 'function' && c !== Function.prototype;
      c = Object.getPrototypeOf(c)
    )
      owners.add(c);
    if ([...owners].some((o) => guardedClasses.has(o))) continue;
    for (const field of Object.values(type.getFields())) {
      if (!field.resolve || field.args.length) continue;
      const declared = storage.fields.filter((f) => owners.has(f.target) && f.schemaName === field.name);
      const plain =
        declared.length > 0 &&
        declared.every(
          (f) => f.name === f.schemaName && !f.params?.length && !guarded(key(f.target, f.name)),
        );
      const resolvers = storage.fieldResolvers.filter(
        (r) => r.schemaName === field.name && owners.has(r.getObjectType?.()),
      );
      if (plain && !resolvers.length) field.resolve = undefined;
      else if (resolvers.length === 1 && !declared.some((f) => guarded(key(f.target, f.name)))) {
        const r = resolvers[0]!;
        const k = key(r.target, r.methodName);
        if (withMiddleware.has(k) || guardedClasses.has(r.target)) continue;
        const direct = directFieldResolver(r, roles.has(k) ? { ...auth, roles: roles.get(k)! } : null);
        if (direct) field.resolve = direct;
      }
    }
  }
}

type FieldResolverMetadata = ReturnType<typeof getMetadataStorage>['fieldResolvers'][number];

/** One instance per resolver class, as type-graphql's default container keeps them. */
const resolverInstances = new Map<unknown, object>();

/**
 * A `@FieldResolver` in a resolver class that needs no wrapper: no middleware, no arguments, and
 * parameters only `@Root()`, `@Ctx()` and `@Info()` taken whole. type-graphql's wrapper then only
 * gets the class instance, runs the auth check as a middleware and sorts and maps the parameter
 * list on every call (a roster page makes about 200 such calls); this resolver calls the method
 * directly, with the same arguments, on an instance of the class. A field marked `@Authorized`
 * (`guard`) is checked first exactly as type-graphql's auth middleware checks it: the same checker,
 * roles and errors. Undefined when any condition fails, or when the class takes constructor
 * arguments or keeps state (its instance has own properties).
 */
function directFieldResolver(
  r: FieldResolverMetadata,
  guard: (DirectAuth & { roles: readonly string[] }) | null,
): GraphQLFieldResolver<unknown, unknown> | undefined {
  const target = r.target as unknown as (new () => object) | undefined;
  if (r.kind !== 'external' || typeof target !== 'function' || target.length !== 0) return undefined;
  if (r.middlewares?.length) return undefined;
  const slots = { root: 0, context: 2, info: 3 } as const;
  const picks: number[] = [];
  for (const p of [...(r.params ?? [])].sort((a, b) => a.index - b.index)) {
    if (p.kind !== 'root' && p.kind !== 'context' && p.kind !== 'info') return undefined;
    if ('propertyName' in p && p.propertyName) return undefined;
    if (p.kind === 'root' && p.getType) return undefined;
    picks.push(slots[p.kind]);
  }
  let instance = resolverInstances.get(target);
  if (!instance) {
    instance = new target();
    if (Object.keys(instance).length) return undefined;
    resolverInstances.set(target, instance);
  }
  const method = (instance as Record<string, unknown>)[r.methodName];
  if (typeof method !== 'function') return undefined;
  const call = directCall(instance, method as (...a: unknown[]) => unknown, picks);
  if (!guard) return call;
  const roles = [...guard.roles];
  const denied = () => {
    if (guard.authMode === 'null') return null;
    throw roles.length === 0 ? new AuthenticationError() : new AuthorizationError();
  };
  return function directFieldResolver(root, args, context, info) {
    const granted = guard.authChecker({ root, args, context: context as object, info }, roles);
    if (typeof granted === 'boolean') return granted ? call(root, args, context, info) : denied();
    return granted.then((ok) => (ok ? call(root, args, context, info) : denied()));
  };
}

/**
 * A resolver that calls `method` on `self` with the resolver arguments at `picks` (0 root, 2
 * context, 3 info), in that order: a function per arity, so a call allocates no argument list.
 */
function directCall(
  self: object,
  method: (...a: unknown[]) => unknown,
  picks: readonly number[],
): GraphQLFieldResolver<unknown, unknown> {
  const [p0, p1, p2] = picks;
  const at = (i: number | undefined, root: unknown, args: unknown, context: unknown, info: unknown) =>
    i === 0 ? root : i === 1 ? args : i === 2 ? context : info;
  // Named functions: the name tells a schema's readers (and its tests) which fields run directly.
  switch (picks.length) {
    case 0:
      return function directFieldResolver() {
        return method.call(self);
      };
    case 1:
      return function directFieldResolver(r, a, c, i) {
        return method.call(self, at(p0, r, a, c, i));
      };
    case 2:
      return function directFieldResolver(r, a, c, i) {
        return method.call(self, at(p0, r, a, c, i), at(p1, r, a, c, i));
      };
    case 3:
      return function directFieldResolver(r, a, c, i) {
        return method.call(self, at(p0, r, a, c, i), at(p1, r, a, c, i), at(p2, r, a, c, i));
      };
    default:
      return function directFieldResolver(r, a, c, i) {
        return method.apply(
          self,
          picks.map((p) => at(p, r, a, c, i)),
        );
      };
  }
}
