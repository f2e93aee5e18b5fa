import { ERRORS, errorCodeDef } from '@apollo/federation-internals';
import { GraphQLError, type GraphQLErrorOptions } from 'graphql/index.js';
import type { SubgraphError } from './subgraph-client.js';

export type ResponsePath = (string | number)[];

/**
 * downstreamServiceError of @apollo/gateway's executeQueryPlan.ts: a subgraph's error as the
 * client sees it (before formatError): its message, its path moved to where the fetch's data
 * sits in the response, its extensions plus `serviceName`, and a code (the subgraph's, or
 * DOWNSTREAM_SERVICE_ERROR).
 */
export function downstreamServiceError(
  original: SubgraphError,
  serviceName: string,
  path: ResponsePath | undefined,
): GraphQLError {
  const message = original.message || `Error while fetching subquery from service "${serviceName}"`;
  const { extensions } = original;
  const options: GraphQLErrorOptions = {
    originalError: original as unknown as Error,
    path,
    extensions: { ...extensions, serviceName },
  };
  const codeDef = errorCodeDef(original as never);
  if (!codeDef && extensions?.['code']) return new GraphQLError(message, options);
  return (codeDef ?? ERRORS.DOWNSTREAM_SERVICE_ERROR).err(message, options);
}

/**
 * The error path for an error of a fetch whose data was merged at `cursorPath` (with `@` for
 * list items). An `_entities` error is placed on the entity at its index, counting entities as
 * stock's generateHydratedPaths does (every object found at the path, null or not).
 */
export function errorPathResolver(
  cursorPath: readonly (string | number)[],
  fullResult: Record<string, unknown>,
  isEntityFetch: boolean,
) {
  let hydrated: ResponsePath[] | undefined;
  return (errorPath: readonly (string | number)[] | undefined): ResponsePath | undefined => {
    if (isEntityFetch && typeof errorPath?.[1] === 'number') {
      if (!hydrated) {
        hydrated = [];
        hydratePaths([], cursorPath, 0, fullResult, hydrated);
      }
      return [...(hydrated[errorPath[1]] ?? []), ...errorPath.slice(2)];
    }
    return errorPath ? [...cursorPath, ...errorPath] : undefined;
  };
}

function hydratePaths(
  parent: ResponsePath,
  path: readonly (string | number)[],
  index: number,
  data: unknown,
  result: ResponsePath[],
): void {
  if (data === null || data === undefined) return;
  const head = path[index];
  if (head === undefined) {
    result.push(parent.slice());
  } else if (head === '@') {
    if (!Array.isArray(data)) throw new Error('expected array when encountering `@`');
    data.forEach((value: unknown, i) => {
      parent.push(i);
      hydratePaths(parent, path, index + 1, value, result);
      parent.pop();
    });
  } else if (typeof head === 'string') {
    if (Array.isArray(data)) {
      data.forEach((value: unknown, i) => {
        parent.push(i);
        hydratePaths(parent, path, index, value, result);
        parent.pop();
      });
    } else if (Object.prototype.hasOwnProperty.call(data, head)) {
      parent.push(head);
      hydratePaths(parent, path, index + 1, (data as Record<string, unknown>)[head], result);
      parent.pop();
    }
  } else {
    throw new Error(`unknown path part "${String(head)}"`);
  }
}
