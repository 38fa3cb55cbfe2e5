import { afterEach, describe, expect, it, vi } from 'vitest';
import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { mintToken, principalFromHeader, Role } from '../../src/graphql/auth.js';

describe('principalFromHeader', () => {
  afterEach(() => vi.useRealTimers());
  const secret = new Uint8Array(randomBytes(32));
  const who = { sub: 'u1', role: Role.ANALYST, dept: 'ZA', name: null };

  it('answers a repeated token from the verified cache with the same principal', async () => {
    const t = await mintToken(secret, who);
    const a = await principalFromHeader(secret, `Bearer ${t}`);
    const b = await principalFromHeader(secret, `Bearer ${t}`);
    expect(a).toEqual(who);
    expect(b).toBe(a);
  });

  it('refuses a cached token once it has expired', async () => {
    const t = await mintToken(secret, who, '10s');
    await principalFromHeader(secret, `Bearer ${t}`);
    vi.useFakeTimers({ now: Date.now() + 11_000, toFake: ['Date'] });
    await expect(principalFromHeader(secret, `Bearer ${t}`)).rejects.toMatchObject({
      message: expect.stringMatching(/expired/),
    });
  });

  it('never lets a token verified under one secret pass under another', async () => {
    const t = await mintToken(secret, who);
    await principalFromHeader(secret, `Bearer ${t}`);
    const other = new Uint8Array(randomBytes(32));
    await expect(principalFromHeader(other, `Bearer ${t}`)).rejects.toMatchObject({
      message: 'token invalid',
    });
  });

  it('refuses a token whose signature was altered, even after the genuine one was cached', async () => {
    const t = await mintToken(secret, who);
    await principalFromHeader(secret, `Bearer ${t}`);
    const [h, p, s] = t.split('.') as [string, string, string];
    const forged = `${h}.${p}.${s.slice(0, -2)}${s.endsWith('AA') ? 'BB' : 'AA'}`;
    await expect(principalFromHeader(secret, `Bearer ${forged}`)).rejects.toMatchObject({
      message: 'token invalid',
    });
  });

  it('does not accept a token before its not-before time', async () => {
    const t = await new SignJWT({ role: Role.ANALYST, dept: 'ZA' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('u2')
      .setIssuer('shuangsui')
      .setAudience('shuangsui-api')
      .setNotBefore(Math.floor(Date.now() / 1000) + 3600)
      .setExpirationTime('2h')
      .sign(secret);
    await expect(principalFromHeader(secret, `Bearer ${t}`)).rejects.toMatchObject({
      message: 'token invalid',
    });
    vi.useFakeTimers({ now: Date.now() + 3_700_000, toFake: ['Date'] });
    expect((await principalFromHeader(secret, `Bearer ${t}`)).sub).toBe('u2');
  });
});
