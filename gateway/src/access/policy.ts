import {
  Kind,
  parse,
  type ConstDirectiveNode,
  type ConstValueNode,
  type DefinitionNode,
} from 'graphql/index.js';
import { Role } from '@terrarium/platform/caller';

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
  const directiveName = accessDirectiveName(document.definitions);
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

/** The local name of @access: as imported by the supergraph's @link, else `<namespace>__access`. */
function accessDirectiveName(definitions: readonly DefinitionNode[]): string | null {
  for (const definition of definitions) {
    if (definition.kind !== Kind.SCHEMA_DEFINITION && definition.kind !== Kind.SCHEMA_EXTENSION) continue;
    for (const link of definition.directives ?? []) {
      if (link.name.value !== 'link') continue;
      const url = argument(link, 'url');
      if (url?.kind !== Kind.STRING || !url.value.startsWith(ACCESS_SPEC_PREFIX)) continue;
      const imports = argument(link, 'import');
      for (const entry of imports?.kind === Kind.LIST ? imports.values : []) {
        if (entry.kind === Kind.STRING && entry.value === '@access') return 'access';
        if (entry.kind === Kind.OBJECT) {
          const name = entry.fields.find((f) => f.name.value === 'name')?.value;
          const as = entry.fields.find((f) => f.name.value === 'as')?.value;
          if (name?.kind === Kind.STRING && name.value === '@access')
            return as?.kind === Kind.STRING ? as.value.replace(/^@/, '') : 'access';
        }
      }
      const namespace = argument(link, 'as');
      return `${namespace?.kind === Kind.STRING ? namespace.value : 'auth'}__access`;
    }
  }
  return null;
}

function argument(directive: ConstDirectiveNode, name: string): ConstValueNode | undefined {
  return directive.arguments?.find((arg) => arg.name.value === name)?.value;
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
