import pg from 'pg';
import type { Logger } from 'pino';

/** First wait before reconnecting a dropped listener; doubles up to RECONNECT_MAX_MS. @default 500 ms */
const RECONNECT_MIN_MS = 500;
/** @default 10_000 ms */
const RECONNECT_MAX_MS = 10_000;

/** The Postgres channel on which enqueues into `schema` name their queue. */
export function wakeChannel(schema: string): string {
  return `${schema}_wake`;
}

/** The statement an enqueue runs in its transaction: Postgres delivers it only if that commits. */
export const WAKE_SQL = 'select pg_notify($1, $2)';

export interface WakeListener {
  stop(): Promise<void>;
}

export interface WakeListenerOptions {
  databaseUrl: string;
  channel: string;
  /** Called with the queue named by each notification. */
  onWake: (queue: string) => void;
  logger: Logger;
}

/**
 * LISTENs on `channel` on a connection of its own, so that a job enqueued by any process (an API
 * instance, another worker) wakes this process's worker of its queue as soon as the enqueuing
 * transaction commits, instead of at the worker's next poll. A dropped connection (Postgres
 * restarted) is reopened with backoff; meanwhile the workers' polling still finds every job.
 */
export function listenForWakes(options: WakeListenerOptions): WakeListener {
  const { databaseUrl, channel, onWake, logger } = options;
  let client: pg.Client | null = null;
  let stopped = false;
  let retryMs = RECONNECT_MIN_MS;
  let retryTimer: NodeJS.Timeout | null = null;

  const reconnectLater = () => {
    if (stopped || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      void connect();
    }, retryMs);
    retryMs = Math.min(retryMs * 2, RECONNECT_MAX_MS);
  };

  const connect = async () => {
    const next = new pg.Client({ connectionString: databaseUrl, application_name: channel });
    next.on('notification', (message) => {
      if (message.channel === channel && message.payload) onWake(message.payload);
    });
    const lost = (err?: Error) => {
      if (client !== next) return;
      client = null;
      if (stopped) return;
      logger.warn({ err, channel }, 'job wake-up listener lost its connection; workers poll meanwhile');
      void next.end().catch(() => undefined);
      reconnectLater();
    };
    next.on('error', lost);
    next.on('end', () => lost());
    try {
      await next.connect();
      await next.query(`listen ${pg.escapeIdentifier(channel)}`);
    } catch (err) {
      logger.warn({ err, channel }, 'job wake-up listener could not connect; workers poll meanwhile');
      void next.end().catch(() => undefined);
      reconnectLater();
      return;
    }
    if (stopped) {
      await next.end().catch(() => undefined);
      return;
    }
    client = next;
    retryMs = RECONNECT_MIN_MS;
    logger.debug({ channel }, 'job wake-up listener listening');
  };

  void connect();
  return {
    async stop() {
      stopped = true;
      if (retryTimer) clearTimeout(retryTimer);
      await client?.end().catch(() => undefined);
      client = null;
    },
  };
}
