/**
 * The platform as a fleet on one machine, for test/fleet.test.ts: two gateways, two instances of
 * every subgraph and two inventory job workers, each a real process of the built packages, behind
 * Debian's HAProxy as the load balancer. Clients talk to one HAProxy frontend over both gateways;
 * the gateways and the subgraphs' service calls reach each subgraph through a frontend of its own
 * over its two instances (health-checked on /ready). Every process is started on a port fixed
 * for the run, so a killed one comes back where the balancer expects it, and is stopped by PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, writeFileSync, type WriteStream } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
// @ts-expect-error plain JS helpers shared with scripts/start.js
import { ROOT, subgraphMain } from '../../scripts/lib/processes.js';
import type { SubgraphName } from './platform.js';

export const SUBGRAPH_NAMES: readonly SubgraphName[] = [
  'ops',
  'products',
  'inventory',
  'commerce',
  'media',
  'community',
];

/** How long a process may take to become ready (migrations, seed) on a loaded machine. @default 120_000 ms */
const READY_TIMEOUT_MS = Number(process.env['TEST_HEALTH_TIMEOUT_MS'] || 120_000);
/** SIGTERM, then SIGKILL after this long. @default 8_000 ms */
const STOP_GRACE_MS = 8_000;
/**
 * The balancer's health checks: every 250 ms, three failures in a row take an instance out, one
 * success puts it back. A dead instance refuses the check's connection at once, so it is out
 * within about 750 ms; a gateway answering /ready 503 (draining) likewise, so its
 * SHUTDOWN_DELAY_MS must exceed that. A live instance is only out after three checks unanswered
 * for CHECK_TIMEOUT_MS each: on two loaded cores a 1 s check timeout took the last live instance
 * of a subgraph out of rotation (503, no server) while it was merely slow.
 */
const CHECK_INTER_MS = 250;
/** @default 5_000 ms */
const CHECK_TIMEOUT_MS = 5_000;

/** One process of the fleet: started, killed, stopped and restarted by PID on its own port. */
export class FleetProcess {
  private child: ChildProcess | null = null;
  private exit: Promise<number | null> = Promise.resolve(null);
  private log: WriteStream | null = null;

