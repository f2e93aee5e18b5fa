// @ts-check
/** Starting the platform's processes and waiting for them: shared by start, bench and tests. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SUBGRAPHS as PLATFORM_SUBGRAPHS } from '@terrarium/platform/subgraphs';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Subgraphs in start order, with their default ports, as `[name, port]` pairs: the platform's one
 * list (packages/platform/src/subgraphs.ts, built before any script runs).
 * @type {readonly (readonly [string, number])[]}
 */
export const SUBGRAPHS = PLATFORM_SUBGRAPHS.map(({ name, port }) => /** @type {const} */ ([name, port]));

/** The file that starts subgraph `name` (its package's bin). @param {string} name */
export const subgraphMain = (name) => `subgraphs/${name}/dist/main.js`;

/**
 * @param {string} url
 * @param {number} timeoutMs
 * @param {() => boolean} [alive] stops waiting when the process has died
 */
export async function waitForHealth(url, timeoutMs, alive = () => true) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive()) throw new Error(`${url}: the process exited before it was healthy`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      if (response.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`${url} was not healthy within ${timeoutMs} ms`);
}

/**
 * Spawns `node <script> ...args` with `env`; output is prefixed with `label` unless `quiet`.
 * @param {string} label
 * @param {string} script
 * @param {string[]} args
 * @param {NodeJS.ProcessEnv} env
 * @param {{ quiet?: boolean, cwd?: string }} [options]  cwd: another checkout's root (default this one)
 */
export function startNode(label, script, args, env, options = {}) {
  const child = spawn(process.execPath, [script, ...args], {
    cwd: options.cwd ?? ROOT,
    env,
    stdio: ['ignore', options.quiet ? 'ignore' : 'pipe', options.quiet ? 'ignore' : 'pipe'],
  });
  const prefix = `[${label}] `;
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding('utf8');
    stream?.on('data', (/** @type {string} */ chunk) => {
      for (const line of chunk.split('\n')) if (line.trim()) process.stdout.write(prefix + line + '\n');
    });
  }
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  return {
    child,
    label,
    alive: () => !exited,
    /** SIGTERM, then SIGKILL after `graceMs`. */
    async stop(graceMs = 10_000) {
      if (exited) return;
      const done = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await done;
      clearTimeout(timer);
    },
  };
}
