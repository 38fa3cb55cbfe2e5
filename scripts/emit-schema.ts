/** Writes the GraphQL SDL to schema/schema.graphql (committed; a test fails on drift). */
import { writeFileSync } from 'node:fs';
import { printSchema, lexicographicSortSchema } from 'graphql';
import { createSchema } from '../src/graphql/schema.js';

const sdl = printSchema(lexicographicSortSchema(await createSchema()));
writeFileSync(new URL('../schema/schema.graphql', import.meta.url), sdl + '\n');
console.log('wrote schema/schema.graphql');
