import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { createSchema } from '../../src/graphql/schema.js';

describe('schema/schema.graphql', () => {
  it('matches what the code emits (run `npm run schema:emit` after changing the API)', async () => {
    const emitted = printSchema(lexicographicSortSchema(await createSchema())) + '\n';
    const committed = readFileSync(new URL('../../schema/schema.graphql', import.meta.url), 'utf8');
    expect(committed).toBe(emitted);
  });
});
