import type { MikroORM } from '@mikro-orm/core';
import type { AppConfig } from '../../config/config.js';
import type { Logger } from '../../shared/logger.js';
import type { AuditService } from '../audit/audit.service.js';
import { HOLIDAY_YEARS } from '../calendar/holidays-data.js';
import { workCalendarFromYears } from '../calendar/working-days.js';
import type { EventService } from '../events/event.service.js';
import type { PiiService } from '../pii/pii.service.js';
import { DEFAULT_DISPATCHER, Dispatcher } from './dispatcher.js';
import { DEFAULT_RETRY } from './exchange-policy.js';
import { loadSigningKeys, type LoadedSigningKeys } from './exchange-keys.js';
import { ExchangeService } from './exchange.service.js';
import { InboxService } from './inbox.service.js';
import { OutboxService } from './outbox.service.js';
import { PartnerDirectory } from './partner-directory.js';

/**
 * The exchange hub's parts, built once per replica: `outbox` (the OutboxPort), `ops` (operations), `inbox`,
 * `dispatcher` and our signing keys.
 */
export class ExchangeHub {
  readonly directory = new PartnerDirectory();
  readonly keys: LoadedSigningKeys;
  readonly outbox: OutboxService;
  readonly ops: ExchangeService;
  readonly inbox: InboxService;
  readonly dispatcher: Dispatcher;

  constructor(
    config: AppConfig,
    deps: {
      orm: MikroORM;
      log: Logger;
      audit: AuditService;
      events: EventService;
      pii: PiiService;
      clock?: () => Date;
    },
  ) {
    const clock = deps.clock ?? (() => new Date());
    this.keys = loadSigningKeys(config);
    this.outbox = new OutboxService(this.directory, deps.pii, clock);
    this.ops = new ExchangeService(deps.audit, this.outbox, this.directory, clock);
    this.inbox = new InboxService(deps.orm, deps.pii, workCalendarFromYears(HOLIDAY_YEARS), deps.log, clock);
    this.dispatcher = new Dispatcher(
      deps.orm,
      this.directory,
      this.keys.keyring,
      deps.pii,
      deps.events,
      deps.log.child({ module: 'exchange' }),
      {
        ...DEFAULT_DISPATCHER,
        leaseSeconds: config.exchangeLeaseSeconds,
        retry: {
          ...DEFAULT_RETRY,
          maxAttempts: config.exchangeMaxAttempts,
          maxAgeHours: config.exchangeMaxAgeHours,
        },
      },
      clock,
    );
  }
}
