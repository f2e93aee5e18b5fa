import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { ApolloServer } from '@apollo/server';
import type { Caller } from '@terrarium/platform/caller';
import { HttpError, handleGraphQL, sendGraphQLError, sendJson } from '@terrarium/platform/http';
import { serveHealthRoute } from '@terrarium/platform/health';
import { isTracing } from '@terrarium/platform/tracing';
import type { Logger } from 'pino';
import { AuthUnavailableError, AuthenticationError } from '../identity/auth.js';
import type { GatewayConfig } from '../config.js';
import type { GatewayContext } from './context.js';
import type { Blocklist } from '../access/blocklist.js';
import type { Cors } from './cors.js';
import type { RateLimiter } from '../limits/rate-limit.js';
import {
  createRequestGuards,
  rateLimitHeaders,
  rateLimitedError,
  retryAfterSeconds,
} from './request-guards.js';
import type { Identity } from '../identity/identify.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import { ErrorCode } from '../errors.js';

export interface RequestHandlerDeps {
  /** Its slice of the config. */
  config: Pick<GatewayConfig, 'trustProxy' | 'maxBodyBytes' | 'metricsPort'>;
  apollo: ApolloServer<GatewayContext>;
  logger: Logger;
  metrics: GatewayMetrics;
  cors: Cors;
  blocklist: Blocklist;
  rateLimiter: RateLimiter;
  identify: (authorization: string | undefined, apiKey: string | undefined) => Promise<Identity>;
  signCaller: (caller: Caller) => Promise<string | null>;
  /** Supergraph loaded and not draining. */
  isReady: () => boolean;
}

/** A client-sent request id is kept only if it is short and plain (it ends up in every log line). */
const REQUEST_ID = /^[\w.:-]{1,128}$/;
/** version-traceid-parentid-flags, lower-case hex (W3C Trace Context). */
const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The gateway's HTTP routes. /graphql runs the request-level guards in order (CORS headers,
 * blocklist, identity, rate limit) before Apollo Server, whose plugins then check the operation
 * (limits, @access) before any subgraph is called.
 */
export function createRequestHandler(deps: RequestHandlerDeps) {
  const { config, apollo, logger, metrics, cors } = deps;
  const guards = createRequestGuards({
    blocklist: deps.blocklist,
    rateLimiter: deps.rateLimiter,
    metrics,
    trustProxy: config.trustProxy,
  });

  async function graphql(
    req: IncomingMessage,
    res: ServerResponse,
    requestId: string,
    observed: GatewayContext['observed'],
  ): Promise<void> {
    cors.decorate(req, res);
    if (await guards.blocked(req)) throw new HttpError(403, 'Access denied.', ErrorCode.FORBIDDEN);
    const { caller, apiClient } = await deps.identify(header(req, 'authorization'), header(req, 'x-api-key'));
    if (apiClient) cors.admitPartner(req, res);
    const ip = guards.ipOf(req);
    const limit = await guards.limit(caller, ip);
    const limitHeaders = rateLimitHeaders(limit);
    if (!limit.allowed) {
      return sendJson(res, 429, { errors: [rateLimitedError(retryAfterSeconds(limit))] }, limitHeaders);
    }
    for (const [name, value] of Object.entries(limitHeaders)) res.setHeader(name, value);
    // With tracing on, the client's trace is continued by the gateway's own spans and propagated by
    // the instrumentation; forwarding the client's header as well would send two.
    const sentTrace = isTracing() ? undefined : header(req, 'traceparent')?.toLowerCase();
    const traceparent = sentTrace && TRACEPARENT.test(sentTrace) ? sentTrace : null;
    const context: GatewayContext = {
      caller,
      // The client's IP (after the trusted-proxy rule) rides in the signed caller, for subgraphs'
      // per-IP limits (ops' failed log-ins); the caller the gateway's own checks see is unchanged.
      callerToken: await deps.signCaller({ ...caller, clientIp: ip }),
      apiClient,
      requestId,
      traceparent,
      tracestate: traceparent ? (header(req, 'tracestate') ?? null) : null,
      logger: logger.child({ requestId }),
      observed,
    };
    await handleGraphQL(apollo, req, res, async () => context, { maxBodyBytes: config.maxBodyBytes });
  }

  return (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path !== '/graphql') {
      routeOther(path, res).catch((err: unknown) => {
        logger.error({ err }, 'request failed');
        if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      });
      return;
    }
    if (req.method === 'OPTIONS') return cors.preflight(req, res);

    const started = process.hrtime.bigint();
    const sent = header(req, 'x-request-id');
    const requestId = sent && REQUEST_ID.test(sent) ? sent : randomUUID();
    res.setHeader('x-request-id', requestId);
    const observed: GatewayContext['observed'] = {};
    res.once('finish', () => {
      const operation =
        observed.operationName === undefined ? 'unresolved' : metrics.operationLabel(observed.operationName);
      metrics.requests.observe(
        { operation, status: String(res.statusCode) },
        Number(process.hrtime.bigint() - started) / 1e9,
      );
    });

    graphql(req, res, requestId, observed).catch((err: unknown) => {
      if (res.headersSent) return void res.destroy();
      if (err instanceof AuthenticationError) {
        metrics.refusals.inc({ reason: 'unauthenticated' });
        return sendGraphQLError(res, 401, err.message, ErrorCode.UNAUTHENTICATED, {
          'www-authenticate': 'Bearer',
        });
      }
      if (err instanceof AuthUnavailableError)
        return sendGraphQLError(res, 503, err.message, ErrorCode.SERVICE_UNAVAILABLE, { 'retry-after': '5' });
      if (err instanceof HttpError) {
        if (err.status === 413) {
          metrics.refusals.inc({ reason: 'payload_too_large' });
          // The client may still be sending a body we refused to read; do not keep the socket.
          res.setHeader('connection', 'close');
        }
        return sendGraphQLError(res, err.status, err.message, err.code);
      }
      logger.error({ err, requestId }, 'request failed');
      sendGraphQLError(res, 500, 'Internal server error', ErrorCode.INTERNAL_SERVER_ERROR);
    });
  };

  /** /health, /ready and /metrics as every process serves them (the platform's routes); 404 otherwise. */
  async function routeOther(path: string, res: ServerResponse): Promise<void> {
    const health = {
      health: { status: 'ok' },
      isReady: deps.isReady,
      registry: metrics.registry,
      servesMetrics: config.metricsPort === null,
    };
    if (!(await serveHealthRoute(path, res, health))) sendJson(res, 404, { error: 'not found' });
  }
}
