import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApolloServer } from '@apollo/server';
import type { Logger } from 'pino';
import { CALLER_HEADER, verifyCaller } from '@terrarium/platform/caller';
import { serveHealthRoute, type HealthRoutes } from '@terrarium/platform/health';
import {
  HttpError,
  handleGraphQL,
  readGraphQLBody,
  sendGraphQLError,
  sendJson,
  type RouteHandler,
} from '@terrarium/platform/http';
import type { CreateContext, SubgraphContext } from './context.js';
import type { FastQueryPath } from './fast-query.js';

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export interface RequestListenerOptions<TLoaders> {
  apollo: ApolloServer<SubgraphContext<TLoaders>>;
  /** Answers the plain queries it can; Apollo answers the rest. */
  fastQueries: FastQueryPath<TLoaders>;
  createContext: CreateContext<TLoaders>;
  internalSecret: string;
  health: HealthRoutes;
  /** The subgraph's own routes; a key ending in `/*` matches every path under it. */
  routes: Record<string, RouteHandler>;
  logger: Logger;
}

/**
 * The subgraph's HTTP surface: /graphql (only with a verified caller token), /health, /ready,
 * /metrics, then its own routes. An error a handler throws becomes a GraphQL-shaped response.
 */
export function createRequestListener<TLoaders>(
  options: RequestListenerOptions<TLoaders>,
): (req: IncomingMessage, res: ServerResponse) => void {
  const { apollo, fastQueries, createContext, internalSecret, health, routes, logger } = options;
  const findRoute = (path: string): RouteHandler | undefined =>
    routes[path] ??
    Object.entries(routes).find(([key]) => key.endsWith('/*') && path.startsWith(key.slice(0, -1)))?.[1];

  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const respond = async () => {
      if (path === '/graphql') {
        const requestId = header(req, 'x-request-id') ?? randomUUID();
        const caller = await verifyCaller(header(req, CALLER_HEADER), internalSecret);
        const body = await readGraphQLBody(req);
        const context = () => createContext(caller, requestId);
        if (await fastQueries.serve(req, body, res, context)) return;
        await handleGraphQL(apollo, req, res, async () => context(), { body });
        return;
      }
      if (await serveHealthRoute(path, res, health)) return;
      const route = findRoute(path);
      if (route) return route(req, res);
      return sendJson(res, 404, { error: 'not found' });
    };
    respond().catch((err: unknown) => {
      if (res.headersSent) return res.destroy();
      if (err instanceof HttpError) return sendGraphQLError(res, err.status, err.message, err.code);
      const code = (err as { extensions?: { code?: string } }).extensions?.code;
      if (code === 'UNAUTHENTICATED') return sendGraphQLError(res, 401, (err as Error).message, code);
      logger.error({ err }, 'request failed');
      sendGraphQLError(res, 500, 'Internal server error', 'INTERNAL_SERVER_ERROR');
    });
  };
}
