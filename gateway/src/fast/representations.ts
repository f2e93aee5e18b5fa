import type { Schema } from '@apollo/federation-internals';
import type { FetchDataRewrite, QueryPlanSelectionNode } from '@apollo/query-planner';
import { deepMerge, getOwn, isObject } from './merge.js';

/**
 * Entity representations for `_entities` fetches, from the fetch's `requires` selection: a
 * compiled form of executeSelectionSet in @apollo/gateway's executeQueryPlan.ts (same rules: a
 * missing input drops the entity, inline fragments apply by __typename against the supergraph,
 * `@inaccessible` types included), and the planner's input/output rewrites (dataRewrites.ts).
 */

type Selection =
  | { field: true; key: string; selections: Selection[] | null }
  | { field: false; matches: ReadonlySet<string> | null; selections: Selection[] };

export type Representer = (entity: Record<string, unknown>) => Record<string, unknown> | null;

/** A representation straight to its JSON text, or null when the entity sends none. */
export type RepresentationWriter = (entity: Record<string, unknown>) => string | null;

/** Type names `T` for which stock's isObjectOfType(supergraph, { __typename: T }, condition) holds. */
export class TypeMatcher {
  private readonly cache = new Map<string, ReadonlySet<string>>();
  constructor(private readonly schema: Schema) {}

  matches(condition: string): ReadonlySet<string> {
    let found = this.cache.get(condition);
    if (!found) {
      const names = new Set<string>([condition]);
      const type = this.schema.type(condition);
      if (type?.kind === 'UnionType') for (const member of type.types()) names.add(member.name);
      if (type?.kind === 'InterfaceType')
        for (const implementation of type.allImplementations()) names.add(implementation.name);
      found = names;
      this.cache.set(condition, found);
    }
    return found;
  }

  /** isObjectOfType of dataRewrites.ts. */
  isOfType(value: Record<string, unknown>, condition: string, whenUnknown: boolean): boolean {
    const typename = value['__typename'];
    if (!typename) return whenUnknown;
    return typeof typename === 'string' && this.matches(condition).has(typename);
  }
}

export function compileRepresenter(
  requires: readonly QueryPlanSelectionNode[],
  types: TypeMatcher,
): Representer {
  const compile = (nodes: readonly QueryPlanSelectionNode[]): Selection[] =>
    nodes.map((node) =>
      node.kind === 'Field'
        ? {
            field: true,
            key: node.alias ?? node.name,
            selections: node.selections ? compile(node.selections) : null,
          }
        : {
            field: false,
            matches: node.typeCondition ? types.matches(node.typeCondition) : null,
            selections: compile(node.selections),
          },
    );
  const root = compile(requires);
  return (entity) => execute(entity, root);
}

/**
 * For the usual `requires` (`... on T { __typename key1 key2 }`: one type condition, leaf fields,
 * __typename among them): the JSON text JSON.stringify(representation) would give, written
 * without building the representation. Null for any other shape (the Representer handles it).
 */
export function compileRepresentationWriter(
  requires: readonly QueryPlanSelectionNode[],
  types: TypeMatcher,
): RepresentationWriter | null {
  const [fragment, ...others] = requires;
  if (!fragment || others.length > 0 || fragment.kind !== 'InlineFragment' || !fragment.typeCondition)
    return null;
  const keys: string[] = [];
  for (const field of fragment.selections) {
    if (field.kind !== 'Field' || field.selections) return null;
    keys.push(field.alias ?? field.name);
  }
  // A repeated key would be merged, not written twice.
  if (!keys.includes('__typename') || new Set(keys).size !== keys.length) return null;
  const matches = types.matches(fragment.typeCondition);
  const quoted = keys.map((key, i) => `${i === 0 ? '{' : ','}${JSON.stringify(key)}:`);
  return (entity) => {
    const typename = entity['__typename'];
    if (typeof typename !== 'string' || !typename || !matches.has(typename)) return null;
    let json = '';
    for (let i = 0; i < keys.length; i += 1) {
      const value = getOwn(entity, keys[i]!);
      if (value === undefined) return null;
      json += quoted[i]! + JSON.stringify(value);
    }
    return `${json}}`;
  };
}

function execute(source: unknown, selections: readonly Selection[]): Record<string, unknown> | null {
  if (source === null) return null;
  const from = source as Record<string, unknown>;
  const result: Record<string, unknown> = {};
  for (const selection of selections) {
    if (selection.field) {
      const value = getOwn(from, selection.key);
      if (value === undefined) return null;
      const inner = selection.selections;
      if (Array.isArray(value))
        result[selection.key] = value.map((item: unknown) => (inner ? execute(item, inner) : item));
      else result[selection.key] = inner ? execute(value, inner) : value;
    } else {
      if (selection.matches === null || !source) continue;
      const typename = from['__typename'];
      if (typeof typename === 'string' && typename && selection.matches.has(typename))
        deepMerge(result, execute(source, selection.selections));
    }
  }
  return result;
}

/** applyRewrites of dataRewrites.ts, with its paths parsed once per fetch. */
export type Rewriter = (value: Record<string, unknown> | undefined) => void;

export function compileRewrites(
  rewrites: readonly FetchDataRewrite[] | undefined,
  types: TypeMatcher,
): Rewriter | null {
  if (!rewrites || rewrites.length === 0) return null;
  const compiled = rewrites
    .filter((rewrite) => rewrite.path.length > 0)
    .map((rewrite) => {
      const last = rewrite.path[rewrite.path.length - 1]!;
      if (last.startsWith('... on '))
        throw new Error(`Unexpected fragment as last element of ${rewrite.path.join(',')}`);
      const steps = rewrite.path
        .slice(0, -1)
        .map((element) =>
          element.startsWith('... on ') ? { typeName: element.slice('... on '.length) } : { field: element },
        );
      const apply =
        rewrite.kind === 'ValueSetter'
          ? (object: Record<string, unknown>) => {
              defineOwn(object, last);
              object[last] = rewrite.setValueTo;
            }
          : (object: Record<string, unknown>) => {
              const found = getOwn(object, last);
              if (found) {
                defineOwn(object, rewrite.renameKeyTo);
                object[rewrite.renameKeyTo] = found;
                object[last] = undefined;
              }
            };
      return { steps, apply };
    });
  const at = (
    value: unknown,
    steps: readonly ({ typeName: string } | { field: string })[],
    index: number,
    apply: (object: Record<string, unknown>) => void,
  ): void => {
    if (Array.isArray(value)) {
      for (const item of value) at(item, steps, index, apply);
      return;
    }
    if (!isObject(value)) return;
    if (index === steps.length) return apply(value);
    const step = steps[index]!;
    if ('field' in step) at(getOwn(value, step.field), steps, index + 1, apply);
    else if (types.isOfType(value, step.typeName, true)) at(value, steps, index + 1, apply);
  };
  return (value) => {
    for (const { steps, apply } of compiled) at(value, steps, 0, apply);
  };
}

function defineOwn(object: Record<string, unknown>, key: string): void {
  if (!Object.prototype.hasOwnProperty.call(object, key) && key in object) {
    Object.defineProperty(object, key, {
      configurable: true,
      enumerable: true,
      value: undefined,
      writable: true,
    });
  }
}
