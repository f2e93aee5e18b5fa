// @ts-check
/**
 * The public API schema that client operations are typed against: the committed supergraph's
 * (schema/supergraph.graphql) when there is one, else a composition of subgraphs/<name>/schema.graphql
 * made on the fly with the schema package's own functions. Either way federation machinery and
 * @inaccessible elements are gone, as for a client of the gateway.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { apiSchemaOf, composeSubgraphs, loadSubgraphs } from '@terrarium/schema';

// The CommonJS graphql-js, the instance @apollo/federation-internals builds the schema with (see
// schema/src/graphql.ts): printSchema from another instance fails its instanceof checks.
const { printSchema } = /** @type {typeof import('graphql')} */ (createRequire(import.meta.url)('graphql'));

/**
 * @param {string} root the repository root
 * @returns {{ sdl: string, source: string }} the API schema as SDL, and where it came from
 */
export function loadApiSchema(root) {
  const supergraphFile = join(root, 'schema', 'supergraph.graphql');
  if (existsSync(supergraphFile)) {
    return {
      sdl: printSchema(apiSchemaOf(readFileSync(supergraphFile, 'utf8'))),
      source: 'schema/supergraph.graphql',
    };
  }
  const outcome = composeSubgraphs(loadSubgraphs(join(root, 'subgraphs')));
  if (!outcome.ok) {
    throw new Error(
      `the subgraphs do not compose: ${outcome.errors.map((error) => `${error.code}: ${error.message}`).join('; ')}`,
    );
  }
  return {
    sdl: printSchema(apiSchemaOf(outcome.supergraphSdl)),
    source: 'subgraphs/*/schema.graphql (composed)',
  };
}
