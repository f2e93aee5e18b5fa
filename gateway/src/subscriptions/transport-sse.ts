import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from '@terrarium/platform/http';
import type { ExecutionResult } from 'graphql/index.js';
import { createHandler } from 'graphql-sse';
import type { SubscriptionHub } from './hub.js';
import type { Identity } from './identity.js';
import type { EventResult, Subscriber } from './subscriber.js';
import { refusalStatus } from './refusal.js';
import { untilDrained } from './writing.js';

interface SseContext {
  identity: Identity;
  pace: Pace;
  /** `documentId` of a POST body (graphql-sse reads only query, variables, operationName, extensions). */
  documentId?: unknown;
}

/**
 * graphql-sse insists on a `query`; an operation named by a persisted id has none. An empty one
 * stands in (the hub treats it as absent), so ids work on SSE as on the other transports.
 */
function withQuery(url: string): string {
  const [path, search = ''] = url.split('?');
  const params = new URLSearchParams(search);
  if (params.has('query')) return url;
  params.set('query', '');
  return `${path}?${params}`;
}

/**
 * graphql-sse pulls every result of an operation into an unbounded buffer as soon as it exists
 * and writes from there. The pace keeps that buffer at one event: the subscriber is asked for
 * its next event only once the previous one was written, so a slow client's backlog stays in the
 * subscriber's bounded queue.
 */
class Pace {
  private handedOut = 0;
  private written = 0;
  private wake: (() => void) | null = null;
  private stopped = false;
  /** The `eventId` of the event handed out and not yet written (at most one, see above). */
  private pendingEventId: string | null = null;

  handOut(eventId: string | null): void {
    this.handedOut += 1;
    this.pendingEventId = eventId;
  }

  /** The id line for the `next` chunk being written (the event handed out last), once. */
  takeEventId(): string | null {
    const eventId = this.pendingEventId;
    this.pendingEventId = null;
    return eventId;
  }

  wrote(): void {
    this.written += 1;
    this.release();
  }

  stop(): void {
    this.stopped = true;
    this.release();
  }

  async ready(): Promise<void> {
    while (!this.stopped && this.written < this.handedOut)
      await new Promise<void>((resolve) => (this.wake = resolve));
  }

  private release(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}

/**
 * An event's `eventId` as an SSE `id:` field, so that a reconnecting EventSource sends it back as
 * Last-Event-ID; null when the event has none or it could not be one field line.
 */
function sseEventId(result: EventResult): string | null {
  const eventId = (result.extensions as Record<string, unknown> | undefined)?.['eventId'];
  return typeof eventId === 'string' && /^[\w.:-]{1,64}$/.test(eventId) ? eventId : null;
}

/**
 * A reconnecting EventSource's Last-Event-ID is a resume point, as `extensions.lastEventId` is
 * on every transport (an explicit one wins); the hub checks its form and the subgraph replays.
 */
function withLastEventId<T extends { extensions?: Record<string, unknown> | null }>(
  params: T,
  lastEventId: string | null,
): T {
  if (!lastEventId || params.extensions?.['lastEventId'] !== undefined) return params;
  return { ...params, extensions: { ...params.extensions, lastEventId } };
}

/** The subscriber for graphql-sse: a terminal error becomes a last `next` with the errors, then `complete`. */
function overSse(subscriber: Subscriber, pace: Pace): AsyncIterableIterator<EventResult> {
  let terminalSent = false;
  const iterator: AsyncIterableIterator<EventResult> = {
    async next() {
      await pace.ready();
      const step = await subscriber.next();
      if (!step.done) {
        pace.handOut(sseEventId(step.value));
        return step;
      }
      if (subscriber.terminalErrors && !terminalSent) {
        terminalSent = true;
        return { done: false, value: { errors: subscriber.terminalErrors } };
      }
      return step;
    },
    return: () => {
      pace.stop();
      return subscriber.return();
    },
    throw: async () => subscriber.return(),
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}

/**
 * Subscriptions over Server-Sent Events, graphql-sse's "distinct connections" mode: one GET (or
 * POST) with `accept: text/event-stream` per subscription, so a plain EventSource works. The
 * caller comes from the request's own headers, identified before this runs. Each event carries
 * its `eventId` as the SSE `id:`, and a request with Last-Event-ID resumes after it, so an
 * EventSource that reconnects (it does so by itself) misses nothing the subgraph still holds.
 */
export function createSseTransport(hub: SubscriptionHub, maxBodyBytes: number) {
  const handler = createHandler<IncomingMessage, SseContext, undefined>({
    // No reservations (single connection mode): every request is its own stream.
    authenticate: () => null,
    onSubscribe: async (req, params) => {
      const documentId =
        new URL(req.url, 'http://gateway').searchParams.get('documentId') ?? req.context.documentId;
      const resuming = withLastEventId(params, req.headers.get('last-event-id') ?? null);
      const outcome = await hub.subscribe({ ...resuming, documentId }, req.context.identity, 'sse');
      // A refusal is answered as a POST would be: its status and `{ errors }` with the real message
      // and code (returned as an ExecutionResult without `data`, graphql-sse would take it for
      // arguments and answer "Unable to detect operation AST").
      if ('errors' in outcome) {
        const headers = { 'content-type': 'application/json; charset=utf-8' };
        return [
          JSON.stringify({ errors: outcome.errors }),
          { status: refusalStatus(outcome.errors), statusText: 'Refused', headers },
        ];
      }
      return overSse(outcome.subscriber, req.context.pace) as unknown as AsyncIterable<ExecutionResult>;
    },
  });

  return async function serveSse(
    req: IncomingMessage,
    res: ServerResponse,
    identity: Identity,
  ): Promise<void> {
    const pace = new Pace();
    const context: SseContext = { identity, pace };
    const method = req.method ?? 'GET';
    const [body, init] = await handler({
      method,
      url: method === 'GET' ? withQuery(req.url ?? '/graphql') : (req.url ?? '/graphql'),
      headers: {
        // graphql-sse wants the exact value; browsers' EventSource sends it, others may add more.
        get: (key: string) =>
          key === 'accept' ? 'text/event-stream' : [req.headers[key] ?? []].flat().join(', ') || null,
      },
      body: async () => {
        const raw = await readBody(req, maxBodyBytes);
        let parsed: unknown;
        try {
          parsed = JSON.parse(raw);
        } catch {
          return raw; // graphql-sse answers unparsable bodies itself
        }
        if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return raw;
        const fields = parsed as Record<string, unknown>;
        context.documentId = fields['documentId'];
        return fields['query'] === undefined ? { ...fields, query: '' } : fields;
      },
      raw: req,
      context,
    });
    res.writeHead(init.status, init.statusText, init.headers);
    if (!body || typeof body === 'string') {
      res.end(body ?? undefined);
      return;
    }
    const stop = () => {
      pace.stop();
      void body.return(undefined);
    };
    res.once('close', stop);
    try {
      for await (const chunk of body) {
        if (res.destroyed) break;
        const next = chunk.startsWith('event: next');
        const eventId = next ? pace.takeEventId() : null;
        const written = res.write(eventId ? `id: ${eventId}\n${chunk}` : chunk);
        if (next) pace.wrote();
        if (!written) await untilDrained(res);
      }
    } finally {
      res.off('close', stop);
      if (!res.destroyed) res.end();
    }
  };
}
