import { Arg, Authorized, Ctx as C, Info, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { GraphQLResolveInfo } from 'graphql';
import type { Ctx } from '../context.js';
import { AppError } from '../../shared/errors.js';
import { TrustedDocument } from './trusted-document.entity.js';
import { UnknownOperation } from './unknown-operation.entity.js';

@Resolver()
export class ProtectionResolver {
  @Authorized()
  @Mutation(() => TrustedDocument, {
    description:
      'Registers an operation of a front-end client in the trusted-documents list (idempotent). Send its `sha256` as `documentId`, or the exact text.',
  })
  registerTrustedDocument(
    @Arg('clientName', () => String) clientName: string,
    @Arg('name', () => String) name: string,
    @Arg('document', () => String) document: string,
    @C() ctx: Ctx,
    @Info() info: GraphQLResolveInfo,
  ): Promise<TrustedDocument> {
    return ctx.services.protection.register(ctx.em, ctx.user, info.schema, { clientName, name, document });
  }

  @Authorized()
  @Query(() => [TrustedDocument], {
    description: 'Registered documents, optionally of one client, newest first (at most 500).',
  })
  trustedDocuments(
    @Arg('clientName', () => String, { nullable: true }) clientName: string | null,
    @C() ctx: Ctx,
  ): Promise<TrustedDocument[]> {
    return ctx.em.find(TrustedDocument, clientName ? { clientName } : {}, {
      orderBy: { id: 'desc' },
      limit: 500,
    });
  }

  @Authorized()
  @Query(() => [UnknownOperation], {
    description:
      'Operations clients sent that are not registered (counted in audit and enforce modes), most frequent first.',
  })
  unknownOperations(
    @Arg('clientName', () => String, { nullable: true }) clientName: string | null,
    @Arg('first', () => Int, { defaultValue: 100 }) first: number,
    @C() ctx: Ctx,
  ): Promise<UnknownOperation[]> {
    if (!Number.isInteger(first) || first < 1 || first > 100)
      throw new AppError('PAGINATION_BOUNDS', `first must be from 1 to 100, got ${first}`);
    return ctx.services.protection.unknownOperations(ctx.em, clientName, first);
  }
}
