import { type GraphQLError } from 'graphql/index.js';
import type { Logger } from 'pino';
import type { EntityCache, CacheScope } from '../entity-cache/entity-cache.js';
import {
  entitiesThroughCache,
  receivedEntities,
  representationsBody,
  rootThroughCache,
  worthLookingUp,
  type CachedFetchSite,
} from './cached-fetch.js';
import { downstreamServiceError, errorPathResolver, type ResponsePath } from './errors.js';
import { deepMerge, getOwn } from './merge.js';
import type { ConditionStep, FetchStep, Step } from './plan.js';
import type { SubgraphClient, SubgraphResponse } from './subgraph-client.js';

/** Where a plan node reads and merges: the data at `path` (a list when the path crosses lists). */
interface Cursor {
  path: (string | number)[];
  data: Record<string, unknown> | Record<string, unknown>[];
}

/** The operation's cache policy (Apollo Server's), narrowed by subgraphs' Cache-Control headers. */
export interface CachePolicyLike {
  restrict(hint: { maxAge?: number; scope?: 'PUBLIC' | 'PRIVATE' }): void;
}

export interface ExecutionInput {
  variables: Readonly<Record<string, unknown>> | undefined;
  clients: ReadonlyMap<string, SubgraphClient>;
  /** Flat header name/value pairs sent with every fetch of this request. */
  headers: readonly string[];
  /** Prefix of the keys under which identical query fetches share one exchange (null: no sharing). */
  shareKeyPrefix: string | null;
  cachePolicy: CachePolicyLike | null;
  /** The entity cache and the caller's scope in it; null for mutations and with the cache off. */
  entityCache: { cache: EntityCache; scope: CacheScope } | null;
  /** Drops what a subgraph's answer says its writes changed (`extensions.entityChanges`); null with the cache off. */
  applyEntityChanges: ((announced: unknown) => Promise<void>) | null;
  logger: Logger;
  /** Told when a fetch that has an id (one a deferred part depends on) is done, with or without errors. */
  onFetched?: ((id: string) => void) | undefined;
}

/**
 * Runs a compiled query plan as @apollo/gateway's executeQueryPlan does (executeNode and
 * executeFetch): same traversal, same merge, same error placement. The differences are in cost
 * only: bodies are concatenated from pre-serialized parts, identical representations are sent
 * once (each entity still receives its answer, and an error on a shared representation is
 * reported for every entity that sent it, as stock would), and no tracing spans are made.
 */
export class PlanExecution {
  readonly errors: (GraphQLError | Error)[] = [];

  constructor(
    private readonly input: ExecutionInput,
    /** The data merged into; the parts of a deferred operation share one (each keeps its own errors). */
    readonly data: Record<string, unknown> = {},
  ) {}

  run(step: Step): Promise<void> {
    return this.execute(step, { path: [], data: this.data });
  }

  private async execute(step: Step, cursor: Cursor): Promise<void> {
    switch (step.kind) {
      case 'Sequence':
        for (const node of step.nodes) await this.execute(node, cursor);
        return;
      case 'Parallel':
        await Promise.all(step.nodes.map((node) => this.execute(node, cursor)));
        return;
      case 'Flatten': {
        const data = flatten(cursor.data, step.path, 0);
        if (!data) return;
        return this.execute(step.node, { path: cursor.path.concat(step.path), data: data as Cursor['data'] });
      }
      case 'Fetch':
        try {
          await this.fetch(step, cursor);
        } catch (err) {
          this.errors.push(err as Error);
        }
        if (step.id !== null) this.input.onFetched?.(step.id);
        return;
      case 'Condition': {
        const branch = conditionValue(step, this.input.variables) ? step.ifClause : step.elseClause;
        if (branch) await this.execute(branch, cursor);
        return;
      }
    }
  }

  /** The forwarded variables as the members of a JSON object (no braces), in the fetch's order. */
  private variablesJson(fetch: FetchStep): { json: string; hasRepresentations: boolean } {
    const variables = this.input.variables;
    let json = '';
    let hasRepresentations = false;
    if (variables) {
      for (const { name, quoted } of fetch.variables) {
        const value = getOwn(variables as Record<string, unknown>, name);
        if (value === undefined) continue;
        if (name === 'representations') hasRepresentations = true;
        json += `${json ? ',' : ''}${quoted}:${JSON.stringify(value)}`;
      }
    }
    return { json, hasRepresentations };
  }

