import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createClient, type Client } from 'graphql-ws';
import pg from 'pg';
import { toGlobalId } from '../../src/graphql/node.js';
import { startTestPlatform, Role, type TestPlatform } from '../support/platform.js';

/**
 * HTTP queries run compiled by graphql-jit (src/graphql/jit.ts); graphql-ws runs the same
 * operations through graphql-js. On the real schema and data both must give the same data and
 * fail on the same paths.
 */
let tp: TestPlatform;
let ws: Client;
let supervisor: string;
let analyst: string;
const vars: Record<string, string> = {};

beforeAll(async () => {
  tp = await startTestPlatform({ demoScale: 80 });
  supervisor = await tp.token(Role.SUPERVISOR, 'ZA');
  analyst = await tp.token(Role.ANALYST, 'ZA');
  const db = new pg.Client({ connectionString: tp.platform.databaseUrl });
  await db.connect();
  try {
    const t = (await db.query<{ target_id: string }>('select target_id from target_person limit 1')).rows[0]!;
    vars.target = toGlobalId('Target', t.target_id);
    const p = (await db.query<{ id: string }>('select id from person limit 1')).rows[0]!;
    vars.person = toGlobalId('Person', p.id);
  } finally {
    await db.end();
  }
});
afterAll(async () => {
  await ws?.dispose();
  await tp?.stop();
});

function overWs(token: string, query: string, variables: Record<string, unknown>) {
  ws = createClient({
    url: tp.url.replace('http', 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
    lazy: true,
  });
  return new Promise<{ data?: unknown; errors?: { path?: unknown }[] }>((resolve, reject) => {
    let result: { data?: unknown; errors?: { path?: unknown }[] } = {};
    ws.subscribe(
      { query, variables },
      {
        next: (v) => (result = v as typeof result),
        error: (e) => (Array.isArray(e) ? resolve({ errors: e as { path?: unknown }[] }) : reject(e)),
        complete: () => resolve(result),
      },
    );
  });
}

const QUERIES: [string, string, Record<string, unknown>?][] = [
  [
    'roster page with persons and last inspection',
    `{ targets(first: 20, sort: NAME) { nodes { id name category jurisdictionCode rowVersion persons { role since until person { id name idType idMasked idValid phoneMasked } } lastInspection { id inspectedOn outcome } } pageInfo { hasNextPage endCursor } } }`,
  ],
  [
    'page through edges, fragments, aliases and __typename',
    `query P($n: Int) { a: targets(first: $n) { edges { cursor node { __typename ...T } } } b: targets(last: 3) { nodes { name } } }
     fragment T on Target { name grade violations { type } ... on Node { id } }`,
    { n: 7 },
  ],
  [
    'node() of a target (interface, lean row)',
    `query($id: ID!) { node(id: $id) { __typename id ... on Target { name persons { person { name } } } } }`,
  ],
  ['node() of a person', `query($p: ID!) { node(id: $p) { __typename ... on Person { name idMasked } } }`],
  [
    'aggregate',
    `{ aggregate(subject: TARGETS, groupBy: [CATEGORY], bucket: MONTH) { rows { keys values } } }`,
  ],
  ['published items', `{ publishedItems(first: 5) { totalCount nodes { code } } }`],
  ['inspectors', `{ inspectors(first: 10) { nodes { policeNo certificateValidTo } } }`],
  ['me', `{ me { role visibleJurisdictions } }`],
  ['a resolver error', `{ targets(first: 99999999) { totalCount } }`],
  ['a non-null error below a list', `{ targets(first: 3) { nodes { name } } b: targets { totalCount } }`],
];

describe('compiled queries answer as graphql-js does', () => {
  it.each(QUERIES)('%s', async (_name, query, extra) => {
    const variables = { id: vars.target, p: vars.person, ...extra };
    for (const token of [supervisor, analyst]) {
      const viaHttp = (await fetch(tp.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({
          query,
          variables: Object.fromEntries(Object.entries(variables).filter(([k]) => query.includes(`$${k}`))),
        }),
      }).then((r) => r.json())) as { data?: unknown; errors?: { path?: unknown }[] };
      const viaWs = await overWs(
        token,
        query,
        Object.fromEntries(Object.entries(variables).filter(([k]) => query.includes(`$${k}`))),
      );
      await ws.dispose();
      if (_name.includes('error')) expect(viaHttp.errors?.length).toBeGreaterThan(0);
      else {
        expect(viaHttp.errors).toBeUndefined();
        expect(JSON.stringify(viaHttp.data).length).toBeGreaterThan(20);
      }
      expect(viaHttp.data ?? null).toEqual(viaWs.data ?? null);
      expect((viaHttp.errors ?? []).map((e) => e.path ?? null)).toEqual(
        (viaWs.errors ?? []).map((e) => e.path ?? null),
      );
    }
  });
});
