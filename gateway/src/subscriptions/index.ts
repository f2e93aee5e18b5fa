import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { GraphQLDataSource } from '@apollo/gateway';
import type { ApolloServerPlugin } from '@apollo/server';
import { signCaller } from '@terrarium/platform/caller';
import { HttpError, sendGraphQLError, sendJson } from '@terrarium/platform/http';
import type { Logger } from 'pino';
import { AuthUnavailableError, AuthenticationError } from '../identity/auth.js';
import { createCallerTokens } from '../identity/caller-tokens.js';
import { subgraphUrl, type GatewayConfig } from '../config.js';
import type { GatewayContext } from '../http/context.js';
import { createErrorFormatter } from '../errors.js';
import type { Blocklist } from '../access/blocklist.js';
import { createCors } from '../http/cors.js';
import type { RateLimiter } from '../limits/rate-limit.js';
import type { TokenRevocations } from '../identity/token-revocations.js';
import {
  createRequestGuards,
  rateLimitHeaders,
  rateLimitedError,
  retryAfterSeconds,
} from '../http/request-guards.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import type { PersistedStore } from '../persisted/store.js';
import { SubscriptionHub } from './hub.js';
import { identifySubscriber, type Identify } from './identity.js';
import { createSubscriptionMetrics } from './metrics.js';
import { createMultipartTransport } from './transport-multipart.js';
import { createSseTransport } from './transport-sse.js';
import { createWebSocketTransport } from './transport-ws.js';
import { UpstreamPool } from './upstream.js';
import { ErrorCode } from '../errors.js';
import type { SupergraphSource } from '../supergraph/supergraph-source.js';

export interface SubscriptionServerDeps {
  /** Its slice of the config. */
  config: Pick<
    GatewayConfig,
    | 'subscriptions'
    | 'internalSecret'
    | 'production'
    | 'limits'
    | 'trustProxy'
    | 'maxBodyBytes'
    | 'corsOrigins'
    | 'subgraphUrls'
  >;
  httpServer: Server;
  /** The supergraph generations Apollo Gateway loads (hot reloads included), planner shared with the fast path. */
  supergraphs: SupergraphSource;
  logger: Logger;
  metrics: GatewayMetrics;
  /** The HTTP path's identification (JWT or partner key), so subscribers are refused exactly like queries. */
  identify: Identify;
  /** The gateway's subgraph data sources (pool, timeouts, caller forwarding) for resolving events. */
  buildService: (endpoint: { name: string; url: string }) => GraphQLDataSource;
  /** Plugins whose didResolveOperation checks every subscription (operation limits, @access). */
  operationChecks: readonly ApolloServerPlugin<GatewayContext>[];
  /** Trusted documents: subscriptions by persisted id, and partner keys bound to their manifest. */
  persisted?: { store: PersistedStore; partnerManifest: string } | undefined;
  /** The HTTP path's own request guards: one blocklist and one rate-limit budget per client across transports. */
  blocklist: Blocklist;
  rateLimiter: RateLimiter;
  /** Tokens ops revoked: refused at subscribe, and live subscriptions of theirs ended when the revocation arrives. */
  revocations: TokenRevocations;
}

export interface SubscriptionServer {
  /** Takes /graphql requests that ask for SSE or multipart subscriptions; false leaves a request to the HTTP path. */
  handleHttp(req: IncomingMessage, res: ServerResponse): boolean;
  /** Closes WebSockets (1001: clients reconnect elsewhere), ends HTTP streams, closes upstream connections. */
  close(): Promise<void>;
}

type HttpTransport = 'sse' | 'multipart';

/** Which subscription transport an HTTP request asks for, if any. */
export function httpTransportOf(req: IncomingMessage): HttpTransport | null {
  if ((req.url ?? '/').split('?')[0] !== '/graphql') return null;
  const accept = [req.headers.accept ?? ''].flat().join(',');
  if (req.method === 'POST' && /multipart\/mixed/i.test(accept) && /subscriptionSpec/i.test(accept))
    return 'multipart';
  if ((req.method === 'GET' || req.method === 'POST') && /text\/event-stream/i.test(accept)) return 'sse';
  return null;
}

/**
 * Federated subscriptions (see ./README.md): graphql-ws, SSE and multipart HTTP on /graphql,
 * one hub that plans each subscription with the federation query planner, subscribes to the
 * owning subgraph and resolves the rest of every event across the other subgraphs.
 */
