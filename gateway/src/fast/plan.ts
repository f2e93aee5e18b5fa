import type { Operation } from '@apollo/federation-internals';
import type { PlanNode, QueryPlan, SubscriptionNode } from '@apollo/query-planner';
import {
  compileRepresentationWriter,
  compileRepresenter,
  compileRewrites,
  type RepresentationWriter,
  type Representer,
  type Rewriter,
  type TypeMatcher,
} from './representations.js';
import { UnsupportedOperation } from './unsupported.js';

/**
 * A query plan made ready to run many times: each fetch's request body is pre-serialized around
 * its variables, its `requires` compiled into a representation builder, its rewrites parsed, and
 * conditions resolved to their variable and default. Only the nodes Apollo Gateway itself runs
 * are supported (Sequence, Parallel, Flatten, Fetch, Condition); @defer and subscriptions (and
 * @fromContext's context rewrites) are left to stock execution.
 */
export type Step = SequenceStep | ParallelStep | FlattenStep | FetchStep | ConditionStep;

export interface SequenceStep {
  kind: 'Sequence';
  nodes: Step[];
}

export interface ParallelStep {
  kind: 'Parallel';
  nodes: Step[];
}

export interface FlattenStep {
  kind: 'Flatten';
  path: (string | number)[];
  node: Step;
}

export interface ConditionStep {
  kind: 'Condition';
  variable: string;
  defaultValue: unknown;
  ifClause: Step | null;
  elseClause: Step | null;
}

export interface FetchStep {
  kind: 'Fetch';
  serviceName: string;
  /** `{"query":"<operation>"`: the body up to the variables. */
  bodyStart: string;
  /** `,"operationName":"<name>"}` or `}`: the body after the variables. */
  bodyEnd: string;
  /** Variables the fetch forwards, with their names already JSON-quoted. */
  variables: { name: string; quoted: string }[];
  /** Null for a root fetch; builds `_entities` representations otherwise. */
  representer: Representer | null;
  /** Writes a representation's JSON directly, for the usual `requires` shape without input rewrites. */
  representationWriter: RepresentationWriter | null;
  inputRewrites: Rewriter | null;
  outputRewrites: Rewriter | null;
  mutation: boolean;
}

export function compilePlan(plan: QueryPlan, operation: Operation, types: TypeMatcher): Step | null {
  if (!plan.node) return null;
  return compileNode(plan.node, operation, types);
}

function compileNode(node: PlanNode | SubscriptionNode, operation: Operation, types: TypeMatcher): Step {
  switch (node.kind) {
    case 'Sequence':
      return { kind: 'Sequence', nodes: node.nodes.map((child) => compileNode(child, operation, types)) };
    case 'Parallel':
      return { kind: 'Parallel', nodes: node.nodes.map((child) => compileNode(child, operation, types)) };
    case 'Flatten':
      return { kind: 'Flatten', path: node.path, node: compileNode(node.node, operation, types) };
    case 'Condition':
      return {
        kind: 'Condition',
        variable: node.condition,
        defaultValue: operation.variableDefinitions.definition(node.condition)?.defaultValue,
        ifClause: node.ifClause ? compileNode(node.ifClause, operation, types) : null,
        elseClause: node.elseClause ? compileNode(node.elseClause, operation, types) : null,
      };
    case 'Fetch': {
      if (node.contextRewrites?.length) throw new UnsupportedOperation('@fromContext rewrites');
      const inputRewrites = compileRewrites(node.inputRewrites, types);
      if (node.hasDefers) throw new UnsupportedOperation('@defer');
      // RemoteGraphQLDataSource's body is JSON.stringify({ query, variables, operationName }).
      return {
        kind: 'Fetch',
        serviceName: node.serviceName,
        bodyStart: `{"query":${JSON.stringify(node.operation)}`,
        bodyEnd:
          node.operationName === undefined ? '}' : `,"operationName":${JSON.stringify(node.operationName)}}`,
        variables: (node.variableUsages ?? []).map((name) => ({ name, quoted: JSON.stringify(name) })),
        representer: node.requires ? compileRepresenter(node.requires, types) : null,
        representationWriter:
          node.requires && !inputRewrites ? compileRepresentationWriter(node.requires, types) : null,
        inputRewrites,
        outputRewrites: compileRewrites(node.outputRewrites, types),
        mutation: node.operationKind === 'mutation',
      };
    }
    case 'Defer':
      throw new UnsupportedOperation('@defer');
    case 'Subscription':
      throw new UnsupportedOperation('subscription');
  }
}
