import {
  Kind,
  getNamedType,
  getNullableType,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  valueFromASTUntyped,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql/index.js';

/** What the operation limits are checked against. */
export interface OperationMeasures {
  /** Deepest field nesting; a root field is depth 1. */
  depth: number;
  /** Aliased fields, counted once per place they appear in the response shape. */
  aliases: number;
  /** Fields selected at the root, fragments expanded, __typename excluded. */
  rootFields: number;
  /** Objects the operation may resolve, lists multiplied by their first/last/limit. */
  cost: number;
}

/** Arguments that bound a list (or a connection's edges). */
const SIZE_ARGUMENTS = ['first', 'last', 'limit'];

interface Measured {
  depth: number;
  aliases: number;
  fields: number;
  /** Cost of one instance of the selection set (multiplied by its parent's item count). */
  cost: number;
}

/**
 * Measures an operation in one walk. Cost model: a composite field costs 1 per object it returns
 * (leaves cost nothing); a list field returns its `first`/`last`/`limit` (variables resolved, then
 * the argument's default) or `defaultListSize` items; a field with a size argument that is not a
 * list itself (a connection) multiplies its subtree, and the first list below it (`edges`) is not
 * counted again. Fragments are measured once per (fragment, sized) and reused, so a document of
 * nested spreads cannot make this walk exponential.
 */
export function measureOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>>,
  defaultListSize: number,
  /** Filled with the names of the variables the measurement read (only list sizes read any). */
  readVariables?: Set<string>,
): OperationMeasures {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const variableDefaults = new Map<string, unknown>();
  for (const definition of operation.variableDefinitions ?? []) {
    if (definition.defaultValue)
      variableDefaults.set(definition.variable.name.value, valueFromASTUntyped(definition.defaultValue));
  }
  const memo = new Map<string, Measured>();

  /** The item count a size argument asks for, or null when the field takes none. */
  const sizeOf = (node: FieldNode, field: GraphQLField<unknown, unknown>): number | null => {
    const definition = field.args.find((arg) => SIZE_ARGUMENTS.includes(arg.name));
    if (!definition) return null;
    const argument = node.arguments?.find((arg) => arg.name.value === definition.name);
    let value: unknown = undefined;
    if (argument?.value.kind === Kind.VARIABLE) {
      const name = argument.value.name.value;
      readVariables?.add(name);
      value = variables[name] ?? variableDefaults.get(name);
    } else if (argument) {
      value = valueFromASTUntyped(argument.value);
    }
    value ??= definition.defaultValue;
    return typeof value === 'number' && Number.isInteger(value) ? Math.max(0, value) : defaultListSize;
  };

  const walk = (selectionSet: SelectionSetNode, parent: GraphQLCompositeType, sized: boolean): Measured => {
    const total: Measured = { depth: 0, aliases: 0, fields: 0, cost: 0 };
    const add = (inner: Measured) => {
      total.depth = Math.max(total.depth, inner.depth);
      total.aliases += inner.aliases;
      total.fields += inner.fields;
      total.cost += inner.cost;
    };
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (selection.alias) total.aliases += 1;
        if (name === '__typename') continue;
        total.fields += 1;
        // Introspection is governed by its own switch; its (deep) shape is not measured.
        if (name.startsWith('__') || (!isObjectType(parent) && !isInterfaceType(parent))) {
          total.depth = Math.max(total.depth, 1);
          continue;
        }
        const field = parent.getFields()[name];
        if (!field) continue;
        const type = getNamedType(field.type);
        const list = isListType(getNullableType(field.type));
        const size = sizeOf(selection, field);
        const items = size ?? (list ? (sized ? 1 : defaultListSize) : 1);
        // A connection's size is spent by the first list below it; a list spends its own.
        const childSized = size !== null ? !list : list ? false : sized;
        if (!isCompositeType(type) || !selection.selectionSet) {
          total.depth = Math.max(total.depth, 1);
          continue;
        }
        const inner = walk(selection.selectionSet, type, childSized);
        total.depth = Math.max(total.depth, inner.depth + 1);
        total.aliases += inner.aliases;
        total.cost += (list ? items : 1) + items * inner.cost;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        if (type && isCompositeType(type)) add(walk(selection.selectionSet, type, sized));
      } else {
        const name = selection.name.value;
        const key = `${name}:${sized}`;
        let measured = memo.get(key);
        if (!measured) {
          const fragment = fragments.get(name);
          const type = fragment && schema.getType(fragment.typeCondition.name.value);
          // Validation has already refused cycles; the placeholder makes a cycle harmless anyway.
          memo.set(key, { depth: 0, aliases: 0, fields: 0, cost: 0 });
          measured =
            fragment && type && isCompositeType(type)
              ? walk(fragment.selectionSet, type, sized)
              : { depth: 0, aliases: 0, fields: 0, cost: 0 };
          memo.set(key, measured);
        }
        add(measured);
      }
    }
    return total;
  };

  const root = schema.getRootType(operation.operation);
  if (!root) return { depth: 0, aliases: 0, rootFields: 0, cost: 0 };
  const measured = walk(operation.selectionSet, root, false);
  return {
    depth: measured.depth,
    aliases: measured.aliases,
    rootFields: measured.fields,
    cost: measured.cost,
  };
}
