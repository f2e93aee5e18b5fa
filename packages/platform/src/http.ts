import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext, type HTTPGraphQLResponse } from '@apollo/server';

/** Largest request body accepted. @default 1_048_576 bytes (1 MiB) */
export const DEFAULT_MAX_BODY_BYTES = 1_048_576;

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/**
 * Reads the body up to `limit` bytes; a larger body is a 413 before it is all buffered. Plain
 * 'data'/'end' listeners rather than the stream's async iterator: this runs for every request,
 * and the iterator costs a promise and more per chunk.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit)
    return Promise.reject(
      new HttpError(413, `Request body is larger than ${limit} bytes.`, 'PAYLOAD_TOO_LARGE'),
    );
  // Someone read it already: there is nothing left, and 'end' will not come again.
  if (req.readableEnded) return Promise.resolve('');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        // Stop reading what is left; the 413 goes out on the same connection.
        req.pause();
        reject(new HttpError(413, `Request body is larger than ${limit} bytes.`, 'PAYLOAD_TOO_LARGE'));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8'));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const onClose = () => {
      // Closed before 'end': the client went away mid-body.
      if (!req.complete) onError(new Error('request body aborted'));
    };
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
    ...headers,
  });
  res.end(payload);
}

export function sendGraphQLError(
  res: ServerResponse,
  status: number,
  message: string,
  code: string,
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, { errors: [{ message, extensions: { code } }] }, headers);
}

/**
 * A GraphQL request's body: for a POST, the JSON it holds (a 400 if it is not JSON), or the raw
 * text under another content type, for Apollo to refuse; nothing for other methods.
 */
export async function readGraphQLBody(
  req: IncomingMessage,
  limit = DEFAULT_MAX_BODY_BYTES,
): Promise<unknown> {
  return req.method === 'POST' ? parseJsonBody(req, limit) : undefined;
}

async function parseJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const raw = await readBody(req, limit);
  if (raw.length === 0) return undefined;
  const type = req.headers['content-type'] ?? '';
  if (!type.includes('json')) return raw;
  try {
    return JSON.parse(raw);
  } catch {
    throw new HttpError(400, 'Request body is not valid JSON.', 'BAD_REQUEST');
  }
}

export async function writeApolloResponse(res: ServerResponse, response: HTTPGraphQLResponse): Promise<void> {
  const headers: Record<string, string | number> = {};
  for (const [key, value] of response.headers) headers[key] = value;
  if (response.body.kind === 'complete') {
    // With its length known the answer goes out in one piece, not chunked.
    headers['content-length'] = Buffer.byteLength(response.body.string);
    res.writeHead(response.status ?? 200, headers);
    res.end(response.body.string);
    return;
  }
  res.writeHead(response.status ?? 200, headers);
  for await (const chunk of response.body.asyncIterator) {
    // The client went away (a multipart answer still had parts to come): stop producing them.
    if (res.destroyed) break;
    res.write(chunk);
  }
  res.end();
}

/**
 * Runs a GraphQL HTTP request through Apollo Server (POST and GET), with a body limit. Apollo's
 * own handling stays in charge of CSRF prevention, content negotiation and error shapes. `body`:
 * what `readGraphQLBody` read already, when the caller looked at it first.
 */
export async function handleGraphQL<TContext extends BaseContext>(
  apollo: ApolloServer<TContext>,
  req: IncomingMessage,
  res: ServerResponse,
  buildContext: () => Promise<TContext>,
  options: { maxBodyBytes?: number; body?: unknown } = {},
): Promise<void> {
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  const body = 'body' in options ? options.body : await readGraphQLBody(req, options.maxBodyBytes);
  const response = await apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: searchOf(req.url), body },
    context: buildContext,
  });
  await writeApolloResponse(res, response);
}

/** The query string of a request target, with its `?` (`''` without one), as URL#search gives it. */
export function searchOf(target: string | undefined): string {
  if (!target) return '';
  const fragment = target.indexOf('#');
  const path = fragment === -1 ? target : target.slice(0, fragment);
  const start = path.indexOf('?');
  return start === -1 || start === path.length - 1 ? '' : path.slice(start);
}
