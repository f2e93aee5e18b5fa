import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, readBody, sendJson } from '@terrarium/platform/http';
import type { SubscribeRequest, SubscriptionHub } from './hub.js';
import type { Identity } from './identity.js';
import { refusalStatus } from './refusal.js';
import { untilDrained } from './writing.js';
import { ErrorCode } from '../errors.js';

export const MULTIPART_CONTENT_TYPE = 'multipart/mixed;boundary="graphql";subscriptionSpec="1.0"';

async function readRequest(req: IncomingMessage, maxBodyBytes: number): Promise<SubscribeRequest> {
  // JSON only: a browser cannot send it cross-origin without a preflight (CSRF), as for queries.
  if (!(req.headers['content-type'] ?? '').includes('application/json')) {
    throw new HttpError(
      415,
      'Multipart subscriptions take a JSON body (content-type: application/json).',
      ErrorCode.BAD_REQUEST,
    );
  }
  let body: unknown;
  try {
    body = JSON.parse(await readBody(req, maxBodyBytes));
  } catch (err) {
    if (err instanceof HttpError) throw err;
    throw new HttpError(400, 'Request body is not valid JSON.', ErrorCode.BAD_REQUEST);
  }
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new HttpError(400, 'The body must be a JSON object.', ErrorCode.BAD_REQUEST);
  const { query, operationName, variables, extensions, documentId } = body as Record<string, unknown>;
  if (query != null && typeof query !== 'string')
    throw new HttpError(400, '"query" must be a string.', ErrorCode.BAD_REQUEST);
  const isObject = (value: unknown) => typeof value === 'object' && !Array.isArray(value);
  if (variables != null && !isObject(variables))
    throw new HttpError(400, '"variables" must be an object.', ErrorCode.BAD_REQUEST);
  if (extensions != null && !isObject(extensions))
    throw new HttpError(400, '"extensions" must be an object.', ErrorCode.BAD_REQUEST);
  return {
    query: query ?? null,
    operationName: typeof operationName === 'string' ? operationName : null,
    variables: (variables ?? null) as Record<string, unknown> | null,
    extensions: (extensions ?? null) as Record<string, unknown> | null,
    documentId,
  };
}

/**
 * Apollo's multipart HTTP subscription protocol (what Apollo Client's HttpLink speaks): a POST
 * with `accept: multipart/mixed;subscriptionSpec="1.0"` answered by a multipart/mixed stream,
 * boundary "graphql". Each part is JSON: `{}` heartbeats every `heartbeatMs`, `{"payload":
 * {data, errors}}` per event, and a last `{"payload": null, "errors": [...]}` when the
 * subscription ends on an error. Every part is followed by the next delimiter at once, because
 * clients (Apollo's readMultipartBody) only read a part when they see the delimiter after it.
 */
export function createMultipartTransport(
  hub: SubscriptionHub,
  options: { maxBodyBytes: number; heartbeatMs: number },
) {
  return async function serveMultipart(
    req: IncomingMessage,
    res: ServerResponse,
    identity: Identity,
  ): Promise<void> {
    const request = await readRequest(req, options.maxBodyBytes);
    const outcome = await hub.subscribe(request, identity, 'multipart');
    if ('errors' in outcome) return sendJson(res, refusalStatus(outcome.errors), { errors: outcome.errors });
    const { subscriber } = outcome;

    res.writeHead(200, {
      'content-type': MULTIPART_CONTENT_TYPE,
      'cache-control': 'no-cache, no-store',
      connection: 'keep-alive',
    });
    const part = (json: string): boolean =>
      res.write(`\r\ncontent-type: application/json; charset=utf-8\r\n\r\n${json}\r\n--graphql`);
    res.write('\r\n--graphql');
    part('{}');
    const heartbeat = setInterval(() => {
      // A client that cannot take heartbeats does not need more of them queued.
      if (!res.writableNeedDrain) part('{}');
    }, options.heartbeatMs);
    const stop = () => void subscriber.return();
    res.once('close', stop);
    try {
      for (let step = await subscriber.next(); !step.done; step = await subscriber.next()) {
        if (!part(JSON.stringify({ payload: step.value }))) await untilDrained(res);
        if (res.destroyed) return;
      }
      if (subscriber.terminalErrors)
        part(JSON.stringify({ payload: null, errors: subscriber.terminalErrors }));
      res.end('--\r\n');
    } finally {
      clearInterval(heartbeat);
      res.off('close', stop);
      void subscriber.return();
    }
  };
}
