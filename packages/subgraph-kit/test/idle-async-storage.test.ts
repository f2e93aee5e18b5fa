import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** Runs test/idle-async-storage-probe.mjs (built kit) and returns what it saw. */
async function probe(env: NodeJS.ProcessEnv = {}): Promise<Record<string, boolean>> {
  const child = spawn(
    process.execPath,
    [new URL('./idle-async-storage-probe.mjs', import.meta.url).pathname],
    {
      env: { ...process.env, SCHEMA: 'kit_idle_async_storage', ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  expect(code).toBe(0);
  return JSON.parse(output) as Record<string, boolean>;
}

describe('idle AsyncLocalStorage', () => {
  it("turns the promise hooks off between MikroORM's flushes and transactions and the kit's jobs, and keeps each context while it runs", async () => {
    expect(await probe()).toEqual({
      atStart: false,
      duringTransaction: true,
      longKeepsItsContext: true,
      afterTransactions: false,
      afterFlush: false,
      inJob: true,
      afterJob: false,
      outsideJob: false,
      afterUntrackedRun: true,
    });
  });

  it('leaves them as Node does with IDLE_ASYNC_STORAGE=false: on for good after the first transaction', async () => {
    const seen = await probe({ IDLE_ASYNC_STORAGE: 'false' });
    expect(seen['longKeepsItsContext']).toBe(true);
    expect(seen['afterTransactions']).toBe(true);
  });
});
