import { ANONYMOUS, type Caller } from '@terrarium/platform/caller';
import { HttpError } from '@terrarium/platform/http';
import type { ApiClient, ApiKeyVerifier } from './api-keys.js';
import { AuthenticationError, type Authenticator } from './auth.js';
import { ErrorCode } from '../errors.js';

/** Who is calling: the caller forwarded to subgraphs and, for partner traffic, the API client. */
export interface Identity {
  caller: Caller;
  apiClient: ApiClient | null;
}

/** The scope every partner key carries; fields declare `@access(scopes: ["partner"])` to admit partners. */
export const PARTNER_SCOPE = 'partner';

/**
 * Resolves the identity from `Authorization: Bearer <jwt>` (users) or `x-api-key` (partners).
 * Sending both is refused: one request acts for one principal.
 */
export function createIdentifier(authenticator: Authenticator, apiKeys: ApiKeyVerifier) {
  return async (authorization: string | undefined, apiKey: string | undefined): Promise<Identity> => {
    if (apiKey === undefined)
      return { caller: await authenticator.authenticate(authorization), apiClient: null };
    if (authorization)
      throw new HttpError(400, 'Send either Authorization or x-api-key, not both.', ErrorCode.BAD_REQUEST);
    const apiClient = await apiKeys.verify(apiKey);
    if (!apiClient) throw new AuthenticationError('Unknown or revoked API key.');
    return { caller: { ...ANONYMOUS, apiClientId: apiClient.id, scopes: [PARTNER_SCOPE] }, apiClient };
  };
}
