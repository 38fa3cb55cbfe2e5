import http from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, Role, type TestPlatform } from '../support/platform.js';

/**
 * `POST /graphql` with a JSON body is answered on node:http directly (src/graphql/http-post.ts);
 * any other request goes through express. The same request sent both ways — a query string sends
 * it through express — must get the same answer.
 */
let tp: TestPlatform;
let token: string;
const LIMIT = 4096;
/** Operations per minute per token: the rate-limit case spends a token of its own. */
const RATE = 120;

beforeAll(async () => {
  tp = await startTestPlatform({
    demoScale: 50,
    env: { BODY_LIMIT_BYTES: String(LIMIT), GRAPHQL_RATE_LIMIT_PER_MINUTE: String(RATE) },
  });
  token = await tp.token(Role.SUPERVISOR, 'ZA');
});
afterAll(async () => {
  await tp?.stop();
});

interface Answer {
  status: number;
  type: string | undefined;
  requestId: string | undefined;
  retryAfter: string | undefined;
  body: unknown;
  /** The body's exact text. */
  text: string;
}

/** One raw request (exact bytes, optional chunked body), its answer parsed. */
function send(
  path: string,
  body: Buffer | string,
  headers: Record<string, string>,
  opts: { chunked?: boolean } = {},
): Promise<Answer> {
  const u = new URL(tp.url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: u.hostname,
        port: u.port,
        path,
        method: 'POST',
        headers: opts.chunked ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // kept as text
          }
          resolve({
            status: res.statusCode!,
            type: res.headers['content-type'],
            requestId: res.headers['x-request-id'] as string | undefined,
            retryAfter: res.headers['retry-after'],
            body: parsed,
            text,
          });
        });
      },
    );
    req.on('error', reject);
    if (opts.chunked) {
      const b = Buffer.from(body);
      for (let i = 0; i < b.length; i += 1000) req.write(b.subarray(i, i + 1000));
      req.end();
    } else req.end(body);
  });
}

const JSON_HEADERS = (extra: Record<string, string> = {}) => ({
  'content-type': 'application/json',
  authorization: `Bearer ${token}`,
  ...extra,
});

/** The answer of the direct path and of express to the same request. */
async function bothWays(
  body: Buffer | string,
  headers: Record<string, string> = JSON_HEADERS(),
  opts: { chunked?: boolean } = {},
) {
  const direct = await send('/graphql', body, headers, opts);
  const viaExpress = await send('/graphql?via=express', body, headers, opts);
  expect(direct.requestId).toBeTruthy();
  expect(viaExpress.requestId).toBeTruthy();
  return { direct, viaExpress };
}

function same(a: Answer, b: Answer) {
  expect({ ...a, requestId: undefined }).toEqual({ ...b, requestId: undefined });
}

