/**
 * Failed log-in limits through the gateway: the gateway signs the client's IP (after its
 * trusted-proxy rule) into the caller token, a subgraph counts failures per IP as ops does
 * (subgraphs/ops/src/services/login-limits.ts: per IP only when the token carries `ip`), and its
 * RATE_LIMITED refusal reaches the client as HTTP 429 with Retry-After.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GraphQLError } from 'graphql/index.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startGateway, type TestGateway } from './fixtures/gateway.js';
import { compose } from './fixtures/graph.js';
import { startFixtureSubgraph, type FixtureContext, type FixtureSubgraph } from './fixtures/subgraph.js';

/** ops' default per-IP budget of failed log-ins (LOGIN_MAX_FAILURES_PER_IP). */
const MAX_FAILURES_PER_IP = 10;
const WINDOW_SECONDS = 900;
const LOGIN_SDL = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
  type Query { loginVersion: String }
  type Mutation { logIn(email: String!, password: String!): String }
`;

let login: FixtureSubgraph;
let dir: string;
let gateway: TestGateway;
const failuresByIp = new Map<string, number>();

beforeAll(async () => {
  const logIn = (_: unknown, { password }: { password: string }, { caller }: FixtureContext) => {
    const ip = caller.clientIp;
    const failures = ip ? (failuresByIp.get(ip) ?? 0) : 0;
    if (failures >= MAX_FAILURES_PER_IP) {
      throw new GraphQLError(`Too many attempts; retry in ${WINDOW_SECONDS} s.`, {
        extensions: { code: 'RATE_LIMITED', retryAfterSeconds: WINDOW_SECONDS },
      });
    }
    if (password === 'correct horse') return 'session';
    if (ip) failuresByIp.set(ip, failures + 1);
    throw new GraphQLError('Wrong email or password.', { extensions: { code: 'UNAUTHENTICATED' } });
  };
  login = await startFixtureSubgraph(
    'login',
    LOGIN_SDL,
    { Mutation: { logIn } },
    process.env['INTERNAL_SECRET']!,
  );
  dir = mkdtempSync(join(tmpdir(), 'terrarium-login-limits-'));
  const supergraphPath = join(dir, 'supergraph.graphql');
  writeFileSync(supergraphPath, compose([login]));
  gateway = await startGateway(supergraphPath, { TRUST_PROXY: 'true' });
});
afterAll(async () => {
  await gateway?.stop();
  await login?.kill();
  rmSync(dir, { recursive: true, force: true });
});

const attempt = (ip: string, password = 'wrong') =>
  gateway.post(
    {
      query: 'mutation ($e: String!, $p: String!) { logIn(email: $e, password: $p) }',
      variables: { e: 'kai@terrarium.test', p: password },
    },
    { 'x-forwarded-for': ip },
  );

it('answers the 11th wrong password from one IP with 429 RATE_LIMITED and Retry-After; another IP is still served', async () => {
  for (let i = 1; i <= MAX_FAILURES_PER_IP; i += 1) {
    const wrong = await attempt('203.0.113.7');
    expect(wrong.status).toBe(200);
    expect(wrong.body.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
  }
  const refused = await attempt('203.0.113.7');
  expect(refused.status).toBe(429);
  expect(refused.headers.get('retry-after')).toBe(String(WINDOW_SECONDS));
  expect(refused.body.errors?.[0]?.extensions).toMatchObject({
    code: 'RATE_LIMITED',
    retryAfterSeconds: WINDOW_SECONDS,
  });
  // The subgraph saw the client's IP (the trusted proxy's X-Forwarded-For) in the signed caller.
  expect(login.requests.at(-1)?.caller?.clientIp).toBe('203.0.113.7');

  const other = await attempt('198.51.100.9', 'correct horse');
  expect(other.status).toBe(200);
  expect(other.body.data).toEqual({ logIn: 'session' });
});
