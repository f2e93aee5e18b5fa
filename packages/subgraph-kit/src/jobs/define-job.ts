/**
 * A named queue and its policy, typed by its payload. Defined once beside the code that enqueues
 * it and the handler that works it, so both sides agree on the name and the payload's shape.
 */
export interface JobOptions {
  /** Attempts after the first before the job goes to the dead-letter queue. @default 5 */
  retryLimit?: number;
  /** Seconds before the first retry; doubled each retry when retryBackoff is set. @default 2 s */
  retryDelay?: number;
  /** Exponential backoff between retries. @default true */
  retryBackoff?: boolean;
  /** A job still active after this long counts as failed (its worker died) and is retried. @default 60 s */
  expireInSeconds?: number;
  /** Jobs fetched and run at once by each worker of this process. @default 4 */
  concurrency?: number;
  /** Keep a dead-letter queue (`<name>.dead`) for jobs that used up their retries. @default true */
  deadLetter?: boolean;
  /**
   * pg-boss's queue policy: `standard`, `short` (one waiting job per singleton key), `singleton`
   * (one running job per key), `stately` (one waiting and one running per key). @default standard
   */
  policy?: 'standard' | 'short' | 'singleton' | 'stately';
}

export interface JobDefinition<TPayload extends object> {
  readonly name: string;
  readonly options: Readonly<Required<JobOptions>>;
  /** Phantom: carries the payload type from `defineJob<P>` to `enqueue` and `work`. */
  readonly payload?: TPayload;
}

/** Queue names pg-boss accepts: letters, digits, `-`, `_`, `.` and `/`. */
const QUEUE_NAME = /^[A-Za-z0-9_.\-/]+$/;

export function defineJob<TPayload extends object>(
  name: string,
  options: JobOptions = {},
): JobDefinition<TPayload> {
  if (!QUEUE_NAME.test(name))
    throw new Error(`Job name "${name}" may contain only letters, digits, -, _, . and /`);
  return Object.freeze({
    name,
    options: Object.freeze({
      retryLimit: options.retryLimit ?? 5,
      retryDelay: options.retryDelay ?? 2,
      retryBackoff: options.retryBackoff ?? true,
      expireInSeconds: options.expireInSeconds ?? 60,
      concurrency: options.concurrency ?? 4,
      deadLetter: options.deadLetter ?? true,
      policy: options.policy ?? 'standard',
    }),
  });
}

/** The dead-letter queue of a job: where it lands after its last failed attempt. */
export function deadLetterName(name: string): string {
  return `${name}.dead`;
}
