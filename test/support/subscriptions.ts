/**
 * Test clients for the gateway's three subscription transports, each recording what arrives:
 * graphql-ws (the library's own client over `ws`), SSE as an EventSource sends it (GET,
 * accept: text/event-stream), and Apollo's multipart HTTP protocol as Apollo Client sends it.
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface Received {
  data?: any;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
  extensions?: Record<string, any>;
}

/** What one subscription received, and how it ended. */
export class Recorder {
  readonly results: Received[] = [];
  /** Set when it ended with an error: GraphQL errors, or a close event ({ code, reason }). */
  error: unknown = null;
  completed = false;
  private waiters: (() => void)[] = [];

  next(result: Received): void {
    this.results.push(result);
    this.notify();
  }

  fail(error: unknown): void {
    this.error = error;
    this.notify();
  }

  complete(): void {
    this.completed = true;
    this.notify();
  }

  get ended(): boolean {
    return this.completed || this.error !== null;
  }

  /** Resolves once `predicate` holds (checked on every arrival); rejects after `timeoutMs`. */
  async until(predicate: (recorder: this) => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this)) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `timed out waiting for ${what}; received ${JSON.stringify(this.results)} error ${JSON.stringify(this.error)}`,
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

export function wsUrl(httpUrl: string): string {
  return httpUrl.replace(/^http/, 'ws');
}

/** A graphql-ws client that does not retry, so refusals surface as they happen. */
export function wsClient(httpUrl: string, connectionParams: Record<string, unknown> = {}): Client {
  return createClient({
    url: wsUrl(httpUrl),
    webSocketImpl: WebSocket,
    connectionParams,
    retryAttempts: 0,
    lazy: true,
  });
}

export function subscribeWs(
  client: Client,
  query: string,
  variables: Record<string, unknown> = {},
  extensions?: Record<string, unknown>,
): Recorder & { dispose(): void } {
  const recorder = new Recorder();
  const dispose = client.subscribe<any>(
    { query, variables, ...(extensions ? { extensions } : {}) },
    {
      next: (result) => recorder.next(result as Received),
      error: (err) => recorder.fail(err),
      complete: () => recorder.complete(),
    },
  );
  return Object.assign(recorder, { dispose });
}

/** Reads a streamed body in the background, calling `onText` with each decoded chunk. */
function pump(response: Response, onText: (text: string) => void, recorder: Recorder): void {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        onText(decoder.decode(value, { stream: true }));
      }
      recorder.complete();
    } catch (err) {
      if (!recorder.ended) recorder.fail(err);
    }
  })();
}

/**
 * An SSE subscription as an EventSource makes it: GET with the operation in the query string, as
 * text or as a trusted document's id (`{ documentId }`).
 */
export async function subscribeSse(
  httpUrl: string,
  query: string | { documentId: string },
  variables: Record<string, unknown>,
  headers: Record<string, string> = {},
) {
  const controller = new AbortController();
  const operation = typeof query === 'string' ? { query } : query;
  const url = `${httpUrl}?${new URLSearchParams({ ...operation, variables: JSON.stringify(variables) })}`;
  const response = await fetch(url, {
    headers: { accept: 'text/event-stream', ...headers },
    signal: controller.signal,
  });
  const recorder = new Recorder();
  let buffer = '';
  const events: { event: string; data: string; id?: string }[] = [];
  if (response.ok && response.body) {
    pump(
      response,
      (text) => {
        buffer += text;
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: ?(.*)$/m.exec(block)?.[1] ?? '';
          const id = /^id: ?(.*)$/m.exec(block)?.[1];
          if (!event) continue; // a ":" keep-alive comment
          events.push({ event, data, ...(id === undefined ? {} : { id }) });
          if (event === 'next') recorder.next(JSON.parse(data) as Received);
          if (event === 'complete') recorder.complete();
        }
      },
      recorder,
    );
  }
  return Object.assign(recorder, { response, events, close: () => controller.abort() });
}

/**
 * A multipart subscription as Apollo Client's HttpLink makes it, parsed as its readMultipartBody
 * does: a part is read when the delimiter after it arrives.
 */
export async function subscribeMultipart(
  httpUrl: string,
  query: string,
  variables: Record<string, unknown>,
  headers: Record<string, string> = {},
) {
  const controller = new AbortController();
  const response = await fetch(httpUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'multipart/mixed;boundary="graphql";subscriptionSpec="1.0",application/json',
      ...headers,
    },
    body: JSON.stringify({ query, variables }),
    signal: controller.signal,
  });
  const recorder = new Recorder();
  const parts: any[] = [];
  let heartbeats = 0;
  let buffer = '';
  const boundary = '\r\n--graphql';
  if (response.ok && response.body && response.headers.get('content-type')?.startsWith('multipart/mixed')) {
    pump(
      response,
      (text) => {
        buffer += text;
        for (let at = buffer.indexOf(boundary); at >= 0; at = buffer.indexOf(boundary)) {
          const message = buffer.slice(0, at);
          buffer = buffer.slice(at + boundary.length);
          const split = message.indexOf('\r\n\r\n');
          if (split < 0) continue; // the preamble
          const part = JSON.parse(message.slice(split));
          parts.push(part);
          if (Object.keys(part).length === 0) heartbeats += 1;
          else if (part.payload) recorder.next(part.payload as Received);
          else recorder.fail(part.errors);
        }
      },
      recorder,
    );
  }
  return Object.assign(recorder, {
    response,
    parts,
    heartbeats: () => heartbeats,
    close: () => controller.abort(),
  });
}
