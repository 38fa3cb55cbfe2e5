import express from 'express';
import type { EntityManager } from '@mikro-orm/postgresql';
import { startCommerceSimulator } from '../../../adapters/commerce/simulator.js';
import { startCreditSimulator } from '../../../adapters/credit/simulator.js';
import { startCultureSimulator } from '../../../adapters/culture/simulator.js';
import { startPortalSimulator } from '../../../adapters/portal/simulator.js';
import { BUREAU_SENDER } from '../../../adapters/shared/envelope.js';
import { EXCHANGE_HEADERS } from '../../../adapters/shared/sink-http.js';
import type { SinkSimulator } from '../../../adapters/shared/sink-simulator.js';
import { generateSm2KeyPair } from '../../../adapters/shared/sm2.js';
import type { ModuleRuntime, PlatformModule } from '../../modules.js';
import { INBOX_MAX_BYTES } from './inbox.service.js';

/** Registers our signing keys' public halves, so every replica (and `GET /exchange/v1/keys`) sees the same set. */
async function registerSigningKeys(rt: ModuleRuntime): Promise<void> {
  const em = rt.orm.em.fork() as EntityManager;
  for (const k of rt.services.exchange.keys.keys) {
    await em.getConnection().execute(
      `insert into exchange_signing_key (key_id, private_key_path, public_key_pem, valid_from, valid_to) values (?, ?, ?, ?, ?)
       on conflict (key_id) do update set private_key_path = excluded.private_key_path, public_key_pem = excluded.public_key_pem,
         valid_from = excluded.valid_from, valid_to = excluded.valid_to`,
      [k.keyId, k.path, k.publicKeyPem, k.validFrom, k.validTo],
    );
  }
}

/**
 * Demo: the four partner simulators on loopback, our public keys registered with them, a demo key of each
 * partner registered with us (for inbound messages), and the partners pointed at the simulators.
 */
async function startDemoPartners(rt: ModuleRuntime): Promise<SinkSimulator[]> {
  const published = rt.services.exchange.keys.keyring.published();
  const senders = {
    [BUREAU_SENDER.code]: published.map((k) => ({
      keyId: k.keyId,
      publicKeyPem: k.publicKeyPem,
      validFrom: new Date(k.validFrom),
      validTo: k.validTo ? new Date(k.validTo) : null,
    })),
  };
  const sims: [string, SinkSimulator][] = [
    ['COMMERCE', await startCommerceSimulator({ senders })],
    ['CULTURE', await startCultureSimulator({ senders })],
    ['CREDIT', await startCreditSimulator({ senders })],
    ['PORTAL', await startPortalSimulator({ senders })],
  ];
  const em = rt.orm.em.fork() as EntityManager;
  for (const [code, sim] of sims) {
    await em
      .getConnection()
      .execute('update exchange_partner set base_url = ? where code = ?', [sim.baseUrl, code]);
    const theirs = generateSm2KeyPair();
    await em.getConnection().execute(
      `insert into exchange_partner_key (partner_code, key_id, public_key_pem, valid_from) values (?, 'demo', ?, now())
       on conflict (partner_code, key_id) do update set public_key_pem = excluded.public_key_pem`,
      [code, theirs.publicKeyPem],
    );
  }
  rt.log.info({ partners: sims.map(([c, s]) => `${c} ${s.baseUrl}`) }, 'exchange partner simulators started');
  return sims.map(([, s]) => s);
}

/** The exchange hub: keys, demo partners, the dispatcher loop, the inbox and the key list. */
export const exchangeModule: PlatformModule = {
  name: 'exchange',
  async setup(rt) {
    await registerSigningKeys(rt);
    // Events held for a missing USCC leave once the roster has one (corrected by hand, import or sync).
    rt.services.scheduler.register({
      name: 'exchange:release-held',
      cron: '*/10 * * * *',
      run: async () =>
        (rt.orm.em.fork() as EntityManager).transactional((em) => rt.services.outbox.releaseHeld(em)),
    });
    const sims = rt.config.simulators ? await startDemoPartners(rt) : [];
    const dispatcher = rt.services.exchange.dispatcher;
    if (rt.config.exchangeDispatcher) await dispatcher.start(rt.databaseUrl);
    return async () => {
      await dispatcher.stop();
      for (const s of sims) await s.close();
    };
  },
  routes(app, rt) {
    const hub = rt.services.exchange;
    app.post(
      '/exchange/v1/inbox',
      express.raw({ type: () => true, limit: INBOX_MAX_BYTES }),
      async (req: express.Request, res: express.Response, next: express.NextFunction) => {
        try {
          const h = (name: string) => {
            const v = req.headers[name];
            return typeof v === 'string' ? v : undefined;
          };
          const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
          const answer = await hub.inbox.receive(body, {
            contentType: h('content-type') ?? '',
            signature: h(EXCHANGE_HEADERS.signature),
            keyId: h(EXCHANGE_HEADERS.keyId),
            sender: h(EXCHANGE_HEADERS.sender),
          });
          res.status(answer.status).type(answer.contentType).send(answer.body);
        } catch (err) {
          next(err);
        }
      },
      (
        err: { type?: string; status?: number },
        req: express.Request,
        res: express.Response,
        next: express.NextFunction,
      ) => {
        if (err.type === 'entity.too.large' || err.status === 413) {
          // Answer once the upload is drained, so the sender reads the 413 instead of a reset connection.
          const answer = () =>
            res.status(413).set('Connection', 'close').json({ code: 413, message: 'body over 10 MiB' });
          if (req.readableEnded || req.destroyed) answer();
          else {
            req.once('end', answer);
            req.resume();
          }
          return;
        }
        if (err.status && err.status < 500) {
          res.status(400).json({ code: 400, message: 'unreadable request body' });
          return;
        }
        rt.log.error({ err }, 'exchange inbox failed');
        next(err);
      },
    );
    app.get('/exchange/v1/keys', (_req, res) => {
      res.json(hub.keys.keyring.published());
    });
  },
};
