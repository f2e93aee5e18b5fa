import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import '@graphiql/plugin-explorer/style.css';
import './page.css';
import { explorerPlugin } from '@graphiql/plugin-explorer';
import { HISTORY_PLUGIN } from '@graphiql/plugin-history';
import { GraphiQL } from 'graphiql';
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
import exampleTabs from 'virtual:terrarium-example-tabs';
import { createTerrariumFetcher } from './fetcher.js';

/**
 * Terrarium's IDE: GraphiQL with the documentation, history and explorer plugins, the contract's
 * operations as example tabs (schema/operations, read at build time) and the headers editor
 * prefilled for a user's token (paste LogIn's `token` after `Bearer `). Served by the gateway at
 * GET /graphql, so the endpoint is this page's own URL.
 */
const endpoint = new URL('/graphql', window.location.href);
const root = document.getElementById('graphiql');
if (!root) throw new Error('#graphiql is missing from index.html');

createRoot(root).render(
  createElement(GraphiQL, {
    fetcher: createTerrariumFetcher(endpoint),
    // GraphiQL adds its documentation explorer itself; history and the query-builder explorer here.
    plugins: [HISTORY_PLUGIN, explorerPlugin()],
    defaultHeaders: JSON.stringify({ Authorization: '' }, null, 2),
    defaultTabs: exampleTabs.map((tab) => ({
      query: tab.query,
      variables: tab.variables,
      headers: JSON.stringify({ Authorization: '' }, null, 2),
    })),
    // The headers may hold a token: kept in memory only, not in localStorage.
    shouldPersistHeaders: false,
    isHeadersEditorEnabled: true,
  }),
);
