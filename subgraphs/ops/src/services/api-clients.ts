import { createHash, randomBytes } from 'node:crypto';
import { LockMode } from '@mikro-orm/core';
import { requireService, requireStaff } from '@terrarium/platform/caller';
import { BadUserInputError, NotFoundError } from '@terrarium/platform/errors';
import { decodeKeyset, encodeKeyset, olderThan } from '@terrarium/subgraph-kit/cursors';
import { pageSize, toConnection, type Connection } from '@terrarium/subgraph-kit/pagination';
import type { Context } from '../context.js';
import { ApiClient, type ApiClientEntity } from '../entities/api-client.entity.js';
import type { CreateApiClientInput } from '../generated/resolvers.js';
import { apiClientRevokedJob } from './api-client-revoked.job.js';
import { recordAudit } from './audit.js';
import { validId, validText } from './validation.js';

const KEY_PREFIX = 'trk_';
/** "trk_" + 32 random bytes in base64url (43 characters, no padding). */
const KEY_FORMAT = /^trk_[A-Za-z0-9_-]{43}$/;
const OPERATION_NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;
const MAX_OPERATIONS = 200;

export function generateApiKey(): string {
  return KEY_PREFIX + randomBytes(32).toString('base64url');
}

/** Keys are 256 random bits, so a plain SHA-256 (no salt, no stretching) is enough to store them. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

function validOperations(names: readonly string[]): string[] {
  const unique = [...new Set(names.map((name) => name.trim()))];
  if (unique.length === 0)
    throw new BadUserInputError('List at least one operation the client may run.', 'allowedOperations');
  if (unique.length > MAX_OPERATIONS)
    throw new BadUserInputError(`At most ${MAX_OPERATIONS} operations.`, 'allowedOperations');
  const bad = unique.find((name) => !OPERATION_NAME.test(name));
  if (bad !== undefined)
    throw new BadUserInputError(`"${bad}" is not a GraphQL operation name.`, 'allowedOperations');
  return unique;
}

/** Staff only. The key is returned once; only its hash is stored. */
export async function createApiClient(
  ctx: Context,
  input: CreateApiClientInput,
): Promise<{ client: ApiClientEntity; key: string }> {
  requireStaff(ctx.caller);
  const name = validText(input.name, 'name', 'The name', 1, 100);
  const allowedOperations = validOperations(input.allowedOperations);
  const key = generateApiKey();
  const client = await ctx.em.transactional(async (tx) => {
    const created = tx.create(ApiClient, {
      name,
      allowedOperations,
      keyHash: hashApiKey(key),
      createdBy: ctx.caller.userId,
    });
    await tx.flush();
    recordAudit(tx, {
      action: 'createApiClient',
      actorId: ctx.caller.userId,
      subject: `ApiClient:${created.id} ${name}`,
      source: 'ops',
    });
    return created;
  });
  return { client, key };
}

/**
 * Internal (services only, i.e. the gateway): the active client holding `key`, or null. Also
 * stamps lastUsedAt, at most once a minute per key: the condition is in the UPDATE, so busy keys
 * (and many gateways) cost one row write a minute, not one per verification.
 */
export async function findApiClientByKey(ctx: Context, key: string): Promise<ApiClientEntity | null> {
  requireService(ctx.caller);
  if (!KEY_FORMAT.test(key)) return null;
  const client = await ctx.em.findOne(ApiClient, { keyHash: hashApiKey(key), revokedAt: null });
  if (client && (!client.lastUsedAt || Date.now() - client.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS)) {
    const stamped = await ctx.em.execute<{ last_used_at: Date }[]>(
      `update api_client set last_used_at = now() where id = ? and (last_used_at is null or last_used_at <= now() - interval '1 minute') returning last_used_at`,
      [client.id],
    );
    if (stamped[0]) client.lastUsedAt = new Date(stamped[0].last_used_at);
  }
  return client;
}

/** lastUsedAt is written at most this often per key. @default 60_000 ms */
const LAST_USED_RESOLUTION_MS = 60_000;
const CURSOR_TAG = 'ApiClient';

/** Staff only; newest first, revoked ones included (with revokedAt). */
export async function listApiClients(
  ctx: Context,
  first: number,
  after: string | null | undefined,
): Promise<Connection<ApiClientEntity>> {
  requireStaff(ctx.caller);
  const size = pageSize(first, 50);
  const from = decodeKeyset(CURSOR_TAG, after, 'date');
  const where = from ? olderThan('createdAt', from) : {};
  const [rows, total] = await Promise.all([
    ctx.em.find(ApiClient, where, { orderBy: { createdAt: 'desc', id: 'desc' }, limit: size + 1 }),
    ctx.em.count(ApiClient, {}),
  ]);
  return toConnection(rows, size, total, (client) => encodeKeyset(CURSOR_TAG, client.createdAt, client.id));
}

/**
 * Staff only, audited. The key stops working here at once; gateways drop their cached verdict
 * when the `api-client.revoked` job (committed with the revocation: the outbox) publishes it.
 * Revoking a revoked client changes nothing and announces it again.
 */
export async function revokeApiClient(ctx: Context, rawId: string): Promise<ApiClientEntity> {
  requireStaff(ctx.caller);
  const id = validId(rawId, 'id');
  const client = await ctx.em.transactional(async (tx) => {
    const found = await tx.findOne(ApiClient, id, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!found) throw new NotFoundError('ApiClient');
    if (!found.revokedAt) {
      found.revokedAt = new Date();
      recordAudit(tx, {
        action: 'revokeApiClient',
        actorId: ctx.caller.userId,
        subject: `ApiClient:${found.id} ${found.name}`,
        source: 'ops',
      });
    }
    await tx.flush();
    await ctx.jobs.enqueue(tx, apiClientRevokedJob, { id: found.id, keyHash: found.keyHash });
    return found;
  });
  return client;
}
