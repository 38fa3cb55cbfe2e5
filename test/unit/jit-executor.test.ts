import { describe, expect, it } from 'vitest';
import { buildSchema, execute, GraphQLError, parse, type DocumentNode, type GraphQLSchema } from 'graphql';
import { jitGateway } from '../../src/graphql/jit.js';

class Coded extends Error {
  extensions = { code: 'CODED' };
}

function schemaWithResolvers(): { schema: GraphQLSchema; calls: string[] } {
  const schema = buildSchema(`
    interface Named { name: String! }
    type Item implements Named { name: String! price: Int tags: [String!]! }
    type Shop implements Named { name: String! items(first: Int!): [Item!]! }
    enum Sort { NAME PRICE }
    type Query { shop(sort: Sort): Shop! named(kind: String!): Named broken: String strict: Item! plainError: String }
    type Mutation { rename(name: String!): Shop! }
  `);
  const calls: string[] = [];
  const items = [
    { name: 'b', price: 2, tags: ['x'] },
    { name: 'a', price: null, tags: [] },
  ];
  const q = schema.getQueryType()!.getFields();
  q.shop!.resolve = async (_s, args: { sort?: string }) => {
    calls.push(`shop:${args.sort ?? ''}`);
    return { name: 'S', items };
  };
  q.named!.resolve = (_s, args: { kind: string }) => (args.kind === 'item' ? items[0] : { name: 'S', items });
  q.broken!.resolve = () => {
    throw new Coded('no');
  };
  q.plainError!.resolve = () => {
    throw new Error('plain');
  };
  q.strict!.resolve = () => null;
  const shop = schema.getType('Shop') as unknown as { getFields(): Record<string, { resolve?: unknown }> };
  shop.getFields().items!.resolve = (s: { items: unknown[] }, args: { first: number }) =>
    s.items.slice(0, args.first);
  const named = schema.getType('Named') as unknown as { resolveType: (v: { price?: unknown }) => string };
  named.resolveType = (v) => ('price' in v ? 'Item' : 'Shop');
  schema.getMutationType()!.getFields().rename!.resolve = (_s, args: { name: string }) => {
    calls.push(`rename:${args.name}`);
    return { name: args.name, items: [] };
  };
  return { schema, calls };
}

async function executorOf(schema: GraphQLSchema) {
  const gateway = jitGateway(schema);
  let loaded: GraphQLSchema | null = null;
  gateway.onSchemaLoadOrUpdate(({ apiSchema }) => (loaded = apiSchema));
  const { executor } = await gateway.load({ apollo: {} });
  expect(loaded).toBe(schema);
  return (document: DocumentNode, variables?: Record<string, unknown>, operationName?: string) => {
    const operation = document.definitions.find(
      (d) => d.kind === 'OperationDefinition' && (!operationName || d.name?.value === operationName),
    );
    return executor!({
      document,
      operation,
      operationName: operationName ?? null,
      context: {},
      request: { variables, operationName },
    } as never);
  };
}

const plain = (r: unknown) => JSON.parse(JSON.stringify(r)) as unknown;

describe('graphql-jit executor', () => {
  it('answers queries exactly as graphql-js does: data, nulls, lists, abstract types, errors', async () => {
    const { schema } = schemaWithResolvers();
    const run = await executorOf(schema);
    const documents = [
      '{ shop { name items(first: 5) { name price tags } } }',
      'query Q($s: Sort, $n: Int!) { shop(sort: $s) { x: name items(first: $n) { name } } }',
      '{ a: named(kind: "item") { name ... on Item { price } } b: named(kind: "shop") { __typename name } }',
      '{ broken plainError shop { name } }',
      '{ strict { name } }',
    ];
    for (const text of documents) {
      const document = parse(text);
      const variables = { s: 'PRICE', n: 1 };
      const expected = await execute({ schema, document, variableValues: variables, contextValue: {} });
      const got = await run(document, variables);
      expect(plain(got), text).toEqual(plain(expected));
      for (const e of got.errors ?? []) {
        // Real graphql-js errors (Apollo reads extensions.code), the cause kept.
        expect(e).toBeInstanceOf(GraphQLError);
        expect(e.extensions).toBeTypeOf('object');
        expect(e.originalError).toBeInstanceOf(Error);
      }
    }
    const coded = await run(parse('{ broken }'));
    expect(coded.errors?.[0]?.extensions).toEqual({ code: 'CODED' });
  });

  it('answers variables that do not coerce with graphql-js messages, and never runs a resolver', async () => {
    const { schema, calls } = schemaWithResolvers();
    const run = await executorOf(schema);
    const document = parse('query Q($s: Sort, $n: Int!) { shop(sort: $s) { items(first: $n) { name } } }');
    for (const variables of [{ s: 'NOPE', n: 1 }, { s: 'NAME' }, { s: 'NAME', n: 'many' }]) {
      const expected = await execute({ schema, document, variableValues: variables, contextValue: {} });
      const got = await run(document, variables);
      expect(got.data).toBeUndefined();
      expect(plain(got)).toEqual(plain(expected));
    }
    expect(calls).toEqual([]);
  });

  it('compiles an operation once per document and runs mutations on graphql-js, in order', async () => {
    const { schema, calls } = schemaWithResolvers();
    const run = await executorOf(schema);
    const document = parse('query A { shop(sort: NAME) { name } } query B { shop(sort: PRICE) { name } }');
    expect(await run(document, undefined, 'A')).toEqual({ data: { shop: { name: 'S' } } });
    expect(await run(document, undefined, 'B')).toEqual({ data: { shop: { name: 'S' } } });
    expect(await run(document, undefined, 'A')).toEqual({ data: { shop: { name: 'S' } } });
    expect(calls).toEqual(['shop:NAME', 'shop:PRICE', 'shop:NAME']);
    const m = await run(parse('mutation { a: rename(name: "x") { name } b: rename(name: "y") { name } }'));
    expect(m).toEqual({ data: { a: { name: 'x' }, b: { name: 'y' } } });
    expect(calls.slice(3)).toEqual(['rename:x', 'rename:y']);
  });
});
