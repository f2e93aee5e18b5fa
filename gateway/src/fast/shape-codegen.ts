import { FIELD, type Condition, type FieldStep, type FragmentStep, type Step } from './shape-steps.js';
import { TypeKind, type TypeRef } from './types.js';

/**
 * Turns a selection set into a JavaScript function (`new Function`), so that shaping a response
 * is straight-line code per selection: each property is read and written at its own site (V8
 * caches those lookups; a generic loop over names does not), leaves are checked inline, and only
 * lists and nested objects go through the generic `update` of shape.ts.
 *
 * The generated code is the same algorithm as applySelectionSet/updateOutputValue of
 * @apollo/gateway's resultShaping.ts (see shape.ts). Only GraphQL names (which match
 * /^[_A-Za-z][_0-9A-Za-z]*$/) are spliced into the source, as JSON string literals; every other
 * value is passed in as a constant.
 */

/** Applies a selection set of `input` onto `output`; 1 when a null must bubble up to the parent. */
export type SelectionFn = (
  run: ShapeRun,
  input: Record<string, unknown>,
  output: Record<string, unknown>,
  parentTypeName: string,
) => number;

/** What generated code needs from the run (shape.ts's Run). */
export interface ShapeRun {
  readonly path: (string | number)[];
  /** updateOutputValue's `isInvalid` and `hasErrors` of the last value completed. */
  invalid: boolean;
  hadErrors: boolean;
  readonly variables: Readonly<Record<string, unknown>> | null;
  readonly types: { all: ReadonlySet<string>; objects: ReadonlySet<string>; composites: ReadonlySet<string> };
  /** Records "Cannot return null for non-nullable field <parent>.<last path element>." */
  nonNullError(type: TypeRef, parentTypeName: string): void;
  /** Records "Invalid value found for field <parent>.<last path element>." */
  invalidValueError(type: TypeRef, parentTypeName: string): void;
  /** Records "Invalid __typename found for object at <...>." */
  invalidTypenameError(type: TypeRef, parentTypeName: string): void;
  condition(variable: string): boolean;
}

export type Update = (
  run: ShapeRun,
  outputValue: unknown,
  type: TypeRef,
  inputValue: unknown,
  selection: SelectionFn | null,
  parentTypeName: string,
) => unknown;

export class ShapeAssertionError extends Error {}

const NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;

function literal(name: string): string {
  if (!NAME.test(name)) throw new Error(`not a GraphQL name: ${name}`);
  return JSON.stringify(name);
}

/** A JavaScript condition on `v` equivalent to isValidLeafValue for the leaf type. */
function leafCheck(type: TypeRef, constant: (value: unknown) => string): string {
  switch (type.name) {
    case 'String':
      return `typeof v === 'string'`;
    case 'Boolean':
      return `typeof v === 'boolean'`;
    // String(v) of an integer is exponential (no longer an integer string) from 1e21.
    case 'Int':
      return `(typeof v === 'number' && Number.isInteger(v) && v > -1e21 && v < 1e21)`;
    case 'ID':
      return `(typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v) && v > -1e21 && v < 1e21))`;
    case 'Float':
      return `(typeof v === 'number' && Number.isFinite(v))`;
    default:
      return type.enumValues ? `(typeof v === 'string' && ${constant(type.enumValues)}.has(v))` : 'true';
  }
}

