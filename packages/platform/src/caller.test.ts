import { describe, expect, it } from 'vitest';
import { ANONYMOUS, signCaller, verifyCaller } from './caller.js';
import { UnauthenticatedError } from './errors.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const keeper = { ...ANONYMOUS, userId: '00000000-0000-4000-8000-000000000001', roles: ['KEEPER' as const] };

describe('verifyCaller with its cache of verified tokens', () => {
  it('answers a token verified before from the cache, and refuses it under another secret', async () => {
    const token = await signCaller(keeper, A);
    const first = await verifyCaller(token, A);
    expect(first.userId).toBe(keeper.userId);
    expect(await verifyCaller(token, A)).toBe(first);
    await expect(verifyCaller(token, B)).rejects.toBeInstanceOf(UnauthenticatedError);
  });

  it('refuses a token whose payload or signature was changed after the original was cached', async () => {
    const token = await signCaller(keeper, A);
    await verifyCaller(token, A);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const staff = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), roles: ['STAFF'] }),
    ).toString('base64url');
    await expect(verifyCaller(`${header}.${staff}.${signature}`, A)).rejects.toBeInstanceOf(
      UnauthenticatedError,
    );
    const flipped = `${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
    await expect(verifyCaller(`${header}.${payload}.${flipped}`, A)).rejects.toBeInstanceOf(
      UnauthenticatedError,
    );
  });
});
