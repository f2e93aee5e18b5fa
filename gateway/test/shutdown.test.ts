import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureGraph, type FixtureGraph } from './fixtures/graph.js';
import { postGraphQL } from './fixtures/gateway.js';

const GATEWAY = fileURLToPath(new URL('..', import.meta.url));

/** The child runs the built gateway (`npm test` builds first); a stale build would test old code. */
function assertBuildIsFresh(): void {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)],
    );
  for (const source of walk(join(GATEWAY, 'src')).filter(
    (file) => file.endsWith('.ts') && !file.endsWith('.test.ts'),
  )) {
    const built = source.replace(`${join(GATEWAY, 'src')}`, join(GATEWAY, 'dist')).replace(/\.ts$/, '.js');
    let stale = true;
    try {
      stale = statSync(built).mtimeMs < statSync(source).mtimeMs;
    } catch {
      // missing: stale
    }
    if (stale)
      throw new Error(
        `gateway/dist is older than ${source}: run \`npx tsc -p gateway/tsconfig.build.json\` (npm test builds first)`,
      );
  }
}

/** True when a fresh TCP connection to `port` is refused (the listener is closed). */
function refusesConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/health', agent: false }, (res) => {
      res.resume();
      resolve(false);
    });
    req.on('error', () => resolve(true));
    req.end();
  });
}

let graph: FixtureGraph;
let child: ChildProcess | undefined;

beforeAll(async () => {
  assertBuildIsFresh();
  graph = await startFixtureGraph();
});
afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await graph?.close();
});

/** Starts the built gateway on a free port; resolves when it listens, with its port and logs. */
async function startChild(extraEnv: Record<string, string> = {}) {
  const spawned = spawn(
    process.execPath,
    [
      join(GATEWAY, 'dist/main.js'),
      '--supergraph',
      graph.supergraphPath,
      '--port',
      '0',
      '--host',
      '127.0.0.1',
    ],
    {
      env: {
        PATH: process.env['PATH'],
        INTERNAL_SECRET: process.env['INTERNAL_SECRET'],
        LOG_LEVEL: 'info',
        SHUTDOWN_GRACE_MS: '5000',
        ...extraEnv,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  child = spawned;
  const exited = once(spawned, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const logs: { msg?: string; port?: number }[] = [];
  const port = await new Promise<number>((resolve, reject) => {
    spawned.stdout!.setEncoding('utf8');
    let buffer = '';
    spawned.stdout!.on('data', (chunk: string) => {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        const entry = JSON.parse(line) as { msg?: string; port?: number };
        logs.push(entry);
        if (entry.msg === 'gateway listening' && entry.port) resolve(entry.port);
      }
    });
    void exited.then(() => reject(new Error('the gateway exited before listening')));
  });
  return { child: spawned, port, exited, logs };
}

describe('graceful shutdown', () => {
  it('with SHUTDOWN_DELAY_MS, answers /ready 503 and keeps serving for the delay, then drains and exits 0', async () => {
    // Long enough for a few /ready polls and a query on a loaded machine.
    const delayMs = 3_000;
    const gateway = await startChild({ SHUTDOWN_DELAY_MS: String(delayMs) });
    const base = `http://127.0.0.1:${gateway.port}`;
    expect((await fetch(`${base}/ready`)).status).toBe(200);
    const signalled = Date.now();
    gateway.child.kill('SIGTERM');
    // Out of the load balancer's rotation at once...
    let ready = 200;
    while (ready === 200 && Date.now() - signalled < delayMs) ready = (await fetch(`${base}/ready`)).status;
    expect(ready).toBe(503);
    // ...while a request arriving during the delay is still answered.
    const during = await postGraphQL(`${base}/graphql`, { query: '{ products { id } }' });
    expect(Date.now() - signalled).toBeLessThan(delayMs);
    expect(during.status).toBe(200);
    expect(during.body.errors).toBeUndefined();
    expect(await gateway.exited).toEqual([0, null]);
    expect(Date.now() - signalled).toBeGreaterThanOrEqual(delayMs);
  });

  it('on SIGTERM stops accepting, drains the in-flight request, and exits 0', async () => {
    const { port, exited, logs } = await startChild();
    const url = `http://127.0.0.1:${port}/graphql`;

    const arrived = graph.products.nextRequest();
    const inFlight = postGraphQL(url, { query: '{ slow(ms: 600) }' });
    await arrived;
    child!.kill('SIGTERM');

    let refused = false;
    let settled = false;
    void inFlight.finally(() => (settled = true));
    while (!refused && !settled) refused = await refusesConnections(port);
    expect(refused).toBe(true);
    expect(settled).toBe(false);

    expect(await inFlight).toMatchObject({ status: 200, body: { data: { slow: 'slept 600' } } });
    expect(await exited).toEqual([0, null]);
    expect(logs.map((entry) => entry.msg)).toEqual(
      expect.arrayContaining(['shutting down: draining in-flight requests', 'stopped']),
    );
  });
});
