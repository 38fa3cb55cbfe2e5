import type { AppConfig } from './config/config.js';
import { AuditService } from './modules/audit/audit.service.js';
import { EventService } from './modules/events/event.service.js';
import { ItemService } from './modules/items/item.service.js';
import { PiiService } from './modules/pii/pii.service.js';
import { TargetService } from './modules/targets/target.service.js';
import { InspectorService } from './modules/inspectors/inspector.service.js';
import { EventBus } from './modules/events/event-bus.js';
import { Scheduler } from './modules/jobs/scheduler.js';
import type { MikroORM } from '@mikro-orm/core';
import type { Logger } from './shared/logger.js';
// @register:service-imports

/** Application services, built once at start; request state lives in the context, not here. */
export interface Services {
  audit: AuditService;
  events: EventService;
  pii: PiiService;
  items: ItemService;
  targets: TargetService;
  inspectors: InspectorService;
  eventBus: EventBus;
  scheduler: Scheduler;
  // @register:service-fields
}

export interface Runtime {
  orm: MikroORM;
  databaseUrl: string;
  log: Logger;
  clock?: () => Date;
}

export function buildServices(config: AppConfig, rt: Runtime): Services {
  const audit = new AuditService();
  const events = new EventService();
  const pii = new PiiService(config.piiKeyring, config.piiIndexKey);
  // @register:service-consts
  return {
    audit,
    events,
    pii,
    items: new ItemService(audit),
    targets: new TargetService(audit, pii, events),
    inspectors: new InspectorService(audit, pii),
    eventBus: new EventBus(rt.databaseUrl, rt.log),
    scheduler: new Scheduler(rt.orm, rt.log, rt.clock),
    // @register:service-builds
  };
}
