import {
  selectionSetOf,
  type FragmentSelection,
  type Operation,
  type SelectionSet,
} from '@apollo/federation-internals';
import type { DeferNode, PlanNode, QueryPlan, SubscriptionNode } from '@apollo/query-planner';
import { deliveryPath, type DeliveryPath } from './defer-paths.js';
import {
  compileRepresentationWriter,
  compileRepresenter,
  compileRewrites,
  type RepresentationWriter,
  type Representer,
  type Rewriter,
  type TypeMatcher,
} from './representations.js';
import { compileSelectionShaper, type Shaper } from './shape.js';
import { UnsupportedOperation } from './unsupported.js';

/**
 * A query plan made ready to run many times: each fetch's request body is pre-serialized around
 * its variables, its `requires` compiled into a representation builder, its rewrites parsed, and
 * conditions resolved to their variable and default. Only the nodes Apollo Gateway itself runs
 * are supported (Sequence, Parallel, Flatten, Fetch, Condition), plus the Defer nodes of an
 * operation delivered in parts (compileIncrementalPlan); subscriptions (and @fromContext's context
 * rewrites) are left to stock execution.
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

export interface ConditionStep<T = Step> {
  kind: 'Condition';
  variable: string;
  defaultValue: unknown;
  ifClause: T | null;
  elseClause: T | null;
}

/**
 * A plan of a deferred operation: at its top, a Defer node (or Condition nodes choosing one, for
 * `@defer(if: $variable)`), or a plain plan when every @defer of the request is off.
 */
export type IncrementalStep = Step | DeferStep | ConditionStep<IncrementalStep>;

/** The query planner's DeferNode: a primary part, then deferred parts that may start once their fetches are done. */
export interface DeferStep {
  kind: 'Defer';
  primary: Step | null;
  /** Shapes the primary part: the operation without its deferred parts (or, nested, the enclosing part). */
  primaryShaper: Shaper;
  deferred: DeferredStep[];
}

export interface DeferredStep {
  /** Ids of the fetches this part's own fetches need (it may start before the rest of its parent). */
  depends: string[];
  /** The client's label (absent when it gave none: the planner's own labels are not sent). */
  label: string | undefined;
  /** Where the part is delivered: field response names and type conditions, lists implicit. */
  path: DeliveryPath;
  /** Shapes the part: its fragment without the parts deferred inside it, at the fragment's parent type. */
  shaper: Shaper;
  /** A Defer node when the part has deferred parts of its own (its primary is this part). */
  node: Step | DeferStep | null;
}

export interface FetchStep {
  kind: 'Fetch';
  /** The planner's id, set when a deferred part depends on this fetch. */
  id: string | null;
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

/**
 * A plan made by the defer-enabled planner for `operation`, an operation whose @defer fragments
 * all have labels (withNormalizedDefer; `hiddenLabels` are the ones it made up, not sent). Each
 * part is shaped from the client's own selections (the planner's printed subselections leave out
 * some `__typename`s): the primary part is the operation without the fragments deferred in the
 * plan, a deferred part its fragment without the fragments deferred inside it. Defer nodes may
 * only sit at the top (under the Condition nodes of `@defer(if: $variable)`) or be the node of a
 * deferred part, which is where the planner puts them; anything else is refused (stock then runs
 * the operation, answered whole).
 */
export function compileIncrementalPlan(
  plan: QueryPlan,
  operation: Operation,
  types: TypeMatcher,
  hiddenLabels: ReadonlySet<string>,
): IncrementalStep | null {
  if (!plan.node) return null;
  const fragments = new Map<string, FragmentSelection>();
  collectDeferredFragments(operation.selectionSet, fragments);
  const rootType = operation.schema().schemaDefinition.rootType(operation.rootKind);
  if (!rootType) throw new UnsupportedOperation(`no ${operation.rootKind} root type`);

  const compileDefer = (node: DeferNode, primaryShaper: Shaper, labels: ReadonlySet<string>): DeferStep => ({
    kind: 'Defer',
    primary: node.primary.node ? compileNode(node.primary.node, operation, types) : null,
    primaryShaper,
    deferred: node.deferred.map((deferred): DeferredStep => {
      const fragment = deferred.label === undefined ? undefined : fragments.get(deferred.label);
      if (!fragment) throw new UnsupportedOperation('@defer part without its fragment');
      const parentType = fragment.element.parentType;
      const selection = fragment.withUpdatedSelectionSet(withoutDeferred(fragment.selectionSet, labels));
      const shaper = compileSelectionShaper(
        operation,
        selectionSetOf(parentType, selection),
        parentType.name,
      );
      const inner = deferred.node;
      return {
        depends: deferred.depends.map((dependency) => dependency.id),
        label: hiddenLabels.has(deferred.label!) ? undefined : deferred.label,
        path: deliveryPath(operation, deferred.queryPath),
        shaper,
        node:
          inner?.kind === 'Defer'
            ? compileDefer(inner, shaper, labels)
            : inner
              ? compileNode(inner, operation, types)
              : null,
      };
    }),
  });

  const top = (node: PlanNode | SubscriptionNode): IncrementalStep => {
    if (node.kind === 'Defer') {
      const labels = deferredLabels(node, new Set());
      const primary = withoutDeferred(operation.selectionSet, labels);
      return compileDefer(node, compileSelectionShaper(operation, primary, rootType.name), labels);
    }
    if (node.kind === 'Condition')
      return {
        kind: 'Condition',
        variable: node.condition,
        defaultValue: operation.variableDefinitions.definition(node.condition)?.defaultValue,
        ifClause: node.ifClause ? top(node.ifClause) : null,
        elseClause: node.elseClause ? top(node.elseClause) : null,
      };
    return compileNode(node, operation, types);
  };
  return top(plan.node);
}

/** The labels of the parts a Defer node defers, nested ones included. */
function deferredLabels(node: DeferNode, into: Set<string>): Set<string> {
  for (const deferred of node.deferred) {
    if (deferred.label !== undefined) into.add(deferred.label);
    if (deferred.node?.kind === 'Defer') deferredLabels(deferred.node, into);
  }
  return into;
}

function collectDeferredFragments(selectionSet: SelectionSet, into: Map<string, FragmentSelection>): void {
  for (const selection of selectionSet.selections()) {
    if (selection.kind === 'FragmentSelection') {
      const label = selection.element.deferDirectiveArgs()?.label;
      if (label !== undefined) into.set(label, selection);
    }
    if (selection.selectionSet) collectDeferredFragments(selection.selectionSet, into);
  }
}

/** The selections without the fragments deferred under these labels (a @defer the plan did not split stays, as a plain fragment). */
function withoutDeferred(selectionSet: SelectionSet, labels: ReadonlySet<string>): SelectionSet {
  return selectionSet.lazyMap((selection) => {
    if (selection.kind === 'FragmentSelection') {
      const label = selection.element.deferDirectiveArgs()?.label;
      if (label !== undefined && labels.has(label)) return undefined;
    }
    return selection.selectionSet
      ? selection.withUpdatedSelectionSet(withoutDeferred(selection.selectionSet, labels))
      : selection;
  });
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
      // RemoteGraphQLDataSource's body is JSON.stringify({ query, variables, operationName }).
      return {
        kind: 'Fetch',
        id: node.id ?? null,
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
      throw new UnsupportedOperation('@defer below the top of the plan');
    case 'Subscription':
      throw new UnsupportedOperation('subscription');
  }
}
