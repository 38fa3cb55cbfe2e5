import { describe, expect, it } from 'vitest';
import { buildSchema, parse } from 'graphql';
import { operationCost } from '../../src/graphql/protection/cost.js';
import { introspectionUse } from '../../src/graphql/protection/introspection.js';
import { TokenBuckets } from '../../src/graphql/protection/token-bucket.js';

const schema = buildSchema(`
  type Person { name: String }
  type Target { name: String persons: [Person!]! }
  type TargetEdge { node: Target! }
  type TargetConnection { edges: [TargetEdge!]! nodes: [Target!]! totalCount: Int! }
  type Query { targets(first: Int, last: Int): TargetConnection! target: Target }
`);

describe('operation cost', () => {
  it('multiplies lists by first/last and counts connections once', () => {
    expect(operationCost(schema, parse('{ targets(first: 50) { nodes { name } } }'))).toBe(1 + 50 * 1);
    expect(operationCost(schema, parse('{ targets(first: 50) { nodes { persons { name } } } }'))).toBe(
      1 + 50 * 2,
    );
    expect(
      operationCost(
        schema,
        parse('{ targets(last: 10) { edges { node { persons { name } } } totalCount } }'),
      ),
    ).toBe(1 + 10 * 3);
    expect(operationCost(schema, parse('{ target { persons { name } } }'))).toBe(2);
  });

  it('reads page sizes from variables, their defaults, or assumes 100', () => {
    const doc = parse('query($n: Int = 20) { targets(first: $n) { nodes { name } } }');
    expect(operationCost(schema, doc, null, { n: 5 })).toBe(6);
    expect(operationCost(schema, doc, null, {})).toBe(21);
    const noDefault = parse('query($n: Int) { targets(first: $n) { nodes { name } } }');
    expect(operationCost(schema, noDefault, null, { n: 'x' })).toBe(101);
  });

  it('follows fragments and adds aliases', () => {
    const doc = parse(
      `{ a: targets(first: 10) { ...F } b: targets(first: 10) { ...F } } fragment F on TargetConnection { nodes { name } }`,
    );
    expect(operationCost(schema, doc)).toBe(2 * 11);
  });

  it('tells introspection-only documents apart', () => {
    expect(introspectionUse(parse('{ __schema { types { name } } }'))).toEqual({
      introspection: true,
      only: true,
    });
    expect(introspectionUse(parse('{ __type(name: "X") { name } target { name } }'))).toEqual({
      introspection: true,
      only: false,
    });
    expect(introspectionUse(parse('{ __typename target { name } }'))).toEqual({
      introspection: false,
      only: false,
    });
  });
});

describe('token buckets', () => {
  it('refuses when empty and refills per minute', () => {
    let now = 0;
    const b = new TokenBuckets(() => now);
    expect(b.take('k', 60, 50)).toEqual({ ok: true });
    expect(b.take('k', 60, 20)).toEqual({ ok: false, retryAfterSeconds: 10 });
    expect(b.take('other', 60, 20)).toEqual({ ok: true });
    now = 10_000;
    expect(b.take('k', 60, 20)).toEqual({ ok: true });
    expect(b.take('k', 60, 61)).toEqual({ ok: false, retryAfterSeconds: 60 });
  });
});
