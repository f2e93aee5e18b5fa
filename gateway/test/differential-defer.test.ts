import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBenchSubgraphs, type BenchSubgraphs } from '../../bench/gateway/subgraphs.js';
import { benchOperations } from './differential/bench-corpus.js';
import { post, startGatewayPair, type DiffOperation, type GatewayPair } from './differential/harness.js';
import { deferredTwin, postInParts } from './differential/multipart.js';
import {
  PLATFORM_OPERATIONS,
  contractOperations,
  startPlatformGraph,
  type PlatformGraph,
} from './differential/platform.js';

/**
 * Guards @defer on the fast path (gateway/src/fast/incremental.ts): each operation of the
 * differential corpus gets a deferred twin (in every selection set below a field, all but the
 * first selection deferred, so parts nest), which Terrarium's gateway answers twice: in parts
 * (`accept: multipart/mixed;deferSpec=20220824`, as Apollo Client asks) and whole (no such
 * accept). Both must agree with stock @apollo/gateway's answer to the operation without @defer
 * (stock cannot run @defer): the parts merged as a client merges them give the same data and
 * errors at the same paths. The fast path must have answered both.
 */

interface Mismatch {
  name: string;
  message: string;
}

/**
 * Twins whose parts, merged, differ from the answer without @defer by design, not by the
 * gateway. `null`: a null bubbling out of a deferred fragment stops at it (the incremental
 * format delivers that part as `data: null`; without @defer the null reaches a parent): the
 * errors must still be at the same paths. `mutation`: the bench subgraphs' mutations keep no
 * state, and a mutation result's deferred fields are fetched afterwards through `_entities`
 * (the planner's plan for them), which answers the stored values: only the whole answer is compared.
 */
const DIFFERS_BY_DESIGN: ReadonlyMap<string, 'null' | 'mutation'> = new Map([
  ['a mutation answered across subgraphs', 'mutation'],
  ['mutations run in sequence', 'mutation'],
  ['inventory is down: entity fetches fail', 'null'],
  ['contract storefront ProductPage', 'null'],
  ['contract storefront Checkout', 'null'],
  ['platform: posts with @skip and @include by variables', 'null'],
] as const);

function compareTwins(label: string, operations: () => DiffOperation[], pair: () => GatewayPair): void {
  it(`${label}: deferred twins, merged from their parts or whole, answer as stock answers without @defer`, async () => {
    const list = operations().filter((operation) => !operation.stockByDesign);
    const before = await pair().executions();
    const mismatches: Mismatch[] = [];
    let inParts = 0;
    for (const operation of list) {
      const twin = deferredTwin(operation);
      const { stockUrl, terrariumUrl, authorization } = pair();
      operation.before?.();
      try {
        const stock = await post(stockUrl, operation, authorization);
        const whole = await post(terrariumUrl, twin, authorization);
        const parts = await postInParts(terrariumUrl, twin, authorization);
        const { contentType, payloads, ...merged } = parts;
        if (contentType.startsWith('multipart/mixed')) {
          inParts += 1;
          expect(contentType).toBe('multipart/mixed; boundary="-"; deferSpec=20220824');
          expect(payloads[0]?.hasNext).toBe(true);
          expect(payloads.at(-1)?.hasNext).toBe(false);
        }
        try {
          expect(whole).toEqual(stock);
        } catch (err) {
          mismatches.push({ name: `${operation.name} (whole)`, message: (err as Error).message });
        }
        const byDesign = DIFFERS_BY_DESIGN.get(operation.name);
        try {
          if (byDesign === 'null') expect(merged.errorPaths).toEqual(stock.errorPaths);
          else if (!byDesign) expect(merged).toEqual(stock);
        } catch (err) {
          mismatches.push({
            name: `${operation.name} (parts)`,
            message: `${(err as Error).message}\n${JSON.stringify({ merged, stock, payloads })}`,
          });
        }
      } finally {
        operation.after?.();
      }
    }
    expect(mismatches).toEqual([]);
    // Most twins have something to defer: they are answered in parts, not whole.
    expect(inParts).toBeGreaterThanOrEqual(list.length * 0.6);
    const after = await pair().executions();
    expect((after['fast'] ?? 0) - (before['fast'] ?? 0)).toBe(list.length * 2);
    expect((after['stock'] ?? 0) - (before['stock'] ?? 0)).toBe(0);
  });
}

describe('differential @defer: the benchmark graph', () => {
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

  compareTwins('bench graph', operations, () => pair);
});

describe('differential @defer: the platform graph (made-up resolvers)', () => {
  let graph: PlatformGraph;
  let pair: GatewayPair;
  const operations = () => [...contractOperations(graph.apiSchema), ...PLATFORM_OPERATIONS];

  beforeAll(async () => {
    graph = await startPlatformGraph();
    pair = await startGatewayPair(graph.supergraphSdl);
  });
  afterAll(async () => {
    await pair?.close();
    await graph?.close();
  });

  compareTwins('platform graph', operations, () => pair);
});
