import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadGatewayConfig } from '../config.js';
import { GRAPHIQL_CSP, createGraphiqlRoute } from './graphiql-route.js';

const HTML = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const secret = { INTERNAL_SECRET: 'x'.repeat(40) };

/** A gateway-like server: the route first, then a stand-in for Apollo that answers 418. */
async function serve(enabled: boolean, dir: string): Promise<{ url: string; server: Server }> {
  const route = createGraphiqlRoute({ enabled, dir, logger: pino({ level: 'silent' }) });
  const server = createServer((req, res) => {
    if (!route(req, res)) {
      res.writeHead(418);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('the GraphiQL route', () => {
  let dir: string;
  let on: { url: string; server: Server };
  let off: { url: string; server: Server };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'graphiql-bundle-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(
      join(dir, 'index.html'),
      '<!doctype html><script type="module" src="/graphiql/assets/index-abc.js"></script>',
    );
    writeFileSync(join(dir, 'assets', 'index-abc.js'), 'console.log(1)');
    on = await serve(true, dir);
    off = await serve(false, dir);
  });
  afterAll(() => {
    on.server.close();
    off.server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the IDE at GET /graphql to browsers, with the strict CSP', async () => {
    const response = await fetch(`${on.url}/graphql`, { headers: { accept: HTML } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe(GRAPHIQL_CSP);
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(await response.text()).toContain('/graphiql/assets/index-abc.js');
    expect(GRAPHIQL_CSP).toContain("script-src 'self';");
    expect(GRAPHIQL_CSP).not.toMatch(/https?:|unsafe-eval|\*/);
  });

  it('leaves API requests to GraphQL: JSON clients, GET queries, APQ GETs, POSTs', async () => {
    expect((await fetch(`${on.url}/graphql`, { headers: { accept: 'application/json' } })).status).toBe(418);
    expect(
      (await fetch(`${on.url}/graphql?query=%7B__typename%7D`, { headers: { accept: HTML } })).status,
    ).toBe(418);
    expect((await fetch(`${on.url}/graphql?extensions=%7B%7D`, { headers: { accept: HTML } })).status).toBe(
      418,
    );
    expect(
      (await fetch(`${on.url}/graphql`, { method: 'POST', headers: { accept: HTML }, body: '{}' })).status,
    ).toBe(418);
  });

  it('serves only files of the bundle, immutable', async () => {
    const asset = await fetch(`${on.url}/graphiql/assets/index-abc.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`${on.url}/graphiql/assets/missing.js`)).status).toBe(404);
    // Dot segments resolve before the lookup: this names /etc/passwd, which is not the route's.
    expect((await fetch(`${on.url}/graphiql/%2e%2e/%2e%2e/etc/passwd`)).status).toBe(418);
    expect((await fetch(`${on.url}/graphiql/assets%2f..%2f..%2f..%2fpackage.json`)).status).toBe(404);
  });

  it('serves nothing when disabled', async () => {
    expect((await fetch(`${off.url}/graphql`, { headers: { accept: HTML } })).status).toBe(418);
    expect((await fetch(`${off.url}/graphiql/assets/index-abc.js`)).status).toBe(418);
  });

  it('is on in development, off in production, and GRAPHIQL forces either', () => {
    expect(loadGatewayConfig([], { ...secret, NODE_ENV: 'development' }).graphiql).toBe(true);
    expect(loadGatewayConfig([], { ...secret, NODE_ENV: 'production' }).graphiql).toBe(false);
    expect(loadGatewayConfig([], { ...secret, NODE_ENV: 'production', GRAPHIQL: 'true' }).graphiql).toBe(
      true,
    );
    expect(loadGatewayConfig([], { ...secret, NODE_ENV: 'development', GRAPHIQL: 'false' }).graphiql).toBe(
      false,
    );
  });

  it('answers introspection wherever the IDE is served (it needs the schema), and INTROSPECTION decides alone', () => {
    const config = (env: Record<string, string>) => {
      const { introspection, graphiql } = loadGatewayConfig([], { ...secret, ...env });
      return { introspection, graphiql };
    };
    expect(config({ NODE_ENV: 'production' })).toEqual({ introspection: false, graphiql: false });
    expect(config({ NODE_ENV: 'production', GRAPHIQL: 'true' })).toEqual({
      introspection: true,
      graphiql: true,
    });
    expect(config({ NODE_ENV: 'production', INTROSPECTION: 'true' })).toEqual({
      introspection: true,
      graphiql: true,
    });
    expect(config({ NODE_ENV: 'production', GRAPHIQL: 'true', INTROSPECTION: 'false' })).toEqual({
      introspection: false,
      graphiql: true,
    });
    expect(config({ NODE_ENV: 'development' })).toEqual({ introspection: true, graphiql: true });
    expect(config({ NODE_ENV: 'development', INTROSPECTION: 'false' })).toEqual({
      introspection: false,
      graphiql: false,
    });
  });
});
