import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Kind,
  parse,
  print,
  visit,
  type DefinitionNode,
  type FragmentDefinitionNode,
  type TypeNode,
} from 'graphql';
import type { Plugin } from 'vite';

/** The module the IDE imports its example tabs from. */
const MODULE_ID = 'virtual:terrarium-example-tabs';
const RESOLVED_ID = `\0${MODULE_ID}`;

export interface ExampleTab {
  /** The operation with the fragments it spreads, as the contract file writes them. */
  query: string;
  /** A JSON skeleton of the operation's variables (required ones only), to fill in. */
  variables: string;
}

/**
 * The contract's operations (schema/operations/<client>.graphql) as GraphiQL example tabs, read
 * at build time: one tab per operation, with the fragments it needs, so each tab runs alone. A
 * change of the contract reaches the IDE with the next build (turbo's inputs list the folder).
 */
export function exampleTabsOf(operationsDir: string): ExampleTab[] {
  const files = readdirSync(operationsDir)
    .filter((file) => file.endsWith('.graphql'))
    .sort();
  return files.flatMap((file) => {
    const definitions = parse(readFileSync(join(operationsDir, file), 'utf8')).definitions;
    const fragments = new Map(
      definitions.filter(isFragment).map((fragment) => [fragment.name.value, fragment]),
    );
    return definitions.flatMap((definition) => {
      if (definition.kind !== Kind.OPERATION_DEFINITION) return [];
      const used = spreadFragments(definition, fragments);
      const query = [definition, ...used].map((node) => print(node)).join('\n\n');
      const required = (definition.variableDefinitions ?? []).filter(
        (v) => v.type.kind === Kind.NON_NULL_TYPE && !v.defaultValue,
      );
      const variables = Object.fromEntries(required.map((v) => [v.variable.name.value, placeholder(v.type)]));
      return [
        {
          query: `# ${file}\n${query}\n`,
          variables: required.length > 0 ? JSON.stringify(variables, null, 2) : '',
        },
      ];
    });
  });
}

function isFragment(definition: DefinitionNode): definition is FragmentDefinitionNode {
  return definition.kind === Kind.FRAGMENT_DEFINITION;
}

function spreadFragments(
  root: DefinitionNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
): FragmentDefinitionNode[] {
  const found = new Map<string, FragmentDefinitionNode>();
  const pending: DefinitionNode[] = [root];
  for (let node = pending.pop(); node; node = pending.pop()) {
    visit(node, {
      FragmentSpread(spread) {
        const fragment = fragments.get(spread.name.value);
        if (fragment && !found.has(fragment.name.value)) {
          found.set(fragment.name.value, fragment);
          pending.push(fragment);
        }
      },
    });
  }
  return [...found.values()];
}

/** A value of the right JSON shape for a variable's type (the user replaces it). */
function placeholder(type: TypeNode): unknown {
  if (type.kind === Kind.NON_NULL_TYPE) return placeholder(type.type);
  if (type.kind === Kind.LIST_TYPE) return [];
  switch (type.name.value) {
    case 'Int':
    case 'Float':
      return 0;
    case 'Boolean':
      return false;
    case 'ID':
    case 'String':
      return '';
    default:
      return {};
  }
}

/** Vite plugin: `import tabs from 'virtual:terrarium-example-tabs'`. */
export function exampleTabsPlugin(operationsDir: string): Plugin {
  return {
    name: 'terrarium-example-tabs',
    resolveId: (id) => (id === MODULE_ID ? RESOLVED_ID : null),
    load(id) {
      if (id !== RESOLVED_ID) return null;
      for (const file of readdirSync(operationsDir)) this.addWatchFile(join(operationsDir, file));
      return `export default ${JSON.stringify(exampleTabsOf(operationsDir))};`;
    },
  };
}
