/**
 * Helpers for a subgraph's own tests (import from '@terrarium/subgraph-kit/testing'): the demo seed's
 * callers, running an operation through the subgraph's real schema, counting SQL statements.
 */
import type { GraphQLFormattedError } from 'graphql';
import { ANONYMOUS, type Caller } from '@terrarium/platform/caller';
import { loadSubgraphConfig, type SubgraphConfig } from './config.js';
import { seedId } from './seed-id.js';
import type { Subgraph } from './subgraph.js';

/** The demo seed's accounts as the gateway would present them. */
export const demoCallers = {
  staff: { ...ANONYMOUS, userId: seedId('user:admin@terrarium.test'), roles: ['STAFF'] } as Caller,
  breeder: {
    ...ANONYMOUS,
    userId: seedId('user:breeder@terrarium.test'),
    roles: ['BREEDER'],
    organizationIds: [seedId('org:sunset-reptiles')],
  } as Caller,
  keeper: { ...ANONYMOUS, userId: seedId('user:keeper@terrarium.test'), roles: ['KEEPER'] } as Caller,
} as const;

/** Another subgraph calling as a service (commerce reserving stock). */
export function serviceCaller(service: string): Caller {
  return { ...ANONYMOUS, service };
}

/** Any subgraph, whatever its loaders (the helpers never touch them). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnySubgraph = Subgraph<any>;

export interface OperationResult<T> {
  data: T | null;
  /** Empty when the operation succeeded. */
  errors: readonly GraphQLFormattedError[];
}

/*
 * The one testing vocabulary of every subgraph's tests: `execute` an operation and look at its
 * result (`errorCodes`, `firstError`), or state the outcome in one call (`expectData`,
 * `expectErrorCode`); `countStatements` for the N+1 guards.
 */

/**
 * Runs an operation through the subgraph's schema with a fresh context for `caller`. Without a
 * type argument the data is loosely typed, so that a test may read into it without naming it.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function execute<T = Record<string, any>>(
  subgraph: AnySubgraph,
  query: string,
  variables: Record<string, unknown> = {},
  caller: Caller = ANONYMOUS,
): Promise<OperationResult<T>> {
  const response = await subgraph.execute({ query, variables }, caller);
  if (response.body.kind !== 'single') throw new Error('expected a single result, got an incremental one');
  return {
    data: (response.body.singleResult.data ?? null) as T | null,
    errors: response.body.singleResult.errors ?? [],
  };
}

/** The data of an operation that must succeed; its errors otherwise, thrown (the test fails). */
export async function expectData<T>(
  subgraph: AnySubgraph,
  query: string,
  variables: Record<string, unknown> = {},
  caller: Caller = ANONYMOUS,
): Promise<T> {
  const { data, errors } = await execute<T>(subgraph, query, variables, caller);
  if (errors.length > 0) throw new Error(`unexpected errors: ${JSON.stringify(errors)}`);
  return data as T;
}

/**
 * Runs an operation that must fail with exactly one error of `code`; returns that error. Throws
 * (the test fails) on any other outcome.
 */
export async function expectErrorCode(
  subgraph: AnySubgraph,
  code: string,
  query: string,
  variables: Record<string, unknown> = {},
  caller: Caller = ANONYMOUS,
): Promise<GraphQLFormattedError> {
  const result = await execute(subgraph, query, variables, caller);
  const codes = errorCodes(result);
  if (codes.length !== 1 || codes[0] !== code)
    throw new Error(`expected error codes ["${code}"], got ${JSON.stringify(result.errors)}`);
  return result.errors[0]!;
}

/** The error codes a result holds, in order (empty when it succeeded). */
export function errorCodes(result: OperationResult<unknown>): unknown[] {
  return result.errors.map((error) => error.extensions?.['code']);
}

/** The first error's code, field (when it names one) and message, for compact assertions. */
export function firstError(
  result: OperationResult<unknown>,
): { code: unknown; field?: unknown; message: string } | undefined {
  const error = result.errors[0];
  if (!error) return undefined;
  const { code, field } = error.extensions ?? {};
  return field === undefined ? { code, message: error.message } : { code, field, message: error.message };
}

/** SQL statements the subgraph sent while `action` ran. */
export async function countStatements(
  subgraph: AnySubgraph,
  action: () => Promise<unknown>,
): Promise<number> {
  const before = subgraph.sqlStatementCount();
  await action();
  return subgraph.sqlStatementCount() - before;
}

/** A sibling subgraph running in this test process, listening on an ephemeral port. */
export interface RunningSibling {
  subgraph: AnySubgraph;
  /** http://127.0.0.1:<port>/graphql */
  url: string;
}

/** A subgraph package's factory (`createProductsSubgraph`), as its package entry exports it. */
export type SubgraphFactory = (config: SubgraphConfig) => Promise<AnySubgraph>;

/**
 * Starts another subgraph in-process (tests only: a subgraph's src never imports another), on its
 * own schema of the run's database, seeded with the demo data. The test passes the factory it
 * imported from the sibling's package (`@terrarium/products`, a devDependency), so the kit knows
 * no subgraph; the caller reaches the sibling over real HTTP through the kit's service client, as
 * in production.
 */
export async function startSiblingSubgraph(
  name: string,
  create: SubgraphFactory,
  schema: string,
  env: NodeJS.ProcessEnv = {},
): Promise<RunningSibling> {
  const prefix = name.toUpperCase();
  const config = loadSubgraphConfig(name, {
    ...process.env,
    [`${prefix}_DATABASE_SCHEMA`]: schema,
    [`${prefix}_PORT`]: '0',
    SEED_DEMO: 'true',
    ...env,
  });
  const subgraph = await create(config);
  return { subgraph, url: await subgraph.listen(0) };
}

/** A TCP port free on 127.0.0.1 right now (the platform's, here beside the other test helpers). */
export { freePort } from '@terrarium/platform/ports';

/**
 * Polls `probe` (every 100 ms) until it gives a truthy value, and returns that value; throws
 * "timed out waiting for <what>" after `timeoutMs`. For what a test waits on in the background:
 * a job's handler, a worker's output, a mail.
 */
export async function eventually<T>(
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
