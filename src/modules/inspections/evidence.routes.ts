import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import type express from 'express';
import busboy from 'busboy';
import type { EntityManager } from '@mikro-orm/postgresql';
import { principalFromHeader, Role, type Principal } from '../../graphql/auth.js';
import { AppError, errorBody } from '../../shared/errors.js';
import type { ModuleRuntime } from '../../modules.js';
import { EvidenceFile, Inspection } from './inspection.entity.js';
import { InspectionState } from './inspection-rules.js';

/** Evidence types accepted, with the leading bytes their content must start with. */
export const EVIDENCE_TYPES: Record<string, Buffer[]> = {
  'image/jpeg': [Buffer.from([0xff, 0xd8, 0xff])],
  'image/png': [Buffer.from([0x89, 0x50, 0x4e, 0x47])],
  'application/pdf': [Buffer.from('%PDF-')],
  'video/mp4': [],
  'audio/mpeg': [],
};

/** True when the first bytes fit the declared type (types without a fixed signature pass). */
export function sniffMatches(contentType: string, head: Buffer): boolean {
  const sigs = EVIDENCE_TYPES[contentType];
  if (!sigs) return false;
  return sigs.length === 0 || sigs.some((s) => head.subarray(0, s.length).equals(s));
}

function send(res: express.Response, status: number, code: string, message: string) {
  res.status(status).json(errorBody(code, message));
}

async function caller(rt: ModuleRuntime, req: express.Request): Promise<Principal> {
  return principalFromHeader(rt.config.jwtSecret, req.headers.authorization);
}

/**
 * Evidence files: `POST /inspections/:id/evidence` (multipart, one file field, a team member or a
 * SUPERVISOR of the department while the result is open) stores the bytes under
 * `<dataDir>/evidence/<sm3>` and records the SM3 digest; `GET /inspections/evidence/:id` serves
 * them back to staff. Bytes never travel through GraphQL.
 */
