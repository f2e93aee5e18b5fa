import { ERRORS, type Operation, type SelectionSet } from '@apollo/federation-internals';
import type { GraphQLError } from 'graphql/index.js';
import { generateSelection, ShapeAssertionError, type SelectionFn, type ShapeRun } from './shape-codegen.js';
import { compileSelectionSteps, compileSteps, type TypeIndex } from './shape-steps.js';
import { describeLast, isValidLeaf, TypeKind, type TypeRef } from './types.js';

/**
 * The last step of a request: the data fetched by the query plan (which holds keys, __typename
 * and @requires inputs the client did not ask for, in fetch order) becomes the response the
 * client asked for, in the order it asked, with GraphQL's null propagation. It is a compiled
 * form of @apollo/gateway's `computeResponse` (resultShaping.ts) and must stay equivalent to it,
 * quirks included (error messages, `valueCompletion` rules, __typename fallbacks): the
 * differential test (gateway/test/differential.test.ts) compares the two on every operation.
 *
 * Compiled once per operation (shape-steps.ts, then shape-codegen.ts); this file is the runtime.
 */

/** A compiled operation, ready to shape any number of responses. */
export interface Shaper {
  readonly root: SelectionFn;
  readonly rootTypeName: string;
  /** Variables with a default value (merged under the request's, as stock does). */
  readonly defaults: Readonly<Record<string, unknown>> | null;
  /** Whether any selection carries @skip/@include (only then are variables needed). */
  readonly conditional: boolean;
  readonly types: TypeIndex;
}

export function compileShaper(operation: Operation): Shaper {
  const steps = compileSteps(operation);
  return { ...steps, root: generateSelection(steps.root, update) };
}

/** A shaper for one part of a deferred operation: its selection, at the type where it is delivered. */
export function compileSelectionShaper(
  operation: Operation,
  selectionSet: SelectionSet,
  parentTypeName: string,
): Shaper {
  const steps = compileSelectionSteps(operation, selectionSet, parentTypeName);
  return { ...steps, root: generateSelection(steps.root, update) };
}

export { ShapeAssertionError };

/** What a generated selection returns when a null must bubble to its parent (0 when its object is fine). */
const BUBBLE = 1;

/** One shaping pass. `invalid`/`hadErrors` carry updateOutputValue's two flags without allocating a result per value. */
class Run implements ShapeRun {
  readonly errors: GraphQLError[] = [];
  invalid = false;
  hadErrors = false;
  constructor(
    readonly types: TypeIndex,
    readonly variables: Readonly<Record<string, unknown>> | null,
    /** Where the shaped object sits in the response (empty at the root): error paths start with it. */
    readonly path: (string | number)[] = [],
  ) {}

  nonNullError(type: TypeRef, parentTypeName: string): void {
    this.errors.push(
      ERRORS.INVALID_GRAPHQL.err(
        `Cannot return null for non-nullable ${describeLast(this.path, type, parentTypeName)}.`,
        { path: this.path.slice() },
      ),
    );
  }

  invalidValueError(type: TypeRef, parentTypeName: string): void {
    this.errors.push(
      ERRORS.INVALID_GRAPHQL.err(
        `Invalid value found for ${describeLast(this.path, type, parentTypeName)}.`,
        { path: this.path.slice() },
      ),
    );
  }

  invalidTypenameError(type: TypeRef, parentTypeName: string): void {
    this.errors.push(
      ERRORS.INVALID_GRAPHQL.err(
        `Invalid __typename found for object at ${describeLast(this.path, type, parentTypeName)}.`,
        { path: this.path.slice() },
      ),
    );
  }

  /** ifValue of resultShaping.ts: a validated operation's variable must be a boolean. */
  condition(variable: string): boolean {
    const value = this.variables?.[variable];
    if (typeof value !== 'boolean')
      throw new ShapeAssertionError(`Unexpected value ${String(value)} for variable $${variable}`);
    return value;
  }
}

