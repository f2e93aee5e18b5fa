import {
  ERRORS,
  Variable,
  isCompositeType,
  isObjectType,
  type Operation,
  type OperationElement,
  type Schema,
  type SelectionSet,
  type Type,
} from '@apollo/federation-internals';
import type { GraphQLError } from 'graphql/index.js';
import { UnsupportedOperation } from './unsupported.js';
import { compileType, describeLast, isValidLeaf, TypeKind, type TypeRef } from './types.js';

/**
 * The last step of a request: the data fetched by the query plan (which holds keys, __typename
 * and @requires inputs the client did not ask for, in fetch order) becomes the response the
 * client asked for, in the order it asked, with GraphQL's null propagation. It is a compiled
 * form of @apollo/gateway's `computeResponse` (resultShaping.ts) and must stay equivalent to it,
 * quirks included (error messages, `valueCompletion` rules, __typename fallbacks): the
 * differential test (gateway/test/differential.test.ts) compares the two on every operation.
 *
 * Compiled once per operation from the same federation-internals `Operation` that stock builds
 * per request, so the selection order (which decides the key order of the response) is the
 * same; the per-request work is a walk of plain arrays with no schema lookups.
 */

const FIELD = 0;
const FRAGMENT = 1;

/** `@skip(if:)` / `@include(if:)`: a literal, or a variable read per request. */
type Condition = { variable: string } | { value: boolean };

interface FieldStep {
  kind: typeof FIELD;
  responseName: string;
  isTypename: boolean;
  /** The response name is also a property of Object.prototype: read it as an own property only. */
  inherited: boolean;
  type: TypeRef;
  selection: Step[] | null;
  skip: Condition | null;
  include: Condition | null;
}

interface FragmentStep {
  kind: typeof FRAGMENT;
  /** Null for a fragment without type condition. */
  condition: string | null;
  /** Names of the API types `T` with isSubtype(condition, T): the condition, its members or implementations. */
  matches: ReadonlySet<string>;
  selection: Step[];
  skip: Condition | null;
  include: Condition | null;
}

type Step = FieldStep | FragmentStep;

/** A compiled operation, ready to shape any number of responses. */
export interface Shaper {
  readonly root: Step[];
  readonly rootTypeName: string;
  /** Variables with a default value (merged under the request's, as stock does). */
  readonly defaults: Readonly<Record<string, unknown>> | null;
  /** Whether any selection carries @skip/@include (only then are variables needed). */
  readonly conditional: boolean;
  readonly types: TypeIndex;
}

/** The API schema's type names by what computeResponse asks of them. */
interface TypeIndex {
  all: ReadonlySet<string>;
  objects: ReadonlySet<string>;
  composites: ReadonlySet<string>;
}

const typeIndexes = new WeakMap<Schema, TypeIndex>();

function typeIndex(schema: Schema): TypeIndex {
  let index = typeIndexes.get(schema);
  if (!index) {
    const all = new Set<string>();
    const objects = new Set<string>();
    const composites = new Set<string>();
    for (const type of schema.allTypes()) {
      all.add(type.name);
      if (isObjectType(type)) objects.add(type.name);
      if (isCompositeType(type)) composites.add(type.name);
    }
    index = { all, objects, composites };
    typeIndexes.set(schema, index);
  }
  return index;
}

function conditionOf(element: OperationElement, directive: 'skip' | 'include'): Condition | null {
  const schema = element.schema();
  const definition = directive === 'skip' ? schema.skipDirective() : schema.includeDirective();
  const applied = element.appliedDirectivesOf(definition)[0];
  if (!applied) return null;
  const value: unknown = applied.arguments()['if'];
  if (value instanceof Variable) return { variable: value.name };
  return { value: value === true };
}

function subtypesOf(schema: Schema, name: string): ReadonlySet<string> {
  const matches = new Set<string>([name]);
  const type = schema.type(name);
  if (type?.kind === 'UnionType') for (const member of type.types()) matches.add(member.name);
  if (type?.kind === 'InterfaceType') for (const implementation of type.allImplementations()) matches.add(implementation.name);
  return matches;
}

