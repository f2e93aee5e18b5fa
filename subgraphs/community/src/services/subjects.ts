import { NotFoundError, ServiceUnavailableError } from '@terrarium/platform/errors';
import type { Context } from '../context.js';

/** An entity another subgraph owns that community can review or follow. */
export type SubjectType = 'Product' | 'Organization' | 'User';

/** Who owns each type: products owns Product, ops owns Organization and User. */
const OWNER: Record<SubjectType, string> = { Product: 'products', Organization: 'ops', User: 'ops' };

const query = (type: SubjectType): string =>
  `query($r: [_Any!]!) { _entities(representations: $r) { ... on ${type} { id } } }`;

/**
 * Checks with the owning subgraph (a service call through the kit, signed as community) that the
 * entity exists, before community stores a review or a follow of it: community keeps no copy of
 * others' data, and a row about an id nobody knows would live on as an orphan.
 * Unknown -> NOT_FOUND (like the reviews, posts and reports community itself does not find).
 * Owner unreachable, or answering with errors -> SERVICE_UNAVAILABLE, so nothing gets written
 * on a guess.
 */
export async function requireKnownSubject(ctx: Context, type: SubjectType, id: string): Promise<void> {
  const owner = OWNER[type];
  const result = await ctx.services.call<{ _entities: ({ id: string } | null)[] }>(owner, query(type), {
    r: [{ __typename: type, id }],
  });
  const entities = result.data?._entities;
  if (result.errors.length > 0 || !entities) {
    throw new ServiceUnavailableError(
      `The ${owner} service could not check the ${type.toLowerCase()}: ${result.errors[0]?.message ?? 'no data'}.`,
    );
  }
  if (!entities[0]) throw new NotFoundError(type);
}
