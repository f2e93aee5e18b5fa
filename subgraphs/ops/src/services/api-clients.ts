import { createHash, randomBytes } from 'node:crypto';
import { requireService, requireStaff } from '@terrarium/platform/caller';
import { BadUserInputError } from '@terrarium/platform/errors';
import type { Context } from '../context.js';
import { ApiClient, type ApiClientEntity } from '../entities/api-client.entity.js';
import type { CreateApiClientInput } from '../generated/resolvers.js';
import { recordAudit } from './audit.js';
import { validText } from './validation.js';

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
  if (unique.length === 0) throw new BadUserInputError('List at least one operation the client may run.', 'allowedOperations');
  if (unique.length > MAX_OPERATIONS) throw new BadUserInputError(`At most ${MAX_OPERATIONS} operations.`, 'allowedOperations');
  const bad = unique.find((name) => !OPERATION_NAME.test(name));
  if (bad !== undefined) throw new BadUserInputError(`"${bad}" is not a GraphQL operation name.`, 'allowedOperations');
  return unique;
}

/** Staff only. The key is returned once; only its hash is stored. */
export async function createApiClient(ctx: Context, input: CreateApiClientInput): Promise<{ client: ApiClientEntity; key: string }> {
  requireStaff(ctx.caller);
  const name = validText(input.name, 'name', 'The name', 1, 100);
  const allowedOperations = validOperations(input.allowedOperations);
  const key = generateApiKey();
  const client = await ctx.em.transactional(async (tx) => {
    const created = tx.create(ApiClient, { name, allowedOperations, keyHash: hashApiKey(key), createdBy: ctx.caller.userId });
    await tx.flush();
    recordAudit(tx, { action: 'createApiClient', actorId: ctx.caller.userId, subject: `ApiClient:${created.id} ${name}`, source: 'ops' });
    return created;
  });
  return { client, key };
}

/** Internal (services only, i.e. the gateway): the active client holding `key`, or null. */
export async function findApiClientByKey(ctx: Context, key: string): Promise<ApiClientEntity | null> {
  requireService(ctx.caller);
  if (!KEY_FORMAT.test(key)) return null;
  return ctx.em.findOne(ApiClient, { keyHash: hashApiKey(key), revokedAt: null });
}
