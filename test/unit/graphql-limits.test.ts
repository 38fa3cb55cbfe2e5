import { describe, expect, it } from 'vitest';
import { buildSchema, parse, specifiedRules, validate } from 'graphql';
import { aliasLimit, countTokens, depthLimit } from '../../src/graphql/limits.js';

const schema = buildSchema(`type Node { name: String, child: Node } type Query { root: Node }`);
const nest = (n: number) => `{ root ${'{ child '.repeat(n)}{ name }${' }'.repeat(n)} }`;

describe('query limits', () => {
  it('refuses documents deeper than the limit, following fragments', () => {
    expect(validate(schema, parse(nest(5)), [...specifiedRules, depthLimit(8)])).toEqual([]);
    const errs = validate(schema, parse(nest(9)), [...specifiedRules, depthLimit(8)]);
    expect(errs[0]?.extensions.code).toBe('QUERY_TOO_DEEP');
    const viaFragment = `query { root { ...F } } fragment F on Node { child { child { child { child { child { child { child { child { name } } } } } } } } }`;
    expect(validate(schema, parse(viaFragment), [...specifiedRules, depthLimit(8)])[0]?.extensions.code).toBe(
      'QUERY_TOO_DEEP',
    );
  });

  it('refuses more than 15 aliases', () => {
    const q = `{ ${Array.from({ length: 16 }, (_, i) => `a${i}: root { name }`).join(' ')} }`;
    expect(validate(schema, parse(q), [aliasLimit(15)])[0]?.extensions.code).toBe('TOO_MANY_ALIASES');
  });

  it('counts tokens, not characters, and ignores comments', () => {
    expect(countTokens('{ root { name } }', 1000)).toBe(6);
    expect(countTokens('# comment with many words\n{ a }', 1000)).toBe(3);
    expect(countTokens('{ a(x: "a long string literal") }', 1000)).toBe(8);
  });
});