/** updateOutputValue of resultShaping.ts; sets run.invalid and run.hadErrors for the caller. */
function update(
  run: ShapeRun,
  outputValue: unknown,
  type: TypeRef,
  inputValue: unknown,
  selection: SelectionFn | null,
  parentTypeName: string,
): unknown {
  if (outputValue === null || (outputValue !== undefined && selection === null)) {
    run.invalid = false;
    run.hadErrors = false;
    return outputValue;
  }
  if (type.kind === TypeKind.NON_NULL) {
    const updated = update(run, outputValue, type.ofType!, inputValue, selection, parentTypeName);
    if (updated === null) {
      if (!run.hadErrors) run.nonNullError(type.ofType!, parentTypeName);
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
      if (!Array.isArray(inputValue))
        throw new ShapeAssertionError(
          `Invalid non-list value ${String(inputValue)} returned by subgraph for list type ${type.printed}`,
        );
      const previous = outputValue as unknown[] | undefined;
      if (previous !== undefined && (!Array.isArray(previous) || previous.length !== inputValue.length)) {
        throw new ShapeAssertionError(
          `Invalid non-list value returned by subgraph for list type ${type.printed}`,
        );
      }
      const length = inputValue.length;
      const updated: unknown[] = new Array(length);
      let nullify = false;
      let hadErrors = false;
      const inner = type.ofType!;
      for (let index = 0; index < length; index += 1) {
        run.path.push(index);
        updated[index] = update(
          run,
          previous === undefined ? undefined : previous[index],
          inner,
          inputValue[index],
          selection,
          parentTypeName,
        );
        run.path.pop();
        if (run.invalid) nullify = true;
        if (run.hadErrors) hadErrors = true;
      }
      run.invalid = false;
      run.hadErrors = hadErrors;
      return nullify ? null : updated;
    }
    case TypeKind.COMPOSITE: {
      if (typeof inputValue !== 'object' || selection === null)
        throw new ShapeAssertionError(
          `Invalid non-object value ${String(inputValue)} returned by subgraph for composite type ${type.printed}`,
        );
      const input = inputValue as Record<string, unknown>;
      const typename = input['__typename'];
      if (typename !== undefined && typeof typename !== 'string')
        throw new ShapeAssertionError(
          `Invalid non-string value ${String(typename)} for __typename at ${run.path.join('.')}`,
        );
      let objectTypeName = type.name;
      if (typename) {
        // An unknown name (an @inaccessible type) is not echoed: the message names the field only.
        if (!run.types.composites.has(typename)) {
          run.invalidTypenameError(type, parentTypeName);
          run.hadErrors = true;
          return null;
        }
        objectTypeName = typename;
      }
      const output = (outputValue ?? {}) as Record<string, unknown>;
      const bubbled = selection(run, input, output, objectTypeName) === BUBBLE;
      run.invalid = false;
      run.hadErrors = bubbled;
      return bubbled ? null : output;
    }
    default: {
      const valid = isValidLeaf(type, inputValue);
      if (!valid) run.invalidValueError(type, parentTypeName);
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
export function shapeResponse(
  shaper: Shaper,
  input: Record<string, unknown>,
  variables: Readonly<Record<string, unknown>> | undefined,
): Shaped {
  return shapeAt(shaper, input, variables, [], shaper.rootTypeName);
}

/**
 * computeResponse for the object at `path` of the response (one part of a deferred operation):
 * null propagation stops at that object, which becomes null (the part's `data: null`).
 */
export function shapeAt(
  shaper: Shaper,
  input: Record<string, unknown>,
  variables: Readonly<Record<string, unknown>> | undefined,
  path: readonly (string | number)[],
  typeName: string,
): Shaped {
  let merged: Readonly<Record<string, unknown>> | null = null;
  if (shaper.conditional) merged = shaper.defaults ? { ...shaper.defaults, ...variables } : (variables ?? {});
  const run = new Run(shaper.types, merged, path.slice());
  const data: Record<string, unknown> = {};
  const bubbled = shaper.root(run, input, data, typeName) === BUBBLE;
  return { data: bubbled ? null : data, errors: run.errors };
}
