/**
 * The partner widget in a real headless Chromium (Debian's /usr/bin/chromium driven by
 * playwright-core): a partner page on its own origin loads /embed/v1/terrarium-embed.js from the
 * gateway with its key; the card shows the animal's name and photo, and the stock badge follows a
 * stock change made through the gateway by staff. The partner's origin is in no allowlist (partners
 * are not listed in advance) and polling is off: the badge can only change through the live SSE
 * stream, answered cross-origin because the key verified.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect, createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedId } from '@terrarium/subgraph-kit/seed-id';
import { bearer, contractOperation, gql, logIn, startPlatform, type Platform } from './support/platform.js';

type Playwright = typeof import('playwright-core');
const playwright: Playwright | null = await import('playwright-core').catch(() => null);
if (!playwright)
  console.warn(
    'test/embed.browser.test.ts skipped: playwright-core cannot be imported (add it to the root devDependencies).',
  );

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const animalId = seedId('animal:7');
const productId = seedId('product:TR-HEAT-100');
const productSlug = 'ceramic-heat-emitter-100w';

/**
 * The widget snippet the README shows, with each attribute's value replaced; it fails when the
 * snippet lacks one of them, so the README always shows a snippet that works.
 */
function readmeWidgetSnippet(values: Record<string, string>): string {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const snippet = /The partner widget[\s\S]*?```html\n([\s\S]*?)```/.exec(readme)?.[1];
  if (!snippet) throw new Error('README.md has no widget snippet (```html after "The partner widget")');
  return Object.entries(values).reduce((html, [name, value]) => {
    const attribute = new RegExp(`\\s${name}="[^"]*"`);
    if (!attribute.test(html)) throw new Error(`the README's widget snippet has no ${name} attribute`);
    return html.replace(attribute, ` ${name}="${value}"`);
  }, snippet);
}

interface CuttableProxy {
  /** `url` with this proxy's origin. */
  url(url: string): string;
  /** Destroys every open connection, as a dropped network would. */
  cut(): void;
  /** Connections accepted so far. */
  connections(): number;
  close(): void;
}

