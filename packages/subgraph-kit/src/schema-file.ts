import { readFileSync } from 'node:fs';
import { parse, type DocumentNode } from 'graphql';

/** Parses a subgraph's schema.graphql; `url` is resolved relative to the caller's module. */
export function loadTypeDefs(url: URL): DocumentNode {
  return parse(readFileSync(url, 'utf8'));
}