describe('POST /graphql answered without express', () => {
  it('answers queries, errors and every refusal exactly as the express chain does', async () => {
    const cases: { name: string; body: Buffer | string; headers?: Record<string, string>; status: number }[] =
      [
        {
          name: 'a page',
          body: JSON.stringify({ query: '{ targets(first: 3) { nodes { name } } }' }),
          status: 200,
        },
        {
          name: 'variables and operation name',
          body: JSON.stringify({
            query: 'query P($n: Int) { targets(first: $n) { nodes { name } } }',
            variables: { n: 2 },
            operationName: 'P',
          }),
          status: 200,
        },
        {
          name: 'a byte order mark',
          body: '\ufeff' + JSON.stringify({ query: '{ me { role } }' }),
          status: 200,
        },
        { name: 'not JSON', body: '{"query": ', status: 400 },
        { name: 'a JSON number', body: '42', status: 400 },
        { name: 'an empty body', body: '', status: 400 },
        { name: 'a syntax error', body: JSON.stringify({ query: '{ targets(' }), status: 400 },
        { name: 'an unknown field', body: JSON.stringify({ query: '{ nope }' }), status: 400 },
        {
          name: 'an unknown trusted document',
          body: JSON.stringify({ documentId: 'sha256:feed' }),
          status: 400,
        },
        {
          name: 'too many tokens',
          body: JSON.stringify({ query: `{ ${'a '.repeat(1100)} }` }),
          status: 400,
        },
        {
          name: 'a bad token',
          body: JSON.stringify({ query: '{ me { role } }' }),
          headers: JSON_HEADERS({ authorization: 'Bearer nope' }),
          status: 401,
        },
        {
          name: 'a body over the limit',
          body: JSON.stringify({ query: '{ me { role } }', pad: 'x'.repeat(LIMIT) }),
          status: 413,
        },
      ];
    for (const c of cases) {
      const { direct, viaExpress } = await bothWays(c.body, c.headers);
      expect(direct.status, c.name).toBe(c.status);
      same(direct, viaExpress);
    }
  });

  it('refuses a chunked body over the limit and keeps the connection usable', async () => {
    const big = JSON.stringify({ query: '{ me { role } }', pad: 'y'.repeat(LIMIT * 3) });
    const { direct, viaExpress } = await bothWays(big, JSON_HEADERS(), { chunked: true });
    expect(direct.status).toBe(413);
    expect(direct.body).toMatchObject({ errors: [{ extensions: { code: 'PAYLOAD_TOO_LARGE' } }] });
    same(direct, viaExpress);
    const after = await send('/graphql', JSON.stringify({ query: '{ me { role } }' }), JSON_HEADERS());
    expect(after.status).toBe(200);
  });

  it('leaves other content types, charsets and encodings to express, CSRF prevention included', async () => {
    const body = JSON.stringify({ query: '{ me { role } }' });
    // A simple request (text/plain) is what CSRF prevention refuses.
    const plain = await send('/graphql', body, {
      'content-type': 'text/plain',
      authorization: `Bearer ${token}`,
    });
    expect(plain.status).toBe(400);
    expect(JSON.stringify(plain.body)).toMatch(/CSRF|content-type|Content-Type/i);
    const latin = await send(
      '/graphql',
      body,
      JSON_HEADERS({ 'content-type': 'application/json; charset=latin1' }),
    );
    expect(latin.status).toBe(415);
    expect(latin.body).toMatchObject({ errors: [{ extensions: { code: 'UNSUPPORTED_MEDIA_TYPE' } }] });
    const zipped = await send('/graphql', gzipSync(body), JSON_HEADERS({ 'content-encoding': 'gzip' }));
    expect(zipped.body).toEqual({ data: { me: { role: 'SUPERVISOR' } } });
    const corrupt = await send('/graphql', body, JSON_HEADERS({ 'content-encoding': 'gzip' }));
    expect(corrupt.status).toBe(400);
    expect(corrupt.body).toMatchObject({ errors: [{ extensions: { code: 'BAD_REQUEST' } }] });
    const unknown = await send('/graphql', body, JSON_HEADERS({ 'content-encoding': 'zstd' }));
    expect(unknown.status).toBe(415);
    const utf8 = await send(
      '/graphql',
      body,
      JSON_HEADERS({ 'content-type': 'application/json; charset=UTF-8' }),
    );
    expect(utf8.status).toBe(200);
    expect(utf8.body).toEqual({ data: { me: { role: 'SUPERVISOR' } } });
  });

  it('echoes a caller request id and logs the request once', async () => {
    const id = 'probe-request-1234';
    const before = tp.logs.length;
    const r = await send(
      '/graphql',
      JSON.stringify({ query: '{ me { role } }' }),
      JSON_HEADERS({ 'x-request-id': id }),
    );
    expect(r.requestId).toBe(id);
    await new Promise((res) => setTimeout(res, 50));
    const lines = tp.logs
      .slice(before)
      .filter((l) => l.includes(id) && l.includes('request completed'))
      .map((l) => JSON.parse(l) as { req: { path: string; method: string }; res: { statusCode: number } });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ req: { path: '/graphql', method: 'POST' }, res: { statusCode: 200 } });
  });
});

/** HTTP operations the direct path (src/graphql/direct-query.ts) answered so far. */
async function directAnswers(): Promise<number> {
  const text = await (await fetch(tp.url.replace('/graphql', '/metrics'))).text();
  const line = text.split('\n').find((l) => l.startsWith('shuangsui_graphql_direct_answers_total '));
  return Number(line?.split(' ').pop() ?? 0);
}

const PAGE =
  'targets(first: $n) { edges { node { persons { person { name } } } } nodes { persons { person { name } } } }';

