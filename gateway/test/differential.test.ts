import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBenchSubgraphs, type BenchSubgraphs } from '../../bench/gateway/subgraphs.js';
import { benchOperations } from './differential/bench-corpus.js';
import { startGatewayPair, type DiffOperation, type GatewayPair } from './differential/harness.js';
import {
  PLATFORM_OPERATIONS,
  contractOperations,
  startPlatformGraph,
  type PlatformGraph,
} from './differential/platform.js';

/**
 * Guards the fast execution path (gateway/src/fast/): every operation of the corpus goes through
 * stock @apollo/gateway + @apollo/server and through Terrarium's gateway, on the same supergraph
 * and the same subgraphs, and the answers must agree: `data` deep-equal, `errors` and
 * `extensions.valueCompletion` at the same paths, the same HTTP status. (Error messages and
 * extensions differ by design: Terrarium masks and names subgraph failures.) Each suite also
 * checks that Terrarium's gateway answered through the fast path, not by falling back.
 */

function compareAll(label: string, operations: () => DiffOperation[], pair: () => GatewayPair): void {
  it(`${label}: every operation answers as stock does`, async () => {
    const list = operations();
    const before = await pair().executions();
    const mismatches: string[] = [];
    for (const operation of list) {
      const { stock, terrarium } = await pair().run(operation);
      try {
        expect(terrarium).toEqual(stock);
      } catch (err) {
        mismatches.push(`${operation.name}: ${(err as Error).message}`);
      }
    }
    expect(mismatches).toEqual([]);
    const after = await pair().executions();
    const expectedStock = list.filter((operation) => operation.stockByDesign).length;
    expect((after['fast'] ?? 0) - (before['fast'] ?? 0)).toBe(list.length - expectedStock);
    expect((after['stock'] ?? 0) - (before['stock'] ?? 0)).toBe(expectedStock);
  });
}

describe('differential: the benchmark graph', () => {
  let subgraphs: BenchSubgraphs;
  let pair: GatewayPair;
  const operations = () => benchOperations(() => subgraphs);

  beforeAll(async () => {
    subgraphs = await startBenchSubgraphs();
    pair = await startGatewayPair(subgraphs.supergraphSdl);
  });
  afterAll(async () => {
    await pair?.close();
    await subgraphs?.close();
  });

  compareAll('bench graph', operations, () => pair);

  it('answers with data, not only errors, for most of the corpus (the corpus tests something)', async () => {
    let withData = 0;
    for (const operation of operations()) {
      const { stock } = await pair.run(operation);
      if (stock.data) withData += 1;
    }
    expect(withData).toBeGreaterThanOrEqual(operations().length - 8);
  });
});

describe('differential: the platform graph with every answer cacheable (the entity cache on)', () => {
  let graph: PlatformGraph;
  let pair: GatewayPair;
  // Operations that take a subgraph down are left out: a warm cache answering them whole is the point.
  const operations = () =>
    [...contractOperations(graph.apiSchema), ...PLATFORM_OPERATIONS].filter((operation) => !operation.before);

  beforeAll(async () => {
    graph = await startPlatformGraph({ cacheControl: 'max-age=60, public' });
    // No Redis here: the memory store keeps entries 1 s by default, less than a run takes.
    pair = await startGatewayPair(graph.supergraphSdl, { ENTITY_CACHE_MEMORY_MAX_AGE_SECONDS: '300' });
  });
  afterAll(async () => {
    await pair?.close();
    await graph?.close();
  });

  const hits = async () =>
    (
      (await pair.terrarium.metrics.registry.getSingleMetric('gateway_entity_cache_hits_total')?.get())
        ?.values ?? []
    ).reduce((sum, { value }) => sum + value, 0);

  compareAll('cold', operations, () => pair);
  // The same operations again: now answered (wholly or in part) from the cache, still as stock does.
  compareAll('warm', operations, () => pair);

  it('served the warm run from the cache', async () => {
    expect(await hits()).toBeGreaterThan(0);
  });
});

describe('differential: the platform graph (made-up resolvers)', () => {
  let graph: PlatformGraph;
  let pair: GatewayPair;
  let uncached: GatewayPair;
  const operations = () => [...contractOperations(graph.apiSchema), ...PLATFORM_OPERATIONS];

  beforeAll(async () => {
    graph = await startPlatformGraph();
    pair = await startGatewayPair(graph.supergraphSdl);
    uncached = await startGatewayPair(graph.supergraphSdl, { ENTITY_CACHE: 'false' });
  });
  afterAll(async () => {
    await pair?.close();
    await uncached?.close();
    await graph?.close();
  });

  compareAll('platform graph', operations, () => pair);
  compareAll('platform graph, entity cache off', operations, () => uncached);

  it('still checks @access on the fast path: anonymous staff-only reads are refused before execution', async () => {
    const auditLog = operations().find((operation) => operation.name === 'contract admin AuditLog');
    expect(auditLog).toBeDefined();
    const before = await pair.executions();
    const anonymous = await pair.runAnonymously(auditLog!);
    expect(anonymous.status).toBe(401);
    expect(anonymous.data).toBeUndefined();
    expect(await pair.executions()).toEqual(before);
  });

  it('covers at least 60 operations in all', () => {
    expect(
      operations().length +
        benchOperations(() => {
          throw new Error('not started');
        }).length,
    ).toBeGreaterThanOrEqual(60);
  });
});
