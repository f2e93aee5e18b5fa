import { basename, join } from 'node:path';
import type {
  ASTNode,
  DefinitionNode,
  DocumentNode,
  FragmentDefinitionNode,
  GraphQLInputType,
  GraphQLNamedType,
  GraphQLSchema,
} from 'graphql';
import { CannotRunError } from './errors.js';
import {
  GraphQLError,
  Kind,
  Source,
  TypeInfo,
  getNamedType,
  isEnumType,
  isInputObjectType,
  parse,
  validate,
  visit,
  visitWithTypeInfo,
} from './graphql.js';
import type { InvalidOperation, OperationRef } from './report/types.js';
import { display, listFiles, readText } from './repo.js';
import type { RepoPaths } from './repo.js';

/** One operation as a client sends it: the operation plus the fragments it spreads. */
export interface ClientOperation extends OperationRef {
  /** null when the text does not parse; `syntaxError` says why. */
  document: DocumentNode | null;
  syntaxError: string | null;
}

/** schema/operations/<client>.graphql (client = file name) and schema/manifests/<client>.json. */
export function loadOperations(paths: RepoPaths): ClientOperation[] {
  const operations: ClientOperation[] = [];
  for (const name of listFiles(paths.operationsDir, '.graphql')) {
    const file = join(paths.operationsDir, name);
    const ref = {
      client: basename(name, '.graphql'),
      source: 'operations' as const,
      file: display(paths, file),
    };
    operations.push(...splitDocument(readText(file), ref));
  }
  for (const name of listFiles(paths.manifestsDir, '.json')) {
    const file = join(paths.manifestsDir, name);
    const ref = { client: basename(name, '.json'), source: 'manifest' as const, file: display(paths, file) };
    for (const entry of readManifest(file, ref.file)) {
      const [operation] = splitDocument(entry.body, ref, entry.name);
      if (operation) operations.push({ ...operation, operation: entry.name });
    }
  }
  return operations;
}

interface ManifestEntry {
  id: string;
  name: string;
  type: string;
  body: string;
}

/** Apollo's persisted query manifest; anything else is a broken input (exit 2), not a failed check. */
function readManifest(file: string, shown: string): ManifestEntry[] {
  let data: unknown;
  try {
    data = JSON.parse(readText(file));
  } catch (error) {
    if (error instanceof CannotRunError) throw error;
    throw new CannotRunError(`${shown} is not JSON: ${(error as Error).message}`);
  }
  const manifest = data as { format?: unknown; version?: unknown; operations?: unknown };
  if (
    manifest.format !== 'apollo-persisted-query-manifest' ||
    manifest.version !== 1 ||
    !Array.isArray(manifest.operations)
  ) {
    throw new CannotRunError(`${shown} is not an apollo-persisted-query-manifest version 1`);
  }
  return manifest.operations.map((entry: unknown, index: number) => {
    const op = entry as Partial<ManifestEntry>;
    if (typeof op.id !== 'string' || typeof op.name !== 'string' || typeof op.body !== 'string') {
      throw new CannotRunError(`${shown}: operations[${index}] needs string id, name and body`);
    }
    return { id: op.id, name: op.name, type: String(op.type ?? ''), body: op.body };
  });
}

/** One ClientOperation per operation in the text, each with the fragments it needs. */
function splitDocument(
  text: string,
  ref: Omit<OperationRef, 'operation'>,
  fallbackName = '(document)',
): ClientOperation[] {
  let document: DocumentNode;
  try {
    document = parse(new Source(text, ref.file));
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    return [{ ...ref, operation: fallbackName, document: null, syntaxError: error.message }];
  }
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  return document.definitions.flatMap((definition) => {
    if (definition.kind !== Kind.OPERATION_DEFINITION) return [];
    const needed = fragmentsSpreadBy(definition, fragments);
    return [
      {
        ...ref,
        operation: definition.name?.value ?? '(anonymous)',
        document: { kind: Kind.DOCUMENT, definitions: [definition, ...needed] },
        syntaxError: null,
      },
    ];
  });
}

