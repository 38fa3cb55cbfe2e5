import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { graphql, type GraphQLObjectType } from 'graphql';
import {
  Authorized,
  Field,
  FieldResolver,
  ObjectType,
  Query,
  Resolver,
  Root,
  buildSchema,
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
}

describe('plain fields read directly', () => {
  it('drops the wrapper only where nothing guards or computes the field', async () => {
    const schema = await buildSchema({
      resolvers: [ProbeResolver],
      authChecker: ({ context }, roles) => roles.includes((context as { role: string }).role),
      authMode: 'null',
    });
    plainFieldsReadDirectly(schema);
    const fields = (schema.getType('PlainProbe') as GraphQLObjectType).getFields();
    expect(fields.open!.resolve).toBeUndefined();
    expect(fields.secret!.resolve).toBeDefined();
    expect(fields.renamed!.resolve).toBeDefined();
    expect(fields.computed!.resolve).toBeDefined();
    const r = await graphql({
      schema,
      source: '{ probe { open secret renamed computed } }',
      contextValue: { role: 'CLERK' },
    });
    expect(r.errors).toBeUndefined();
    expect(r.data).toEqual({ probe: { open: 'o', secret: null, renamed: 'i', computed: 'raw!' } });
  });
});
