/**
 * The gateway's bundled GraphiQL in a real headless Chromium (Debian's /usr/bin/chromium driven by
 * playwright-core), with every request off loopback refused: the IDE loads from the gateway's own
 * origin under its Content-Security-Policy with no violation, offers the contract's operations as
 * tabs and a headers editor prefilled for Authorization, runs ProductPage over HTTP and receives
 * a StockLive event over graphql-ws after a stock change.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedId } from '@terrarium/subgraph-kit/seed-id';
import { bearer, contractOperation, gql, logIn, startPlatform, type Platform } from './support/platform.js';

type Playwright = typeof import('playwright-core');
type Page = import('playwright-core').Page;
const playwright: Playwright | null = await import('playwright-core').catch(() => null);
if (!playwright)
  console.warn(
    'test/graphiql.browser.test.ts skipped: playwright-core cannot be imported (add it to the root devDependencies).',
  );

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];
const productId = seedId('product:TR-HEAT-100');
const productSlug = 'ceramic-heat-emitter-100w';
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The visible text of a Monaco editor (Monaco renders spaces as no-break spaces). */
async function editorText(page: Page, selector: string): Promise<string> {
  return (await page.locator(selector).first().innerText()).replace(/\u00a0/g, ' ');
}

/** Replaces the text of the visible variables editor (insertText: no auto-closed brackets). */
async function setVariables(page: Page, json: string): Promise<void> {
  await page.getByRole('button', { name: 'Variables', exact: true }).click();
  const editor = page.locator('.graphiql-editor-tool .monaco-editor:visible').first();
  await editor.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(json);
}

describe.skipIf(!playwright)('GraphiQL in Chromium', () => {
  let platform: Platform;
  let staffToken: string;
  let browser: import('playwright-core').Browser;

  beforeAll(async () => {
    platform = await startPlatform({ subgraphs: ['ops', 'products', 'inventory', 'media', 'community'] });
    staffToken = await logIn(platform.gatewayUrl, 'admin@terrarium.test');
    browser = await playwright!.chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  });

  it('serves the IDE to browsers only: JSON clients still reach GraphQL', async () => {
    const html = await fetch(platform.gatewayUrl, { headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = html.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).toMatch(/connect-src 'self'(;|$)/);
    expect(csp).not.toMatch(/https?:|unsafe-eval/);
    const page = await html.text();
    expect(page).toContain('/graphiql/assets/');
    expect(page).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
    expect(page).not.toMatch(/https?:\/\//);

    const query = await fetch(`${platform.gatewayUrl}?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { accept: 'application/json', 'apollo-require-preflight': 'true' },
    });
    expect(await query.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('runs ProductPage and receives StockLive events, offline and within its CSP', async () => {
    const expected = await gql(platform.gatewayUrl, contractOperation('storefront', 'ProductPage'), {
      slug: productSlug,
    });
    const productName: string = expected.body.data.product.name;
    const context = await browser.newContext();
    const offsite: string[] = [];
    const failures: string[] = [];
    await context.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (LOOPBACK.has(url.hostname)) return route.continue();
      offsite.push(url.href);
      return route.abort('blockedbyclient');
    });
    const page = await context.newPage();
    // Recorded in the page (an init script runs whatever the page's CSP says).
    await page.addInitScript(() => {
      const target = globalThis as unknown as {
        cspViolations: string[];
        document: {
          addEventListener(
            type: string,
            listener: (event: { violatedDirective: string; blockedURI: string }) => void,
          ): void;
        };
      };
      target.cspViolations = [];
      target.document.addEventListener('securitypolicyviolation', (event) =>
        target.cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`),
      );
    });
    page.on('pageerror', (err) => failures.push(err.message));
    page.on('response', (response) => {
      if (response.status() >= 400 && !response.url().endsWith('/favicon.ico'))
        failures.push(`${response.status()} ${response.url()}`);
    });
    try {
      await page.goto(platform.gatewayUrl);
      await page.locator('.graphiql-container').waitFor({ timeout: 60_000 });

      // The contract's operations as tabs; the history and explorer plugins; Authorization prefilled.
      const tabs = await page.locator('.graphiql-tab-button').allInnerTexts();
      expect(tabs).toEqual(
        expect.arrayContaining(['ProductPage', 'StockLive', 'AnimalCard', 'AdjustStock', 'LogIn']),
      );
      expect(await page.getByRole('button', { name: 'Show History' }).isVisible()).toBe(true);
      expect(await page.getByRole('button', { name: 'Show GraphiQL Explorer' }).isVisible()).toBe(true);
      await page.getByRole('button', { name: 'Headers', exact: true }).click();
      await expect
        .poll(() => editorText(page, '.graphiql-editor-tool .monaco-editor:visible .view-lines'))
        .toContain('"Authorization": ""');

      // ProductPage over HTTP.
      await page.locator('.graphiql-tab-button', { hasText: /^ProductPage$/ }).click();
      await setVariables(page, JSON.stringify({ slug: productSlug }));
      await page.locator('.graphiql-execute-button').click();
      await expect
        .poll(() => editorText(page, '.graphiql-response .view-lines'), { timeout: 30_000 })
        .toContain(`"name": ${JSON.stringify(productName)}`);
      expect(await editorText(page, '.graphiql-response .view-lines')).toContain(`"slug": "${productSlug}"`);

      // StockLive over graphql-ws: adjust the stock until the IDE shows the event (the first
      // change may land before the gateway has subscribed upstream).
      await page.locator('.graphiql-tab-button', { hasText: /^StockLive$/ }).click();
      await setVariables(page, JSON.stringify({ productId }));
      await page.locator('.graphiql-execute-button').click();
      let available: number | undefined;
      await expect
        .poll(
          async () => {
            const shown = await editorText(page, '.graphiql-response .view-lines').catch(() => '');
            if (available !== undefined && shown.includes(`"available": ${available}`)) return true;
            const adjusted = await gql(
              platform.gatewayUrl,
              contractOperation('admin', 'AdjustStock'),
              { productId, delta: 1, reason: 'graphiql browser test' },
              bearer(staffToken),
            );
            expect(adjusted.body.errors, JSON.stringify(adjusted.body.errors)).toBeUndefined();
            available = adjusted.body.data.adjustStock.stock.available;
            return false;
          },
          { timeout: 30_000, interval: 1_500 },
        )
        .toBe(true);
      expect(await editorText(page, '.graphiql-response .view-lines')).toContain('"stockChanged"');

      expect(offsite).toEqual([]);
      expect(
        await page.evaluate(() => (globalThis as unknown as { cspViolations: string[] }).cspViolations),
      ).toEqual([]);
      expect(failures).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