export function compileShaper(operation: Operation): Shaper {
  const schema = operation.schema();
  const memo = new Map<SelectionSet, Step[]>();
  const types = new Map<string, TypeRef>();
  const matches = new Map<string, ReadonlySet<string>>();
  let conditional = false;

  const compile = (selectionSet: SelectionSet): Step[] => {
    const known = memo.get(selectionSet);
    if (known) return known;
    const steps: Step[] = [];
    memo.set(selectionSet, steps);
    for (const selection of selectionSet.selections()) {
      const skip = conditionOf(selection.element, 'skip');
      const include = conditionOf(selection.element, 'include');
      if (skip || include) conditional = true;
      if (selection.kind === 'FieldSelection') {
        const field = selection.element;
        if (field.definition.isSchemaIntrospectionField()) throw new UnsupportedOperation('schema introspection');
        const responseName = field.responseName();
        // Output objects are plain objects: a `__proto__` alias would set their prototype.
        if (responseName === '__proto__') throw new UnsupportedOperation('__proto__ alias');
        const fieldType = field.definition.type as Type;
        steps.push({
          kind: FIELD,
          responseName,
          isTypename: field.name === '__typename',
          inherited: responseName in Object.prototype,
          type: compileType(fieldType, types),
          selection: selection.selectionSet ? compile(selection.selectionSet) : null,
          skip,
          include,
        });
      } else {
        const condition = selection.element.typeCondition?.name ?? null;
        let matching = condition === null ? null : matches.get(condition);
        if (condition !== null && !matching) {
          matching = subtypesOf(schema, condition);
          matches.set(condition, matching);
        }
        steps.push({ kind: FRAGMENT, condition, matches: matching ?? new Set(), selection: compile(selection.selectionSet), skip, include });
      }
    }
    return steps;
  };

  const root = compile(operation.selectionSet);
  const defaults = operation.collectDefaultedVariableValues();
  const rootType = schema.schemaDefinition.rootType(operation.rootKind);
  if (!rootType) throw new UnsupportedOperation(`no ${operation.rootKind} root type`);
  return { root, rootTypeName: rootType.name, defaults: Object.keys(defaults).length > 0 ? { ...defaults } : null, conditional, types: typeIndex(schema) };
}

/** An assertion of computeResponse failed: stock answers with this message and no data. */
export class ShapeAssertionError extends Error {}

const OK = 0;
const BUBBLE = 1;

/** One shaping pass. `invalid`/`hadErrors` carry updateOutputValue's two flags without allocating a result per value. */
class Run {
  readonly path: (string | number)[] = [];
  readonly errors: GraphQLError[] = [];
  invalid = false;
  hadErrors = false;
  constructor(
    readonly types: TypeIndex,
    readonly variables: Readonly<Record<string, unknown>> | null,
  ) {}
}

function conditionValue(condition: Condition, variables: Readonly<Record<string, unknown>> | null): boolean {
  if ('value' in condition) return condition.value;
  const value = variables?.[condition.variable];
  if (typeof value !== 'boolean') throw new ShapeAssertionError(`Unexpected value ${String(value)} for variable $${condition.variable}`);
  return value;
}

function skipped(step: Step, variables: Readonly<Record<string, unknown>> | null): boolean {
  return (step.skip !== null && conditionValue(step.skip, variables)) || (step.include !== null && !conditionValue(step.include, variables));
}

function readOwn(input: Record<string, unknown>, key: string, inherited: boolean): unknown {
  if (inherited && !Object.prototype.hasOwnProperty.call(input, key)) return undefined;
  return input[key];
}

function applySelection(run: Run, input: Record<string, unknown>, steps: readonly Step[], output: Record<string, unknown>, parentTypeName: string): number {
  for (let i = 0; i < steps.length; i += 1) {
    const step = steps[i]!;
    if ((step.skip !== null || step.include !== null) && skipped(step, run.variables)) continue;
    if (step.kind === FIELD) {
      const name = step.responseName;
      const outputValue = step.inherited ? readOwn(output, name, true) : output[name];
      if (step.isTypename) {
        if (outputValue === undefined) {
          let value = readOwn(input, name, step.inherited) ?? null;
          if (value === null && name !== '__typename') value = input['__typename'] ?? null;
          const typeName = typeof value === 'string' && run.types.all.has(value) ? value : parentTypeName;
          if (!run.types.objects.has(typeName)) return BUBBLE;
          output[name] = typeName;
        }
        continue;
      }
      const inputValue = readOwn(input, name, step.inherited) ?? null;
      run.path.push(name);
      const updated = update(run, outputValue, step.type, inputValue, step.selection, parentTypeName);
      output[name] = updated;
      run.path.pop();
      if (run.invalid) return BUBBLE;
    } else {
      const typename = input['__typename'];
      if (typename && typeof typename !== 'string') throw new ShapeAssertionError(`Got unexpected value for __typename: ${String(typename)}`);
      const applies = step.condition === null || step.matches.has(typeof typename === 'string' && typename ? typename : parentTypeName);
      if (applies && applySelection(run, input, step.selection, output, step.condition ?? parentTypeName) === BUBBLE) return BUBBLE;
    }
  }
  return OK;
}

