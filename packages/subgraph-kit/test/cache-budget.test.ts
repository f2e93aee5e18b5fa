/**
 * A cache is a shortcut, never a wait: against a real redis-server that is hung (SIGSTOP) or dead
 * (SIGKILL), cached reads stay fast (bounded by the read budget, then skipped by the circuit
 * breaker), and once Redis answers again a probe closes the circuit and reads hit again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../src/testing.js';
import { createLogger } from '@terrarium/platform/logger';
import { createCache, type Cache } from '../src/cache.js';

const logger = createLogger('kit-cache-budget', 'silent');
let redis: ChildProcess;
let redisUrl: string;

async function startRedis(): Promise<void> {
  const port = (await freePort()) as number;
  redis = spawn(
    'redis-server',
    ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  redisUrl = `redis://127.0.0.1:${port}`;
  // Ready when it answers PING over a plain socket.
  const { createConnection } = await import('node:net');
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const pong = await new Promise<boolean>((resolve) => {
      const socket = createConnection(port, '127.0.0.1', () => socket.write('PING\r\n'));
      socket.once('data', (data) => {
        socket.destroy();
        resolve(data.toString().startsWith('+PONG'));
      });
      socket.once('error', () => resolve(false));
    });
    if (pong) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('redis-server did not start');
}

/** Times `count` sequential reads of `key`; returns their durations in ms, sorted. */
async function timeReads(cache: Cache, key: string, count: number): Promise<number[]> {
  const durations: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const started = performance.now();
    await cache.get(key);
    durations.push(performance.now() - started);
  }
  return durations.sort((a, b) => a - b);
}

const p99 = (sorted: number[]): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)]!;

beforeAll(startRedis, 20_000);
afterAll(() => {
  if (redis.exitCode === null && redis.signalCode === null) {
    redis.kill('SIGCONT');
    redis.kill('SIGKILL');
  }
});

describe('cache budget and circuit breaker against a real redis-server', () => {
  it('keeps cached reads fast while Redis is hung, and hits again once it answers', async () => {
    const cache = createCache({
      namespace: 'kit-budget',
      redisUrl,
      logger,
      budget: { readMs: 150, breakerFailures: 5, breakerCoolDownMs: 1_000 },
    });
    await cache.set('product:1', { name: 'Digital Thermostat' }, 60_000);
    expect(await cache.get('product:1')).toEqual({ name: 'Digital Thermostat' });
    const healthy = await timeReads(cache, 'product:1', 200);

    redis.kill('SIGSTOP');
    const hung = await timeReads(cache, 'product:1', 200);
    // Each read is bounded by the budget; after 5 timeouts the breaker skips Redis entirely.
    expect(hung.at(-1)).toBeLessThan(400);
    expect(hung.filter((ms) => ms >= 100).length).toBeLessThanOrEqual(5);
    expect(await cache.get('product:1')).toBeUndefined();

    redis.kill('SIGCONT');
    // After the cool-down one probe goes through; Redis answers, the circuit closes.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const deadline = Date.now() + 5_000;
    let value = await cache.get('product:1');
    while (value === undefined && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      value = await cache.get('product:1');
    }
    expect(value).toEqual({ name: 'Digital Thermostat' });
    console.info(
      `cached reads p99: healthy ${p99(healthy).toFixed(1)} ms, Redis SIGSTOPped ${p99(hung).toFixed(1)} ms (max ${hung.at(-1)!.toFixed(1)} ms)`,
    );
    await cache.close();
  }, 30_000);

  it('keeps reads fast and getOrSet computing when Redis is dead', async () => {
    const cache = createCache({
      namespace: 'kit-budget-dead',
      redisUrl,
      logger,
      budget: { readMs: 150, breakerFailures: 5, breakerCoolDownMs: 1_000 },
    });
    await cache.set('k', 1, 60_000);
    redis.kill('SIGKILL');
    await new Promise((resolve) => redis.once('exit', resolve));
    const dead = await timeReads(cache, 'k', 100);
    expect(dead.at(-1)).toBeLessThan(400);
    let computed = 0;
    expect(await cache.getOrSet('k', 1_000, async () => ++computed)).toBe(1);
    console.info(
      `cached reads p99 with Redis dead: ${p99(dead).toFixed(1)} ms (max ${dead.at(-1)!.toFixed(1)} ms)`,
    );
    await cache.close();
  }, 30_000);
});
