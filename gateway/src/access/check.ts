import {
  Kind,
  getNamedType,
  isAbstractType,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql/index.js';
import type { Caller } from '@terrarium/platform/caller';
import type { AccessPolicy, AccessRequirement } from './policy.js';
import { ErrorCode } from '../errors.js';

/** A requirement met on the operation's path, with the coordinate that declared it. */
export interface RequiredAccess {
  coordinate: string;
  requirement: AccessRequirement;
}

export interface AccessDenial {
  status: 401 | 403;
  code: typeof ErrorCode.UNAUTHENTICATED | typeof ErrorCode.FORBIDDEN;
  message: string;
}

/**
 * Every requirement the operation touches: for each selected field, the field's own and its type's
 * (`Type` and `Type.field`). A field selected on an interface or union also takes the requirements
 * of every possible type's field, because any of them may answer it: select through a fragment on
 * the object type to need only that type's. Fragments are followed from the operation (each once);
 * __typename and introspection fields carry none.
 */
export function collectRequirements(
  schema: GraphQLSchema,
  policy: AccessPolicy,
  document: DocumentNode,
  operation: OperationDefinitionNode,
): RequiredAccess[] {
  const found = new Map<string, AccessRequirement>();
  if (policy.size === 0) return [];
  const note = (coordinate: string) => {
    const requirement = policy.get(coordinate);
    if (requirement) found.set(coordinate, requirement);
  };
  visitSelectedFields(schema, document, operation, (answering, name) => {
    note(answering.name);
    note(`${answering.name}.${name}`);
  });
  return [...found].map(([coordinate, requirement]) => ({ coordinate, requirement }));
}

/**
 * Calls `visit` for every field the operation selects, once per object or interface type that may
 * answer it (a field selected on an interface: the interface and each possible type), with the
 * field's named type. Fragments are followed from the operation (each once); __typename and
 * introspection fields are skipped.
 */
export function visitSelectedFields(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  visit: (answering: GraphQLCompositeType, field: string, fieldType: GraphQLNamedType) => void,
): void {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const visitedFragments = new Set<string>();

  const walk = (selectionSet: SelectionSetNode, parent: GraphQLCompositeType): void => {
    for (const selection of selectionSet.selections) {
      switch (selection.kind) {
        case Kind.FIELD: {
          const name = selection.name.value;
          if (name.startsWith('__')) break;
          if (!isObjectType(parent) && !isInterfaceType(parent)) break;
          const field = parent.getFields()[name];
          if (!field) break;
          const fieldType = getNamedType(field.type);
          const answering = isAbstractType(parent) ? [parent, ...schema.getPossibleTypes(parent)] : [parent];
          for (const type of answering) visit(type, name, fieldType);
          if (selection.selectionSet && isCompositeType(fieldType)) walk(selection.selectionSet, fieldType);
          break;
        }
        case Kind.INLINE_FRAGMENT: {
          const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
          if (type && isCompositeType(type)) walk(selection.selectionSet, type);
          break;
        }
        case Kind.FRAGMENT_SPREAD: {
          const name = selection.name.value;
          const fragment = fragments.get(name);
          if (!fragment || visitedFragments.has(name)) break;
          visitedFragments.add(name);
          const type = schema.getType(fragment.typeCondition.name.value);
          if (type && isCompositeType(type)) walk(fragment.selectionSet, type);
          break;
        }
      }
    }
  };

  const root = schema.getRootType(operation.operation);
  if (root) walk(operation.selectionSet, root);
}

export function satisfies(caller: Caller, { roles, scopes }: AccessRequirement): boolean {
  if (roles.length === 0 && scopes.length === 0) return caller.userId !== null && caller.userId !== '';
  if (caller.userId && roles.some((role) => (caller.roles as readonly string[]).includes(role))) return true;
  return scopes.some((scope) => caller.scopes.includes(scope));
}

/** Null when the caller meets every requirement; else 401 for an anonymous caller, 403 for others. */
export function checkAccess(caller: Caller, required: readonly RequiredAccess[]): AccessDenial | null {
  const unmet = required.find(({ requirement }) => !satisfies(caller, requirement));
  if (!unmet) return null;
  const anonymous = !caller.userId && !caller.apiClientId;
  if (anonymous)
    return {
      status: 401,
      code: ErrorCode.UNAUTHENTICATED,
      message: `You must be signed in to read ${unmet.coordinate}.`,
    };
  return {
    status: 403,
    code: ErrorCode.FORBIDDEN,
    message: `${unmet.coordinate} requires ${describe(unmet.requirement)}.`,
  };
}

function describe({ roles, scopes }: AccessRequirement): string {
  const parts: string[] = [];
  if (roles.length > 0) parts.push(`role ${roles.join(' or ')}`);
  if (scopes.length > 0) parts.push(`scope ${scopes.join(' or ')}`);
  return parts.length > 0 ? parts.join(' or ') : 'a signed-in user';
}
