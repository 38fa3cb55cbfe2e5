import type express from 'express';
import type { EntityManager } from '@mikro-orm/postgresql';
import { principalFromHeader } from '../../graphql/auth.js';
import { fromGlobalId } from '../../graphql/node.js';
import { AppError, errorBody } from '../../shared/errors.js';
import type { ModuleRuntime } from '../../modules.js';
import { DOCUMENT_KINDS, kindOfSlug } from './document.service.js';

const STATUS: Record<string, number> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  BAD_USER_INPUT: 400,
  DOCUMENT_UNKNOWN_KIND: 404,
  DOCUMENT_NOT_ISSUED: 409,
  DOCUMENT_BAD_SUBJECT: 409,
};

function send(res: express.Response, status: number, code: string, message: string) {
  res.status(status).json(errorBody(code, message));
}

/**
 * `GET /documents/:kind/:id.pdf`: the official document of `kind` (inspection-notice,
 * inspection-record, rectification-order, result-bulletin, blacklist-notice) for the subject `id`
 * (a UUID or the subject's global id). Bearer token, same scope as the records; a published
 * bulletin needs none. The first request by the owning department issues (numbers) the document.
 */
export function documentRoutes(app: express.Express, rt: ModuleRuntime): void {
  app.get('/documents/:kind/:file', async (req, res) => {
    const kind = kindOfSlug(String(req.params.kind));
    const m = /^(.+)\.pdf$/.exec(String(req.params.file));
    if (!kind || !m) return send(res, 404, 'DOCUMENT_UNKNOWN_KIND', 'no such document');
    let id = m[1]!;
    try {
      if (!/^[0-9a-f-]{36}$/.test(id)) id = fromGlobalId(id, DOCUMENT_KINDS[kind].subjectType).id;
      const user = await principalFromHeader(rt.config.jwtSecret, req.headers.authorization);
      const em = rt.orm.em.fork() as EntityManager;
      const { doc, pdf } = await rt.services.documents.get(em, user, kind, id);
      res.setHeader('content-type', 'application/pdf');
      res.setHeader(
        'content-disposition',
        `inline; filename="${DOCUMENT_KINDS[kind].slug}.pdf"; filename*=UTF-8''${encodeURIComponent(doc.docNo)}.pdf`,
      );
      res.setHeader('x-document-no', encodeURIComponent(doc.docNo));
      res.setHeader('x-issued-sm3', doc.sm3);
      res.setHeader('cache-control', user.role === 'PUBLIC' ? 'public, max-age=300' : 'private, no-store');
      res.end(pdf);
    } catch (e) {
      if (e instanceof AppError) return send(res, STATUS[e.code] ?? 400, e.code, e.message);
      rt.log.error({ err: e }, 'document rendering failed');
      send(res, 500, 'INTERNAL_SERVER_ERROR', 'could not render the document');
    }
  });
}
