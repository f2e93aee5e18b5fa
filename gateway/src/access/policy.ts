import { Kind, parse, type ConstDirectiveNode } from 'graphql/index.js';
import { Role } from '@terrarium/platform/caller';
import { directiveArgument as argument, linkedDirectiveName } from '../supergraph/linked-directive.js';

/** The @link URL prefix of Terrarium's access spec (`https://terrarium.dev/auth/v1.0`). */
export const ACCESS_SPEC_PREFIX = 'https://terrarium.dev/auth/';

/**
 * What `@access(roles, scopes)` asks of a caller. Both empty: any signed-in user. Otherwise a user
 * with one of `roles`, or a caller (user or partner key) with one of `scopes`.
 */
export interface AccessRequirement {
  readonly roles: readonly string[];
  readonly scopes: readonly string[];
}

/** Requirements by schema coordinate: `Type` (every field of the type) and `Type.field`. */
export type AccessPolicy = ReadonlyMap<string, AccessRequirement>;

export class AccessPolicyError extends Error {}

const ROLES = new Set<string>(Object.values(Role));

/**
 * Reads the @access applications from a supergraph SDL (subgraphs keep them through
 * @composeDirective; the API schema drops them, so the supergraph is the source). Throws
 * AccessPolicyError on a malformed application, e.g. an unknown role, so that such a supergraph
 * is refused rather than served with a field left open.
 */
export function readAccessPolicy(supergraphSdl: string): AccessPolicy {
  const document = parse(supergraphSdl, { noLocation: true });
  const directiveName = linkedDirectiveName(document.definitions, ACCESS_SPEC_PREFIX, 'access', 'auth');
  const policy = new Map<string, AccessRequirement>();
  if (!directiveName) return policy;
  for (const definition of document.definitions) {
    if (
      definition.kind !== Kind.OBJECT_TYPE_DEFINITION &&
      definition.kind !== Kind.OBJECT_TYPE_EXTENSION &&
      definition.kind !== Kind.INTERFACE_TYPE_DEFINITION &&
      definition.kind !== Kind.INTERFACE_TYPE_EXTENSION
    ) {
      continue;
    }
    const typeName = definition.name.value;
    const onType = definition.directives?.find((d) => d.name.value === directiveName);
    if (onType) policy.set(typeName, requirementOf(onType, typeName));
    for (const field of definition.fields ?? []) {
      const onField = field.directives?.find((d) => d.name.value === directiveName);
      const coordinate = `${typeName}.${field.name.value}`;
      if (onField) policy.set(coordinate, requirementOf(onField, coordinate));
    }
  }
  return policy;
}

function requirementOf(directive: ConstDirectiveNode, coordinate: string): AccessRequirement {
  const strings = (name: string): string[] => {
    const value = argument(directive, name);
    if (!value || value.kind === Kind.NULL) return [];
    // GraphQL input coercion: a single value where a list is expected is a list of one.
    const items = value.kind === Kind.LIST ? value.values : [value];
    return items.map((item) => {
      if (item.kind !== Kind.STRING)
        throw new AccessPolicyError(`@access on ${coordinate}: ${name} must be strings`);
      return item.value;
    });
  };
  for (const arg of directive.arguments ?? []) {
    if (arg.name.value !== 'roles' && arg.name.value !== 'scopes')
      throw new AccessPolicyError(`@access on ${coordinate}: unknown argument ${arg.name.value}`);
  }
  const roles = strings('roles');
  const unknown = roles.filter((role) => !ROLES.has(role));
  if (unknown.length > 0)
    throw new AccessPolicyError(
      `@access on ${coordinate}: unknown role ${unknown.join(', ')} (known: ${[...ROLES].join(', ')})`,
    );
  return Object.freeze({ roles: Object.freeze(roles), scopes: Object.freeze(strings('scopes')) });
}
