import { print, type DocumentNode } from 'graphql';
import { ANONYMOUS, CALLER_HEADER, signCaller } from '@terrarium/platform/caller';
import { ServiceUnavailableError } from '@terrarium/platform/errors';

/** A service call that takes longer fails instead of holding the caller's request. @default 5_000 ms */
const SERVICE_CALL_TIMEOUT_MS = 5_000;

export interface ServiceResult<T> {
  data: T | null;
  errors: { message: string; extensions?: { code?: string } }[];
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
      let response: Response;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [CALLER_HEADER]: token },
          body: JSON.stringify({
            query: typeof document === 'string' ? document : print(document),
            variables,
          }),
          signal: AbortSignal.timeout(SERVICE_CALL_TIMEOUT_MS),
        });
      } catch {
        throw new ServiceUnavailableError(`The ${subgraph} service is unavailable.`);
      }
      if (response.status >= 500)
        throw new ServiceUnavailableError(`The ${subgraph} service failed (HTTP ${response.status}).`);
      const body = (await response.json()) as { data?: T | null; errors?: ServiceResult<T>['errors'] };
      return { data: body.data ?? null, errors: body.errors ?? [] };
    },
  };
}
