import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const LOWEST_CANDIDATE = 10_000;
const MAX_TRIES = 200;

/**
 * The lowest port the kernel hands out on its own (to `listen(0)` and to outgoing connections).
 * Ports below it are only ever taken by a process that names them.
 */
function ephemeralLowerBound(): number {
  try {
    const [lower] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    const port = Number(lower);
    if (Number.isInteger(port) && port > LOWEST_CANDIDATE + 1000) return port;
  } catch {
    // Not Linux: 32768 is below macOS's and Windows' ranges (49152) too.
  }
  return 32_768;
}

/** Every port this process handed out: never twice, even after its probe closed. */
const handedOut = new Set<number>();
let highestCandidate: number | undefined;

function listensOn(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A TCP port free on 127.0.0.1, for a server a test or a script starts next (a subgraph, Redis,
 * SMTP, a metrics listener).
 *
 * Why not `listen(0)`: the port is free only until its probe closes, and the server meant for
 * it binds seconds later. In that window the kernel could give the same port to the next
 * `listen(0)` (two subgraphs of one platform on one port: 9 groups of 5 in 5,000 here) or to an
 * outgoing connection's local end. So the port is drawn at random from below the kernel's own
 * range, which only named binds use, and this process never hands it out twice.
 */
export async function freePort(): Promise<number> {
  highestCandidate ??= ephemeralLowerBound() - 1;
  for (let attempt = 0; attempt < MAX_TRIES; attempt++) {
    const port = LOWEST_CANDIDATE + Math.floor(Math.random() * (highestCandidate - LOWEST_CANDIDATE + 1));
    if (handedOut.has(port) || !(await listensOn(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error(`no free TCP port on 127.0.0.1 in ${MAX_TRIES} tries`);
}
