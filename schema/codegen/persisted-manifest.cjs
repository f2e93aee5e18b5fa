// @ts-check
/**
 * A local @graphql-codegen plugin: the persisted operations of one client, from its
 * schema/operations/<client>.graphql.
 *
 *   config.mode = 'manifest' (default)  Apollo's persisted query manifest, as JSON:
 *     { "format": "apollo-persisted-query-manifest", "version": 1,
 *       "operations": [{ "id", "name", "type", "body" }] }
 *   config.mode = 'ids'                 TypeScript appended to the client's typed documents:
 *     export const PersistedOperationIds = { AnimalCard: '<id>', ... } as const;
 *
 * The body is graphql-js's print() of the operation followed by the fragments it spreads
 * (transitively, sorted by name): the same text whatever the source's layout, comments or
 * fragment order. `id` is the SHA-256 (hex) of that body, the hash Apollo's APQ and trusted
 * documents send, so the gateway can check a body against its id. No __typename is added: the
 * body is what the gateway runs, and clients name operations by id (or look the id up by name).
 */
const { createHash } = require('node:crypto');
const { Kind, print, visit } = require('graphql');

/**
 * @param {import('graphql').DocumentNode[]} documents
 * @returns {{ id: string, name: string, type: string, body: string }[]}
 */
function persistedOperations(documents) {
  /** @type {Map<string, import('graphql').FragmentDefinitionNode>} */
  const fragments = new Map();
  /** @type {import('graphql').OperationDefinitionNode[]} */
  const operations = [];
  for (const document of documents) {
    for (const definition of document.definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
      if (definition.kind === Kind.OPERATION_DEFINITION) operations.push(definition);
    }
  }
  const seen = new Set();
  return operations.map((operation) => {
    const name = operation.name?.value;
    if (!name) throw new Error('persisted-manifest: every persisted operation needs a name');
    if (seen.has(name)) throw new Error(`persisted-manifest: operation ${name} is defined twice`);
    seen.add(name);
    const used = fragmentsSpreadBy(operation, fragments);
    const body = print({ kind: Kind.DOCUMENT, definitions: [operation, ...used] });
    return { id: createHash('sha256').update(body).digest('hex'), name, type: operation.operation, body };
  });
}

/**
 * @param {import('graphql').ASTNode} root
 * @param {ReadonlyMap<string, import('graphql').FragmentDefinitionNode>} fragments
 */
function fragmentsSpreadBy(root, fragments) {
  /** @type {Map<string, import('graphql').FragmentDefinitionNode>} */
  const found = new Map();
  const pending = [root];
  while (pending.length > 0) {
    visit(/** @type {import('graphql').ASTNode} */ (pending.pop()), {
      FragmentSpread(node) {
        const fragment = fragments.get(node.name.value);
        if (!fragment) throw new Error(`persisted-manifest: unknown fragment ${node.name.value}`);
        if (!found.has(fragment.name.value)) {
          found.set(fragment.name.value, fragment);
          pending.push(fragment);
        }
      },
    });
  }
  return [...found.values()].sort((a, b) => a.name.value.localeCompare(b.name.value));
}

module.exports = {
  persistedOperations,
  /** @type {import('@graphql-codegen/plugin-helpers').PluginFunction<{ mode?: 'manifest' | 'ids' }>} */
  plugin(_schema, documents, config) {
    const operations = persistedOperations(
      documents.flatMap((file) => (file.document ? [file.document] : [])),
    );
    if (config.mode === 'ids') {
      const entries = operations.map((op) => `  ${op.name}: '${op.id}',`).join('\n');
      return `\n/** Persisted ids (SHA-256 of the manifest body) by operation name: send one as \`extensions.persistedQuery.sha256Hash\` or \`documentId\`. */\nexport const PersistedOperationIds = {\n${entries}\n} as const;\n`;
    }
    return `${JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1, operations }, null, 2)}\n`;
  },
};
