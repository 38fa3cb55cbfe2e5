import { Arg, Authorized, Ctx as C, Field, ID, Int, ObjectType, Query, Resolver } from 'type-graphql';
import type { Ctx } from '../../graphql/context.js';
import { fromGlobalId } from '../../graphql/node.js';
import { ValidationError } from '../../shared/errors.js';
import { AuditEvent } from './audit-event.entity.js';
import { verifyAuditChain } from './audit.service.js';

@ObjectType()
export class AuditChainCheck {
  @Field(() => Boolean) ok!: boolean;
  @Field(() => Int) checked!: number;
  @Field(() => String, { nullable: true }) firstBrokenId!: string | null;
  @Field(() => String, { nullable: true }) reason!: string | null;
}

@Resolver()
export class AuditResolver {
  @Authorized()
  @Query(() => [AuditEvent], {
    description: 'The audit trail of one entity (global or raw id), newest first, at most 100.',
  })
  async auditTrail(
    @Arg('entityId', () => ID) entityId: string,
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @C() ctx: Ctx,
  ): Promise<AuditEvent[]> {
    if (first < 1 || first > 100) throw new ValidationError([{ field: 'first', message: 'from 1 to 100' }]);
    let raw = entityId;
    try {
      raw = fromGlobalId(entityId).id;
    } catch {
      // not a global id: a raw entity id (uuid, region code, message id)
    }
    return ctx.em.find(AuditEvent, { entityId: raw }, { orderBy: { id: 'desc' }, limit: first });
  }

  @Authorized()
  @Query(() => AuditChainCheck, {
    description: 'Re-checks the whole SM3 hash chain and names the first broken link.',
  })
  async verifyAuditChain(@C() ctx: Ctx): Promise<AuditChainCheck> {
    const conn = ctx.em.getConnection();
    const r = await verifyAuditChain((sql, params) => conn.execute(sql.replace(/\$\d+/g, '?'), params));
    return {
      ok: r.ok,
      checked: r.checked,
      firstBrokenId: r.firstBroken?.id ?? null,
      reason: r.firstBroken?.reason ?? null,
    };
  }
}
