import { operationFromDocument, type Schema } from '@apollo/federation-internals';
import type { QueryPlanner } from '@apollo/query-planner';
import type { DocumentNode, VariableDefinitionNode } from 'graphql/index.js';
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

/** Env switches of ApolloGateway's planner limits, read the same way (see @apollo/gateway's constructor). */
const PLAN_OPTIONS = {
  recursiveSelectionsLimitDisabled: process.env['APOLLO_DISABLE_SECURITY_RECURSIVE_SELECTIONS_CHECK'] === 'true',
  nonLocalSelectionsLimitDisabled: process.env['APOLLO_DISABLE_SECURITY_NON_LOCAL_SELECTIONS_CHECK'] === 'true',
};

/**
 * One supergraph as the fast path sees it: Apollo Gateway's own query planner (and through it
 * the supergraph and API schemas it built and validated), and the operations prepared against
 * them, keyed like Apollo Gateway's query plan cache (query hash and operation name).
 */
export class SupergraphGeneration {
  private readonly prepared = new Map<string, PreparedOperation | NotPrepared>();
  private readonly apiSchema: Schema;
  private readonly types: TypeMatcher;

  constructor(private readonly planner: QueryPlanner) {
    this.apiSchema = planner.supergraph.apiSchema();
    // `requires` and rewrites may name @inaccessible types: they are matched on the supergraph.
    this.types = new TypeMatcher(planner.supergraph.schema);
  }

  /** Subgraph names and the URLs the supergraph gives them. */
  subgraphs(): readonly { name: string; url: string }[] {
    return this.planner.supergraph.subgraphsMetadata();
  }

  prepare(queryHash: string, operationName: string | null, document: DocumentNode, operation: { variableDefinitions?: readonly VariableDefinitionNode[] | undefined }): PreparedOperation | NotPrepared {
    const key = operationName === null ? queryHash : `${queryHash}\u0000${operationName}`;
    const known = this.prepared.get(key);
    if (known) {
      // Re-inserted: a Map iterates in insertion order, so the first key is the least recently used.
      this.prepared.delete(key);
      this.prepared.set(key, known);
      return known;
    }
    let result: PreparedOperation | NotPrepared;
    try {
      const parsed = operationFromDocument(this.apiSchema, document, { operationName: operationName ?? undefined });
      const plan = this.planner.buildQueryPlan(parsed, PLAN_OPTIONS);
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
    if (this.prepared.size > MAX_PREPARED) {
      const oldest = this.prepared.keys().next();
      if (!oldest.done) this.prepared.delete(oldest.value);
    }
    return result;
  }
}
