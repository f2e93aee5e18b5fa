/**
 * graphql-js, one instance for the whole package. graphql 16 ships CommonJS (index.js) and ESM
 * (index.mjs) builds without an "exports" map: Node hands index.js to every importer, ESM or not,
 * and so to @apollo/federation-internals and @graphql-inspector/core; but Vite-based runners
 * (vitest) resolve a bare `graphql` in our sources to index.mjs. Two instances fail with "Cannot
 * use GraphQLSchema from another module or realm". Requiring it gives us the instance Node and
 * Apollo use, in the CLI and under vitest alike. Import values from here, types from 'graphql'.
 */
import { createRequire } from 'node:module';

const graphql = createRequire(import.meta.url)('graphql') as typeof import('graphql');

export const {
  GraphQLError,
  Kind,
  Source,
  TypeInfo,
  buildSchema,
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isObjectType,
  isUnionType,
  parse,
  validate,
  visit,
  visitWithTypeInfo,
} = graphql;
