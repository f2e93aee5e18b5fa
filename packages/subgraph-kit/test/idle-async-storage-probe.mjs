// A process of its own for idle-async-storage.test.ts: whether promise hooks are on is
// process-wide, and the test runner's own AsyncLocalStorage would keep them on. Built kit (dist).
// Env: DATABASE_URL, SCHEMA. Prints one JSON object: what it saw at each step.
import { AsyncLocalStorage, executionAsyncId } from 'node:async_hooks';
import { TransactionContext } from '@mikro-orm/core';
import pino from 'pino';
import { inBackground, runInBackground } from '../dist/jobs/background.js';
import { createOrm } from '../dist/orm.js';

/** Promise hooks on: each await's continuation runs in an async resource of its own (id > 0). */
async function promiseHooksOn() {
  await null;
  return executionAsyncId() !== 0;
}
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const seen = {};

const orm = await createOrm({
  databaseUrl: process.env.DATABASE_URL,
  schema: process.env.SCHEMA,
  entities: [],
  migrations: [],
  logger: pino({ level: 'silent' }),
});
seen.atStart = await promiseHooksOn();

// Two overlapping transactions: the long one keeps its context after the short one settled.
const long = orm.em.fork().transactional(async (tx) => {
  await pause(50);
  seen.duringTransaction = await promiseHooksOn();
  seen.longKeepsItsContext = TransactionContext.currentTransactionContext()?.em === tx;
  await tx.flush();
});
await orm.em.fork().transactional(async (tx) => tx.flush());
await long;
seen.afterTransactions = await promiseHooksOn();

await orm.em.fork().flush();
seen.afterFlush = await promiseHooksOn();

seen.inJob = await runInBackground(async () => {
  await pause(5);
  return inBackground();
});
seen.afterJob = await promiseHooksOn();
seen.outsideJob = inBackground();

// Anyone else's storage is left as Node made it: on once it ran.
const other = new AsyncLocalStorage();
other.run(1, () => undefined);
seen.afterUntrackedRun = await promiseHooksOn();

await orm.close();
process.stdout.write(`${JSON.stringify(seen)}\n`);