/** updateOutputValue of resultShaping.ts; sets run.invalid and run.hadErrors for the caller. */
function update(run: Run, outputValue: unknown, type: TypeRef, inputValue: unknown, selection: Step[] | null, parentTypeName: string): unknown {
  if (outputValue === null || (outputValue !== undefined && selection === null)) {
    run.invalid = false;
    run.hadErrors = false;
    return outputValue;
  }
  if (type.kind === TypeKind.NON_NULL) {
    const updated = update(run, outputValue, type.ofType!, inputValue, selection, parentTypeName);
    if (updated === null) {
      if (!run.hadErrors) {
        run.errors.push(ERRORS.INVALID_GRAPHQL.err(`Cannot return null for non-nullable ${describeLast(run.path, type.ofType!, parentTypeName)}.`, { path: run.path.slice() }));
      }
      run.invalid = true;
      run.hadErrors = true;
      return null;
    }
    run.invalid = false;
    run.hadErrors = false;
    return updated;
  }
  run.invalid = false;
  if (inputValue === null) {
    run.hadErrors = false;
    return null;
  }
  switch (type.kind) {
    case TypeKind.LIST: {
      if (!Array.isArray(inputValue)) throw new ShapeAssertionError(`Invalid non-list value ${String(inputValue)} returned by subgraph for list type ${type.printed}`);
      const previous = outputValue as unknown[] | undefined;
      if (previous !== undefined && (!Array.isArray(previous) || previous.length !== inputValue.length)) {
        throw new ShapeAssertionError(`Invalid non-list value returned by subgraph for list type ${type.printed}`);
      }
      const length = inputValue.length;
      const updated: unknown[] = new Array(length);
      let nullify = false;
      let hadErrors = false;
      const inner = type.ofType!;
      for (let index = 0; index < length; index += 1) {
        run.path.push(index);
        updated[index] = update(run, previous === undefined ? undefined : previous[index], inner, inputValue[index], selection, parentTypeName);
        run.path.pop();
        if (run.invalid) nullify = true;
        if (run.hadErrors) hadErrors = true;
      }
      run.invalid = false;
      run.hadErrors = hadErrors;
      return nullify ? null : updated;
    }
    case TypeKind.COMPOSITE: {
      if (typeof inputValue !== 'object' || selection === null) throw new ShapeAssertionError(`Invalid non-object value ${String(inputValue)} returned by subgraph for composite type ${type.printed}`);
      const input = inputValue as Record<string, unknown>;
      const typename = input['__typename'];
      if (typename !== undefined && typeof typename !== 'string') throw new ShapeAssertionError(`Invalid non-string value ${String(typename)} for __typename at ${run.path.join('.')}`);
      let objectTypeName = type.name;
      if (typename) {
        // An unknown name (an @inaccessible type) is not echoed: the message names the field only.
        if (!run.types.composites.has(typename)) {
          run.errors.push(ERRORS.INVALID_GRAPHQL.err(`Invalid __typename found for object at ${describeLast(run.path, type, parentTypeName)}.`, { path: run.path.slice() }));
          run.hadErrors = true;
          return null;
        }
        objectTypeName = typename;
      }
      const output = (outputValue ?? {}) as Record<string, unknown>;
      const bubbled = applySelection(run, input, selection, output, objectTypeName) === BUBBLE;
      run.invalid = false;
      run.hadErrors = bubbled;
      return bubbled ? null : output;
    }
    default: {
      const valid = isValidLeaf(type, inputValue);
      if (!valid) run.errors.push(ERRORS.INVALID_GRAPHQL.err(`Invalid value found for ${describeLast(run.path, type, parentTypeName)}.`, { path: run.path.slice() }));
      run.hadErrors = !valid;
      return valid ? inputValue : null;
    }
  }
}

export interface Shaped {
  data: Record<string, unknown> | null;
  errors: GraphQLError[];
}

/** computeResponse: the client's response from the plan's merged data. */
export function shapeResponse(shaper: Shaper, input: Record<string, unknown>, variables: Readonly<Record<string, unknown>> | undefined): Shaped {
  let merged: Readonly<Record<string, unknown>> | null = null;
  if (shaper.conditional) merged = shaper.defaults ? { ...shaper.defaults, ...variables } : (variables ?? {});
  const run = new Run(shaper.types, merged);
  const data: Record<string, unknown> = {};
  const bubbled = applySelection(run, input, shaper.root, data, shaper.rootTypeName) === BUBBLE;
  return { data: bubbled ? null : data, errors: run.errors };
}
