import { requireStaff } from '@terrarium/platform/caller';
import { BadUserInputError } from '@terrarium/platform/errors';
import type { Context } from '../context.js';
import { recordAudit } from './audit.js';

const TYPE_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,99}$/;
const MAX_ID_LENGTH = 200;

/**
 * Staff only, audited: tells every gateway to drop what its entity cache holds of one entity
 * (`typename` and `id`) or of every entity of a type (no `id`), for when data changed where no
 * write announced it (a fix made in the database by hand).
 */
export async function purgeEntityCache(
  ctx: Context,
  typename: string,
  id: string | null | undefined,
): Promise<boolean> {
  requireStaff(ctx.caller);
  if (!TYPE_NAME.test(typename))
    throw new BadUserInputError('typename must be a GraphQL type name.', 'typename');
  if (id != null && (id.length < 1 || id.length > MAX_ID_LENGTH))
    throw new BadUserInputError(`id must have 1 to ${MAX_ID_LENGTH} characters.`, 'id');
  await ctx.em.transactional(async (tx) => {
    recordAudit(tx, {
      action: 'purgeEntityCache',
      actorId: ctx.caller.userId,
      subject: id == null ? typename : `${typename}:${id}`,
      source: 'ops',
    });
    await tx.flush();
  });
  if (id == null) ctx.entityChanges.changedAll(typename);
  else ctx.entityChanges.changed(typename, id);
  return true;
}