export function generateSelection(root: Step[], update: Update): SelectionFn {
  const generated = new Map<Step[], SelectionFn>();
  const assertion = (value: unknown) =>
    new ShapeAssertionError(`Got unexpected value for __typename: ${String(value)}`);
  const own = Object.prototype.hasOwnProperty;

  const generate = (steps: Step[]): SelectionFn => {
    const known = generated.get(steps);
    if (known) return known;
    const constants: unknown[] = [];
    const constant = (value: unknown) => `C[${constants.push(value) - 1}]`;
    // Placeholder until compiled: a recursive selection refers to itself through its constant.
    const slot: { fn: SelectionFn | null } = { fn: null };
    generated.set(steps, ((run, input, output, parent) =>
      slot.fn!(run, input, output, parent)) as SelectionFn);

    const lines: string[] = ['let v, o, t;'];
    for (const step of steps) {
      const code = step.kind === FIELD ? fieldCode(step, constant) : fragmentCode(step, constant);
      const guard = conditionCode(step.skip, step.include);
      lines.push(guard ? `if (${guard}) { ${code} }` : code);
    }
    lines.push('return 0;');
    const factory = new Function(
      'C',
      'U',
      'H',
      'A',
      `return function select(run, input, output, parentTypeName) {\n${lines.join('\n')}\n};`,
    ) as (C: unknown[], U: Update, H: typeof own, A: typeof assertion) => SelectionFn;
    const fn = factory(constants, update, own, assertion);
    slot.fn = fn;
    generated.set(steps, fn);
    return fn;
  };

  const conditionCode = (skip: Condition | null, include: Condition | null): string | null => {
    const parts: string[] = [];
    const value = (condition: Condition) =>
      'value' in condition ? String(condition.value) : `run.condition(${literal(condition.variable)})`;
    if (skip) parts.push(`!${value(skip)}`);
    if (include) parts.push(value(include));
    return parts.length > 0 ? parts.join(' && ') : null;
  };

  const fieldCode = (step: FieldStep, constant: (value: unknown) => string): string => {
    const key = literal(step.responseName);
    const read = step.inherited ? `(H.call(input, ${key}) ? input[${key}] : undefined)` : `input[${key}]`;
    const readOutput = step.inherited
      ? `(H.call(output, ${key}) ? output[${key}] : undefined)`
      : `output[${key}]`;
    if (step.isTypename) {
      const fallback =
        step.responseName === '__typename'
          ? ''
          : `if (v === null) { v = input.__typename; if (v === undefined) v = null; }`;
      return `if (${readOutput} === undefined) { v = ${read}; if (v === undefined) v = null; ${fallback} t = typeof v === 'string' && run.types.all.has(v) ? v : parentTypeName; if (!run.types.objects.has(t)) return 1; output[${key}] = t; }`;
    }
    const nonNull = step.type.kind === TypeKind.NON_NULL;
    const named = nonNull ? step.type.ofType! : step.type;
    if (named.kind === TypeKind.LEAF) {
      const type = constant(named);
      const onNull = nonNull
        ? `run.path.push(${key}); run.nonNullError(${type}, parentTypeName); run.path.pop(); output[${key}] = null; return 1;`
        : `output[${key}] = null;`;
      const onInvalid = `run.path.push(${key}); run.invalidValueError(${type}, parentTypeName); run.path.pop(); output[${key}] = null;${nonNull ? ' return 1;' : ''}`;
      return `if (${readOutput} === undefined) { v = ${read}; if (v === undefined || v === null) { ${onNull} } else if (${leafCheck(named, constant)}) { output[${key}] = v; } else { ${onInvalid} } }`;
    }
    const selection = step.selection ? constant(generate(step.selection)) : 'null';
    return `o = ${readOutput}; if (o !== null) { v = ${read}; if (v === undefined) v = null; run.path.push(${key}); o = U(run, o, ${constant(step.type)}, v, ${selection}, parentTypeName); output[${key}] = o; run.path.pop(); if (run.invalid) return 1; }`;
  };

  const fragmentCode = (step: FragmentStep, constant: (value: unknown) => string): string => {
    const selection = constant(generate(step.selection));
    const call = `if (${selection}(run, input, output, ${step.condition === null ? 'parentTypeName' : literal(step.condition)}) === 1) return 1;`;
    if (step.condition === null) return call;
    return `t = input.__typename; if (t && typeof t !== 'string') throw A(t); if (${constant(step.matches)}.has(typeof t === 'string' && t ? t : parentTypeName)) { ${call} }`;
  };

  return generate(root);
}
