/**
 * The one list of the platform's subgraphs, in start order (ops first: it issues the tokens the
 * others' callers carry), with their default local ports. The gateway takes 4000, subgraphs the
 * next six. scripts/start.js, the subgraph config and the schema composer all read it from here;
 * the committed supergraph points at these ports.
 */
export const SUBGRAPHS = Object.freeze([
  { name: 'ops', port: 4001 },
  { name: 'products', port: 4002 },
  { name: 'inventory', port: 4003 },
  { name: 'commerce', port: 4004 },
  { name: 'media', port: 4005 },
  { name: 'community', port: 4006 },
] as const);

export type SubgraphName = (typeof SUBGRAPHS)[number]['name'];

/** The gateway's default port. @default 4000 */
export const GATEWAY_PORT = 4000;

/** Default port by subgraph name. */
export const DEFAULT_PORTS: Readonly<Record<string, number>> = Object.freeze(
  Object.fromEntries(SUBGRAPHS.map(({ name, port }) => [name, port])),
);

/** `http://127.0.0.1:<default port>/graphql`, what a subgraph is reached at locally. */
export function defaultSubgraphUrl(name: string): string | undefined {
  const port = DEFAULT_PORTS[name];
  return port === undefined ? undefined : `http://127.0.0.1:${port}/graphql`;
}
