import { CALLER_HEADER } from '@terrarium/platform/caller';
import type { GatewayContext } from '../http/context.js';

/**
 * The headers every call to a service carries: the signed caller (subgraphs trust only the
 * gateway's signature, so the client's own Authorization header is never forwarded), the request
 * id and the client's W3C trace context. Returned as flat name/value pairs (undici's dispatcher
 * takes them as they are; no Headers object per fetch).
 */
export function upstreamHeaders(context: Partial<GatewayContext>): string[] {
  const headers = ['content-type', 'application/json'];
  if (context.requestId === undefined) return headers;
  if (context.callerToken) headers.push(CALLER_HEADER, context.callerToken);
  headers.push('x-request-id', context.requestId);
  if (context.traceparent) headers.push('traceparent', context.traceparent);
  if (context.tracestate) headers.push('tracestate', context.tracestate);
  return headers;
}

/** The same headers, set on a fetch Headers object (Apollo's RemoteGraphQLDataSource). */
export function setUpstreamHeaders(
  target: { set(name: string, value: string): void },
  context: Partial<GatewayContext>,
): void {
  const pairs = upstreamHeaders(context);
  // The data source sets its own content-type.
  for (let i = 2; i < pairs.length; i += 2) target.set(pairs[i]!, pairs[i + 1]!);
}

/** A graphql-ws `connection_init` payload carrying the signed caller (subscriptions). */
export function callerConnectionParams(token: string | null): Record<string, string> {
  return token ? { [CALLER_HEADER]: token } : {};
}
