import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { ANONYMOUS, CALLER_HEADER, signCaller } from '@terrarium/platform/caller';
import { MAX_OPERATION_LABELS } from '@terrarium/platform/metric-labels';
import { createNotesSubgraph } from './fixture.js';

const secret = process.env['INTERNAL_SECRET']!;

/** The `operation` label of every graphql_operation_duration_seconds series, with its count. */
async function operationSeries(metricsUrl: string): Promise<Map<string, number>> {
  const text = await (await fetch(metricsUrl)).text();
  const series = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('graphql_operation_duration_seconds_count{')) continue;
    const operation = /operation="([^"]*)"/.exec(line)?.[1];
    const count = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (operation !== undefined) series.set(operation, (series.get(operation) ?? 0) + count);
  }
  return series;
}

describe('subgraph operation metrics', () => {
  const started: { stop(): Promise<void> }[] = [];
  afterAll(async () => {
    await Promise.all(started.map((s) => s.stop()));
  });

  it('label client-chosen operation names up to the cap; random names past it make no new series', async () => {
    const subgraph = await createNotesSubgraph('kit_operation_labels');
    started.push(subgraph);
    const url = await subgraph.listen(0);
    const metricsUrl = url.replace('/graphql', '/metrics');
    const token = await signCaller(ANONYMOUS, secret);
    const send = async (name: string) => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [CALLER_HEADER]: token },
        body: JSON.stringify({ query: `query ${name} { whoami }` }),
      });
      expect(((await response.json()) as { data?: unknown }).data).toEqual({ whoami: null });
    };

    for (let i = 0; i < MAX_OPERATION_LABELS; i++)
      await subgraph.execute({ query: `query Known${i} { whoami }` });
    await send('FirstPastTheCap');
    const before = await operationSeries(metricsUrl);
    expect(before.size).toBe(MAX_OPERATION_LABELS + 1);
    expect(before.get('other')).toBe(1);
    expect(before.has('FirstPastTheCap')).toBe(false);

    const random = [1, 2, 3].map(() => `Random_${randomUUID().replaceAll('-', '')}`);
    for (const name of random) await send(name);
    await send('Known7');

    const after = await operationSeries(metricsUrl);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const name of random) expect(after.has(name)).toBe(false);
    expect(after.get('other')).toBe(4);
    expect(after.get('Known7')).toBe(2);
  });
});
