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

describe('graceful shutdown', () => {
  it('on SIGTERM stops accepting, drains the in-flight request, and exits 0', async () => {
    child = spawn(
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
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    const logs: { msg?: string; port?: number }[] = [];
    const listening = new Promise<number>((resolve, reject) => {
      child!.stdout!.setEncoding('utf8');
      let buffer = '';
      child!.stdout!.on('data', (chunk: string) => {
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
    const port = await listening;
    const url = `http://127.0.0.1:${port}/graphql`;

    const arrived = graph.products.nextRequest();
    const inFlight = postGraphQL(url, { query: '{ slow(ms: 600) }' });
    await arrived;
    child.kill('SIGTERM');

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
