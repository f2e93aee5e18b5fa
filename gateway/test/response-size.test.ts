/**
 * A hostile or broken subgraph cannot exhaust the gateway's memory: an answer over
 * SUBGRAPH_MAX_RESPONSE_BYTES is streamed, cut off at the cap and answered SUBGRAPH_REQUEST_FAILED
 * naming the subgraph, on both executors (the fast path's client and Apollo Gateway's data source).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from './fixtures/gateway.js';
import { compose } from './fixtures/graph.js';

/** What the broken subgraph would send: 200 MB, as in the report (RSS +783 MB before the cap). */
const HUGE_BYTES = 200 * 1024 * 1024;
const CAP_BYTES = 8 * 1024 * 1024;
const HUGE_SDL = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
  type Query { huge: String }
`;

let dir: string;
let server: Server;
/** Bytes the huge subgraph managed to write for the last request before the gateway hung up. */
let lastSent = 0;
const gateways: Record<'fast' | 'apollo', TestGateway> = {} as Record<'fast' | 'apollo', TestGateway>;

beforeAll(async () => {
  // Streams `{"data":{"huge":"xxx...` from one reused 1 MB chunk, without Content-Length, until the
  // client hangs up: the subgraph itself holds almost nothing.
  const chunk = Buffer.alloc(1024 * 1024, 'x');
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      let sent = 0;
      lastSent = 0;
      res.write('{"data":{"huge":"');
      const pump = () => {
        while (sent < HUGE_BYTES) {
          sent += chunk.length;
          lastSent = sent;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end('"}}');
      };
      res.on('close', () => (sent = HUGE_BYTES + 1));
      pump();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  dir = mkdtempSync(join(tmpdir(), 'terrarium-response-size-'));
  const supergraphPath = join(dir, 'supergraph.graphql');
  writeFileSync(supergraphPath, compose([{ name: 'huge', url, typeDefs: HUGE_SDL }]));
  gateways.fast = await startGateway(supergraphPath, { SUBGRAPH_MAX_RESPONSE_BYTES: String(CAP_BYTES) });
  gateways.apollo = await startGateway(supergraphPath, {
    SUBGRAPH_MAX_RESPONSE_BYTES: String(CAP_BYTES),
    FAST_EXECUTION: 'false',
  });
});
afterAll(async () => {
  await Promise.all(Object.values(gateways).map((gateway) => gateway.stop()));
  server?.closeAllConnections();
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe.each(['fast', 'apollo'] as const)(
  'an answer over SUBGRAPH_MAX_RESPONSE_BYTES (%s executor)',
  (executor) => {
    it('is cut off at the cap and answered SUBGRAPH_REQUEST_FAILED naming the subgraph; RSS stays flat', async () => {
      global.gc?.();
      const before = process.memoryUsage().rss;
      const response = await gateways[executor].post({ query: '{ huge }' });
      const grewMb = (process.memoryUsage().rss - before) / 1024 / 1024;
      console.info(
        `[response-size] ${executor}: gateway RSS +${grewMb.toFixed(0)} MB; subgraph wrote ${(lastSent / 1024 / 1024).toFixed(0)} MB of ${HUGE_BYTES / 1024 / 1024} MB`,
      );
      expect(response.status).toBe(200);
      expect(response.body.data).toEqual({ huge: null });
      expect(response.body.errors?.[0]?.extensions).toMatchObject({
        code: 'SUBGRAPH_REQUEST_FAILED',
        serviceName: 'huge',
      });
      expect(response.body.errors?.[0]?.message).toContain('huge subgraph');
      // Reading stopped near the cap (socket buffers aside), not at the end of 200 MB.
      expect(lastSent).toBeLessThan(64 * 1024 * 1024);
      expect(grewMb).toBeLessThan(150);
    });
  },
);
