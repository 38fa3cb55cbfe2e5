import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { graphql, type GraphQLObjectType } from 'graphql';
import {
  Arg,
  Authorized,
  Ctx,
  Field,
  FieldResolver,
  ObjectType,
  Query,
  Resolver,
  Root,
  buildSchema,
  type AuthCheckerFn,
} from 'type-graphql';
import { plainFieldsReadDirectly } from '../../src/graphql/schema.js';

@ObjectType('PlainProbe')
class Probe {
  @Field(() => String) open!: string;

  @Authorized('BOSS')
  @Field(() => String, { nullable: true })
  secret!: string;

  @Field(() => String, { name: 'renamed' }) inner!: string;

  @Field(() => String) computed!: string;
}

@Resolver(() => Probe)
class ProbeResolver {
  @Query(() => Probe)
  probe(): Probe {
    return Object.assign(new Probe(), { open: 'o', secret: 's', inner: 'i', computed: 'raw' });
  }

  @FieldResolver(() => String)
  computed(@Root() p: Probe): string {
    return `${p.computed}!`;
  }

  @FieldResolver(() => String)
  withContext(@Root() p: Probe, @Ctx() ctx: { role: string }): string {
    return `${p.open}:${ctx.role}`;
  }

  @Authorized('BOSS')
  @FieldResolver(() => String, { nullable: true })
  guardedComputed(@Root() p: Probe): string {
    return `${p.secret}?`;
  }

  @FieldResolver(() => String)
  withArg(@Root() p: Probe, @Arg('suffix', () => String) suffix: string): string {
    return `${p.open}${suffix}`;
  }
}

const authChecker: AuthCheckerFn = ({ context }, roles) => roles.includes((context as { role: string }).role);

describe('plain fields read directly', () => {
  it('drops the wrapper only where nothing guards or computes the field', async () => {
    const schema = await buildSchema({
      resolvers: [ProbeResolver],
      authChecker,
      authMode: 'null',
    });
    plainFieldsReadDirectly(schema, { authChecker, authMode: 'null' });
    const fields = (schema.getType('PlainProbe') as GraphQLObjectType).getFields();
    expect(fields.open!.resolve).toBeUndefined();
    expect(fields.secret!.resolve).toBeDefined();
    expect(fields.renamed!.resolve).toBeDefined();
    // Field resolvers with nothing but @Root/@Ctx/@Info are called directly, @Authorized ones with
    // the same check; ones with arguments keep type-graphql's wrapper.
    expect(fields.computed!.resolve?.name).toBe('directFieldResolver');
    expect(fields.withContext!.resolve?.name).toBe('directFieldResolver');
    expect(fields.guardedComputed!.resolve?.name).toBe('directFieldResolver');
    expect(fields.withArg!.resolve?.name).not.toBe('directFieldResolver');
    const r = await graphql({
      schema,
      source: '{ probe { open secret renamed computed withContext guardedComputed withArg(suffix: "+") } }',
      contextValue: { role: 'CLERK' },
    });
    expect(r.errors).toBeUndefined();
    expect(r.data).toEqual({
      probe: {
        open: 'o',
        secret: null,
        renamed: 'i',
        computed: 'raw!',
        withContext: 'o:CLERK',
        guardedComputed: null,
        withArg: 'o+',
      },
    });
    const boss = await graphql({
      schema,
      source: '{ probe { guardedComputed } }',
      contextValue: { role: 'BOSS' },
    });
    expect(boss.data).toEqual({ probe: { guardedComputed: 's?' } });
  });

  it('checks an @Authorized field resolver called directly exactly as type-graphql does', async () => {
    const asyncChecker: AuthCheckerFn = async (data, roles) => authChecker(data, roles);
    for (const checker of [authChecker, asyncChecker]) {
      const wrapped = await buildSchema({
        resolvers: [ProbeResolver],
        authChecker: checker,
        authMode: 'error',
      });
      const direct = await buildSchema({
        resolvers: [ProbeResolver],
        authChecker: checker,
        authMode: 'error',
      });
      plainFieldsReadDirectly(direct, { authChecker: checker, authMode: 'error' });
      const field = (direct.getType('PlainProbe') as GraphQLObjectType).getFields().guardedComputed!;
      expect(field.resolve?.name).toBe('directFieldResolver');
      for (const role of ['CLERK', 'BOSS']) {
        const run = (schema: typeof direct) =>
          graphql({ schema, source: '{ probe { open guardedComputed } }', contextValue: { role } });
        const [a, b] = [await run(wrapped), await run(direct)];
        expect(JSON.parse(JSON.stringify(b))).toEqual(JSON.parse(JSON.stringify(a)));
        if (role === 'CLERK') expect(b.errors?.[0]?.message).toMatch(/Access denied/);
        else expect(b.data).toEqual({ probe: { open: 'o', guardedComputed: 's?' } });
      }
    }
  });
});