function fragmentsSpreadBy(
  root: DefinitionNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
): FragmentDefinitionNode[] {
  const found = new Map<string, FragmentDefinitionNode>();
  const pending: ASTNode[] = [root];
  while (pending.length > 0) {
    visit(pending.pop()!, {
      FragmentSpread(node) {
        const fragment = fragments.get(node.name.value);
        if (fragment && !found.has(fragment.name.value)) {
          found.set(fragment.name.value, fragment);
          pending.push(fragment);
        }
      },
    });
  }
  return [...found.values()];
}

/** Operations that do not parse or do not validate against `schema` (graphql-js's rules). */
export function validateOperations(
  schema: GraphQLSchema,
  operations: readonly ClientOperation[],
): InvalidOperation[] {
  const invalid: InvalidOperation[] = [];
  for (const { document, syntaxError, ...ref } of operations) {
    const errors = document
      ? validate(schema, document).map((error) => error.message)
      : [syntaxError ?? 'unparsable'];
    if (errors.length > 0) invalid.push({ ...ref, errors });
  }
  return invalid;
}

/**
 * Schema coordinates an operation depends on: `Type.field` for every selected field and the type
 * it returns, `Type.field(arg:)` and `@directive(arg:)` for arguments, `Input.field` for input
 * fields written out, `Enum.VALUE` for enum literals, type conditions. A variable can carry any
 * value of its type at run time, so its type contributes every input field and enum value it can
 * reach. Walk against the schema the operation was written for (the baseline), so that what a
 * change removed still resolves.
 */
export function collectUsage(schema: GraphQLSchema, document: DocumentNode): Set<string> {
  const used = new Set<string>();
  const typeInfo = new TypeInfo(schema);
  const addNamed = (type: GraphQLNamedType | null | undefined): void => {
    if (type && !type.name.startsWith('__')) used.add(type.name);
  };
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType();
        if (!parent || node.name.value.startsWith('__')) return;
        used.add(`${parent.name}.${node.name.value}`);
        const field = typeInfo.getFieldDef();
        if (field) addNamed(getNamedType(field.type));
      },
      Argument(node, _key, _parent, _path, ancestors) {
        const owner = ancestors[ancestors.length - 1] as ASTNode | undefined;
        if (owner?.kind === Kind.DIRECTIVE) {
          used.add(`@${owner.name.value}(${node.name.value}:)`);
        } else if (owner?.kind === Kind.FIELD) {
          const parent = typeInfo.getParentType();
          if (parent) used.add(`${parent.name}.${owner.name.value}(${node.name.value}:)`);
        }
        const argument = typeInfo.getArgument();
        if (argument) addNamed(getNamedType(argument.type));
      },
      ObjectField(node) {
        const parent = getNamedType(typeInfo.getParentInputType());
        if (parent) used.add(`${parent.name}.${node.name.value}`);
        addNamed(getNamedType(typeInfo.getInputType()));
      },
      EnumValue(node) {
        const type = getNamedType(typeInfo.getInputType());
        if (type) used.add(`${type.name}.${node.value}`);
      },
      VariableDefinition() {
        const type = typeInfo.getInputType();
        if (type) addInputClosure(type, used, new Set());
      },
      InlineFragment() {
        addNamed(getNamedType(typeInfo.getType()));
      },
      FragmentDefinition() {
        addNamed(getNamedType(typeInfo.getType()));
      },
    }),
  );
  return used;
}

function addInputClosure(type: GraphQLInputType, used: Set<string>, seen: Set<string>): void {
  const named = getNamedType(type);
  if (seen.has(named.name)) return;
  seen.add(named.name);
  used.add(named.name);
  if (isEnumType(named)) {
    for (const value of named.getValues()) used.add(`${named.name}.${value.name}`);
  } else if (isInputObjectType(named)) {
    for (const field of Object.values(named.getFields())) {
      used.add(`${named.name}.${field.name}`);
      addInputClosure(field.type, used, seen);
    }
  }
}

/** Whether `coordinate` or anything beneath it (`Type` covers `Type.field(arg:)`) is in `used`. */
export function usesCoordinate(used: ReadonlySet<string>, coordinate: string): boolean {
  if (used.has(coordinate)) return true;
  for (const entry of used) {
    if (entry.startsWith(`${coordinate}.`) || entry.startsWith(`${coordinate}(`)) return true;
  }
  return false;
}
