import type { DocumentNode, GraphQLSchema, OperationDefinitionNode } from 'graphql/index.js';
import { LRUCache } from 'lru-cache';
import { measureOperation, type OperationMeasures } from './measure.js';

/** What is remembered of one operation (document + operation name) against one schema. */
interface Entry {
  /** The variables its cost reads (list sizes), sorted; empty when no variable matters. */
  variables: readonly string[];
  /** The measures when no variable matters. */
  fixed: OperationMeasures | null;
  /** Otherwise, the measures per class of those variables' values. */
  byValues: LRUCache<string, OperationMeasures> | null;
}

/**
 * How a size variable's value acts on the measure (see `sizeOf` in measure.ts): null or absent
 * falls back to the defaults, an integer is the size itself, anything else is the default list
 * size. Values of one class give the same measure, so they share a cache entry (and a client
 * cannot grow the key with a huge value).
 */
function sizeClass(value: unknown): string {
  if (value === undefined || value === null) return '-';
  if (typeof value === 'number' && Number.isInteger(value)) return String(value);
  return '?';
}

/**
 * Remembers `measureOperation`'s answer per schema, document and operation name, so a hot
 * operation is walked once rather than on every request (a large query's walk was several per
 * cent of the gateway's CPU). Depth, aliases and root fields never depend on variables; the cost
 * does when a list size is a variable, and then the measure is kept per value of exactly those
 * variables (at most `maxVariants` per operation). Bounded LRUs; a new supergraph (a new schema
 * object) starts afresh, since the measure depends on the schema's types and argument defaults.
 */
export class MeasurementCache {
  private readonly bySchema = new WeakMap<GraphQLSchema, LRUCache<string, Entry>>();

  constructor(
    private readonly defaultListSize: number,
    private readonly maxOperations = 1_000,
    private readonly maxVariants = 32,
  ) {}

  /**
   * `documentKey` identifies the document's text (Apollo's queryHash); equal keys must mean equal
   * documents. Null (the text is unknown): measured without the cache.
   */
  measure(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Readonly<Record<string, unknown>>,
    documentKey: string | null,
  ): OperationMeasures {
    if (documentKey === null)
      return measureOperation(schema, document, operation, variables, this.defaultListSize);
    let operations = this.bySchema.get(schema);
    if (!operations) {
      operations = new LRUCache<string, Entry>({ max: this.maxOperations });
      this.bySchema.set(schema, operations);
    }
    const key = `${operation.name?.value ?? ''}\u0000${documentKey}`;
    const entry = operations.get(key);
    if (!entry) {
      const read = new Set<string>();
      const measured = Object.freeze(
        measureOperation(schema, document, operation, variables, this.defaultListSize, read),
      );
      const names = [...read].sort();
      const created: Entry = { variables: names, fixed: null, byValues: null };
      if (names.length === 0) created.fixed = measured;
      else {
        created.byValues = new LRUCache<string, OperationMeasures>({ max: this.maxVariants });
        created.byValues.set(this.variantOf(names, variables), measured);
      }
      operations.set(key, created);
      return measured;
    }
    if (entry.fixed) return entry.fixed;
    const variant = this.variantOf(entry.variables, variables);
    let measured = entry.byValues!.get(variant);
    if (!measured) {
      measured = Object.freeze(
        measureOperation(schema, document, operation, variables, this.defaultListSize),
      );
      entry.byValues!.set(variant, measured);
    }
    return measured;
  }

  private variantOf(names: readonly string[], variables: Readonly<Record<string, unknown>>): string {
    return names.map((name) => sizeClass(variables[name])).join(',');
  }
}
