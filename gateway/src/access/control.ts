import type { DocumentNode, GraphQLSchema, OperationDefinitionNode } from 'graphql/index.js';
import { collectRequirements, type RequiredAccess } from './check.js';
import { readAccessPolicy, type AccessPolicy } from './policy.js';

/**
 * The access policy of the supergraph being served, and the requirements of each operation
 * document, cached per document object (Apollo Server reuses the parsed document of a known
 * query) and dropped whenever the supergraph changes.
 */
export class AccessControl {
  private policy: AccessPolicy = new Map();
  private cache = new WeakMap<DocumentNode, Map<string, RequiredAccess[]>>();

  /** Reads the policy of a new supergraph; throws AccessPolicyError (keeping the old one) when malformed. */
  update(supergraphSdl: string): void {
    const policy = readAccessPolicy(supergraphSdl);
    this.policy = policy;
    this.cache = new WeakMap();
  }

  /** How many coordinates carry @access (for logs). */
  get size(): number {
    return this.policy.size;
  }

  requirements(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
  ): RequiredAccess[] {
    let byOperation = this.cache.get(document);
    if (!byOperation) {
      byOperation = new Map();
      this.cache.set(document, byOperation);
    }
    const key = operation.name?.value ?? '';
    let required = byOperation.get(key);
    if (!required) {
      required = collectRequirements(schema, this.policy, document, operation);
      byOperation.set(key, required);
    }
    return required;
  }
}
