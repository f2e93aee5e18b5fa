import type { PersistedOperation } from './manifest.js';
import { normalizeId, sha256Hex } from './manifest.js';
import { ErrorCode } from '../errors.js';

/** What a request says about persisted documents, whatever the transport (HTTP POST/GET, SSE). */
export interface PersistedParams {
  /** `extensions.persistedQuery.sha256Hash` (Apollo's APQ and persisted queries). */
  sha256Hash?: unknown;
  /** `documentId` (GraphQL-over-HTTP trusted documents), bare or `sha256:`-prefixed. */
  documentId?: unknown;
  /** The document text, when one was sent. */
  query?: unknown;
}

/** The calling partner's API client, when a partner key authenticated the request. */
export interface PartnerBinding {
  name: string;
  allowedOperations: readonly string[];
}

export type PersistedDecision =
  /** Not a trusted document: a free-form query or APQ, left to Apollo Server. */
  | { kind: 'pass' }
  /** Run this trusted document. */
  | { kind: 'run'; operation: PersistedOperation }
  /** Refuse before parsing, planning or any subgraph call. */
  | { kind: 'refuse'; message: string; code: ErrorCode; status: number };

export const PERSISTED_QUERY_NOT_IN_LIST = ErrorCode.PERSISTED_QUERY_NOT_IN_LIST;
export const PERSISTED_QUERY_NOT_FOUND = ErrorCode.PERSISTED_QUERY_NOT_FOUND;

/**
 * One message for every partner refusal (free-form, unknown id, another client's id, not allowed):
 * a partner learns nothing about which ids exist elsewhere.
 */
const NOT_IN_LIST_MESSAGE =
  'This API key may run only the persisted operations it was granted, by id (extensions.persistedQuery.sha256Hash or documentId), without a query.';
/** 403: the key is valid, the operation is not one it may run. */
const NOT_IN_LIST_STATUS = 403;

/** Apollo's own wording, which APQ clients know. */
const HASH_MISMATCH = {
  kind: 'refuse',
  message: 'provided sha does not match query',
  code: ErrorCode.BAD_REQUEST,
  status: 400,
} as const;

export interface DecideOptions {
  /** The manifest partner keys are bound to. @default "partner-embed" */
  partnerManifest: string;
  lookUp(id: string): PersistedOperation | undefined;
}

/**
 * Decides what runs. A partner key runs only operations of the partner manifest that its API client
 * lists in allowedOperations, by id, never a sent query (so never an APQ registration either); the
 * binding comes from the key, not from a client-name header. First-party callers run any manifest
 * operation by id, or anything else through Apollo (free-form, APQ).
 */
export function decidePersisted(
  params: PersistedParams,
  partner: PartnerBinding | null,
  options: DecideOptions,
): PersistedDecision {
  const query = typeof params.query === 'string' ? params.query : undefined;
  const fromHash = typeof params.sha256Hash === 'string' ? params.sha256Hash : undefined;
  const fromDocumentId = typeof params.documentId === 'string' ? params.documentId : undefined;
  const named = fromDocumentId ?? fromHash;
  const id = named === undefined ? null : normalizeId(named);
  if (fromHash !== undefined && fromDocumentId !== undefined && normalizeId(fromHash) !== id) {
    return {
      kind: 'refuse',
      message: 'documentId and extensions.persistedQuery.sha256Hash name different documents.',
      code: ErrorCode.BAD_REQUEST,
      status: 400,
    };
  }
  const operation = id === null ? undefined : options.lookUp(id);

  if (partner) {
    const refuse = {
      kind: 'refuse',
      message: NOT_IN_LIST_MESSAGE,
      code: PERSISTED_QUERY_NOT_IN_LIST,
      status: NOT_IN_LIST_STATUS,
    } as const;
    // Neither an id nor a query: Apollo answers its own 400 ("must contain a non-empty query").
    if (query === undefined && named === undefined) return { kind: 'pass' };
    if (query !== undefined || !operation) return refuse;
    if (
      !operation.clients.has(options.partnerManifest) ||
      !partner.allowedOperations.includes(operation.name)
    )
      return refuse;
    return { kind: 'run', operation };
  }

  if (fromDocumentId !== undefined) {
    if (id === null)
      return {
        kind: 'refuse',
        message: 'documentId must be a SHA-256 in hex, optionally prefixed "sha256:".',
        code: ErrorCode.BAD_REQUEST,
        status: 400,
      };
    if (query !== undefined && sha256Hex(query) !== id) return HASH_MISMATCH;
    if (query !== undefined) return { kind: 'pass' };
    return operation
      ? { kind: 'run', operation }
      : {
          kind: 'refuse',
          message: 'No persisted operation has this documentId.',
          code: PERSISTED_QUERY_NOT_FOUND,
          status: 404,
        };
  }
  // Apollo checks this too, but its error carries no code and the gateway masks those.
  if (fromHash !== undefined && query !== undefined && sha256Hex(query) !== fromHash) return HASH_MISMATCH;
  // With a query, Apollo registers it (APQ); without one, a manifest id runs here and anything
  // else is an APQ lookup.
  if (query === undefined && operation) return { kind: 'run', operation };
  return { kind: 'pass' };
}
