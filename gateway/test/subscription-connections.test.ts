/**
 * Per-principal cap on graphql-ws connections (SUBSCRIPTION_MAX_CONNECTIONS_PER_USER, 3 here): a
 * user past it is refused with close code 4429 "Too many connections"; another user, and an
 * anonymous caller (counted by IP), have their own budgets; a closed socket frees its place.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startGateway, type TestGateway } from './fixtures/gateway.js';
import { compose } from './fixtures/graph.js';
import { startTestIssuer, type TestIssuer } from './fixtures/jwt.js';
import { TICKER_SDL, startTicker, type Ticker } from './fixtures/ticker.js';

const CAP = 3;
let ticker: Ticker;
let issuer: TestIssuer;
let dir: string;
let gateway: TestGateway;
const sockets: WebSocket[] = [];

beforeAll(async () => {
  [ticker, issuer] = await Promise.all([startTicker(process.env['INTERNAL_SECRET']!), startTestIssuer()]);
  dir = mkdtempSync(join(tmpdir(), 'terrarium-subscription-connections-'));
  const supergraphPath = join(dir, 'supergraph.graphql');
  writeFileSync(supergraphPath, compose([{ name: 'ticker', url: ticker.url, typeDefs: TICKER_SDL }]));
  gateway = await startGateway(supergraphPath, {
    JWKS_URL: issuer.jwksUrl,
    SUBSCRIPTION_MAX_CONNECTIONS_PER_USER: String(CAP),
    TRUST_PROXY: 'true',
  });
});
afterAll(async () => {
  for (const socket of sockets) socket.terminate();
  await gateway?.stop();
  await Promise.all([ticker?.kill(), issuer?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

/** Opens a graphql-ws socket and sends connection_init: 'ack', or the close code and reason. */
function connect(
  payload: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<{ socket: WebSocket; outcome: string }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(gateway.url.replace(/^http/, 'ws'), 'graphql-transport-ws', { headers });
    sockets.push(socket);
    socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload })));
    socket.on('message', (data) => {
      if ((JSON.parse(String(data)) as { type: string }).type === 'connection_ack')
        resolve({ socket, outcome: 'ack' });
    });
    socket.once('close', (code, reason) => resolve({ socket, outcome: `${code} ${String(reason)}` }));
    socket.once('error', reject);
  });
}

it('refuses a user past the cap with 4429; other users and anonymous IPs have their own; a closed socket frees its place', async () => {
  const alice = {
    authorization: `Bearer ${await issuer.sign({ sub: '0b7c5a2e-aaaa-4000-8000-000000000001', roles: ['KEEPER'] })}`,
  };
  const bob = {
    authorization: `Bearer ${await issuer.sign({ sub: '0b7c5a2e-bbbb-4000-8000-000000000002', roles: ['KEEPER'] })}`,
  };
  const opened: { socket: WebSocket; outcome: string }[] = [];
  for (let i = 0; i < CAP; i += 1) opened.push(await connect(alice));
  expect(opened.map((o) => o.outcome)).toEqual(['ack', 'ack', 'ack']);
  // From another IP too: the cap is per user, not per address.
  expect((await connect(alice, { 'x-forwarded-for': '198.51.100.40' })).outcome).toBe(
    `4429 Too many connections: at most ${CAP} per user.`,
  );
  expect((await connect(bob)).outcome).toBe('ack');

  // Anonymous callers are counted by IP.
  const fromOneIp = { 'x-forwarded-for': '203.0.113.50' };
  for (let i = 0; i < CAP; i += 1) expect((await connect({}, fromOneIp)).outcome).toBe('ack');
  expect((await connect({}, fromOneIp)).outcome).toMatch(/^4429 Too many connections/);
  expect((await connect({}, { 'x-forwarded-for': '203.0.113.51' })).outcome).toBe('ack');

  const closed = new Promise((resolve) => opened[0]!.socket.once('close', resolve));
  opened[0]!.socket.close();
  await closed;
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect((await connect(alice)).outcome).toBe('ack');
});
