import type express from 'express';
import busboy from 'busboy';
import { principalFromHeader, Role } from '../../graphql/auth.js';
import { Scope } from '../../graphql/policy.js';
import { AppError } from '../../shared/errors.js';
import type { ModuleRuntime } from '../../modules.js';

/** Path of the roster upload, beside /graphql. */
export const ROSTER_UPLOAD_PATH = '/roster/import';

const UPLOADERS = new Set<Role>([Role.ADMIN, Role.SUPERVISOR]);

function fail(res: express.Response, status: number, code: string, message: string, details?: unknown): void {
  res.status(status).json({ errors: [{ message, extensions: { code, ...(details ? { details } : {}) } }] });
}

/**
 * `POST /roster/import[?dryRun=true]`, multipart with one file field `file`: imports a roster file
 * (roster-files.md) for an ADMIN or SUPERVISOR (Bearer token), rows limited to the caller's scope,
 * and answers the same JSON report as `npm run import`. Files over ROSTER_UPLOAD_MAX_BYTES get 413.
 */
export function mountRosterUpload(app: express.Express, rt: ModuleRuntime): void {
  app.post(ROSTER_UPLOAD_PATH, (req, res) => {
    void (async () => {
      let principal;
      try {
        principal = await principalFromHeader(rt.config.jwtSecret, req.headers.authorization);
      } catch (e) {
        return fail(res, 401, 'UNAUTHENTICATED', e instanceof Error ? e.message : 'token invalid');
      }
      if (principal.role === Role.PUBLIC) return fail(res, 401, 'UNAUTHENTICATED', 'send a Bearer token');
      if (!UPLOADERS.has(principal.role)) {
        return fail(res, 403, 'FORBIDDEN', `role ${principal.role} may not import rosters`);
      }
      if (!(req.headers['content-type'] ?? '').toLowerCase().startsWith('multipart/form-data')) {
        return fail(res, 415, 'BAD_USER_INPUT', 'expected multipart/form-data with a "file" field');
      }
      const dryRun = req.query.dryRun === 'true' || req.query.dryRun === '1';
      const limit = rt.config.sync.rosterUploadMaxBytes;
      let file: { name: string; bytes: Buffer } | null = null;
      let tooLarge = false;
      try {
        await new Promise<void>((resolve, reject) => {
          const bb = busboy({ headers: req.headers, limits: { files: 1, fileSize: limit, fields: 10 } });
          bb.on('file', (field, stream, info) => {
            const chunks: Buffer[] = [];
            stream.on('data', (c: Buffer) => chunks.push(c));
            stream.on('limit', () => {
              tooLarge = true;
            });
            stream.on('end', () => {
              if (field === 'file')
                file = { name: info.filename || 'upload.csv', bytes: Buffer.concat(chunks) };
            });
          });
          bb.on('error', reject);
          bb.on('close', resolve);
          req.pipe(bb);
        });
      } catch (e) {
        return fail(res, 400, 'BAD_USER_INPUT', `multipart body unreadable: ${(e as Error).message}`);
      }
      if (tooLarge) return fail(res, 413, 'ROSTER_FILE_TOO_LARGE', `the file exceeds ${limit} bytes`);
      const got = file as { name: string; bytes: Buffer } | null;
      if (!got) return fail(res, 400, 'BAD_USER_INPUT', 'no "file" field in the upload');
      try {
        const em = rt.orm.em.fork();
        const scope = await Scope.load(em as never, principal);
        const report = await rt.services.rosterImport.importFile(got.bytes, got.name, {
          dryRun,
          actor: { principal, scope },
        });
        res.status(200).json(report);
      } catch (e) {
        if (e instanceof AppError) return fail(res, 422, e.code, e.message, e.details);
        rt.log.error({ err: e }, 'roster import failed');
        return fail(res, 500, 'INTERNAL_SERVER_ERROR', 'the import failed; nothing was written');
      }
    })();
  });
}
