/**
 * Where a subgraph's jobs run. `all` (the default): the API and its workers share the process.
 * `api`: serve requests and enqueue, work nothing. `worker`: work the queues only, serve no
 * GraphQL, so workers scale apart from the API. Any number of workers share a queue safely
 * (pg-boss fetches with SKIP LOCKED).
 */
export type JobsMode = 'all' | 'api' | 'worker';

const MODES: readonly JobsMode[] = ['all', 'api', 'worker'];

/** `--worker` on the command line wins; otherwise JOBS_MODE (`all`, `api`, `worker`). */
export function readJobsMode(
  env: NodeJS.ProcessEnv = process.env,
  argv: readonly string[] = process.argv,
): JobsMode {
  if (argv.includes('--worker')) return 'worker';
  const raw = env['JOBS_MODE'] ?? 'all';
  if (!(MODES as readonly string[]).includes(raw))
    throw new Error(`JOBS_MODE must be one of ${MODES.join(', ')}, got "${raw}"`);
  return raw as JobsMode;
}

export function runsWorkers(mode: JobsMode): boolean {
  return mode !== 'api';
}