  private async fetch(fetch: FetchStep, cursor: Cursor): Promise<void> {
    const entities = Array.isArray(cursor.data) ? present(cursor.data) : [cursor.data];
    if (entities.length < 1) return;
    const variables = this.variablesJson(fetch);

    const cache = fetch.mutation || !worthLookingUp(fetch) ? null : this.input.entityCache;
    if (!fetch.representer) {
      let data: Record<string, unknown> | null | undefined;
      if (cache) {
        data = await rootThroughCache(this.cacheSite(fetch, cursor, null, cache), fetch, variables.json);
      } else {
        const response = await this.send(fetch, `{${variables.json}}`);
        this.recordErrors(fetch, response, cursor, null);
        data = response.data;
      }
      if (data) fetch.outputRewrites?.(data);
      for (const entity of entities) deepMerge(entity, data);
      return;
    }

    // Identical representations are sent once; `sent[i]` is the index of entity i's in the request.
    const unique = new Map<string, number>();
    const parts: string[] = [];
    const sentIndex: number[] = [];
    const entityIndex: number[] = [];
    const writer = fetch.representationWriter;
    for (let index = 0; index < entities.length; index += 1) {
      let json: string | null;
      if (writer) {
        json = writer(entities[index]!);
        if (json === null) continue;
      } else {
        const representation = fetch.representer(entities[index]!);
        if (!representation || !representation['__typename']) continue;
        fetch.inputRewrites?.(representation);
        json = JSON.stringify(representation);
      }
      let position = unique.get(json);
      if (position === undefined) {
        position = parts.length;
        unique.set(json, position);
        parts.push(json);
      }
      sentIndex.push(position);
      entityIndex.push(index);
    }
    if (parts.length < 1) return;
    if (variables.hasRepresentations) throw new Error('Variables cannot contain key "representations"');

    const received = cache
      ? await entitiesThroughCache(
          this.cacheSite(fetch, cursor, sentIndex, cache),
          fetch,
          variables.json,
          parts,
        )
      : await this.fetchEntities(fetch, cursor, variables.json, parts, sentIndex);
    if (!received) return;
    for (let i = 0; i < sentIndex.length; i += 1) {
      const receivedEntity = received[sentIndex[i]!] as Record<string, unknown> | null | undefined;
      const existing = entities[entityIndex[i]!]!;
      if (receivedEntity && !receivedEntity['__typename'])
        receivedEntity['__typename'] = existing['__typename'];
      if (receivedEntity) fetch.outputRewrites?.(receivedEntity);
      deepMerge(existing, receivedEntity);
    }
  }

  /** Sends every representation; resolves to `_entities` (one answer per part), or null without data. */
  private async fetchEntities(
    fetch: FetchStep,
    cursor: Cursor,
    variablesJson: string,
    parts: readonly string[],
    sentIndex: number[],
  ): Promise<unknown[] | null> {
    const response = await this.send(fetch, representationsBody(variablesJson, parts));
    this.recordErrors(fetch, response, cursor, sentIndex);
    return receivedEntities(response, parts.length);
  }

  /** What a fetch through the entity cache needs of this execution (./cached-fetch.ts). */
  private cacheSite(
    fetch: FetchStep,
    cursor: Cursor,
    sentIndex: number[] | null,
    { cache, scope }: { cache: EntityCache; scope: CacheScope },
  ): CachedFetchSite {
    return {
      cache,
      scope,
      send: (variablesJson) => this.send(fetch, variablesJson),
      recordErrors: (response) => this.recordErrors(fetch, response, cursor, sentIndex),
      // A cached answer narrows the request's cache policy as the subgraph's header did when fetched.
      restrict: (hint) =>
        this.input.cachePolicy?.restrict(
          hint.scope ? { maxAge: hint.maxAge, scope: hint.scope } : { maxAge: hint.maxAge },
        ),
    };
  }

  private send(fetch: FetchStep, variablesJson: string): Promise<SubgraphResponse> {
    const client = this.input.clients.get(fetch.serviceName);
    if (!client) throw new Error(`Couldn't find service with name "${fetch.serviceName}"`);
    const body = `${fetch.bodyStart},"variables":${variablesJson}${fetch.bodyEnd}`;
    const shareKey =
      fetch.mutation || this.input.shareKeyPrefix === null
        ? null
        : this.input.shareKeyPrefix + fetch.serviceName + '\n' + body;
    return client
      .send(body, this.input.headers, shareKey, fetch.mutation, this.input.logger)
      .then((response) => {
        if (this.input.cachePolicy) restrictCachePolicy(this.input.cachePolicy, response.cacheControl);
        const announced = response.extensions?.['entityChanges'];
        // Dropped before the client is answered: it reads its own writes next, through any gateway.
        if (announced !== undefined && this.input.applyEntityChanges)
          return this.input.applyEntityChanges(announced).then(() => response);
        return response;
      });
  }