export function createSubscriptionServer(deps: SubscriptionServerDeps): SubscriptionServer {
  const { config } = deps;
  const limits = config.subscriptions;
  const logger = deps.logger.child({ component: 'subscriptions' });
  const metrics = createSubscriptionMetrics(deps.metrics.registry);
  const secret = config.internalSecret;
  const upstream = new UpstreamPool({
    // Signed afresh on every (re)connection: a subgraph checks the token once, when it connects.
    signCaller: async (caller) => (secret ? signCaller(caller, secret) : null),
    retries: limits.upstreamRetries,
    logger,
    onReconnected: (subgraph) => metrics.reconnects.inc({ subgraph }),
  });
  const hub = new SubscriptionHub({
    upstream,
    subgraphUrl: (name, fromSupergraph) => subgraphUrl(config, name, fromSupergraph),
    signCaller: createCallerTokens(secret),
    formatError: createErrorFormatter(logger, { hideSuggestions: config.production }),
    logger,
    limits,
    maxTokens: config.limits.tokens,
    buildService: deps.buildService,
    checks: deps.operationChecks,
    metrics,
    persisted: deps.persisted
      ? { partnerManifest: deps.persisted.partnerManifest, lookUp: (id) => deps.persisted!.store.get(id) }
      : null,
    isRevoked: ({ caller, issuedAt }) =>
      caller.userId !== null &&
      deps.revocations.isRevoked({
        userId: caller.userId,
        tokenId: caller.tokenId,
        issuedAt: issuedAt ?? undefined,
      }),
  });
  deps.revocations.onRevoked(() => hub.endRevoked());
  deps.supergraphs.onGeneration((supergraph) => {
    try {
      hub.supergraphUpdated(supergraph);
    } catch (err) {
      // ApolloGateway accepted this supergraph, so this is a bug here; queries keep working.
      logger.error({ err }, 'subscriptions could not load the new supergraph; they keep the previous one');
    }
  });

  const guards = createRequestGuards({
    blocklist: deps.blocklist,
    rateLimiter: deps.rateLimiter,
    metrics: deps.metrics,
    trustProxy: config.trustProxy,
  });

  const ws = createWebSocketTransport({
    httpServer: deps.httpServer,
    hub,
    identify: deps.identify,
    guards,
    limits,
    maxPayload: config.maxBodyBytes,
    logger,
  });
  const serve = {
    sse: createSseTransport(hub, config.maxBodyBytes),
    multipart: createMultipartTransport(hub, {
      maxBodyBytes: config.maxBodyBytes,
      heartbeatMs: limits.heartbeatMs,
    }),
  };
  const cors = createCors(config.corsOrigins);
  let closing = false;

  async function serveHttp(
    transport: HttpTransport,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    cors.decorate(req, res);
    res.setHeader('x-request-id', randomUUID());
    if (closing)
      return sendGraphQLError(res, 503, 'The gateway is shutting down.', ErrorCode.SERVICE_UNAVAILABLE);
    // The guards of POST /graphql, in the same order: blocklist, identity, rate limit (one
    // subscription is one request).
    if (await guards.blocked(req)) throw new HttpError(403, 'Access denied.', ErrorCode.FORBIDDEN);
    const text = (name: string) => [req.headers[name] ?? []].flat()[0];
    const identity = await identifySubscriber(deps.identify, text('authorization'), text('x-api-key'));
    // A verified partner key streams to any origin, as its queries are answered (http/cors.ts).
    if (identity.apiClient) cors.admitPartner(req, res);
    const limit = await guards.limit(identity.caller, guards.ipOf(req));
    const limitHeaders = rateLimitHeaders(limit);
    if (!limit.allowed)
      return sendJson(res, 429, { errors: [rateLimitedError(retryAfterSeconds(limit))] }, limitHeaders);
    for (const [name, value] of Object.entries(limitHeaders)) res.setHeader(name, value);
    await serve[transport](req, res, identity);
  }

  return {
    handleHttp(req, res) {
      const transport = httpTransportOf(req);
      if (!transport) return false;
      serveHttp(transport, req, res).catch((err: unknown) => {
        if (res.headersSent) return void res.destroy();
        if (err instanceof AuthenticationError)
          return sendGraphQLError(res, 401, err.message, ErrorCode.UNAUTHENTICATED, {
            'www-authenticate': 'Bearer',
          });
        if (err instanceof AuthUnavailableError)
          return sendGraphQLError(res, 503, err.message, ErrorCode.SERVICE_UNAVAILABLE, {
            'retry-after': '5',
          });
        if (err instanceof HttpError) return sendGraphQLError(res, err.status, err.message, err.code);
        logger.error({ err: err as Error, transport }, 'subscription request failed');
        sendGraphQLError(res, 500, 'Internal server error', ErrorCode.INTERNAL_SERVER_ERROR);
      });
      return true;
    },
    async close() {
      closing = true;
      await ws.close();
      hub.closeAll();
      await upstream.close();
    },
  };
}
