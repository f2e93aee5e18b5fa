import type { Operation } from '@apollo/federation-internals';
import { getOwn } from './merge.js';

/**
 * Where a deferred part is delivered, as the query planner gives it (`queryPath`: field response
 * names and `... on Type` conditions; lists are implicit), compiled for walking the response.
 */
export type DeliveryPath = readonly DeliveryPathElement[];

export type DeliveryPathElement =
  | { kind: 'field'; responseName: string }
  /** Names of the API types an object may have to match the condition (the type, its members or implementations). */
  | { kind: 'type'; matches: ReadonlySet<string> };

const TYPE_CONDITION = '... on ';

export function deliveryPath(operation: Operation, queryPath: readonly string[]): DeliveryPath {
  const schema = operation.schema();
  return queryPath.map((element): DeliveryPathElement => {
    if (!element.startsWith(TYPE_CONDITION)) return { kind: 'field', responseName: element };
    const name = element.slice(TYPE_CONDITION.length);
    const type = schema.type(name);
    const matches = new Set<string>([name]);
    if (type?.kind === 'UnionType') for (const member of type.types()) matches.add(member.name);
    if (type?.kind === 'InterfaceType')
      for (const implementation of type.allImplementations()) matches.add(implementation.name);
    return { kind: 'type', matches };
  });
}

/** One object a deferred part is delivered at: its path, the client's view of it, and the fetched data. */
export interface DeliveryTarget {
  path: (string | number)[];
  /** The object as the client has it so far (parts delivered at it are merged into it). */
  client: Record<string, unknown>;
  /** The same object in the data the plan fetched (keys, __typename and all). */
  fetched: Record<string, unknown>;
}

/**
 * Every object at `path` that the client has (after the parts delivered before), with its
 * concrete path (list indexes included). A type condition is checked on the fetched __typename.
 */
export function deliveryTargets(
  client: Record<string, unknown> | null,
  fetched: Record<string, unknown>,
  path: DeliveryPath,
): DeliveryTarget[] {
  const targets: DeliveryTarget[] = [];
  const walk = (view: unknown, data: unknown, index: number, at: (string | number)[]): void => {
    if (view === null || view === undefined || typeof view !== 'object') return;
    if (data === null || data === undefined || typeof data !== 'object') return;
    if (Array.isArray(view)) {
      if (!Array.isArray(data)) return;
      for (let i = 0; i < view.length; i += 1) walk(view[i], data[i], index, [...at, i]);
      return;
    }
    const viewObject = view as Record<string, unknown>;
    const dataObject = data as Record<string, unknown>;
    const element = path[index];
    if (!element) {
      targets.push({ path: at, client: viewObject, fetched: dataObject });
      return;
    }
    if (element.kind === 'type') {
      const typename = dataObject['__typename'];
      if (typeof typename === 'string' && !element.matches.has(typename)) return;
      walk(view, data, index + 1, at);
      return;
    }
    walk(getOwn(viewObject, element.responseName), getOwn(dataObject, element.responseName), index + 1, [
      ...at,
      element.responseName,
    ]);
  };
  walk(client, fetched, 0, []);
  return targets;
}
