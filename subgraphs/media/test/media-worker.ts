import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { freePort } from '@terrarium/subgraph-kit/testing';

/** The built entry point (`npm test` builds first), as the worker Deployments run it. */
const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
/** Starting includes migrating the schema and pg-boss's own. @default 45_000 ms */
export const WORKER_START_TIMEOUT_MS = 45_000;

export interface RunningWorker {
  pid: number;
  /** MEDIA_PORT it was given: a worker must not listen there. */
  servicePort: number;
  /** METRICS_PORT: /health, /ready and /metrics. */
  probesPort: number;
  /** SIGTERM by PID; resolves to the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL by PID, if it still runs (cleanup after a failed test). */
  kill(): Promise<void>;
}

/** True when a fresh TCP connection to `port` is refused (nothing listens there). */
export function refusesConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/health', agent: false }, (res) => {
      res.resume();
      resolve(false);
    });
    req.on('error', () => resolve(true));
    req.end();
  });
}

/**
 * `node subgraphs/media/dist/main.js --worker` as a child process on the test run's database,
 * in `schema`, with `env` on top (MEDIA_S3_*, MEDIA_STORAGE_DIR). Resolves once it logs that it
 * runs as a worker.
 */
export async function startMediaWorker(schema: string, env: Record<string, string>): Promise<RunningWorker> {
  const servicePort = await freePort();
  const probesPort = await freePort();
  const child = spawn(process.execPath, [MAIN, '--worker'], {
    env: {
      PATH: process.env['PATH'],
      DATABASE_URL: process.env['DATABASE_URL'],
      INTERNAL_SECRET: process.env['INTERNAL_SECRET'],
      MEDIA_DATABASE_SCHEMA: schema,
      MEDIA_PORT: String(servicePort),
      METRICS_PORT: String(probesPort),
      HOST: '127.0.0.1',
      SEED_DEMO: 'false',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const pid = child.pid;
  const running = () => pid !== undefined && child.exitCode === null && child.signalCode === null;
  const kill = async () => {
    if (!running()) return;
    process.kill(pid!, 'SIGKILL');
    await exited;
  };
  let output = '';
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the worker did not start in ${WORKER_START_TIMEOUT_MS} ms: ${output}`)),
        WORKER_START_TIMEOUT_MS,
      );
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('running as a job worker')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      void exited.then(([code]) => {
        clearTimeout(timer);
        reject(new Error(`the worker exited with ${code} before it was up: ${output}`));
      });
    });
  } catch (err) {
    await kill();
    throw err;
  }
  return {
    pid: pid!,
    servicePort,
    probesPort,
    async stop() {
      if (running()) process.kill(pid!, 'SIGTERM');
      const [code] = await exited;
      return code;
    },
    kill,
  };
}
