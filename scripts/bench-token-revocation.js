// @ts-check
/**
 * What the revocation check adds to a request at the gateway: `isRevoked` (two Map lookups) with
 * many revocations in force, against the ES256 verification every user request already pays.
 * No network, no Redis: the gateway's built module, filled the way a poll of ops fills it.
 *
 *   npx turbo run build --filter=@terrarium/gateway && node scripts/bench-token-revocation.js [--revoked 100000] [--users 10000]
 *
 * Prints nanoseconds per check (revoked jti, revoked by not-before, clean token) and microseconds
 * per jwtVerify of an ES256 token, medians of 5 rounds.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { SignJWT, generateKeyPair, jwtVerify } from 'jose';
import pino from 'pino';
import { createTokenRevocations } from '../gateway/dist/identity/token-revocations.js';

const { values } = parseArgs({
  options: { revoked: { type: 'string', default: '100000' }, users: { type: 'string', default: '10000' } },
});
const REVOKED = Number(values.revoked);
const USERS = Number(values.users);
const log = (/** @type {string} */ message) => process.stdout.write(`[bench-token-revocation] ${message}\n`);

const now = Math.floor(Date.now() / 1000);
const iso = (/** @type {number} */ seconds) => new Date(seconds * 1000).toISOString();
const tokens = Array.from({ length: REVOKED }, () => ({ jti: randomUUID(), expiresAt: iso(now + 3_600) }));
const users = Array.from({ length: USERS }, () => ({ userId: randomUUID(), notBefore: iso(now) }));
/** @type {import('../gateway/dist/upstream/ops-client.js').OpsClient} */
const ops = {
  // @ts-expect-error the one query the poller sends, answered in memory
  query: async () => ({ tokenRevocations: { asOf: new Date().toISOString(), tokens, users } }),
  close: async () => {},
};
const revocations = createTokenRevocations({
  redis: null,
  ops,
  pollMs: 3_600_000,
  logger: pino({ level: 'silent' }),
});
await revocations.loaded();

const cases = {
  'revoked jti': { userId: randomUUID(), tokenId: tokens[REVOKED >> 1].jti, issuedAt: now },
  'user not-before': { userId: users[USERS >> 1].userId, tokenId: randomUUID(), issuedAt: now - 60 },
  'clean token': { userId: randomUUID(), tokenId: randomUUID(), issuedAt: now },
};
const median = (/** @type {number[]} */ list) => [...list].sort((a, b) => a - b)[list.length >> 1];

for (const [name, claims] of Object.entries(cases)) {
  const rounds = [];
  for (let round = 0; round < 5; round += 1) {
    const calls = 2_000_000;
    let hits = 0;
    const started = process.hrtime.bigint();
    for (let i = 0; i < calls; i += 1) if (revocations.isRevoked(claims)) hits += 1;
    rounds.push(Number(process.hrtime.bigint() - started) / calls);
    if (hits !== (name === 'clean token' ? 0 : calls)) throw new Error(`${name}: wrong verdict`);
  }
  log(
    `${name}: ${median(rounds).toFixed(1)} ns per check (${REVOKED} revoked tokens, ${USERS} users cut off)`,
  );
}

const { privateKey, publicKey } = await generateKeyPair('ES256');
const token = await new SignJWT({ roles: ['KEEPER'] })
  .setProtectedHeader({ alg: 'ES256' })
  .setSubject(randomUUID())
  .setJti(randomUUID())
  .setIssuedAt()
  .setExpirationTime('1h')
  .sign(privateKey);
const rounds = [];
for (let round = 0; round < 5; round += 1) {
  const calls = 2_000;
  const started = process.hrtime.bigint();
  for (let i = 0; i < calls; i += 1) await jwtVerify(token, publicKey, { algorithms: ['ES256'] });
  rounds.push(Number(process.hrtime.bigint() - started) / calls / 1_000);
}
log(`ES256 jwtVerify (already paid by every user request): ${median(rounds).toFixed(1)} µs`);
await revocations.close();
