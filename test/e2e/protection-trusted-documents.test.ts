import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, Role, type TestPlatform } from '../support/platform.js';
import { sm3Hex } from '../../src/crypto/sm.js';

let off: TestPlatform;
let audit: TestPlatform;
let enforce: TestPlatform;
let admin: string;
let analyst: string;

const REGISTERED = `query DashMe { me { role dept } }`;
const UNKNOWN = `query Sneaky { me { role } }`;
const INTROSPECT = `{ __schema { queryType { name } } }`;

beforeAll(async () => {
  off = await startTestPlatform({ demoScale: 50 });
  audit = await startTestPlatform({ sameDatabaseAs: off, demo: false, env: { TRUSTED_DOCUMENTS: 'audit' } });
  enforce = await startTestPlatform({
    sameDatabaseAs: off,
    demo: false,
    env: { TRUSTED_DOCUMENTS: 'enforce', GRAPHQL_INTROSPECTION_ADMIN: 'true' },
  });
  admin = await off.token(Role.ADMIN, null, 'td-admin');
  analyst = await off.token(Role.ANALYST, 'ZA', 'td-analyst');
});
afterAll(async () => {
  await enforce?.stop();
  await audit?.stop();
  await off?.stop();
});

async function post(tp: TestPlatform, body: unknown, token: string, client = 'dash-web') {
  const res = await fetch(tp.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${token}`,
      'apollographql-client-name': client,
    },
    body: JSON.stringify(body),
  });
  return {
    status: res.status,
    body: (await res.json()) as { data?: unknown; errors?: { extensions: { code: string } }[] },
  };
}

describe('trusted documents', () => {
  it('registers a document (ADMIN only) with its sha256 and SM3, idempotently and audited', async () => {
    const q = `mutation($c: String!, $n: String!, $d: String!) { registerTrustedDocument(clientName: $c, name: $n, document: $d) { id sha256 sm3 clientName } }`;
    const vars = { c: 'dash-web', n: 'DashMe', d: REGISTERED };
    const denied = await off.gql(q, vars, analyst);
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const r = await off.gql<{ registerTrustedDocument: { id: string; sha256: string; sm3: string } }>(
      q,
      vars,
      admin,
    );
    expect(r.errors).toBeUndefined();
    expect(r.errors).toBeUndefined();
    expect(r.data!.registerTrustedDocument.sha256).toBe(
      createHash('sha256').update(REGISTERED).digest('hex'),
    );
    expect(r.data!.registerTrustedDocument.sm3).toBe(sm3Hex(Buffer.from(REGISTERED)));
    const again = await off.gql<{ registerTrustedDocument: { id: string } }>(q, vars, admin);
    expect(again.data!.registerTrustedDocument.id).toBe(r.data!.registerTrustedDocument.id);
    const bad = await off.gql(q, { ...vars, d: '{ nope }' }, admin);
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(bad.errors)).toContain('document');
    const trail = await off.gql<{ auditTrail: { action: string }[] }>(
      `query($id: ID!) { auditTrail(entityId: $id) { action } }`,
      { id: r.data!.registerTrustedDocument.id },
      admin,
    );
    expect(trail.data!.auditTrail.map((a) => a.action)).toContain('trustedDocument.register');
  });

  it('off: runs anything and counts nothing', async () => {
    const r = await post(off, { query: UNKNOWN }, analyst, 'off-client');
    expect(r.body.errors).toBeUndefined();
    const list = await off.gql<{ unknownOperations: unknown[] }>(
      `{ unknownOperations(clientName: "off-client") { sha256 } }`,
      {},
      admin,
    );
    expect(list.data!.unknownOperations).toEqual([]);
  });

  it('audit: runs unknown operations and reports them per client', async () => {
    expect((await post(audit, { query: UNKNOWN }, analyst)).body.errors).toBeUndefined();
    expect((await post(audit, { query: UNKNOWN }, analyst)).body.errors).toBeUndefined();
    expect((await post(audit, { query: UNKNOWN }, analyst, 'other-app')).body.errors).toBeUndefined();
    expect((await post(audit, { query: REGISTERED }, analyst)).body.errors).toBeUndefined();
    const list = await audit.gql<{
      unknownOperations: { clientName: string; sha256: string; operationName: string; count: string }[];
    }>(`{ unknownOperations { clientName sha256 operationName count } }`, {}, admin);
    const sha = createHash('sha256').update(UNKNOWN).digest('hex');
    expect(list.data!.unknownOperations.filter((u) => u.clientName !== 'unknown')).toEqual([
      { clientName: 'dash-web', sha256: sha, operationName: 'Sneaky', count: '2' },
      { clientName: 'other-app', sha256: sha, operationName: 'Sneaky', count: '1' },
    ]);
  });

  it('enforce: refuses unknown operations with a coded error, runs registered ones by text or id', async () => {
    const r = await post(enforce, { query: UNKNOWN }, analyst);
    expect(r.status).toBe(400);
    expect(r.body).not.toHaveProperty('data');
    expect(r.body.errors![0]!.extensions.code).toBe('TRUSTED_DOCUMENT_REQUIRED');
    expect((await post(enforce, { query: REGISTERED }, analyst)).body).toEqual({
      data: { me: { role: 'ANALYST', dept: 'ZA' } },
    });
    const sha = createHash('sha256').update(REGISTERED).digest('hex');
    expect((await post(enforce, { documentId: sha }, analyst)).body.errors).toBeUndefined();
    expect(
      (await post(enforce, { documentId: `sm3:${sm3Hex(Buffer.from(REGISTERED))}` }, analyst)).body.errors,
    ).toBeUndefined();
    const apq = await post(
      enforce,
      { extensions: { persistedQuery: { version: 1, sha256Hash: sha } } },
      analyst,
    );
    expect(apq.body.errors).toBeUndefined();
    const missing = await post(enforce, { documentId: 'sha256:' + '0'.repeat(64) }, analyst);
    expect(missing.status).toBe(400);
    expect(missing.body.errors![0]!.extensions.code).toBe('TRUSTED_DOCUMENT_NOT_FOUND');
  });

  it('introspection: refused for non-admins, allowed for ADMIN when GRAPHQL_INTROSPECTION_ADMIN is on', async () => {
    const a = await post(enforce, { query: INTROSPECT }, analyst);
    expect(a.body.errors![0]!.extensions.code).toBe('INTROSPECTION_FORBIDDEN');
    expect(a.body).not.toHaveProperty('data');
    const ok = await post(enforce, { query: INTROSPECT }, admin);
    expect(ok.body).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
    // Without the flag (and GRAPHQL_INTROSPECTION off) even ADMIN is refused.
    const offAdmin = await post(off, { query: INTROSPECT }, admin);
    expect(offAdmin.body.errors?.[0]).toBeDefined();
    expect(offAdmin.body).not.toHaveProperty('data');
  });
});
