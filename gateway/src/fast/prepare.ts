import { operationFromDocument, type Operation } from '@apollo/federation-internals';
import { LRUCache } from 'lru-cache';
import type { DocumentNode, VariableDefinitionNode } from 'graphql/index.js';
import type { SupergraphGeneration } from '../supergraph/generation.js';
import { compileIncrementalPlan, compilePlan, type IncrementalStep, type Step } from './plan.js';
import { TypeMatcher } from './representations.js';
import { compileShaper, type Shaper } from './shape.js';

/** Operations kept prepared per supergraph; the least recently used beyond this are dropped. @default 2_000 */
const MAX_PREPARED = 2_000;

/** Everything about an operation that does not depend on the request: planned, compiled, cached. */
export interface PreparedOperation {
  plan: Step | null;
  /**
   * For an operation with @defer prepared to be delivered in parts: its plan from the
   * defer-enabled planner (run by IncrementalExecution instead of `plan`). Null otherwise.
   */
  incremental: IncrementalStep | null;
  mutation: boolean;
  shaper: Shaper;
  /** Checked against each request's variables before anything runs (as ApolloGateway does). */
  variableDefinitions: readonly VariableDefinitionNode[] | null;
  /** Set once a request without variables passed that check: the same check would pass again. */
  passesWithoutVariables: boolean;
}

/** Why an operation runs on stock execution (for the debug log, once per operation). */
export interface NotPrepared {
  reason: string;
}

/** ApolloGateway's planner limit switches (its APOLLO_DISABLE_SECURITY_* variables, read by config.ts). */
export interface PlanLimitSwitches {
  recursiveSelectionsLimitDisabled: boolean;
  nonLocalSelectionsLimitDisabled: boolean;
}

/**
 * The operations prepared against one supergraph generation (its shared query planner, and the
 * supergraph and API schemas), keyed like Apollo Gateway's query plan cache (query hash and
 * operation name).
 */
export class PreparedOperations {
  private readonly prepared = new LRUCache<string, PreparedOperation | NotPrepared>({ max: MAX_PREPARED });
  private readonly types: TypeMatcher;

  constructor(
    readonly generation: SupergraphGeneration,
    private readonly planLimits: PlanLimitSwitches,
  ) {
    // `requires` and rewrites may name @inaccessible types: they are matched on the supergraph.
    this.types = new TypeMatcher(generation.supergraph.schema);
  }

  /**
   * `inParts`: the client accepts incremental delivery, so an operation with @defer is planned
   * with its deferred parts (any other operation is prepared as usual). Without it, @defer is
   * stripped as Apollo Gateway's planner does, and the answer is the one without @defer.
   */
  prepare(
    queryHash: string,
    operationName: string | null,
    document: DocumentNode,
    operation: { variableDefinitions?: readonly VariableDefinitionNode[] | undefined },
    inParts = false,
  ): PreparedOperation | NotPrepared {
    const whole = operationName === null ? queryHash : `${queryHash}\u0000${operationName}`;
    const key = inParts ? `${whole}\u0000parts` : whole;
    const known = this.prepared.get(key);
    if (known) return known;
    let result: PreparedOperation | NotPrepared;
    try {
      const parsed = operationFromDocument(this.generation.apiSchema, document, {
        operationName: operationName ?? undefined,
      });
      if (inParts && !parsed.expandAllFragments().selectionSet.hasDefer()) {
        result = this.prepare(queryHash, operationName, document, operation);
        this.prepared.set(key, result);
        return result;
      }
      result = {
        plan: inParts
          ? null
          : compilePlan(this.generation.planner.buildQueryPlan(parsed, this.planLimits), parsed, this.types),
        incremental: inParts ? this.planInParts(parsed) : null,
        mutation: parsed.rootKind === 'mutation',
        shaper: compileShaper(parsed),
        variableDefinitions: operation.variableDefinitions?.length ? operation.variableDefinitions : null,
        passesWithoutVariables: false,
      };
    } catch (err) {
      // Unsupported, or a document Apollo Gateway itself would fail on: stock runs it and answers.
      result = { reason: err instanceof Error ? err.message : String(err) };
    }
    this.prepared.set(key, result);
    return result;
  }

  /** Every @defer labelled first (the parts are matched to their fragments by label), then planned. */
  private planInParts(parsed: Operation): IncrementalStep | null {
    const { operation, assignedDeferLabels } = parsed.expandAllFragments().withNormalizedDefer();
    const plan = this.generation.deferPlanner.buildQueryPlan(operation, this.planLimits);
    return compileIncrementalPlan(plan, operation, this.types, assignedDeferLabels);
  }
}
