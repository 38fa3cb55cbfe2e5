import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { registerEnumType } from 'type-graphql';
import { UnauthenticatedError } from '../shared/errors.js';

export enum Role {
  ADMIN = 'ADMIN',
  SUPERVISOR = 'SUPERVISOR',
  INSPECTOR = 'INSPECTOR',
  ANALYST = 'ANALYST',
  EXCHANGE = 'EXCHANGE',
  PUBLIC = 'PUBLIC',
}
registerEnumType(Role, { name: 'Role', description: 'Who the caller is; PUBLIC means no token.' });

/** The authenticated caller. `sub` is a user id (for inspectors: the police number). */
export interface Principal {
  sub: string;
  role: Role;
  dept: string | null;
  name: string | null;
}

export const ANONYMOUS: Principal = { sub: 'anonymous', role: Role.PUBLIC, dept: null, name: null };

const ISSUER = 'shuangsui';
const AUDIENCE = 'shuangsui-api';

/**
 * Mints an HS256 token.
 * @example await mintToken(secret, { sub: 'u1', role: Role.ANALYST, dept: 'ZA', name: null }, '8h')
 */
export async function mintToken(secret: Uint8Array, p: Principal, expiresIn: string = '8h'): Promise<string> {
  if (p.role === Role.PUBLIC) throw new Error('PUBLIC needs no token');
  return new SignJWT({ role: p.role, dept: p.dept, name: p.name })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(p.sub)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(secret);
}

/** Verified tokens per secret: the signature check (WebCrypto HMAC) is most of a small request's CPU. */
const verified = new WeakMap<Uint8Array, Map<string, { principal: Principal; exp: number; nbf: number }>>();
const VERIFIED_MAX = 10_000;

/**
 * The caller of a request from its `Authorization` header: ANONYMOUS without one, else the verified
 * token's principal. A token verified once is remembered (keyed by its full text, so only the very
 * same signed token hits) until its `exp`; expiry and not-before are re-checked on every hit.
 * @throws UnauthenticatedError for a malformed, expired or badly signed token.
 */
export async function principalFromHeader(
  secret: Uint8Array,
  header: string | undefined | null,
): Promise<Principal> {
  if (!header) return ANONYMOUS;
  const m = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!m) throw new UnauthenticatedError('Authorization must be "Bearer <token>"');
  const token = m[1]!;
  let cache = verified.get(secret);
  const hit = cache?.get(token);
  if (hit) {
    const now = Date.now() / 1000;
    if (now < hit.exp && now >= hit.nbf) return hit.principal;
    cache!.delete(token);
  }
  try {
    const { payload } = await jwtVerify(token, secret, {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['HS256'],
    });
    const role = payload.role;
    if (typeof role !== 'string' || !(role in Role) || role === Role.PUBLIC) {
      throw new UnauthenticatedError('token has no valid role');
    }
    if (typeof payload.sub !== 'string' || payload.sub === '')
      throw new UnauthenticatedError('token has no subject');
    const principal: Principal = Object.freeze({
      sub: payload.sub,
      role: role as Role,
      dept: typeof payload.dept === 'string' ? payload.dept : null,
      name: typeof payload.name === 'string' ? payload.name : null,
    });
    if (typeof payload.exp === 'number') {
      if (!cache) verified.set(secret, (cache = new Map()));
      if (cache.size >= VERIFIED_MAX) cache.delete(cache.keys().next().value!);
      cache.set(token, {
        principal,
        exp: payload.exp,
        nbf: typeof payload.nbf === 'number' ? payload.nbf : 0,
      });
    }
    return principal;
  } catch (e) {
    if (e instanceof UnauthenticatedError) throw e;
    if (e instanceof joseErrors.JWTExpired) throw new UnauthenticatedError('token expired');
    throw new UnauthenticatedError('token invalid');
  }
}
