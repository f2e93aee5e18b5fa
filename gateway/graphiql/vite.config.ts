import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { exampleTabsPlugin } from './operations.plugin.js';

/**
 * The gateway's GraphiQL, bundled at build time into gateway/dist/graphiql-bundle: the HTML, its script
 * and styles, Monaco's workers and fonts, all from the gateway's own origin (no CDN), so the IDE
 * works offline and under a strict Content-Security-Policy. The gateway serves index.html at
 * GET /graphql (for browsers) and the rest under /graphiql/.
 */
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: '/graphiql/',
  logLevel: 'warn',
  publicDir: false,
  plugins: [exampleTabsPlugin(here('../../schema/operations'))],
  build: {
    outDir: here('../dist/graphiql-bundle'),
    emptyOutDir: true,
    // Monaco alone is ~3 MB minified; the IDE is a developer tool loaded once and cached.
    chunkSizeWarningLimit: 8_000,
    // No inlined assets: data: URLs would need a wider CSP.
    assetsInlineLimit: 0,
    sourcemap: false,
    rollupOptions: {
      // React libraries mark modules "use client" (a React Server Components hint); a
      // single-page bundle has no server components, so the directive means nothing here.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
  worker: { format: 'es' },
});
