/**
 * A real Redis primary, replica and Sentinel as child processes on fixed ports, for the failover
 * test; every process is stopped by its PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';

export interface SentinelCluster {
  primaryPort: number;
  replicaPort: number;
  sentinelPort: number;
  name: string;
  /** SIGKILL of the primary, by PID. */
  killPrimary(): void;
  /** The primary the sentinel reports, as "host:port". */
  reportedPrimary(): Promise<string>;
  stop(): Promise<void>;
}

/** Sentinel-mode binary: Debian's redis-sentinel package, or redis-server --sentinel (the same program). */
const SENTINEL_COMMAND = process.env['REDIS_SENTINEL_BIN'] ?? 'redis-sentinel';

function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function ask<T>(port: number, command: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis({
    host: '127.0.0.1',
    port,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  // A refused connection rejects connect(); without a listener ioredis would also print it.
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return await command(redis);
  } finally {
    redis.disconnect();
  }
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.pid && process.kill(child.pid, 'SIGKILL'), 3_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    process.kill(child.pid!, 'SIGTERM');
  });
}

/** Primary on `ports[0]`, its replica on `ports[1]`, one Sentinel (quorum 1) on `ports[2]`. */
export async function startSentinelCluster(
  ports: [number, number, number],
  name = 'terrarium-test',
): Promise<SentinelCluster> {
  const [primaryPort, replicaPort, sentinelPort] = ports;
  for (const port of ports)
    if (await portInUse(port))
      throw new Error(`port ${port} is taken; the Sentinel test needs ${ports.join(', ')} free`);
  const dir = mkdtempSync(join(tmpdir(), 'terrarium-sentinel-'));
  const children: ChildProcess[] = [];
  const spawnErrors: string[] = [];
  const start = (command: string, args: string[]) => {
    const child = spawn(command, args, { stdio: 'ignore' });
    child.once('error', (err) => {
      spawnErrors.push(
        `${command} could not start (${err.message}); install redis-server and redis-sentinel`,
      );
    });
    children.push(child);
    return child;
  };
  const plain = ['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
  const primary = start('redis-server', ['--port', String(primaryPort), ...plain]);
  start('redis-server', [
    '--port',
    String(replicaPort),
    ...plain,
    '--replicaof',
    '127.0.0.1',
    String(primaryPort),
  ]);
  // Sentinel rewrites its configuration file, so it gets its own writable one.
  const config = join(dir, 'sentinel.conf');
  writeFileSync(
    config,
    [
      `port ${sentinelPort}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      `sentinel monitor ${name} 127.0.0.1 ${primaryPort} 1`,
      // Fast detection for the test; production keeps its defaults of seconds.
      `sentinel down-after-milliseconds ${name} 1000`,
      `sentinel failover-timeout ${name} 5000`,
      '',
    ].join('\n'),
  );
  start(SENTINEL_COMMAND, [config]);

  const cluster: SentinelCluster = {
    primaryPort,
    replicaPort,
    sentinelPort,
    name,
    killPrimary: () => process.kill(primary.pid!, 'SIGKILL'),
    reportedPrimary: () =>
      ask(sentinelPort, async (r) =>
        ((await r.call('SENTINEL', 'get-master-addr-by-name', name)) as string[]).join(':'),
      ),
    async stop() {
      await Promise.all(children.map(stopProcess));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await waitFor('the replica to sync', () =>
      ask(replicaPort, async (r) => (await r.info('replication')).includes('master_link_status:up')),
    );
    await waitFor('the sentinel to see the replica', () =>
      ask(
        sentinelPort,
        async (r) => ((await r.call('SENTINEL', 'replicas', name)) as unknown[]).length === 1,
      ),
    );
  } catch (err) {
    await cluster.stop();
    throw spawnErrors.length > 0 ? new Error(spawnErrors.join('; ')) : err;
  }
  return cluster;
}
