import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { Length, Max } from 'class-validator';
import { ArgumentValidationError } from 'type-graphql';
import { validateArgs } from '../../src/graphql/schema.js';

class Input {
  @Length(2, 4)
  code = 'ok';

  @Max(10)
  n = 1;
}

const input = (over: Partial<Input>): Input => Object.assign(new Input(), over);
const run = (value: unknown) => validateArgs(value, Input, {} as never);

/** The failing property names of an ArgumentValidationError, or null when the value passed. */
async function failures(value: unknown): Promise<string[] | null> {
  try {
    await run(value);
    return null;
  } catch (e) {
    expect(e).toBeInstanceOf(ArgumentValidationError);
    const errs = (e as ArgumentValidationError).extensions.validationErrors as {
      property: string;
      target?: unknown;
      value?: unknown;
    }[];
    // The settings type-graphql's `validate` option applied: no target or value in the errors.
    for (const err of errs) expect(['target' in err, 'value' in err]).toEqual([false, false]);
    return errs.map((x) => x.property).sort();
  }
}

describe('argument validation (validateArgs)', () => {
  it('passes valid objects and skips primitives and null', async () => {
    expect(await failures(input({}))).toBeNull();
    for (const v of [null, undefined, 3, 'x', true]) expect(await failures(v)).toBeNull();
  });

  it('names every bad property of an object argument', async () => {
    expect(await failures(input({ code: 'x', n: 99 }))).toEqual(['code', 'n']);
  });

  it('validates each object of a list argument', async () => {
    expect(await failures([input({}), 7, input({ n: 11 })])).toEqual(['n']);
    expect(await failures([input({}), input({})])).toBeNull();
  });

  it('skips missing properties, as type-graphql did', async () => {
    const partial = new Input();
    delete (partial as Partial<Input>).code;
    expect(await failures(partial)).toBeNull();
  });
});
