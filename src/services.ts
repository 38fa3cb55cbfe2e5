import type { AppConfig } from './config/config.js';
import { AuditService } from './modules/audit/audit.service.js';
import { EventService } from './modules/events/event.service.js';
import { ItemService } from './modules/items/item.service.js';
import { PiiService } from './modules/pii/pii.service.js';
import { TargetService } from './modules/targets/target.service.js';
import { InspectorService } from './modules/inspectors/inspector.service.js';

/** Application services, built once at start; request state lives in the context, not here. */
export interface Services {
  audit: AuditService;
  events: EventService;
  pii: PiiService;
  items: ItemService;
  targets: TargetService;
  inspectors: InspectorService;
}

export function buildServices(config: Pick<AppConfig, 'piiKeyring' | 'piiIndexKey'>): Services {
  const audit = new AuditService();
  const events = new EventService();
  const pii = new PiiService(config.piiKeyring, config.piiIndexKey);
  return {
    audit,
    events,
    pii,
    items: new ItemService(audit),
    targets: new TargetService(audit, pii, events),
    inspectors: new InspectorService(audit, pii),
  };
}
