import { ExchangeError } from '../shared/errors.js';
import { assertNoPersonalData } from '../shared/personal-data.js';
import type { EncodedMessage } from '../shared/sink-types.js';
import { checkPortalBodyHtml, validateJson } from '../shared/validate.js';

export const PORTAL_CONTENT_TYPE = 'application/json';

/** Portal columns (portal-publishing.md): fire safety, public order, security services. */
export type PortalColumn = 'SJSGK_XFAQ' | 'SJSGK_ZAGL' | 'SJSGK_BAFW';

/**
 * An article for the government portal's 社会公众服务平台. No personal data: names of natural persons, ID numbers and
 * phone numbers must already be removed (ID numbers and mobile numbers are refused here; names cannot be detected).
 *
 * @example { messageId, column: 'SJSGK_XFAQ', title: '…消防安全随机抽查结果公告', publishedAt: '2026-11-25T15:00:00+08:00',
 *   bodyHtml: '<table>…</table>', attachments: [], withdraws: null }
 */
export interface PortalArticle {
  readonly messageId: string;
  readonly column: PortalColumn;
  readonly title: string;
  readonly publishedAt: string;
  /** Only `table, thead, tbody, tr, th, td, p, h2, h3, ul, li, br, strong`. */
  readonly bodyHtml: string;
  readonly attachments: readonly {
    readonly name: string;
    readonly contentType: string;
    readonly base64: string;
  }[];
  /** messageId of the article this one corrects or withdraws, or null. */
  readonly withdraws: string | null;
}

function textAttachments(a: PortalArticle): { name: string; text: string }[] {
  return a.attachments
    .filter((x) => /^text\/|json|xml/.test(x.contentType))
    .map((x) => ({ name: x.name, text: Buffer.from(x.base64, 'base64').toString('utf8') }));
}

/**
 * Encodes a portal article as JSON, after checking the bodyHtml whitelist, personal data and the JSON Schema.
 *
 * @throws ExchangeError('PORTAL_HTML_REFUSED') listing disallowed tags; ExchangeError('PERSONAL_DATA_REFUSED') for ID or
 *   mobile numbers in the title, body or text attachments; ExchangeError('SCHEMA_INVALID') listing the schema errors.
 */
export async function encodePortalArticle(article: PortalArticle): Promise<EncodedMessage> {
  const doc = {
    messageId: article.messageId,
    column: article.column,
    title: article.title,
    publishedAt: article.publishedAt,
    bodyHtml: article.bodyHtml,
    attachments: article.attachments.map((a) => ({
      name: a.name,
      contentType: a.contentType,
      base64: a.base64,
    })),
    withdraws: article.withdraws,
  };
  const result = validateJson(doc, 'portal-article');
  if (!result.valid)
    throw new ExchangeError('SCHEMA_INVALID', 'portal article fails its schema', result.errors);
  const html = checkPortalBodyHtml(article.bodyHtml);
  if (html.length > 0)
    throw new ExchangeError('PORTAL_HTML_REFUSED', 'bodyHtml outside the portal whitelist', html);
  assertNoPersonalData(
    { title: doc.title, bodyHtml: doc.bodyHtml, attachments: textAttachments(article) },
    'PORTAL',
    {
      phones: true,
    },
  );
  return {
    partner: 'PORTAL',
    messageId: article.messageId,
    messageType: 'ARTICLE',
    contentType: PORTAL_CONTENT_TYPE,
    body: new TextEncoder().encode(JSON.stringify(doc)),
  };
}
