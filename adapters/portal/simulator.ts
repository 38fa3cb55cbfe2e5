import {
  type PartnerBehaviour,
  type ProcessContext,
  type SimAnswer,
  SinkSimulator,
  type SimulatorOptions,
  shanghaiDay,
} from '../shared/sink-simulator.js';
import { checkPortalBodyHtml, validateJson } from '../shared/validate.js';
import { PORTAL_ARTICLES_PATH } from './client.js';

function json(status: number, body: unknown): SimAnswer {
  return { status, contentType: 'application/json', body: JSON.stringify(body) };
}

function urlOf(column: string, articleId: string): string {
  return `/sjsgk/${column.toLowerCase()}/${articleId}.html`;
}

/**
 * The government portal's behaviour: 200 `{articleId,url}`, 409 on a repeated messageId (with the original articleId),
 * 422 for schema errors, tags outside the whitelist and bad signatures.
 */
export function portalBehaviour(): PartnerBehaviour {
  return {
    partner: 'PORTAL',
    path: PORTAL_ARTICLES_PATH,
    signatureRejected: (reason) => json(422, { errors: [`signature: ${reason}`] }),
    async process(ctx: ProcessContext): Promise<SimAnswer> {
      let doc: unknown;
      try {
        doc = JSON.parse(ctx.body.toString('utf8')) as unknown;
      } catch {
        return json(422, { errors: ['malformed JSON'] });
      }
      const check = validateJson(doc, 'portal-article');
      if (!check.valid) return json(422, { errors: check.errors });
      const article = doc as { messageId: string; column: string; bodyHtml: string };
      const html = checkPortalBodyHtml(article.bodyHtml);
      if (html.length > 0) return json(422, { errors: html.map((e) => `/bodyHtml: ${e}`) });
      const prior = ctx.lookup(article.messageId);
      if (prior) {
        ctx.remember(prior);
        return json(409, { articleId: prior.receiptNo, url: urlOf(prior.messageType, prior.receiptNo) });
      }
      if (ctx.chance(ctx.faults.rejectRate))
        return json(422, { errors: ['/column: column closed for editing'] });
      const day = shanghaiDay(ctx.now);
      const articleId = `A${day}${String(ctx.nextSeq(`A${day}`)).padStart(5, '0')}`;
      // The column stands in for messageType so a duplicate can rebuild the article URL.
      ctx.remember({ messageId: article.messageId, messageType: article.column, receiptNo: articleId });
      return json(200, { articleId, url: urlOf(article.column, articleId) });
    },
  };
}

/** Starts a government portal (政府网站) simulator. */
export async function startPortalSimulator(options: SimulatorOptions = {}): Promise<SinkSimulator> {
  return new SinkSimulator(portalBehaviour(), options).start();
}