describe("valid queries answered without Apollo Server's pipeline", () => {
  it('answers what Apollo answers: data, resolver errors, refusals; leaves everything else to Apollo', async () => {
    const cases: {
      name: string;
      body: object;
      headers?: Record<string, string>;
      direct: boolean;
      status: number;
    }[] = [
      {
        name: 'a page',
        body: { query: '{ targets(first: 3) { nodes { name category } } }' },
        direct: true,
        status: 200,
      },
      {
        name: 'variables and operation name',
        body: {
          query: 'query A { me { role } } query P($n: Int) { targets(first: $n) { nodes { name } } }',
          variables: { n: 2 },
          operationName: 'P',
        },
        direct: true,
        status: 200,
      },
      {
        name: 'the floor',
        body: { query: '{ __typename }', variables: null, extensions: {} },
        direct: true,
        status: 200,
      },
      {
        name: 'a resolver error',
        body: {
          query: `{ aggregate(subject: TARGETS, groupBy: [CATEGORY], asOf: "2999-01-01T00:00:00.000Z") { rows { keys } } }`,
        },
        direct: true,
        status: 200,
      },
      {
        name: 'a refusal with its status (cost over the limit)',
        body: { query: `query Costly($n: Int) { a: ${PAGE} b: ${PAGE} c: ${PAGE} }`, variables: { n: 100 } },
        direct: true,
        status: 400,
      },
      {
        name: 'a public caller',
        body: { query: '{ me { role } }' },
        headers: { 'content-type': 'application/json' },
        direct: true,
        status: 200,
      },
      {
        name: 'a mutation',
        body: {
          query:
            'mutation { createTarget(input: { category: HOTEL, name: "直通宾馆", jurisdictionCode: "999" }) { id } }',
        },
        headers: { 'content-type': 'application/json' },
        direct: false,
        status: 200,
      },
      {
        name: 'introspection',
        body: { query: '{ __schema { queryType { name } } }' },
        direct: false,
        status: 400,
      },
      {
        name: 'variables that do not coerce',
        body: {
          query: 'query P($n: Int) { targets(first: $n) { nodes { name } } }',
          variables: { n: 'many' },
        },
        direct: false,
        status: 400,
      },
      {
        name: 'an unknown operation name',
        body: { query: '{ me { role } }', operationName: 'Nope' },
        direct: false,
        status: 400,
      },
      // Accept headers: negotiated as Apollo does, answered directly while a JSON type is acceptable.
      ...(
        [
          [
            "Apollo Client's (the GraphQL response type preferred)",
            'application/graphql-response+json,application/json;q=0.9',
            true,
            200,
          ],
          ["axios's", 'application/json, text/plain, */*', true, 200],
          ['one without a JSON type', 'text/html', false, 406],
        ] as const
      ).map(([who, accept, direct, status]) => ({
        name: `${who} accept header`,
        body: { query: '{ me { role } }' },
        headers: JSON_HEADERS({ accept }),
        direct,
        status,
      })),
      {
        name: 'a field Apollo ignores',
        body: { query: '{ me { role } }', id: 7 },
        direct: false,
        status: 200,
      },
      {
        name: 'variables of the wrong type',
        body: { query: '{ me { role } }', variables: [1] },
        direct: false,
        status: 400,
      },
    ];
    for (const c of cases) {
      const before = await directAnswers();
      const { direct, viaExpress } = await bothWays(JSON.stringify(c.body), c.headers);
      expect(await directAnswers(), c.name).toBe(before + (c.direct ? 1 : 0));
      expect(direct.status, `${c.name}: ${JSON.stringify(direct.body)}`).toBe(c.status);
      same(direct, viaExpress);
    }
  });

  it('answers a rate-limited caller 429 with Retry-After, as Apollo does', async () => {
    const t = await tp.token(Role.SUPERVISOR, 'ZA', 'direct-rate-probe');
    const headers = JSON_HEADERS({ authorization: `Bearer ${t}` });
    const body = JSON.stringify({ query: '{ __typename }' });
    // The bucket refills continuously (one token every 60/RATE s), so a token can come back while
    // the caller spends it: send until the first refusal, then both ways at once. A token that
    // still refills between the refusal and the pair (a window of milliseconds) lets the pair be
    // tried again, at most three times; a path that never refuses fails all three.
    let pair: Awaited<ReturnType<typeof bothWays>> | undefined;
    for (let attempt = 0; attempt < 3 && !pair; attempt++) {
      for (let sent = 0; (await send('/graphql', body, headers)).status === 200; sent++)
        expect(sent).toBeLessThan(2 * RATE);
      const before = await directAnswers();
      const p = await bothWays(body, headers);
      expect(await directAnswers()).toBe(before + 1);
      if (p.direct.status === 429 && p.viaExpress.status === 429) pair = p;
    }
    expect(pair, 'both paths refuse a caller whose bucket is empty').toBeDefined();
    const { direct, viaExpress } = pair!;
    expect(Number(direct.retryAfter)).toBeGreaterThan(0);
    expect(direct.body).toMatchObject({ errors: [{ extensions: { code: 'RATE_LIMITED' } }] });
    same(direct, viaExpress);
  });

  it("records the operation metrics Apollo's plugin records", async () => {
    const scrape = async () => (await fetch(tp.url.replace('/graphql', '/metrics'))).text();
    const count = (text: string, name: string, labels: string) =>
      Number(
        text
          .split('\n')
          .find((l) => l.startsWith(`${name}{`) && l.includes(labels))
          ?.split(' ')
          .pop() ?? 0,
      );
    const ops = 'shuangsui_graphql_operations_total';
    const runs = 'shuangsui_graphql_executions_started_total';
    const before = await scrape();
    const body = JSON.stringify({ query: 'query DirectProbe { me { role } }' });
    const { direct } = await bothWays(body);
    expect(direct.status).toBe(200);
    const after = await scrape();
    expect(count(after, ops, 'operation="DirectProbe",type="query",outcome="ok"')).toBe(
      count(before, ops, 'operation="DirectProbe",type="query",outcome="ok"') + 2,
    );
    expect(count(after, runs, 'type="query"')).toBe(count(before, runs, 'type="query"') + 2);
  });
});
