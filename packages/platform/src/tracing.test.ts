import { describe, expect, it } from 'vitest';
import { isTracing, startTracing, tracesEndpoint } from './tracing.js';

describe('tracing configuration', () => {
  it('is off, without loading the SDK, when no OTLP endpoint is set', async () => {
    const stop = await startTracing('products', {});
    expect(isTracing()).toBe(false);
    await expect(stop()).resolves.toBeUndefined();
  });

  it('sends traces to <endpoint>/v1/traces, or to the traces endpoint as given', () => {
    expect(tracesEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })).toBe(
      'http://collector:4318/v1/traces',
    );
    expect(
      tracesEndpoint({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://other:4318/custom',
      }),
    ).toBe('http://other:4318/custom');
    expect(tracesEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: '  ' })).toBeUndefined();
  });
});