export function evidenceRoutes(app: express.Express, rt: ModuleRuntime): void {
  const dir = path.join(rt.config.dataDir, 'evidence');
  const max = rt.services.inspections.settings.evidenceMaxBytes;

  app.post('/inspections/:id/evidence', async (req, res) => {
    let user: Principal;
    try {
      user = await caller(rt, req);
    } catch (e) {
      return send(res, 401, 'UNAUTHENTICATED', (e as Error).message);
    }
    const id = String(req.params.id);
    if (!/^[0-9a-f-]{36}$/.test(id)) return send(res, 404, 'NOT_FOUND', 'no such inspection');
    const em = rt.orm.em.fork() as EntityManager;
    const insp = await em.findOne(Inspection, { id });
    if (!insp) return send(res, 404, 'NOT_FOUND', 'no such inspection');
    const onTeam = insp.teamPoliceNos.includes(user.sub);
    const supervisor = user.role === Role.SUPERVISOR && user.dept === insp.departmentCode;
    if (!onTeam && !supervisor)
      return send(res, 403, 'FORBIDDEN', 'only the team or a supervisor of the department adds evidence');
    if (
      ![InspectionState.IN_PROGRESS, InspectionState.RETURNED, InspectionState.ASSIGNED].includes(insp.state)
    )
      return send(
        res,
        409,
        'INSPECTION_BAD_STATE',
        `evidence is added before submission; the inspection is ${insp.state}`,
      );
    mkdirSync(dir, { recursive: true });
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: req.headers, limits: { files: 1, fileSize: max, fields: 5 } });
    } catch {
      return send(res, 400, 'BAD_USER_INPUT', 'expected multipart/form-data with one file');
    }
    let tmpPath: string | null = null;
    let saved: Promise<
      { sm3: string; size: number; type: string; name: string; tmp: string } | AppError
    > | null = null;
    bb.on('file', (_field, stream, info) => {
      const tmp = path.join(dir, `.tmp-${randomUUID()}`);
      tmpPath = tmp;
      saved = (async () => {
        const hash = createHash('sm3');
        let size = 0;
        let head = Buffer.alloc(0);
        let truncated = false;
        stream.on('limit', () => (truncated = true));
        const tap = new Transform({
          transform(chunk: Buffer, _enc, cb) {
            size += chunk.length;
            if (head.length < 16) head = Buffer.concat([head, chunk]).subarray(0, 16);
            hash.update(chunk);
            cb(null, chunk);
          },
        });
        await pipeline(stream, tap, createWriteStream(tmp));
        if (truncated) return new AppError('EVIDENCE_REJECTED', `file over ${max} bytes`);
        if (size === 0) return new AppError('EVIDENCE_REJECTED', 'empty file');
        if (!sniffMatches(info.mimeType, head))
          return new AppError(
            'EVIDENCE_REJECTED',
            `type ${info.mimeType} not accepted or content does not match; accepted: ${Object.keys(EVIDENCE_TYPES).join(', ')}`,
          );
        return {
          sm3: hash.digest('hex'),
          size,
          type: info.mimeType,
          name: (info.filename || 'evidence').slice(0, 200),
          tmp,
        };
      })();
    });
    bb.on('close', async () => {
      if (!saved) return send(res, 400, 'BAD_USER_INPUT', 'no file in the request');
      const r = await saved.catch((e: unknown) => new AppError('EVIDENCE_REJECTED', (e as Error).message));
      if (r instanceof AppError) {
        if (tmpPath) rmSync(tmpPath, { force: true });
        return send(res, r.code === 'EVIDENCE_REJECTED' ? 422 : 400, r.code, r.message);
      }
      const final = path.join(dir, r.sm3);
      if (existsSync(final)) rmSync(r.tmp, { force: true });
      else renameSync(r.tmp, final);
      try {
        const ev = await em.transactional(async (tem) => {
          const found = await tem.findOne(EvidenceFile, { inspectionId: id, sm3: r.sm3 });
          if (found) return found;
          const e = tem.create(EvidenceFile, {
            inspectionId: id,
            sm3: r.sm3,
            size: String(r.size),
            contentType: r.type,
            fileName: r.name,
            uploadedBy: user.sub,
          });
          tem.persist(e);
          await tem.flush();
          await rt.services.audit.record(tem, user, {
            action: 'inspection.evidence',
            entityType: 'Inspection',
            entityId: id,
            details: { sm3: r.sm3, size: r.size, type: r.type },
          });
          return e;
        });
        res.status(201).json({
          id: ev.id,
          sm3: ev.sm3,
          size: ev.size,
          contentType: ev.contentType,
          url: `/inspections/evidence/${ev.id}`,
        });
      } catch (e) {
        rt.log.error({ err: e }, 'evidence record failed');
        send(res, 500, 'INTERNAL_SERVER_ERROR', 'could not record the evidence');
      }
    });
    req.pipe(bb);
  });

  app.get('/inspections/evidence/:id', async (req, res) => {
    let user: Principal;
    try {
      user = await caller(rt, req);
    } catch (e) {
      return send(res, 401, 'UNAUTHENTICATED', (e as Error).message);
    }
    if (![Role.ADMIN, Role.SUPERVISOR, Role.INSPECTOR].includes(user.role))
      return send(res, 403, 'FORBIDDEN', 'staff only');
    const id = String(req.params.id);
    const ev = /^[0-9a-f-]{36}$/.test(id) ? await rt.orm.em.fork().findOne(EvidenceFile, { id }) : null;
    if (!ev) return send(res, 404, 'NOT_FOUND', 'no such evidence');
    res.setHeader('content-type', ev.contentType);
    res.setHeader('x-content-sm3', ev.sm3);
    res.setHeader('content-disposition', 'attachment');
    createReadStream(path.join(dir, ev.sm3))
      .on('error', () => send(res, 404, 'NOT_FOUND', 'file missing'))
      .pipe(res);
  });
}
