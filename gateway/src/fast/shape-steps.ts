import {
  Variable,
  isCompositeType,
  isObjectType,
  type Operation,
  type OperationElement,
  type Schema,
  type SelectionSet,
  type Type,
} from '@apollo/federation-internals';
import { UnsupportedOperation } from './unsupported.js';
import { compileType, type TypeRef } from './types.js';

/**
 * The client's operation as the response shaper walks it: the selections of the federation
 * `Operation` (the one stock's computeResponse walks, so the order, which decides the key order
 * of the response, is the same), with every schema question answered in advance.
 */

export const FIELD = 0;
export const FRAGMENT = 1;

/** `@skip(if:)` / `@include(if:)`: a literal, or a variable read per request. */
export type Condition = { variable: string } | { value: boolean };

export interface FieldStep {
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

export interface FragmentStep {
  kind: typeof FRAGMENT;
  /** Null for a fragment without type condition. */
  condition: string | null;
  /** Names of the API types `T` with isSubtype(condition, T): the condition, its members or implementations. */
  matches: ReadonlySet<string>;
  selection: Step[];
  skip: Condition | null;
  include: Condition | null;
}

export type Step = FieldStep | FragmentStep;

/** The operation's selections, compiled. */
export interface ShapeSteps {
  readonly root: Step[];
  readonly rootTypeName: string;
  /** Variables with a default value (merged under the request's, as stock does). */
  readonly defaults: Readonly<Record<string, unknown>> | null;
  /** Whether any selection carries @skip/@include (only then are variables needed). */
  readonly conditional: boolean;
  readonly types: TypeIndex;
}

/** The API schema's type names by what computeResponse asks of them. */
export interface TypeIndex {
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
  if (type?.kind === 'InterfaceType')
    for (const implementation of type.allImplementations()) matches.add(implementation.name);
  return matches;
}

export function compileSteps(operation: Operation): ShapeSteps {
  const rootType = operation.schema().schemaDefinition.rootType(operation.rootKind);
  if (!rootType) throw new UnsupportedOperation(`no ${operation.rootKind} root type`);
  return compileSelectionSteps(operation, operation.selectionSet, rootType.name);
}

/**
 * One selection set of the operation at a type (the whole operation at its root type, or one
 * part of a deferred operation at the type where that part is delivered).
 */
export function compileSelectionSteps(
  operation: Operation,
  selectionSet: SelectionSet,
  parentTypeName: string,
): ShapeSteps {
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
        if (field.definition.isSchemaIntrospectionField())
          throw new UnsupportedOperation('schema introspection');
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
        steps.push({
          kind: FRAGMENT,
          condition,
          matches: matching ?? new Set(),
          selection: compile(selection.selectionSet),
          skip,
          include,
        });
      }
    }
    return steps;
  };

  const root = compile(selectionSet);
  const defaults = operation.collectDefaultedVariableValues();
  return {
    root,
    rootTypeName: parentTypeName,
    defaults: Object.keys(defaults).length > 0 ? { ...defaults } : null,
    conditional,
    types: typeIndex(schema),
  };
}
