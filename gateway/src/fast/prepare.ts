import { operationFromDocument } from '@apollo/federation-internals';
import { LRUCache } from 'lru-cache';
import type { DocumentNode, VariableDefinitionNode } from 'graphql/index.js';
import type { SupergraphGeneration } from '../supergraph/generation.js';
import { compilePlan, type Step } from './plan.js';
import { TypeMatcher } from './representations.js';
import { compileShaper, type Shaper } from './shape.js';

/** Operations kept prepared per supergraph; the least recently used beyond this are dropped. @default 2_000 */
const MAX_PREPARED = 2_000;

/** Everything about an operation that does not depend on the request: planned, compiled, cached. */
export interface PreparedOperation {
  plan: Step | null;
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

  prepare(
    queryHash: string,
    operationName: string | null,
    document: DocumentNode,
    operation: { variableDefinitions?: readonly VariableDefinitionNode[] | undefined },
  ): PreparedOperation | NotPrepared {
    const key = operationName === null ? queryHash : `${queryHash}\u0000${operationName}`;
    const known = this.prepared.get(key);
    if (known) return known;
    let result: PreparedOperation | NotPrepared;
    try {
      const parsed = operationFromDocument(this.generation.apiSchema, document, {
        operationName: operationName ?? undefined,
      });
      const plan = this.generation.planner.buildQueryPlan(parsed, this.planLimits);
      result = {
        plan: compilePlan(plan, parsed, this.types),
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
}