  /**
   * Subgraph errors, at the path of the data they concern. For an entity fetch, `sentIndex` maps
   * each entity's representation to its place in the (deduplicated) request: an error on
   * `_entities.<n>` belongs to every entity that sent representation n.
   */
  private recordErrors(
    fetch: FetchStep,
    response: SubgraphResponse,
    cursor: Cursor,
    sentIndex: number[] | null,
  ): void {
    const errors = response.errors;
    if (!errors) return;
    const pathOf = errorPathResolver(cursor.path, this.data, sentIndex !== null);
    for (const error of errors) {
      const index = error.path?.[1];
      if (sentIndex !== null && typeof index === 'number') {
        const [field = '_entities', , ...rest] = error.path!;
        let placed = false;
        for (let i = 0; i < sentIndex.length; i += 1) {
          if (sentIndex[i] !== index) continue;
          this.errors.push(downstreamServiceError(error, fetch.serviceName, pathOf([field, i, ...rest])));
          placed = true;
        }
        // An index the request did not have: kept, placed as stock would place it.
        if (!placed) this.errors.push(downstreamServiceError(error, fetch.serviceName, pathOf(error.path)));
      } else {
        this.errors.push(downstreamServiceError(error, fetch.serviceName, pathOf(error.path)));
      }
    }
  }
}

/** Which branch of a Condition node runs: its variable's value, or its default. */
export function conditionValue(
  step: ConditionStep<unknown>,
  variables: Readonly<Record<string, unknown>> | undefined,
): boolean {
  let value = variables ? getOwn(variables as Record<string, unknown>, step.variable) : undefined;
  if (value === undefined) value = step.defaultValue;
  if (typeof value !== 'boolean')
    throw new Error(`Invalid non-boolean value ${String(value)} for Boolean! variable $${step.variable}`);
  return value;
}

/** The entities of a list, nulls left out (a copy only when there is a null). */
function present(list: Record<string, unknown>[]): Record<string, unknown>[] {
  for (let i = 0; i < list.length; i += 1) {
    if (list[i] === null || list[i] === undefined)
      return list.filter((entity) => entity !== null && entity !== undefined);
  }
  return list;
}

/** flattenResultsAtPath of executeQueryPlan.ts (flatMap semantics: one level of nested lists is spread). */
function flatten(value: unknown, path: readonly (string | number)[], index: number): unknown {
  if (index === path.length) return value;
  if (value === undefined || value === null) return value;
  const current = path[index];
  if (current === '@') {
    if (!Array.isArray(value)) throw new TypeError('value.flatMap is not a function');
    const out: unknown[] = [];
    for (const element of value as unknown[]) {
      const inner = flatten(element, path, index + 1);
      if (Array.isArray(inner)) for (const item of inner) out.push(item);
      else out.push(inner);
    }
    return out;
  }
  if (typeof current !== 'string') throw new Error(`Unexpected ${typeof current} found in path`);
  if (Array.isArray(value)) throw new Error(`Unexpected array in result for path element ${current}`);
  return flatten(getOwn(value as Record<string, unknown>, current), path, index + 1);
}

/** RemoteGraphQLDataSource's reading of a subgraph's Cache-Control (no max-age: not cacheable). */
function restrictCachePolicy(policy: CachePolicyLike, header: string | undefined): void {
  const hint: { maxAge: number; scope?: 'PUBLIC' | 'PRIVATE' } = { maxAge: 0 };
  if (header) {
    const directives: Record<string, string | true> = {};
    for (const part of header.trim().split(/\s*,\s*/)) {
      const [key, value] = part.split(/\s*=\s*/, 2);
      if (key) directives[key] = value === undefined ? true : value.replace(/^"|"$/g, '');
    }
    const maxAge = directives['max-age'];
    if (typeof maxAge === 'string' && /^[0-9]+$/.test(maxAge)) hint.maxAge = Number(maxAge);
    if (directives['private'] === true) hint.scope = 'PRIVATE';
    if (directives['public'] === true) hint.scope = 'PUBLIC';
  }
  policy.restrict(hint);
}

export type { ResponsePath };
