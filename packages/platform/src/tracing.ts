/**
 * OpenTelemetry traces for every process of the platform (gateway and subgraphs), exported over
 * OTLP/HTTP (JSON) when OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set,
 * and nothing at all (not even loading the SDK) otherwise.
 *
 * Load order: `startTracing` is called first thing in each entry (runSubgraph, the gateway's
 * main), but after the entry's static imports have loaded `node:http` and undici. That is enough,
 * with no `--import` preload or ESM loader hook, because neither instrumentation depends on
 * patching a module as it is imported:
 * - undici (the gateway's Pools and Agent, and Node's global fetch) is instrumented through its
 *   diagnostics_channel events, which the instrumentation subscribes to whenever it is enabled;
 *   it starts a client span and writes `traceparent` into the outgoing request's headers.
 * - http server spans come from a patch of `http.Server.prototype.emit`, shared by every server
 *   however it was imported. require-in-the-middle applies it when `http` is next required, so
 *   we require it (and https) once after registering.
 * Outgoing `http.request` calls already bound by an ESM named import are not patched; nothing in
 * the platform calls subgraphs that way.
 */
import { createRequire } from 'node:module';
import type { IncomingMessage } from 'node:http';

/** Flushes buffered spans and stops exporting. Never rejects. */
export type StopTracing = () => Promise<void>;

/** Probes and scrapes: frequent, uninteresting, and they would drown the traces. */
const UNTRACED_PATHS = new Set(['/health', '/ready', '/metrics']);

const noop: StopTracing = async () => {};

let started = false;

/**
 * Whether this process exports traces. When it does, outgoing requests carry the active span's
 * `traceparent` (the instrumentation writes it), so a caller must not also copy an incoming one:
 * a second `traceparent` header makes the pair unreadable to the receiver.
 */
export function isTracing(): boolean {
  return started;
}

function untraced(path: string | undefined): boolean {
  if (!path) return false;
  const query = path.indexOf('?');
  return UNTRACED_PATHS.has(query === -1 ? path : path.slice(0, query));
}

/** The traces URL: the signal-specific endpoint as given, else `<endpoint>/v1/traces` (the OTLP spec's rule). */
export function tracesEndpoint(env: NodeJS.ProcessEnv): string | undefined {
  const traces = env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']?.trim();
  if (traces) return traces;
  const base = env['OTEL_EXPORTER_OTLP_ENDPOINT']?.trim();
  if (!base) return undefined;
  return `${base.replace(/\/+$/, '')}/v1/traces`;
}

/**
 * Starts tracing for this process as `serviceName` (OTEL_SERVICE_NAME overrides it), when an
 * OTLP endpoint is configured in `env`. W3C trace context (`traceparent`) is propagated on
 * outgoing requests and continued from incoming ones. Returns the function that flushes on
 * shutdown.
 */
export async function startTracing(serviceName: string, env: NodeJS.ProcessEnv): Promise<StopTracing> {
  const url = tracesEndpoint(env);
  if (!url) return noop;

  // Loaded only when tracing is on: the SDK is sizeable and most runs (tests, dev) do not export.
  const [
    { NodeTracerProvider, BatchSpanProcessor },
    { OTLPTraceExporter },
    { resourceFromAttributes },
    { registerInstrumentations },
    { HttpInstrumentation },
    { UndiciInstrumentation },
  ] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/instrumentation'),
    import('@opentelemetry/instrumentation-http'),
    import('@opentelemetry/instrumentation-undici'),
  ]);

  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': env['OTEL_SERVICE_NAME']?.trim() || serviceName }),
    // Batch size, queue and delay follow the standard OTEL_BSP_* variables.
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url }))],
  });
  // Registers the AsyncLocalStorage context manager and the default propagator: W3C trace context and baggage.
  provider.register();

  const unregister = registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request: IncomingMessage) => untraced(request.url),
        ignoreOutgoingRequestHook: (options) =>
          untraced(typeof options === 'string' ? new URL(options).pathname : (options.path ?? undefined)),
      }),
      new UndiciInstrumentation({ ignoreRequestHook: (request) => untraced(request.path) }),
    ],
  });
  // Applies the http patch now (see the header comment): the modules are already loaded.
  const requireCjs = createRequire(import.meta.url);
  requireCjs('http');
  requireCjs('https');
  started = true;

  return async () => {
    started = false;
    unregister();
    try {
      await provider.shutdown();
    } catch {
      // A collector that is down at exit must not turn a clean shutdown into a failed one.
    }
  };
}
