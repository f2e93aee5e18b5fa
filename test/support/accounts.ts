/**
 * Helpers for the account tests (test/accounts*.test.ts): TOTP codes as an authenticator app
 * shows them, reset mails from ops' file transport, tokens minted with ops' own signing key (for
 * many synthetic users without scrypting a password each), and waiting for a refusal.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importPKCS8, SignJWT } from 'jose';
import { simpleParser } from 'mailparser';
import { generateSync } from 'otplib';
import { gql, type GraphQLResponse } from './platform.js';

/** The code an authenticator app shows `steps` 30-second steps from now. */
export const totpCode = (secret: string, steps = 0): string =>
  generateSync({ secret, epoch: Math.floor(Date.now() / 1000) + steps * 30 });

/** Waits out the end of a 30 s step, so that the codes a test computes belong to the step it runs in. */
export async function earlyInStep(): Promise<void> {
  const into = (Date.now() / 1000) % 30;
  if (into > 18) await new Promise((resolve) => setTimeout(resolve, (30 - into + 0.2) * 1000));
}

/** An ES256 key for JWT_PRIVATE_KEY (PKCS8 PEM), so that the test can mint what ops would issue. */
export function signingKey(): string {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .privateKey.export({ format: 'pem', type: 'pkcs8' })
    .toString();
}

/** Mints user tokens exactly as ops' token issuer does (kid from ops' JWKS, jti, one hour). */
export async function tokenMinter(opsGraphqlUrl: string, pem: string) {
  const jwks = (await (await fetch(opsGraphqlUrl.replace('/graphql', '/.well-known/jwks.json'))).json()) as {
    keys: { kid: string }[];
  };
  const kid = jwks.keys[0]!.kid;
  const key = await importPKCS8(pem, 'ES256');
  return (userId: string, claims: { roles?: string[]; orgs?: string[] } = {}) =>
    new SignJWT({ roles: claims.roles ?? ['KEEPER'], orgs: claims.orgs ?? [] })
      .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
      .setSubject(userId)
      .setJti(randomUUID())
      .setIssuer('terrarium-ops')
      .setAudience('terrarium')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(key);
}

/** The token of the newest password reset mail to `to` in `mailDir` (ops' file transport); waits up to 15 s. */
export async function resetTokenFromMail(mailDir: string, to: string): Promise<string> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    for (const file of readdirSync(mailDir).sort().reverse()) {
      const mail = await simpleParser(readFileSync(join(mailDir, file)));
      if ((mail.to as { text: string } | undefined)?.text !== to) continue;
      const token = new URL(/(http\S+reset-password\S+)/.exec(mail.text ?? '')![1]!).searchParams.get(
        'token',
      );
      if (token) return token;
    }
    if (Date.now() > deadline) throw new Error(`no reset mail to ${to}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Sends `query` until `refused(answer)` holds; resolves to the ms since `since` (the moment the
 * revocation or change was made) when it first did; fails past `withinMs` from then.
 */
export async function refusedAfter(
  url: string,
  query: string,
  headers: Record<string, string>,
  refused: (answer: GraphQLResponse) => boolean,
  since: number,
  withinMs = 5_000,
): Promise<number> {
  for (;;) {
    const answer = await gql(url, query, {}, headers);
    if (refused(answer)) return Date.now() - since;
    if (Date.now() - since > withinMs)
      throw new Error(`still answered ${withinMs} ms later: ${JSON.stringify(answer.body)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
