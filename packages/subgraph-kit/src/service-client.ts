import { Kind, parse, print, type DocumentNode } from 'graphql';
import { ANONYMOUS, CALLER_HEADER, signCaller } from '@terrarium/platform/caller';
import { parseAnnouncedChanges, type EntityChange } from '@terrarium/platform/entity-changes';
import { ServiceUnavailableError } from '@terrarium/platform/errors';

/** A service call that takes longer fails instead of holding the caller's request. @default 5_000 ms */
const SERVICE_CALL_TIMEOUT_MS = 5_000;
/**
 * What a load balancer in front of a service's instances answers when the instance it chose died
 * with the request (502) or none was up (503): a query is asked once more (the gateway's upstream
 * policy does the same), so losing one instance of a service costs no read. A mutation never is.
 */
const RETRIABLE_STATUSES = new Set([502, 503]);

export interface ServiceResult<T> {
  data: T | null;
  errors: { message: string; extensions?: { code?: string } }[];
  /**
   * What the call's writes changed, as the other subgraph told its caller (`extensions.entityChanges`);
   * a request's context passes them on in its own answer (context.ts).
   */
  entityChanges: EntityChange[];
}

export interface ServiceClient {
  /**
   * Runs an operation on another subgraph as this service (`caller.service` = our name), for
   * internal operations such as inventory's reserveStock. Transport failures throw
   * SERVICE_UNAVAILABLE; GraphQL errors come back in `errors` for the caller to map.
   */
  call<T>(
    subgraph: string,
    document: DocumentNode | string,
    variables?: Record<string, unknown>,
  ): Promise<ServiceResult<T>>;
}

export function createServiceClient(
  self: string,
  urls: Readonly<Record<string, string>>,
  secret: string,
): ServiceClient {
  return {
    async call<T>(
      subgraph: string,
      document: DocumentNode | string,
      variables: Record<string, unknown> = {},
    ) {
      const url = urls[subgraph];
      if (!url) throw new ServiceUnavailableError(`No URL configured for the ${subgraph} service.`);
      const token = await signCaller({ ...ANONYMOUS, service: self }, secret, self);
      const parsed = typeof document === 'string' ? parse(document) : document;
      const query = typeof document === 'string' ? document : print(document);
      const retriable = isQuery(parsed);
      const send = () =>
        fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [CALLER_HEADER]: token },
          body: JSON.stringify({ query, variables }),
          signal: AbortSignal.timeout(SERVICE_CALL_TIMEOUT_MS),
        });
      let response: Response | null = null;
      for (let tries = 0; tries < (retriable ? 2 : 1); tries += 1) {
        try {
          response = await send();
          if (!RETRIABLE_STATUSES.has(response.status)) break;
        } catch (err) {
          // A dropped or refused connection is asked again; a timeout is not (it may just be slow).
          response = null;
          if ((err as Error).name === 'TimeoutError') break;
        }
      }
      if (!response) throw new ServiceUnavailableError(`The ${subgraph} service is unavailable.`);
      if (response.status >= 500)
        throw new ServiceUnavailableError(`The ${subgraph} service failed (HTTP ${response.status}).`);
      const body = (await response.json()) as {
        data?: T | null;
        errors?: ServiceResult<T>['errors'];
        extensions?: { entityChanges?: unknown };
      };
      return {
        data: body.data ?? null,
        errors: body.errors ?? [],
        // Absent or malformed: nothing to pass on (parseAnnouncedChanges answers null).
        entityChanges: parseAnnouncedChanges(body.extensions?.entityChanges) ?? [],
      };
    },
  };
}

/** Only a document whose operations are all queries is safe to send twice. */
function isQuery(document: DocumentNode): boolean {
  return document.definitions.every(
    (definition) => definition.kind !== Kind.OPERATION_DEFINITION || definition.operation === 'query',
  );
}
