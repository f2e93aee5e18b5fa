import { Counter, Gauge, type Registry } from 'prom-client';

export interface SubscriptionMetrics {
  subscribers: Gauge<'transport'>;
  streams: Gauge;
  events: Counter;
  dropped: Counter;
  reconnects: Counter<'subgraph'>;
}

/** Subscription metrics, on the gateway's registry (served at /metrics). */
export function createSubscriptionMetrics(registry: Registry): SubscriptionMetrics {
  const registers = [registry];
  return {
    subscribers: new Gauge({
      name: 'gateway_subscriptions_active',
      help: 'Client subscriptions by transport (ws, sse, multipart)',
      labelNames: ['transport'],
      registers,
    }),
    streams: new Gauge({
      name: 'gateway_subscription_upstreams_active',
      help: 'Upstream subscriptions to subgraphs (deduplicated client subscriptions share one)',
      registers,
    }),
    events: new Counter({
      name: 'gateway_subscription_events_total',
      help: 'Events received from subgraphs',
      registers,
    }),
    dropped: new Counter({
      name: 'gateway_subscription_events_dropped_total',
      help: 'Events a slow subscriber lost to its bounded queue',
      registers,
    }),
    reconnects: new Counter({
      name: 'gateway_subscription_upstream_reconnects_total',
      help: 'Reconnections to a subgraph that went away, with its subscriptions re-subscribed',
      labelNames: ['subgraph'],
      registers,
    }),
  };
}
