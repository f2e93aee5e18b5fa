import { GraphQLError } from 'graphql/index.js';
import { deliveryTargets } from './defer-paths.js';
import { conditionValue, PlanExecution, type ExecutionInput } from './execute.js';
import { deepMerge } from './merge.js';
import type { DeferredStep, IncrementalStep } from './plan.js';
import { shapeAt, type Shaped } from './shape.js';

/** One deferred part as the 2022-08-24 incremental delivery format (`deferSpec=20220824`) carries it. */
export interface IncrementalItem {
  data: Record<string, unknown> | null;
  path: (string | number)[];
  label?: string;
  errors?: (GraphQLError | Error)[];
  /** Completion errors of a part without execution errors (as stock reports them for a whole answer). */
  extensions?: { valueCompletion: GraphQLError[] };
}

export interface SubsequentPayload {
  incremental?: IncrementalItem[];
  hasNext: boolean;
}

/** What a deferred operation's run gives the executor once its first part is ready. */
export type IncrementalOutcome =
  /** No Defer node ran (every @defer was off, or the plan has none): shape the whole answer as usual. */
  | { kind: 'whole'; execution: PlanExecution }
  /** The primary part's data could not be shaped: the answer is this error. */
  | { kind: 'failed'; error: GraphQLError }
  | {
      kind: 'parts';
      /** The primary part's execution errors (the first payload's `errors`). */
      errors: (GraphQLError | Error)[];
      initial: Shaped;
      /** The deferred parts, in delivery order; the last one has `hasNext: false`. */
      subsequent: AsyncIterable<SubsequentPayload>;
    };

const noop = (): void => undefined;

interface Gate {
  promise: Promise<void>;
  open(): void;
}

