import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpError, readBody, searchOf, sendJson } from './http.js';

const LIMIT = 1_000;
let server: Server;
let port: number;

beforeAll(async () => {
  server = createServer((req, res) => {
    readBody(req, LIMIT).then(
      (body) => sendJson(res, 200, { length: body.length, body }),
      (err: unknown) =>
        err instanceof HttpError
          ? sendJson(res, err.status, { code: err.code })
          : sendJson(res, 500, { error: String(err) }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** POSTs `chunks` one write each (chunked: no content-length), on a connection of its own. */
function post(chunks: (string | Buffer)[], headers: Record<string, string> = {}) {
  return new Promise<{ status: number; json: Record<string, unknown> }>((resolve, reject) => {
    const req = request({ port, method: 'POST', path: '/', headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
    });
    req.on('error', reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

describe('readBody', () => {
  it('reads a body sent in several chunks, multi-byte characters across them intact', async () => {
    const body = 'é'.repeat(100);
    const bytes = Buffer.from(body);
    const answer = await post([bytes.subarray(0, 51), bytes.subarray(51, 120), bytes.subarray(120)]);
    expect(answer).toEqual({ status: 200, json: { length: 100, body } });
  });

  it('answers an empty body with an empty string', async () => {
    expect(await post([])).toEqual({ status: 200, json: { length: 0, body: '' } });
  });

  it('refuses with 413 a chunked body that grows past the limit, and still answers', async () => {
    const answer = await post(['x'.repeat(600), 'x'.repeat(600)]);
    expect(answer).toEqual({ status: 413, json: { code: 'PAYLOAD_TOO_LARGE' } });
  });

  it('refuses with 413 a declared length past the limit before reading it', async () => {
    const answer = await post(['x'.repeat(1_200)], { 'content-length': '1200' });
    expect(answer).toEqual({ status: 413, json: { code: 'PAYLOAD_TOO_LARGE' } });
  });
});

describe('searchOf', () => {
  it('gives what URL#search gives for a request target', () => {
    for (const target of [
      '/graphql',
      '/graphql?',
      '/graphql?query=%7Ba%7D&x=1',
      '/g?a=1#frag',
      '/g#x?y',
      '',
    ]) {
      const expected = target ? new URL(target, 'http://localhost').search : '';
      expect(searchOf(target)).toBe(expected);
    }
    expect(searchOf(undefined)).toBe('');
  });
});
