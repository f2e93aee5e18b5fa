/** Types of subgraphs.js, for the gateway's differential test (TypeScript). */
export interface BenchSubgraph {
  readonly name: string;
  readonly url: string;
  readonly typeDefs: string;
  /** Requests received. */
  count(): number;
  /** Answer every request with HTTP 500 (a subgraph that is down). */
  failing: boolean;
  /** Milliseconds to hold the answer to a request body. @default () => 0 */
  delay: (body: string) => number;
}

export interface ServeOptions {
  host?: string;
  port?: number;
  /** Answer a repeated request body from memory. @default true */
  cacheResponses?: boolean;
  /** A Cache-Control header on every answer (as Apollo Server writes from hints). @default none */
  cacheControl?: string;
}

export function serveSubgraph(
  name: string,
  typeDefs: string,
  resolvers: Record<string, Record<string, unknown>>,
  options?: ServeOptions,
): Promise<{ subgraph: BenchSubgraph; close(): Promise<void> }>;

export function composeSupergraph(
  subgraphs: readonly { name: string; url: string; typeDefs: string }[],
): string;

export interface BenchSubgraphs {
  subgraphs: BenchSubgraph[];
  supergraphSdl: string;
  requests(): number;
  byName(name: string): BenchSubgraph;
  close(): Promise<void>;
}

export function startBenchSubgraphs(options?: Omit<ServeOptions, 'port'>): Promise<BenchSubgraphs>;
