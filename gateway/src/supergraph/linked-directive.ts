import { Kind, type ConstDirectiveNode, type ConstValueNode, type DefinitionNode } from 'graphql/index.js';

/**
 * The local name, in a supergraph, of a directive a subgraph spec exports through
 * `@link(url: "<specPrefix>...", import: [...])` (kept by @composeDirective): its imported name (or
 * its `as`), else `<namespace>__<directive>` (the link's `as`, else `defaultNamespace`). Null when
 * no link names the spec: the supergraph carries none of its applications.
 */
export function linkedDirectiveName(
  definitions: readonly DefinitionNode[],
  specPrefix: string,
  directive: string,
  defaultNamespace: string,
): string | null {
  for (const definition of definitions) {
    if (definition.kind !== Kind.SCHEMA_DEFINITION && definition.kind !== Kind.SCHEMA_EXTENSION) continue;
    for (const link of definition.directives ?? []) {
      if (link.name.value !== 'link') continue;
      const url = directiveArgument(link, 'url');
      if (url?.kind !== Kind.STRING || !url.value.startsWith(specPrefix)) continue;
      const imports = directiveArgument(link, 'import');
      for (const entry of imports?.kind === Kind.LIST ? imports.values : []) {
        if (entry.kind === Kind.STRING && entry.value === `@${directive}`) return directive;
        if (entry.kind === Kind.OBJECT) {
          const name = entry.fields.find((f) => f.name.value === 'name')?.value;
          const as = entry.fields.find((f) => f.name.value === 'as')?.value;
          if (name?.kind === Kind.STRING && name.value === `@${directive}`)
            return as?.kind === Kind.STRING ? as.value.replace(/^@/, '') : directive;
        }
      }
      const namespace = directiveArgument(link, 'as');
      return `${namespace?.kind === Kind.STRING ? namespace.value : defaultNamespace}__${directive}`;
    }
  }
  return null;
}

export function directiveArgument(directive: ConstDirectiveNode, name: string): ConstValueNode | undefined {
  return directive.arguments?.find((arg) => arg.name.value === name)?.value;
}
