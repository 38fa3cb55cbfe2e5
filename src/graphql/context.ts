import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from '../shared/logger.js';
import type { Principal } from './auth.js';
import { Scope } from './policy.js';
import type { Services } from '../services.js';
import { makeLoaders, type Loaders } from './loaders.js';

/** Per-request context: one forked entity manager, the caller, and its scope. */
export interface Ctx {
  requestId: string;
  user: Principal;
  em: EntityManager;
  log: Logger;
  services: Services;
  loaders: Loaders;
  scope(): Promise<Scope>;
  /** The scope if `scope()` has already loaded it (for resolvers that avoid a promise per row). */
  scopeNow(): Scope | undefined;
}

/** Builds a request context; the scope is loaded once, on first use. */
export function makeContext(args: {
  requestId: string;
  user: Principal;
  em: EntityManager;
  log: Logger;
  services: Services;
}): Ctx {
  let scope: Promise<Scope> | null = null;
  let loaded: Scope | undefined;
  return {
    ...args,
    loaders: makeLoaders(args.em),
    scope: () => (scope ??= Scope.load(args.em, args.user).then((s) => (loaded = s))),
    scopeNow: () => loaded,
  };
}
