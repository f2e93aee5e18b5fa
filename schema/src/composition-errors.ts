import type { GraphQLError } from 'graphql';
import type { CompositionIssue } from './report/types.js';

const NAME = '[_A-Za-z][_0-9A-Za-z]*';
/** `Type`, `Type.field` or `Type.field(arg:)`: the schema coordinates Apollo quotes in messages. */
const COORDINATE = new RegExp(`^(${NAME})(?:\\.(${NAME})(?:\\((${NAME}):\\))?)?$`);
const QUOTED = /"([^"\n]+)"/g;
/** `subgraph "a"`, `subgraphs "a" and "b"`, `subgraphs "a", "b" and "c"`. */
const SUBGRAPH_LIST = /subgraphs? ((?:"[^"\n]+"(?:, | and )?)+)/g;
/** Subgraph validation errors are prefixed with `[name] `. */
const PREFIX = /^\[([^\]\s]+)\]/;

/**
 * Turns an Apollo composition error into what a subgraph owner needs: which subgraphs, which type
 * and field. Subgraph names come from three places, because each error kind fills a different one:
 * the nodes' source names (we parse each SDL with its subgraph's name), a `[name]` prefix, and
 * `subgraph(s) "a" and "b"` in the message. Only names of subgraphs being composed are kept.
 */
export function describeCompositionError(
  error: GraphQLError,
  subgraphNames: readonly string[],
): CompositionIssue {
  const known = new Set(subgraphNames);
  const found = new Set<string>();
  for (const node of error.nodes ?? []) {
    const source = node.loc?.source.name;
    if (source && known.has(source)) found.add(source);
  }
  if (error.source && known.has(error.source.name)) found.add(error.source.name);
  const prefix = PREFIX.exec(error.message)?.[1];
  if (prefix && known.has(prefix)) found.add(prefix);
  for (const list of error.message.matchAll(SUBGRAPH_LIST)) {
    for (const quoted of (list[1] ?? '').matchAll(QUOTED)) {
      if (quoted[1] && known.has(quoted[1])) found.add(quoted[1]);
    }
  }
  const coordinate = coordinateOf(error, known);
  const code = error.extensions['code'];
  return {
    code: typeof code === 'string' ? code : 'COMPOSITION_ERROR',
    message: error.message,
    subgraphs: [...found].sort(),
    coordinate: coordinate?.text ?? null,
    type: coordinate?.type ?? null,
    field: coordinate?.field ?? null,
  };
}

interface ParsedCoordinate {
  text: string;
  type: string;
  field: string | null;
}

/** The first quoted schema coordinate in the message, else a type named by an error node. */
function coordinateOf(error: GraphQLError, subgraphs: Set<string>): ParsedCoordinate | null {
  for (const quoted of error.message.matchAll(QUOTED)) {
    const text = quoted[1] ?? '';
    const match = COORDINATE.exec(text);
    if (!match || subgraphs.has(text) || isScalarTypeReference(text)) continue;
    return { text, type: match[1]!, field: match[2] ?? null };
  }
  for (const node of error.nodes ?? []) {
    if ('name' in node && node.name && typeof node.name === 'object' && 'value' in node.name) {
      if (
        node.kind.endsWith('TypeDefinition') ||
        node.kind.endsWith('TypeExtension') ||
        node.kind === 'NamedType'
      ) {
        return { text: node.name.value, type: node.name.value, field: null };
      }
    }
  }
  return null;
}

/** Quoted "String!" / "[Int]" in type-mismatch messages are field types, not the subject. */
function isScalarTypeReference(text: string): boolean {
  return ['String', 'Int', 'Float', 'Boolean', 'ID'].includes(text);
}
