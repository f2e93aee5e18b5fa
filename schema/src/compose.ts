import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { DEFAULT_PORTS } from '@terrarium/platform/subgraphs';
import type { ServiceDefinition } from '@apollo/federation-internals';
import type { DocumentNode } from 'graphql';
import { describeCompositionError } from './composition-errors.js';
import { CannotRunError, describeIoError } from './errors.js';
import { GraphQLError, parse, Source } from './graphql.js';
import type { CompositionHintEntry, CompositionIssue } from './report/types.js';
import { readText } from './repo.js';

/** The platform's default local ports; the committed supergraph points at these. */
export { DEFAULT_PORTS };

export interface SubgraphSource {
  name: string;
  /** Absolute path of its schema.graphql. */
  file: string;
  sdl: string;
  url: string;
}

export type CompositionOutcome =
  | { ok: true; supergraphSdl: string; hints: CompositionHintEntry[]; documents: Map<string, DocumentNode> }
  | { ok: false; errors: CompositionIssue[] };

/** `<NAME>_URL` (as scripts/start.js sets it) wins; otherwise the default local port. */
export function subgraphUrl(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env[`${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_URL`];
  if (fromEnv) return fromEnv;
  const port = DEFAULT_PORTS[name];
  if (port === undefined) {
    throw new CannotRunError(`subgraph "${name}" has no default port; set ${name.toUpperCase()}_URL`);
  }
  return `http://127.0.0.1:${port}/graphql`;
}

/** Every `<dir>/<name>/schema.graphql`, by name. Folders without one (the kit) are skipped. */
export function loadSubgraphs(dir: string, env: NodeJS.ProcessEnv = process.env): SubgraphSource[] {
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
  } catch (error) {
    throw describeIoError(dir, error);
  }
  const subgraphs: SubgraphSource[] = [];
  for (const name of names) {
    const file = join(dir, name, 'schema.graphql');
    if (!isFile(file)) continue;
    subgraphs.push({ name, file, sdl: readText(file), url: subgraphUrl(name, env) });
  }
  if (subgraphs.length === 0) throw new CannotRunError(`no subgraphs: no ${dir}/*/schema.graphql`);
  return subgraphs;
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * Composes with Apollo's composeServices. Each SDL is parsed with its subgraph's name as the
 * source name, so that error nodes say which subgraph they come from.
 */
export function composeSubgraphs(subgraphs: readonly SubgraphSource[]): CompositionOutcome {
  const names = subgraphs.map((subgraph) => subgraph.name);
  const documents = new Map<string, DocumentNode>();
  const syntaxErrors: CompositionIssue[] = [];
  for (const subgraph of subgraphs) {
    try {
      documents.set(subgraph.name, parse(new Source(subgraph.sdl, subgraph.name)));
    } catch (error) {
      if (!(error instanceof GraphQLError)) throw error;
      const issue = describeCompositionError(error, names);
      const at = error.locations?.[0];
      const message = at ? `${issue.message} (line ${at.line}, column ${at.column})` : issue.message;
      syntaxErrors.push({ ...issue, message, code: 'INVALID_GRAPHQL_SYNTAX', subgraphs: [subgraph.name] });
    }
  }
  if (syntaxErrors.length > 0) return { ok: false, errors: syntaxErrors };

  const services: ServiceDefinition[] = subgraphs.map((subgraph) => ({
    name: subgraph.name,
    url: subgraph.url,
    typeDefs: documents.get(subgraph.name)!,
  }));
  const result = composeServices(services);
  if (result.errors)
    return { ok: false, errors: result.errors.map((error) => describeCompositionError(error, names)) };
  return {
    ok: true,
    // Apollo's SDL has no trailing newline; the committed file does, like every text file.
    supergraphSdl: `${result.supergraphSdl}\n`,
    hints: result.hints.map((hint) => ({ code: hint.definition.code, message: hint.message })),
    documents,
  };
}
