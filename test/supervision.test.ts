/**
 * `npm start` supervises: the real `node scripts/start.js` with its six subgraphs and gateway; a
 * subgraph SIGKILLed by PID comes back by itself, the gateway keeps answering meanwhile, and the
 * platform answers the killed subgraph's fields again. Everything is stopped by PID at the end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain JS helpers shared with scripts/start.js
import { ROOT, SUBGRAPHS } from '../scripts/lib/processes.js';
// @ts-expect-error plain JS helper
import { freePort } from '../scripts/lib/embedded-postgres.js';
import { gql } from './support/platform.js';

let orchestrator: ChildProcess;
let output = '';
let gatewayUrl: string;
const childPids = new Set<number>();

function waitForOutput(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(() => {
      clearInterval(poll);
      reject(new Error(`no ${pattern} within ${timeoutMs} ms; output:\n${output.slice(-4_000)}`));
    }, timeoutMs);
    const poll = setInterval(() => {
      const match = pattern.exec(output);
      if (match) {
        clearInterval(poll);
        clearTimeout(deadline);
        resolve(match);
      }
    }, 50);
  });
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const PRODUCT_WITH_REVIEWS = '{ product(slug: "ceramic-heat-emitter-100w") { name reviewCount } }';

beforeAll(async () => {
  const env: NodeJS.ProcessEnv = { ...process.env, SEED_DEMO: 'true', LOG_LEVEL: 'warn' };
  const gatewayPort = await freePort();
  env['GATEWAY_PORT'] = String(gatewayPort);
  for (const [name] of SUBGRAPHS as [string, number][]) {
    env[`${name.toUpperCase()}_PORT`] = String(await freePort());
    delete env[`${name.toUpperCase()}_URL`];
  }
  gatewayUrl = `http://127.0.0.1:${gatewayPort}/graphql`;
  orchestrator = spawn(process.execPath, ['scripts/start.js'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [orchestrator.stdout, orchestrator.stderr]) {
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      output += chunk;
      for (const match of chunk.matchAll(/pid (\d+)/g)) childPids.add(Number(match[1]));
    });
  }
  // Generous: seven processes migrate and seed at once (START_HEALTH_TIMEOUT_MS on a loaded machine).
  await waitForOutput(/ready in [\d.]+ s/, 230_000);
}, 240_000);

afterAll(async () => {
  if (orchestrator && orchestrator.exitCode === null) {
    const exited = new Promise((resolve) => orchestrator.once('exit', resolve));
    process.kill(orchestrator.pid!, 'SIGTERM');
    await exited;
  }
  // Belt and braces: nothing the orchestrator started may outlive it.
  for (const pid of childPids) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
}, 60_000);

describe('npm start supervision', () => {
  it('restarts a SIGKILLed subgraph with a log line while the gateway keeps serving', async () => {
    const before = await gql(gatewayUrl, PRODUCT_WITH_REVIEWS);
    expect(before.body.errors).toBeUndefined();
    expect(before.body.data.product.reviewCount).toBeGreaterThan(0);

    const [, pidText] = (await waitForOutput(/community \(pid (\d+)\)/, 1_000)) as unknown as [
      string,
      string,
    ];
    const communityPid = Number(pidText);
    process.kill(communityPid, 'SIGKILL');
    await waitForOutput(
      new RegExp(`community \\(pid ${communityPid}\\) exited with signal SIGKILL; restarting in \\d+ ms`),
      5_000,
    );

    // The rest of the platform still answers while community is down.
    const during = await gql(gatewayUrl, '{ product(slug: "ceramic-heat-emitter-100w") { name sku } }');
    expect(during.status).toBe(200);
    expect(during.body.data.product).toEqual({ name: 'Ceramic Heat Emitter 100W', sku: 'TR-HEAT-100' });

    const [, newPidText] = (await waitForOutput(/community restarted \(pid (\d+)\)/, 10_000)) as unknown as [
      string,
      string,
    ];
    expect(Number(newPidText)).not.toBe(communityPid);
    expect(isRunning(communityPid)).toBe(false);

    // Back: the platform answers community's field again, without anyone restarting the gateway.
    const deadline = Date.now() + 150_000;
    let after = await gql(gatewayUrl, PRODUCT_WITH_REVIEWS).catch(() => null);
    while ((!after || after.body.errors) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      after = await gql(gatewayUrl, PRODUCT_WITH_REVIEWS).catch(() => null);
    }
    expect(after?.body.errors).toBeUndefined();
    expect(after?.body.data.product).toEqual(before.body.data.product);
    expect(orchestrator.exitCode).toBeNull();
    expect(output).not.toMatch(/stopping the platform/);
  }, 200_000);

  it('stops everything on SIGTERM, leaving no child process behind', async () => {
    const exited = new Promise<number | null>((resolve) =>
      orchestrator.once('exit', (code) => resolve(code)),
    );
    process.kill(orchestrator.pid!, 'SIGTERM');
    expect(await exited).toBe(0);
    expect([...childPids].filter(isRunning)).toEqual([]);
  }, 60_000);
});
