import { afterAll, describe, expect, it } from 'vitest';
import { ANONYMOUS, CALLER_HEADER, signCaller } from '@terrarium/platform/caller';
import { createLogger } from '@terrarium/platform/logger';
import { createCache } from '../src/cache.js';
import { createClient } from 'graphql-ws';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import { createNotesSubgraph } from './fixture.js';

const secret = process.env['INTERNAL_SECRET']!;
const logger = createLogger('kit-test', 'silent');

async function post(url: string, query: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  return {
    status: response.status,
    body: (await response.json()) as { data?: any; errors?: any[]; extensions?: any },
  };
}

describe('subgraph kit', () => {
  const started: { stop(): Promise<void> }[] = [];
  afterAll(async () => {
    await Promise.all(started.map((s) => s.stop()));
  });

  it('keeps each subgraph in its own Postgres schema', async () => {
    const a = await createNotesSubgraph('kit_isolation_a');
    const b = await createNotesSubgraph('kit_isolation_b');
    started.push(a, b);
    await a.execute({ query: 'mutation { addNote(body: "only in a") { id } }' });
    const fromA = await a.execute({ query: '{ notes { body } }' });
    const fromB = await b.execute({ query: '{ notes { body } }' });
    expect(fromA.body.kind === 'single' && fromA.body.singleResult.data).toEqual({
      notes: [{ body: 'only in a' }],
    });
    expect(fromB.body.kind === 'single' && fromB.body.singleResult.data).toEqual({ notes: [] });
  });

  it('refuses HTTP requests that did not come through the gateway', async () => {
    const subgraph = await createNotesSubgraph('kit_auth');
    started.push(subgraph);
    const url = await subgraph.listen(0);
    const unsigned = await post(url, '{ whoami }', { 'x-user-id': 'spoofed' });
    expect(unsigned.status).toBe(401);
    expect(unsigned.body.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
    const forged = await post(url, '{ whoami }', {
      [CALLER_HEADER]: await signCaller({ ...ANONYMOUS, userId: 'u1' }, 'x'.repeat(32)),
    });
    expect(forged.status).toBe(401);
    const signed = await post(url, '{ whoami }', {
      [CALLER_HEADER]: await signCaller({ ...ANONYMOUS, userId: 'u1' }, secret),
    });
    expect(signed.body).toEqual({ data: { whoami: 'u1' } });
  });

  it("passes on what a sibling's writes changed in its own answer, for the gateway to drop", async () => {
    // The gateway hears of changes through Redis and through the answers it gets; without Redis
    // a change made by a service call (checkout reserving stock) reaches it only this way.
    const sibling = await createNotesSubgraph('kit_relay_sibling');
    started.push(sibling);
    const relay = await createNotesSubgraph('kit_relay', {
      ...process.env,
      INVENTORY_URL: await sibling.listen(0),
    });
    started.push(relay);
    const answer = await post(await relay.listen(0), 'mutation { relayNote(body: "via a sibling") }', {
      [CALLER_HEADER]: await signCaller(ANONYMOUS, secret),
    });
    const id = answer.body.data?.relayNote;
    expect(id).toMatch(/^\d+$/);
    expect(answer.body.extensions?.entityChanges).toEqual([{ typename: 'Note', id }]);
  });

  it('answers /health and /ready, and lets an in-flight request finish on stop', async () => {
    const subgraph = await createNotesSubgraph('kit_shutdown');
    const url = await subgraph.listen(0);
    const base = url.replace('/graphql', '');
    expect((await fetch(`${base}/health`)).status).toBe(200);
    expect((await fetch(`${base}/ready`)).status).toBe(200);
    const token = await signCaller(ANONYMOUS, secret);
    const inFlight = post(url, '{ slow(ms: 300) }', { [CALLER_HEADER]: token });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await subgraph.stop();
    expect((await inFlight).body).toEqual({ data: { slow: 'slept 300' } });
    await expect(fetch(`${base}/health`)).rejects.toThrow();
  });

  it('treats a Redis outage as a cache miss, not a failed request', async () => {
    // Nothing listens on port 1: every Redis command fails.
    const cache = createCache({ namespace: 'kit-test', redisUrl: 'redis://127.0.0.1:1', logger });
    const started = Date.now();
    expect(await cache.get('k')).toBeUndefined();
    expect(await cache.getOrSet('k', 1_000, async () => 'fresh')).toBe('fresh');
    expect(Date.now() - started).toBeLessThan(2_000);
    await cache.close();
  });

  it('caches in memory when no Redis is configured', async () => {
    const cache = createCache({ namespace: 'kit-memory', redisUrl: null, logger });
    let computed = 0;
    const compute = async () => ++computed;
    expect(await cache.getOrSet('k', 10_000, compute)).toBe(1);
    expect(await cache.getOrSet('k', 10_000, compute)).toBe(1);
    await cache.delete('k');
    expect(await cache.getOrSet('k', 10_000, compute)).toBe(2);
  });

  it('reads many keys at once: a value or undefined per key, in order, also from memory', async () => {
    const cache = createCache({ namespace: 'kit-many-memory', redisUrl: null, logger });
    await cache.set('a', 1, 10_000);
    await cache.set('c', 3, 10_000);
    expect(await cache.getMany(['c', 'b', 'a'])).toEqual([3, undefined, 1]);
    expect(await cache.getMany([])).toEqual([]);
  });

  it('answers getMany with misses, not an error, when Redis is down', async () => {
    const cache = createCache({ namespace: 'kit-many-down', redisUrl: 'redis://127.0.0.1:1', logger });
    expect(await cache.getMany(['a', 'b'])).toEqual([undefined, undefined]);
    await cache.close();
  });

  const redisUrl = process.env['REDIS_URL'];
  it.skipIf(!redisUrl)('caches in Redis when configured, namespaced per subgraph', async () => {
    const key = `k-${Date.now()}`;
    const a = createCache({ namespace: 'kit-a', redisUrl: redisUrl!, logger });
    const b = createCache({ namespace: 'kit-b', redisUrl: redisUrl!, logger });
    await a.set(key, { v: 1 }, 10_000);
    expect(await a.get(key)).toEqual({ v: 1 });
    expect(await b.get(key)).toBeUndefined();
    await Promise.all([a.close(), b.close()]);
  });

  it.skipIf(!redisUrl)('reads many keys from Redis at once, each in its namespace', async () => {
    const key = `m-${Date.now()}`;
    const a = createCache({ namespace: 'kit-many-a', redisUrl: redisUrl!, logger });
    const b = createCache({ namespace: 'kit-many-b', redisUrl: redisUrl!, logger });
    await a.set(`${key}-1`, { v: 1 }, 10_000);
    await a.set(`${key}-3`, { v: 3 }, 10_000);
    await b.set(`${key}-2`, { v: 2 }, 10_000);
    expect(await a.getMany([`${key}-3`, `${key}-2`, `${key}-1`])).toEqual([{ v: 3 }, undefined, { v: 1 }]);
    await Promise.all([a.close(), b.close()]);
  });

  it.skipIf(!redisUrl)('stores entries in Redis as plain JSON, strings exactly as given', async () => {
    const key = `json-${Date.now()}`;
    const value = {
      name: ':colon first',
      escaped: '::two',
      note: ':base64:AAAA',
      n: 1.5,
      list: [null, true],
    };
    const cache = createCache({ namespace: 'kit-json', redisUrl: redisUrl!, logger });
    const redis = new Redis(redisUrl!);
    try {
      await cache.set(key, value, 10_000);
      expect(await cache.get(key)).toEqual(value);
      expect(await cache.getMany([key])).toEqual([value]);
      // Any Redis client reads the entry as JSON; keyv's own codec would have escaped ':colon first'.
      const [stored, ...others] = await redis.keys(`kit-json:*${key}`);
      expect(others).toEqual([]);
      expect(JSON.parse((await redis.get(stored!))!)).toMatchObject({ value });
    } finally {
      redis.disconnect();
      await cache.close();
    }
  });
});

describe('migrations', () => {
  it('lets several instances of one subgraph start at once on a new schema', async () => {
    const schema = `kit_concurrent_${Date.now()}`;
    const instances = await Promise.all([
      createNotesSubgraph(schema),
      createNotesSubgraph(schema),
      createNotesSubgraph(schema),
    ]);
    await instances[0]!.execute({ query: 'mutation { addNote(body: "x") { id } }' });
    const notes = await instances[2]!.execute({ query: '{ notes { body } }' });
    expect(notes.body.kind === 'single' && notes.body.singleResult.data).toEqual({ notes: [{ body: 'x' }] });
    await Promise.all(instances.map((i) => i.stop()));
  });
});

describe('subscriptions over graphql-ws', () => {
  it('accepts only a signed caller and resolves every event with fresh loaders', async () => {
    const subgraph = await createNotesSubgraph('kit_subscriptions');
    const url = (await subgraph.listen(0)).replace('http', 'ws');
    const token = await signCaller(ANONYMOUS, secret);
    const client = createClient({
      url,
      webSocketImpl: WebSocket,
      connectionParams: { [CALLER_HEADER]: token },
      retryAttempts: 0,
    });
    const received: string[] = [];
    const done = new Promise<void>((resolve, reject) => {
      client.subscribe<{ noteEvents: string }>(
        { query: 'subscription { noteEvents }' },
        {
          next: ({ data }) => {
            received.push(data!.noteEvents);
            if (received.length === 2) resolve();
          },
          error: reject,
          complete: () => {},
        },
      );
    });
    // In-process pub/sub delivers only to subscribers already listening: wait for the subscribe.
    await new Promise((resolve) => setTimeout(resolve, 100));
    await subgraph.execute({ query: 'mutation { a: addNote(body: "one") { id } }' });
    await subgraph.execute({ query: 'mutation { b: addNote(body: "two") { id } }' });
    await done;
    const [first, second] = received.map((r) => r.split('@'));
    expect([first![0], second![0]]).toEqual(['one', 'two']);
    expect(first![1]).not.toBe(second![1]);

    const unsigned = createClient({ url, webSocketImpl: WebSocket, retryAttempts: 0 });
    const refused = await new Promise<unknown>((resolve) => {
      unsigned.subscribe(
        { query: 'subscription { noteEvents }' },
        { next: () => {}, error: resolve, complete: () => resolve('completed') },
      );
    });
    expect(refused).toMatchObject({ code: 4403 });
    await Promise.all([client.dispose(), unsigned.dispose()]);
    await subgraph.stop();
  });
});

describe('caller tokens', () => {
  it('keeps only real roles: an inherited name such as "toString" is not a role', async () => {
    const token = await signCaller(
      { ...ANONYMOUS, userId: 'u1', roles: ['KEEPER', 'toString', 'constructor'] as never },
      secret,
    );
    const { verifyCaller } = await import('@terrarium/platform/caller');
    expect((await verifyCaller(token, secret)).roles).toEqual(['KEEPER']);
  });
});