function gate(): Gate {
  let open: () => void = noop;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/**
 * Runs a deferred operation's plan (the planner's Defer nodes) and delivers it in parts, as
 * Apollo Router does: the primary part's fetches run, its data is shaped and answered first;
 * each deferred part starts as soon as the fetches it depends on are done (often while the
 * primary still runs), and is delivered after the part it sits in. All parts merge into one
 * fetched data tree, each with its own errors; a part's data is shaped by its own selection at
 * each object it is delivered at (one item per list element), so merged on the client the parts
 * give the answer the operation has without @defer, except where a null bubbles out of a
 * deferred part: it stops at that part's object, which the incremental format sends as null.
 */
export class IncrementalExecution {
  private readonly data: Record<string, unknown> = {};
  private readonly fetched = new Map<string, Gate>();
  private readonly payloads: SubsequentPayload[] = [];
  private wake: () => void = noop;
  private pending = 0;
  private ended = false;
  /** The response as the client holds it so far: where later parts find the objects they go to. */
  private client: Record<string, unknown> | null = null;
  private readonly input: ExecutionInput;

  constructor(
    input: ExecutionInput,
    /**
     * A mutation's deferred parts start only once its primary part (every mutation field, in
     * order) is done, never beside it.
     */
    private readonly serial: boolean,
  ) {
    this.input = { ...input, onFetched: (id) => this.fetchedGate(id).open() };
  }

  async run(plan: IncrementalStep): Promise<IncrementalOutcome> {
    let step: IncrementalStep | null = plan;
    while (step?.kind === 'Condition') {
      step = conditionValue(step, this.input.variables) ? step.ifClause : step.elseClause;
    }
    if (step?.kind !== 'Defer') {
      const whole = new PlanExecution(this.input, this.data);
      if (step) await whole.run(step);
      return { kind: 'whole', execution: whole };
    }

    const primary = new PlanExecution(this.input, this.data);
    const running = step.primary ? primary.run(step.primary) : Promise.resolve();
    const delivered = gate();
    for (const deferred of step.deferred)
      this.schedule(deferred, running.then(noop, noop), delivered.promise);
    if (step.deferred.length === 0) {
      this.payloads.push({ hasNext: false });
      this.ended = true;
    }
    try {
      await running;
      const shaper = step.primaryShaper;
      let initial: Shaped;
      try {
        initial = shapeAt(shaper, this.data, this.input.variables, [], shaper.rootTypeName);
      } catch (err) {
        // As the whole answer's shaping: the error alone, and no parts (the client has no data).
        return { kind: 'failed', error: asGraphQLError(err) };
      }
      this.client = initial.data;
      return { kind: 'parts', errors: primary.errors, initial, subsequent: this.stream() };
    } finally {
      // Parts still running finish (into nothing) if the primary part failed.
      delivered.open();
    }
  }

  private fetchedGate(id: string): Gate {
    let known = this.fetched.get(id);
    if (!known) {
      known = gate();
      this.fetched.set(id, known);
    }
    return known;
  }

  /**
   * Starts a deferred part once its dependencies are fetched (or its parent part is done, which
   * covers a dependency that never ran: a skipped branch, no entities to fetch).
   */
  private schedule(deferred: DeferredStep, parentDone: Promise<void>, parentDelivered: Promise<void>): void {
    this.pending += 1;
    this.deliver(deferred, parentDone, parentDelivered).catch((err: unknown) => {
      this.input.logger.error({ err }, 'a deferred part failed');
      this.finish([]);
    });
  }

  private async deliver(
    deferred: DeferredStep,
    parentDone: Promise<void>,
    parentDelivered: Promise<void>,
  ): Promise<void> {
    if (this.serial) {
      await parentDone;
    } else if (deferred.depends.length > 0) {
      await Promise.race([
        Promise.all(deferred.depends.map((id) => this.fetchedGate(id).promise)),
        parentDone,
      ]);
    }
    const part = new PlanExecution(this.input, this.data);
    const nestedDelivered = gate();
    try {
      await this.runPart(deferred, part, parentDone, nestedDelivered.promise);
      // Shaping may read data the parent fetched (a key, a field both select): wait for it too.
      await parentDone;
      await parentDelivered;
      this.finish(this.items(deferred, part.errors));
    } finally {
      // Parts nested in this one follow it, delivered or failed (they must not wait forever).
      nestedDelivered.open();
    }
  }

  /** The part's fetches; a part with deferred parts of its own is a Defer whose primary is this part. */
  private async runPart(
    deferred: DeferredStep,
    part: PlanExecution,
    parentDone: Promise<void>,
    delivered: Promise<void>,
  ): Promise<void> {
    const failed = (err: unknown) => void part.errors.push(err as Error);
    const node = deferred.node;
    if (node?.kind === 'Defer') {
      const running = node.primary ? part.run(node.primary).catch(failed) : Promise.resolve();
      // A nested part may depend on any fetch above it: its fallback is every enclosing part done.
      const done = Promise.all([parentDone, running]).then(noop);
      for (const nested of node.deferred) this.schedule(nested, done, delivered);
      await running;
    } else if (node) {
      await part.run(node).catch(failed);
    }
  }

  /** The part's items, one per object it is delivered at, with the part's errors placed by path. */
  private items(deferred: DeferredStep, errors: (GraphQLError | Error)[]): IncrementalItem[] {
    const shaper = deferred.shaper;
    const items: IncrementalItem[] = [];
    const completion: GraphQLError[][] = [];
    for (const target of deliveryTargets(this.client, this.data, deferred.path)) {
      const typename = target.fetched['__typename'];
      const typeName =
        typeof typename === 'string' && shaper.types.composites.has(typename)
          ? typename
          : shaper.rootTypeName;
      const label = deferred.label === undefined ? {} : { label: deferred.label };
      let shaped: Shaped;
      try {
        shaped = shapeAt(shaper, target.fetched, this.input.variables, target.path, typeName);
      } catch (err) {
        // Data no shaping can read (as stock, which would fail the whole answer): this item fails.
        items.push({ data: null, path: target.path, ...label, errors: [asGraphQLError(err)] });
        completion.push([]);
        continue;
      }
      if (shaped.data) deepMerge(target.client, shaped.data);
      items.push({ data: shaped.data, path: target.path, ...label });
      completion.push(shaped.errors);
    }
    for (const error of errors) {
      const item = itemFor(items, (error as Partial<GraphQLError>).path ?? undefined);
      if (item) (item.errors ??= []).push(error);
    }
    // As stock for a whole answer: completion errors only when the part had no execution errors.
    if (errors.length === 0) {
      items.forEach((item, index) => {
        const valueCompletion = completion[index]!;
        if (valueCompletion.length > 0) item.extensions = { valueCompletion };
      });
    }
    return items;
  }

  private finish(items: IncrementalItem[]): void {
    this.pending -= 1;
    const hasNext = this.pending > 0;
    if (items.length > 0 || !hasNext) {
      this.payloads.push(items.length > 0 ? { incremental: items, hasNext } : { hasNext });
    }
    if (!hasNext) this.ended = true;
    this.wake();
  }

  private async *stream(): AsyncGenerator<SubsequentPayload> {
    for (;;) {
      const next = this.payloads.shift();
      if (next) {
        yield next;
        if (!next.hasNext) return;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}

/** The item an error belongs to: the one at the longest prefix of the error's path, else the first. */
function itemFor(
  items: IncrementalItem[],
  path: readonly (string | number)[] | undefined,
): IncrementalItem | undefined {
  let best: IncrementalItem | undefined;
  let bestLength = -1;
  if (path) {
    for (const item of items) {
      const length = item.path.length;
      if (length <= bestLength || length > path.length) continue;
      if (item.path.every((element, i) => path[i] === element)) {
        best = item;
        bestLength = length;
      }
    }
  }
  return best ?? items[0];
}

function asGraphQLError(err: unknown): GraphQLError {
  const error = err as Error;
  return error instanceof GraphQLError ? error : new GraphQLError(error.message, { originalError: error });
}
