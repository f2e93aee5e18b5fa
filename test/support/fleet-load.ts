/**
 * Clients for test/fleet.test.ts, each one a separate client of the fleet's balancer with its own
 * loopback address (127.0.0.N: the gateways, behind the balancer's X-Forwarded-For, count each
 * one's rate limit apart): query loops that record every answer, a staff client adjusting stock,
 * and graphql-ws subscribers that resume after the last event they got when their gateway goes.
 */
import { Agent, request } from 'node:http';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: { data?: any; errors?: { message: string; extensions?: Record<string, any> }[] } | null;
  /** A transport failure (no HTTP answer), else null. */
  failure: string | null;
}

/** An HTTP client on its own loopback address, keeping its connections alive. */
export class HttpClient {
  private readonly agent: Agent;

  constructor(readonly address: string) {
    this.agent = new Agent({ keepAlive: true, maxSockets: 4, localAddress: address });
  }

  post(
    url: string,
    body: unknown,
    headers: Record<string, string> = {},
    timeoutMs = 30_000,
  ): Promise<Answer> {
    const payload = JSON.stringify(body);
    return new Promise((resolve) => {
      const req = request(
        url,
        {
          method: 'POST',
          agent: this.agent,
          timeout: timeoutMs,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(payload),
            ...headers,
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => {
            let parsed: Answer['body'] = null;
            try {
              parsed = JSON.parse(text) as Answer['body'];
            } catch {
              // not JSON: a balancer's error page
            }
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed, failure: null });
          });
          res.on('error', (err) => resolve({ status: 0, headers: {}, body: null, failure: err.message }));
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on('error', (err) => resolve({ status: 0, headers: {}, body: null, failure: err.message }));
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** One request a load client sent, and what came back. */
export interface Sample {
  operation: string;
  startedAt: number;
  endedAt: number;
  ok: boolean;
  /** Why it failed (status, errors or transport), for the test's message. */
  problem: string | null;
}

export interface Operation {
  name: string;
  query: string;
  variables: Record<string, unknown>;
}

/** Whether an answer is a whole success: HTTP 200, data, no errors at all. */
export function problemOf(answer: Answer): string | null {
  if (answer.failure) return `transport: ${answer.failure}`;
  if (answer.status !== 200) return `HTTP ${answer.status}: ${JSON.stringify(answer.body)}`;
  if (answer.body?.errors?.length) return `errors: ${JSON.stringify(answer.body.errors)}`;
  if (!answer.body?.data) return 'no data';
  return null;
}

/**
 * Clients looping over `operations` against `url`, each sending its next request no sooner than
 * `minIntervalMs` after the previous one started (a steady, low load). Every answer is recorded.
 */
export class QueryLoad {
  readonly samples: Sample[] = [];
  private running = false;
  private loops: Promise<void>[] = [];
  private readonly clients: HttpClient[];

  constructor(
    private readonly url: string,
    private readonly operations: readonly Operation[],
    addresses: readonly string[],
    private readonly minIntervalMs: number,
  ) {
    this.clients = addresses.map((address) => new HttpClient(address));
  }

  start(): void {
    this.running = true;
    this.loops = this.clients.map((client, index) => this.loop(client, index));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    for (const client of this.clients) client.close();
  }

  private async loop(client: HttpClient, offset: number): Promise<void> {
    for (let i = offset; this.running; i += 1) {
      const operation = this.operations[i % this.operations.length]!;
      const startedAt = Date.now();
      const answer = await client.post(this.url, {
        query: operation.query,
        operationName: operation.name,
        variables: operation.variables,
      });
      const endedAt = Date.now();
      const problem = problemOf(answer);
      this.samples.push({ operation: operation.name, startedAt, endedAt, ok: problem === null, problem });
      const wait = this.minIntervalMs - (endedAt - startedAt);
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

export interface CheckoutStats {
  /** Requests sent (add-to-cart and checkout, retries included). */
  sent: number;
  /** Order id per idempotency key, for every checkout that succeeded (at the first try or a retry). */
  orders: Map<string, string>;
  /** Keys whose checkout never succeeded. */
  abandoned: string[];
  /** Checkout attempts that failed and were asked again with the same key. */
  retried: number;
  /** Add-to-cart attempts that failed (asked again: a second unit in the cart changes nothing here). */
  cartRetries: number;
  problems: string[];
}

/**
 * How long a key's checkout is asked again before it counts as abandoned. A checkout whose
 * commerce instance died half-way stays "in progress" (CONFLICT) until commerce's sweeper undoes
 * it: COMMERCE_STALE_AFTER_SECONDS (60 s) plus a sweep (15 s). @default 150_000 ms
 */
const CHECKOUT_RETRY_MS = 150_000;

/**
 * A signed-in buyer checking out one unit of `productId` after another, each checkout with a key
 * of its own. A checkout that fails (its instance died, the reservation call with it) is asked
 * again with the same key, as the schema promises that the same key returns the same order:
 * every key must end with exactly one order.
 */
export async function runCheckouts(options: {
  client: HttpClient;
  url: string;
  token: string;
  productId: string;
  addToCart: string;
  checkout: string;
  shippingAddress: Record<string, string>;
  intervalMs: number;
  running: () => boolean;
}): Promise<CheckoutStats> {
  const { client, url, token, productId, intervalMs, running } = options;
  const headers = { authorization: `Bearer ${token}` };
  const stats: CheckoutStats = {
    sent: 0,
    orders: new Map(),
    abandoned: [],
    retried: 0,
    cartRetries: 0,
    problems: [],
  };
  const send = (query: string, variables: Record<string, unknown>) => {
    stats.sent += 1;
    return client.post(url, { query, variables }, headers);
  };
  for (let n = 0; running(); n += 1) {
    const startedAt = Date.now();
    for (let tries = 0; ; tries += 1) {
      const problem = problemOf(await send(options.addToCart, { productId, quantity: 1 }));
      if (!problem) break;
      stats.cartRetries += 1;
      stats.problems.push(`AddToCart: ${problem}`);
      if (tries === 10) throw new Error(`AddToCart keeps failing: ${problem}`);
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    const key = `fleet-${startedAt}-${n}`;
    const giveUpAt = Date.now() + CHECKOUT_RETRY_MS;
    for (;;) {
      const answer = await send(options.checkout, {
        idempotencyKey: key,
        shippingAddress: options.shippingAddress,
      });
      const problem = problemOf(answer);
      if (!problem) {
        stats.orders.set(key, answer.body!.data.checkout.id as string);
        break;
      }
      stats.problems.push(`Checkout: ${problem}`);
      if (Date.now() > giveUpAt) {
        stats.abandoned.push(key);
        break;
      }
      stats.retried += 1;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const wait = intervalMs - (Date.now() - startedAt);
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
  return stats;
}

/** What one subscriber got: each event's id, when it arrived, and its resume notes. */
export interface ReceivedEvent {
  eventId: string | undefined;
  at: number;
  resumedAfter?: string;
  gap?: unknown;
  errors?: unknown;
  /** The gateway the subscriber's socket was on when it arrived. */
  via: string;
}

/**
 * A graphql-ws client of the balancer that never gives up: when its gateway closes the socket
 * (1001 on shutdown) it reconnects after 100 ms, lands on the other gateway, and re-subscribes
 * with `extensions.lastEventId` = the last event it got (graphql-ws re-sends the payload object,
 * which this keeps current), so the gateway replays what was published meanwhile.
 */
export class ResumingSubscriber {
  readonly events: ReceivedEvent[] = [];
  /** The gateway (x-served-by) of each connection, in order. */
  readonly connections: string[] = [];
  /** What the subscription ended with, if it ended (it should not). */
  ended: unknown = null;
  /** The lastEventId sent with each re-subscription after a reconnect. */
  readonly resumedFrom: (string | undefined)[] = [];
  private readonly client: Client;
  private readonly payload: {
    query: string;
    variables: Record<string, unknown>;
    extensions: Record<string, unknown>;
  };

  constructor(url: string, address: string, query: string, variables: Record<string, unknown>) {
    const connections = this.connections;
    /** `ws` on this client's own loopback address, noting which gateway took the upgrade. */
    class LocalWebSocket extends WebSocket {
      constructor(target: string | URL, protocols?: string | string[]) {
        super(target, protocols, { localAddress: address });
        this.once('upgrade', (response) => connections.push(String(response.headers['x-served-by'] ?? '?')));
      }
    }
    this.payload = { query, variables, extensions: {} };
    this.client = createClient({
      url: url.replace(/^http/, 'ws'),
      webSocketImpl: LocalWebSocket,
      lazy: false,
      retryAttempts: 1_000,
      retryWait: () => new Promise((resolve) => setTimeout(resolve, 100)),
      shouldRetry: () => true,
      keepAlive: 5_000,
      on: {
        connected: (_socket, _payload, wasRetry) => {
          if (wasRetry) this.resumedFrom.push(this.payload.extensions['lastEventId'] as string | undefined);
        },
      },
    });
    this.client.subscribe(this.payload, {
      next: (result) => {
        const extensions = (result.extensions ?? {}) as Record<string, unknown>;
        const eventId = typeof extensions['eventId'] === 'string' ? extensions['eventId'] : undefined;
        this.events.push({
          eventId,
          at: Date.now(),
          via: this.connections.at(-1) ?? '?',
          ...(extensions['resumedAfter'] ? { resumedAfter: extensions['resumedAfter'] as string } : {}),
          ...(extensions['gap'] ? { gap: extensions['gap'] } : {}),
          ...(result.errors ? { errors: result.errors } : {}),
        });
        if (eventId) this.payload.extensions['lastEventId'] = eventId;
      },
      error: (err) => (this.ended = err ?? 'error'),
      complete: () => (this.ended = 'completed'),
    });
  }

  get lastEventId(): string | undefined {
    return this.events.at(-1)?.eventId;
  }

  async close(): Promise<void> {
    await this.client.dispose();
  }
}

/** The longest stretch within [from, to] during which `times` (sorted arrivals) had none. */
export function longestGap(times: readonly number[], from: number, to: number): number {
  let longest = 0;
  let previous = from;
  for (const at of times) {
    if (at < from) continue;
    if (at > to) break;
    longest = Math.max(longest, at - previous);
    previous = at;
  }
  return Math.max(longest, to - previous);
}

/** The longest answer time of the requests in flight at any moment of [from, to]. */
export function longestWait(samples: readonly Sample[], from: number, to: number): number {
  let longest = 0;
  for (const sample of samples)
    if (sample.startedAt <= to && sample.endedAt >= from)
      longest = Math.max(longest, sample.endedAt - sample.startedAt);
  return longest;
}
