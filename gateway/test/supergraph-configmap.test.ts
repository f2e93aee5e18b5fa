import { EventEmitter, once } from 'node:events';
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SupergraphSdlHook } from '@apollo/gateway';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { supergraphFile } from '../src/supergraph/supergraph-file.js';

type HookOptions = Parameters<SupergraphSdlHook>[0];

/** Lays a folder out as the kubelet does for a ConfigMap volume: file -> ..data/file, ..data -> ..<version>. */
function configMapVolume(dir: string, sdl: string): void {
  mkdirSync(join(dir, '..v1'));
  writeFileSync(join(dir, '..v1', 'supergraph.graphql'), sdl);
  symlinkSync('..v1', join(dir, '..data'));
  symlinkSync('..data/supergraph.graphql', join(dir, 'supergraph.graphql'));
}

/** The kubelet's atomic update: a new version folder, a temporary link renamed over ..data, the old folder removed. */
function updateConfigMapVolume(dir: string, sdl: string): void {
  mkdirSync(join(dir, '..v2'));
  writeFileSync(join(dir, '..v2', 'supergraph.graphql'), sdl);
  symlinkSync('..v2', join(dir, '..data_tmp'));
  renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
  rmSync(join(dir, '..v1'), { recursive: true });
}

let cleanup: (() => Promise<void>) | undefined;
let dir: string | undefined;
afterEach(async () => {
  await cleanup?.();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('supergraph mounted from a Kubernetes ConfigMap', () => {
  it('hot-reloads when the kubelet swaps the ..data link (no event ever names the file)', async () => {
    dir = mkdtempSync(join(tmpdir(), 'supergraph-configmap-'));
    configMapVolume(dir, 'type Query { v: Int } # v1');
    const events = new EventEmitter();
    const updates: string[] = [];
    const hook = supergraphFile(join(dir, 'supergraph.graphql'), {
      logger: pino({ level: 'silent' }),
      validate: () => {},
      events,
    });
    const options = {
      update: (sdl: string) => updates.push(sdl),
      healthCheck: async () => {},
      getDataSource: () => undefined,
    } as unknown as HookOptions;
    const initial = await hook(options);
    cleanup = initial.cleanup;
    expect(initial.supergraphSdl).toBe('type Query { v: Int } # v1');

    const updated = once(events, 'supergraph-updated');
    updateConfigMapVolume(dir, 'type Query { v: Int } # v2');
    await Promise.race([
      updated,
      new Promise((_, reject) => setTimeout(() => reject(new Error('no reload within 2 s')), 2_000)),
    ]);
    expect(updates).toEqual(['type Query { v: Int } # v2']);
  });
});