  constructor(
    readonly name: string,
    private readonly command: string,
    private readonly args: readonly string[],
    private readonly env: NodeJS.ProcessEnv,
    readonly port: number | null,
    readonly logFile: string,
    /** Resolves once the process serves (or rejects); gets `alive` to stop waiting on a death. */
    private readonly waitReady: (alive: () => boolean, logFile: string) => Promise<void>,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  alive(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts it and waits until it is ready; the process's output goes to `logFile`. */
  async start(): Promise<void> {
    if (this.alive()) throw new Error(`${this.name} is already running (pid ${this.pid})`);
    this.log = createWriteStream(this.logFile, { flags: 'a' });
    const child = spawn(this.command, this.args, {
      cwd: ROOT,
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout?.pipe(this.log, { end: false });
    child.stderr?.pipe(this.log, { end: false });
    this.exit = new Promise((resolve) => {
      child.once('error', (err) => {
        this.log?.write(`[fleet] could not start ${this.command}: ${err.message}\n`);
        resolve(null);
      });
      child.once('exit', (code) => resolve(code));
    });
    try {
      await this.waitReady(() => this.alive(), this.logFile);
    } catch (err) {
      throw new Error(`${this.name}: ${(err as Error).message}\n${this.tail()}`, { cause: err });
    }
  }

  /** Sends `signal` by PID; resolves when the process has exited (its exit code, null if signalled). */
  async signal(signal: NodeJS.Signals): Promise<number | null> {
    if (this.alive() && this.child?.pid) process.kill(this.child.pid, signal);
    return this.exit;
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = STOP_GRACE_MS): Promise<void> {
    if (!this.alive()) return;
    const timer = setTimeout(() => {
      if (this.alive() && this.child?.pid) process.kill(this.child.pid, 'SIGKILL');
    }, graceMs);
    await this.signal('SIGTERM');
    clearTimeout(timer);
    this.log?.end();
  }

  /** The last lines of its log (for failures). */
  tail(lines = 30): string {
    try {
      return readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }
}

/** Stops each of `processes` by PID (SIGTERM, then SIGKILL), all at once. */
export async function stopFleetProcesses(processes: readonly FleetProcess[]): Promise<void> {
  await Promise.all(processes.map((proc) => proc.stop()));
}

export interface Fleet {
  /** Where clients send everything: the balancer's frontend over both gateways. */
  url: string;
  /** The gateways' own URLs, bypassing the balancer (to show that both enforce a limit). */
  gatewayUrls: string[];
  gateways: FleetProcess[];
  /** Two instances per subgraph. */
  instances: Record<SubgraphName, FleetProcess[]>;
  workers: FleetProcess[];
  /** The balancer's view: `<backend>/<server>` -> UP, DOWN, ... (HAProxy's `show stat`). */
  balancerStatus(): Promise<Record<string, string>>;
  /** Resolves once the balancer sees every server UP. */
  untilAllUp(timeoutMs?: number): Promise<void>;
  logDir: string;
  /** Stops every process it started, by PID, however far the start got. */
  stop(): Promise<void>;
}

export interface FleetOptions {
  redisUrl: string;
  /**
   * Every process is added here as it starts, so a test whose set-up timed out half-way can still
   * stop them all (stopFleetProcesses) by PID.
   */
  registry: FleetProcess[];
  /** Extra environment for the gateways (rate limits, ...). */
  gatewayEnv?: NodeJS.ProcessEnv;
}

/** Polls `url` until it answers 200. */
async function untilOk(url: string, alive: () => boolean): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (!alive()) throw new Error('exited before it was ready');
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      await response.body?.cancel();
      if (response.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} was not ready within ${READY_TIMEOUT_MS} ms`);
}

/** Polls a process's log until it contains `text` (a worker serves no HTTP). */
async function untilLogged(text: string, logFile: string, alive: () => boolean): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (!alive()) throw new Error('exited before it was ready');
    try {
      if (readFileSync(logFile, 'utf8').includes(text)) return;
    } catch {
      // no output yet
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`no "${text}" in its log within ${READY_TIMEOUT_MS} ms`);
}

/** Whether `port` can be listened on at 127.0.0.1 now. */
function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * `count` consecutive free ports below Linux's ephemeral range (from
 * /proc/sys/net/ipv4/ip_local_port_range, usually 32768-60999). A port from that range (what
 * `listen(0)` and outgoing connections get) can be taken by another process the moment a
 * SIGKILLed instance lets it go, and the instance started again in its place would then find it
 * busy while the balancer sends its traffic to a stranger: seen once on this shared machine,
 * where another test's media subgraph answered in place of media-1. These are handed out by
 * nobody but an explicit bind.
 */
async function reservePorts(count: number): Promise<number[]> {
  let ephemeralStart = 32_768;
  try {
    ephemeralStart = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').split(/\s+/)[0]);
  } catch {
    // not Linux: keep the usual floor
  }
  const low = 10_000;
  const high = Math.max(low + count, ephemeralStart - 1);
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const base = low + Math.floor(Math.random() * (high - low - count));
    const ports = Array.from({ length: count }, (_, i) => base + i);
    if ((await Promise.all(ports.map(isFree))).every(Boolean)) return ports;
  }
  throw new Error(`no ${count} consecutive free ports between ${low} and ${high}`);
}

/** Asks HAProxy's admin socket `command`; resolves to the whole answer. */
function askBalancer(socketPath: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let answer = '';
    const socket = connect(socketPath, () => socket.end(`${command}\n`));
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

/**
 * HAProxy's configuration. Why each setting:
 * - `option http-server-close`: one backend connection per request, so no request is ever sent
 *   on a pooled connection the instance is closing (a mutation lost that way could not be retried).
 * - `retry-on conn-failure` + `retries 3` + `option redispatch 1`: a request whose connection was
 *   refused (the instance is dead and not yet marked down) goes to another instance. Safe for
 *   mutations too: nothing reached the instance. No `empty-response` or status retries: those
 *   would resend a mutation that a SIGKILLed instance may have committed; the gateway retries
 *   queries itself (502/503, gateway/src/upstream/policy.ts).
 * - `option httpchk GET /ready`: a gateway going non-ready on SIGTERM (SHUTDOWN_DELAY_MS) leaves
 *   the rotation before its listener closes; a dead instance leaves it after three failed checks.
 * - `option forwardfor` on the clients' frontend, so the gateways (TRUST_PROXY) rate-limit each
 *   client by its own address.
 * - `timeout tunnel`: WebSockets (clients' subscriptions, and the gateways' to inventory) stay up.
 */
function balancerConfig(
  socketPath: string,
  frontends: { name: string; port: number; servers: { name: string; port: number }[]; clients: boolean }[],
): string {
  const lines = [
    'global',
    `  stats socket ${socketPath} mode 600 level admin`,
    '  maxconn 4096',
    '  nbthread 1',
    'defaults',
    '  mode http',
    '  timeout connect 2s',
    '  timeout client 60s',
    '  timeout server 30s',
    '  timeout tunnel 1h',
    '  timeout http-keep-alive 60s',
    `  timeout check ${CHECK_TIMEOUT_MS}`,
    '  option http-server-close',
    '  option redispatch 1',
    '  retries 3',
    '  retry-on conn-failure',
    `  default-server inter ${CHECK_INTER_MS} fastinter ${CHECK_INTER_MS} downinter ${CHECK_INTER_MS} fall 3 rise 1`,
  ];
  for (const frontend of frontends) {
    lines.push(`frontend fe_${frontend.name}`, `  bind 127.0.0.1:${frontend.port}`);
    if (frontend.clients) lines.push('  option forwardfor');
    lines.push(
      `  default_backend be_${frontend.name}`,
      `backend be_${frontend.name}`,
      '  balance roundrobin',
      '  option httpchk GET /ready',
      // Which instance answered (tests check that both gateways served and refused).
      '  http-response set-header x-served-by %s',
      ...frontend.servers.map((server) => `  server ${server.name} 127.0.0.1:${server.port} check`),
    );
  }
  return `${lines.join('\n')}\n`;
}

export async function startFleet(options: FleetOptions): Promise<Fleet> {
  const logDir = mkdtempSync(join(tmpdir(), 'terrarium-fleet-'));
  const started = options.registry;
  const stop = () => stopFleetProcesses(started);
  try {
    // The balancer's 7 frontends, 12 subgraph instances and 2 gateways.
    const ports = await reservePorts(21);
    const take = () => ports.shift()!;
    const lbPorts: Record<string, number> = { gateway: take() };
    const instancePorts: Record<string, number[]> = {};
    for (const name of SUBGRAPH_NAMES) {
      lbPorts[name] = take();
      instancePorts[name] = [take(), take()];
    }
    const gatewayPorts = [take(), take()];
    const lbUrl = (name: string) => `http://127.0.0.1:${lbPorts[name]}/graphql`;

    const socketPath = join(logDir, 'haproxy.sock');
    const configPath = join(logDir, 'haproxy.cfg');
    writeFileSync(
      configPath,
      balancerConfig(socketPath, [
        {
          name: 'gateway',
          port: lbPorts['gateway']!,
          clients: true,
          servers: gatewayPorts.map((port, i) => ({ name: `gateway-${i + 1}`, port })),
        },
        ...SUBGRAPH_NAMES.map((name) => ({
          name,
          port: lbPorts[name]!,
          clients: false,
          servers: instancePorts[name]!.map((port, i) => ({ name: `${name}-${i + 1}`, port })),
        })),
      ]),
    );
    const balancer = new FleetProcess(
      'haproxy',
      'haproxy',
      ['-db', '-f', configPath],
      { PATH: `${process.env['PATH'] ?? ''}:/usr/sbin:/sbin` },
      lbPorts['gateway']!,
      join(logDir, 'haproxy.log'),
      async (alive) => {
        const deadline = Date.now() + 10_000;
        for (;;) {
          if (!alive()) throw new Error('haproxy exited (is it installed? .ci/run installs it with apt-get)');
          if (await askBalancer(socketPath, 'show info').then(Boolean, () => false)) return;
          if (Date.now() > deadline) throw new Error('haproxy did not start within 10 s');
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      },
    );
    started.push(balancer);
    await balancer.start();

    const base: NodeJS.ProcessEnv = {
      ...process.env,
      REDIS_URL: options.redisUrl,
      LOG_LEVEL: 'warn',
      // Every service reaches every other through the balancer, as the gateway does.
      ...Object.fromEntries(SUBGRAPH_NAMES.map((name) => [`${name.toUpperCase()}_URL`, lbUrl(name)])),
    };
    for (const name of SUBGRAPH_NAMES) delete base[`${name.toUpperCase()}_PORT`];
    delete base['PORT'];
    delete base['METRICS_PORT'];

    const subgraph = (name: SubgraphName, index: number, seed: boolean) => {
      const port = instancePorts[name]![index]!;
      const proc = new FleetProcess(
        `${name}-${index + 1}`,
        process.execPath,
        [subgraphMain(name)],
        {
          ...base,
          PORT: String(port),
          SEED_DEMO: String(seed),
          // inventory's API instances enqueue only; its two workers publish the events.
          ...(name === 'inventory' ? { JOBS_MODE: 'api' } : {}),
        },
        port,
        join(logDir, `${name}-${index + 1}.log`),
        (alive) => untilOk(`http://127.0.0.1:${port}/ready`, alive),
      );
      started.push(proc);
      return proc;
    };
    const instances = Object.fromEntries(
      SUBGRAPH_NAMES.map((name) => [name, [] as FleetProcess[]]),
    ) as Record<SubgraphName, FleetProcess[]>;
    // Everything starts at once: migrations and the demo seed take an advisory lock per schema,
    // and ops' signing key is created once however many instances race for it. The first
    // instance of each subgraph seeds; the gateways wait for nothing (the balancer does).
    const first = SUBGRAPH_NAMES.map((name) => subgraph(name, 0, true));
    const second = SUBGRAPH_NAMES.map((name) => subgraph(name, 1, false));
    const workers = [1, 2].map((n) => {
      const logFile = join(logDir, `inventory-worker-${n}.log`);
      const proc = new FleetProcess(
        `inventory-worker-${n}`,
        process.execPath,
        [subgraphMain('inventory'), '--worker'],
        { ...base, SEED_DEMO: 'false', LOG_LEVEL: 'info' },
        null,
        logFile,
        (alive) => untilLogged('running as a job worker', logFile, alive),
      );
      started.push(proc);
      return proc;
    });
    for (const name of SUBGRAPH_NAMES)
      instances[name] = [first[SUBGRAPH_NAMES.indexOf(name)]!, second[SUBGRAPH_NAMES.indexOf(name)]!];

    // The gateways know each subgraph by its balancer URL only.
    const composition = composeServices(
      SUBGRAPH_NAMES.map((name) => ({
        name,
        url: lbUrl(name),
        typeDefs: parse(readFileSync(join(ROOT, 'subgraphs', name, 'schema.graphql'), 'utf8')),
      })),
    );
    if (composition.errors)
      throw new Error(`composition failed: ${composition.errors.map((e) => e.message).join('; ')}`);
    const supergraphPath = join(logDir, 'supergraph.graphql');
    writeFileSync(supergraphPath, composition.supergraphSdl);
    const gateways = gatewayPorts.map((port, i) => {
      const proc = new FleetProcess(
        `gateway-${i + 1}`,
        process.execPath,
        [
          'gateway/dist/main.js',
          '--supergraph',
          supergraphPath,
          '--port',
          String(port),
          '--host',
          '127.0.0.1',
        ],
        { ...base, TRUST_PROXY: 'true', ...options.gatewayEnv },
        port,
        join(logDir, `gateway-${i + 1}.log`),
        (alive) => untilOk(`http://127.0.0.1:${port}/ready`, alive),
      );
      started.push(proc);
      return proc;
    });
    await Promise.all([...first, ...second, ...workers, ...gateways].map((proc) => proc.start()));

    const balancerStatus = async () => {
      const csv = await askBalancer(socketPath, 'show stat');
      const status: Record<string, string> = {};
      for (const line of csv.split('\n')) {
        const [backend, server, ...fields] = line.split(',');
        if (!backend || !server || line.startsWith('#') || server === 'FRONTEND' || server === 'BACKEND')
          continue;
        // `status` is the 18th column of `show stat` (0-based 17).
        status[`${backend}/${server}`] = fields[15] ?? '';
      }
      return status;
    };
    const untilAllUp = async (timeoutMs = 30_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const status = await balancerStatus();
        const down = Object.entries(status).filter(([, state]) => !state.startsWith('UP'));
        if (down.length === 0 && Object.keys(status).length > 0) return;
        if (Date.now() > deadline) throw new Error(`not UP at the balancer: ${JSON.stringify(down)}`);
        await new Promise((resolve) => setTimeout(resolve, CHECK_INTER_MS));
      }
    };
    await untilAllUp();
    return {
      url: lbUrl('gateway'),
      gatewayUrls: gatewayPorts.map((port) => `http://127.0.0.1:${port}/graphql`),
      gateways,
      instances,
      workers,
      balancerStatus,
      untilAllUp,
      logDir,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
