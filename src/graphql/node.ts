import { Field, ID, InterfaceType } from 'type-graphql';
import { AppError } from '../shared/errors.js';

/** Relay Node: every object with a global id. */
@InterfaceType({
  description: 'An object with a global id, fetchable with node(id).',
  // Entity class names are the GraphQL type names.
  resolveType: (value: object) => value.constructor.name,
})
export abstract class Node {
  @Field(() => ID)
  id!: string;
}

/** Encodes a global id: base64url of `Type:rawId`. */
export function toGlobalId(type: string, id: string): string {
  return Buffer.from(`${type}:${id}`, 'utf8').toString('base64url');
}

/**
 * Decodes a global id.
 * @throws AppError BAD_USER_INPUT when the id was not made by this API.
 */
export function fromGlobalId(gid: string, expectType?: string): { type: string; id: string } {
  const text = Buffer.from(gid, 'base64url').toString('utf8');
  const i = text.indexOf(':');
  const type = i > 0 ? text.slice(0, i) : '';
  const id = i > 0 ? text.slice(i + 1) : '';
  if (!type || !/^[0-9a-f-]{36}$|^\d+$/.test(id) || (expectType && type !== expectType)) {
    throw new AppError('BAD_USER_INPUT', `id: expected a ${expectType ?? 'global'} id from this API`);
  }
  return { type, id };
}
