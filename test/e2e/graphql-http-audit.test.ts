import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditServer, type AuditResult } from 'graphql-http';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';

let tp: TestPlatform;
let results: AuditResult[];

beforeAll(async () => {
  tp = await startTestPlatform({ demoScale: 20, env: { GRAPHQL_INTROSPECTION: 'true' } });
  results = await auditServer({ url: tp.url });
});
afterAll(async () => {
  await tp?.stop();
});

describe('GraphQL over HTTP conformance (graphql-http auditServer)', () => {
  it('passes every MUST audit: no error results', () => {
    const errors = results
      .filter((r) => r.status === 'error')
      .map((r) => `${r.id} ${r.name}: ${r.status === 'ok' ? '' : r.reason}`);
    expect(errors).toEqual([]);
    expect(results.filter((r) => r.status === 'ok').length).toBeGreaterThan(20);
  });

  it('leaves only the known SHOULD warnings and MAY notices (explained in the README)', () => {
    // SHOULD: Apollo answers parse, validation and variable-coercion errors with 400 even to
    // `accept: application/json` (the legacy content type, where the spec prefers 200).
    const warnings = results
      .filter((r) => r.status === 'warn')
      .map((r) => r.id)
      .sort();
    expect(warnings).toEqual(['572B', '7B9B', 'FDE2']);
    // MAY: GET requests without a preflight header are refused by CSRF prevention.
    const notices = results
      .filter((r) => r.status === 'notice')
      .map((r) => r.id)
      .sort();
    expect(notices).toEqual(['5A70', '6A70', 'D6D5']);
  });
});