/** A TCP proxy in front of the gateway whose connections the test can cut. */
async function startCuttableProxy(target: URL): Promise<CuttableProxy> {
  const open = new Set<Socket>();
  let accepted = 0;
  const server = createTcpServer((client) => {
    accepted += 1;
    const upstream = connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        open.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: (url) => `${origin}${new URL(url).pathname}`,
    cut: () => {
      for (const socket of open) socket.destroy();
    },
    connections: () => accepted,
    close: () => {
      for (const socket of open) socket.destroy();
      server.close();
    },
  };
}

describe.skipIf(!playwright)('the embed widget in Chromium', () => {
  let platform: Platform;
  let partnerPage: Server;
  let pageUrl: string;
  let staffToken: string;
  let partnerKey = '';
  let scriptUrl = '';
  let browser: import('playwright-core').Browser;
  let proxy: CuttableProxy;

  beforeAll(async () => {
    // The partner pastes the README's snippet, with its own key and ids (and polling off here).
    partnerPage = createServer((req, res) => {
      const viaProxy = new URL(req.url ?? '/', 'http://partner').searchParams.has('via-proxy');
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><html lang="en"><head><title>A partner shop</title></head><body>
        <h1>Our favourite animal</h1>
        ${readmeWidgetSnippet({
          src: viaProxy ? proxy.url(scriptUrl) : scriptUrl,
          'data-api-key': partnerKey,
          'data-animal-id': animalId,
          'data-product-id': productId,
          'data-product-slug': productSlug,
          'data-poll-seconds': '0',
        })}
      </body></html>`);
    });
    await new Promise<void>((resolve) => partnerPage.listen(0, '127.0.0.1', resolve));
    pageUrl = `http://127.0.0.1:${(partnerPage.address() as AddressInfo).port}`;

    platform = await startPlatform({
      subgraphs: ['ops', 'products', 'inventory', 'commerce', 'media', 'community'],
      env: { CORS_ORIGINS: 'https://storefront.terrarium.test' },
    });
    scriptUrl = platform.gatewayUrl.replace(/\/graphql$/, '/embed/v1/terrarium-embed.js');
    proxy = await startCuttableProxy(new URL(platform.gatewayUrl));
    staffToken = await logIn(platform.gatewayUrl, 'admin@terrarium.test');
    const created = await gql(
      platform.gatewayUrl,
      contractOperation('admin', 'CreatePartner'),
      {
        input: {
          name: `Browser partner ${Date.now()}`,
          allowedOperations: ['AnimalCard', 'LiveStock', 'StockLevel'],
        },
      },
      bearer(staffToken),
    );
    expect(created.body.errors, JSON.stringify(created.body.errors)).toBeUndefined();
    partnerKey = created.body.data.createApiClient.key;
    browser = await playwright!.chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    proxy?.close();
    await platform?.stop();
    partnerPage?.close();
  });

  const adjust = async (delta: number): Promise<number> => {
    const adjusted = await gql(
      platform.gatewayUrl,
      contractOperation('admin', 'AdjustStock'),
      { productId, delta, reason: 'embed browser test' },
      bearer(staffToken),
    );
    expect(adjusted.body.errors, JSON.stringify(adjusted.body.errors)).toBeUndefined();
    return adjusted.body.data.adjustStock.stock.available as number;
  };
  type Badge = import('playwright-core').Locator;
  const badgeShows = async (badge: Badge, available: number, timeoutMs: number): Promise<boolean> => {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if ((await badge.getAttribute('data-available')) === String(available)) return true;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return false;
  };
  /** With polling off only the stream moves the badge: nudge the stock until it does (the stream opens after the first value). */
  const untilBadgeLive = async (badge: Badge): Promise<void> => {
    await expect.poll(() => badge.getAttribute('data-available'), { timeout: 15_000 }).toMatch(/^\d+$/);
    const liveBy = Date.now() + 20_000;
    while (!(await badgeShows(badge, await adjust(1), 1_000))) {
      if (Date.now() > liveBy) throw new Error('the badge never went live');
    }
  };

  it('renders the AnimalCard (name, photo) and the live badge follows a stock change within 2 s, cross-origin', async () => {
    const expected = await gql(platform.gatewayUrl, contractOperation('partner-embed', 'AnimalCard'), {
      id: animalId,
    });
    const animal = expected.body.data.animal;
    const page = await browser.newPage();
    const failures: string[] = [];
    page.on('pageerror', (err) => failures.push(err.message));
    try {
      await page.goto(pageUrl);
      const card = page.locator('.terrarium-embed');
      await expect.poll(() => card.locator('.name').textContent(), { timeout: 15_000 }).toBe(animal.name);
      await expect.poll(() => card.locator('.meta').textContent()).toContain(animal.species.commonName);
      const photo = card.locator('img.photo');
      expect(await photo.getAttribute('src')).toBe(animal.photos[0].url);
      // Loaded, not only referenced (the test tsconfig has no DOM types, hence the structural cast).
      const loaded = () =>
        photo.evaluate(
          (img) =>
            (img as unknown as { complete: boolean; naturalWidth: number }).complete &&
            (img as unknown as { naturalWidth: number }).naturalWidth > 0,
        );
      await expect.poll(loaded, { timeout: 10_000 }).toBe(true);

      const badge = card.locator('.stock');
      await untilBadgeLive(badge);
      const after = await adjust(3);
      expect(await badgeShows(badge, after, 2_000)).toBe(true);
      expect(await badge.textContent()).toBe(`${after} in stock`);
      expect(failures).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('keeps the badge live across a dropped connection, with the change made while it was down', async () => {
    const page = await browser.newPage();
    const failures: string[] = [];
    page.on('pageerror', (err) => failures.push(err.message));
    try {
      await page.goto(`${pageUrl}/?via-proxy`);
      const badge = page.locator('.terrarium-embed .stock');
      await untilBadgeLive(badge);
      // A proxy's idle timeout, a deploy, a blip: every connection of the page is cut. The widget
      // opens the stream again after a second and resumes after the last event it showed, so the
      // change made meanwhile arrives, though polling is off and the change is not repeated.
      proxy.cut();
      const changedWhileDown = await adjust(-2);
      expect(await badgeShows(badge, changedWhileDown, 10_000)).toBe(true);
      expect(proxy.connections()).toBeGreaterThan(1);
      const after = await adjust(5);
      expect(await badgeShows(badge, after, 2_000)).toBe(true);
      expect(failures).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
