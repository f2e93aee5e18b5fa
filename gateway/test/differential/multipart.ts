import { Kind, parse, print, visit, type ASTNode, type SelectionSetNode } from 'graphql/index.js';
import type { DiffOperation, Outcome } from './harness.js';

/** What Apollo Client 3.7+ sends for an operation with @defer. */
export const ACCEPT_DEFER = 'multipart/mixed;deferSpec=20220824,application/json';

export interface Payload {
  data?: Record<string, unknown> | null;
  errors?: { path?: (string | number)[] }[];
  extensions?: { valueCompletion?: { path?: unknown[] }[] };
  hasNext?: boolean;
  incremental?: {
    data: Record<string, unknown> | null;
    path: (string | number)[];
    label?: string;
    errors?: { path?: (string | number)[] }[];
    extensions?: { valueCompletion?: { path?: unknown[] }[] };
  }[];
}

/**
 * Reads a `multipart/mixed; boundary="-"` body as Apollo Client does: parts as they arrive,
 * each `content-type: application/json` headers, a blank line, one JSON payload.
 */
export async function* readParts(body: ReadableStream<Uint8Array>): AsyncGenerator<Payload> {
  const decoder = new TextDecoder();
  const delimiter = '\r\n---';
  let buffer = '';
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end = buffer.indexOf(delimiter);
    while (end !== -1) {
      const part = buffer.slice(0, end);
      buffer = buffer.slice(end + delimiter.length);
      const blank = part.indexOf('\r\n\r\n');
      if (blank !== -1) yield JSON.parse(part.slice(blank + 4)) as Payload;
      end = buffer.indexOf(delimiter);
    }
  }
}

function mergeInto(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(source)) {
    const existing = target[key];
    if (existing && value && typeof existing === 'object' && typeof value === 'object') {
      if (Array.isArray(existing) && Array.isArray(value))
        value.forEach((item, i) => {
          if (existing[i] && item && typeof item === 'object')
            mergeInto(existing[i] as Record<string, unknown>, item as Record<string, unknown>);
          else existing[i] = item;
        });
      else mergeInto(existing as Record<string, unknown>, value as Record<string, unknown>);
    } else {
      target[key] = value;
    }
  }
}

/** The whole answer a client builds from the parts: each part's data merged at its path, errors gathered. */
export function mergeParts(payloads: Payload[]): Required<Pick<Payload, 'errors'>> & {
  data: Record<string, unknown> | null | undefined;
  completion: { path?: unknown[] }[];
} {
  const [first, ...rest] = payloads;
  const data = first?.data;
  const errors = [...(first?.errors ?? [])];
  const completion = [...(first?.extensions?.valueCompletion ?? [])];
  for (const payload of rest) {
    for (const item of payload.incremental ?? []) {
      errors.push(...(item.errors ?? []));
      completion.push(...(item.extensions?.valueCompletion ?? []));
      if (!data) continue;
      let at: unknown = data;
      for (const element of item.path.slice(0, -1)) at = (at as Record<string, unknown>)[element];
      const last = item.path[item.path.length - 1];
      if (last === undefined) {
        if (item.data) mergeInto(data, item.data);
        continue;
      }
      const parent = at as Record<string, unknown>;
      if (item.data === null) parent[last] = null;
      else if (parent[last] && typeof parent[last] === 'object')
        mergeInto(parent[last] as Record<string, unknown>, item.data);
    }
  }
  return { data, errors, completion };
}

const paths = (entries: { path?: unknown[] }[]): string[] =>
  entries.map((entry) => JSON.stringify(entry.path ?? null)).sort();

export interface PartsOutcome extends Outcome {
  contentType: string;
  payloads: Payload[];
}

/** Posts the operation accepting incremental delivery; the parts, and the outcome they merge to. */
export async function postInParts(
  url: string,
  operation: DiffOperation,
  authorization: string | null,
): Promise<PartsOutcome> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: ACCEPT_DEFER,
      ...(authorization ? { authorization } : {}),
    },
    body: JSON.stringify({
      query: operation.query,
      variables: operation.variables,
      operationName: operation.operationName,
    }),
  });
  const contentType = response.headers.get('content-type') ?? '';
  const payloads: Payload[] = [];
  if (contentType.startsWith('multipart/mixed')) {
    for await (const payload of readParts(response.body!)) payloads.push(payload);
  } else {
    payloads.push((await response.json()) as Payload);
  }
  const merged = mergeParts(payloads);
  return {
    status: response.status,
    data: merged.data,
    errorPaths: paths(merged.errors),
    completionPaths: paths(merged.completion),
    contentType,
    payloads,
  };
}

/**
 * The operation with its selections deferred: in every selection set below a field, all
 * selections but the first go into `... @defer { }` (so parts nest where fields nest).
 */
export function deferredTwin(operation: DiffOperation): DiffOperation {
  const document = visit(parse(operation.query), {
    SelectionSet: {
      leave(node: SelectionSetNode, _key, parent: ASTNode | readonly ASTNode[] | undefined) {
        if (!parent || Array.isArray(parent) || (parent as ASTNode).kind !== Kind.FIELD) return undefined;
        if (node.selections.length < 2) return undefined;
        const [first, ...rest] = node.selections;
        return {
          ...node,
          selections: [
            first!,
            {
              kind: Kind.INLINE_FRAGMENT,
              directives: [
                { kind: Kind.DIRECTIVE, name: { kind: Kind.NAME, value: 'defer' }, arguments: [] },
              ],
              selectionSet: { kind: Kind.SELECTION_SET, selections: rest },
            },
          ],
        };
      },
    },
  });
  return { ...operation, name: `${operation.name} (deferred)`, query: print(document) };
}
