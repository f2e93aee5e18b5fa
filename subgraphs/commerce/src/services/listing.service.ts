import type { FilterQuery } from '@mikro-orm/core';
import { enqueueAudit } from '@terrarium/subgraph-kit/jobs';
import { requireOrganizationMember } from '@terrarium/platform/caller';
import {
  BadUserInputError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ServiceUnavailableError,
} from '@terrarium/platform/errors';
import { pageSize, toConnection, type Connection } from '@terrarium/subgraph-kit/pagination';
import { exactlyOne, managesOrganization } from '../access.js';
import type { Context } from '../context.js';
import { Listing, type ListingEntity, type ListingStatus } from '../entities/listing.entity.js';
import { validateAmount, validateCurrency } from '../money.js';
import { decodeKeyset, encodeKeyset, olderThan } from '@terrarium/subgraph-kit/cursors';
import { optionalUuid, requireUuid } from '@terrarium/subgraph-kit/uuid';
import { isUniqueViolation, query, queryOne } from '@terrarium/subgraph-kit/sql';
import { enqueueListed } from '../marketplace/activity.job.js';
import { CHANGED_LISTING_COLUMNS, listingChanges, type ChangedListing } from './listing-changes.js';
import { listingPriceReports } from './listing-price-report.job.js';

/** What the public sees of an organization's listings when it asks for no status. */
const PUBLIC_STATUSES: ListingStatus[] = ['ACTIVE', 'RESERVED'];
/** Statuses only members (and staff) see. */
const PRIVATE_STATUSES: ListingStatus[] = ['DRAFT', 'WITHDRAWN'];
/** Statuses an organization sets by hand; RESERVED and SOLD follow orders. */
const MANUAL_STATUSES: ListingStatus[] = ['DRAFT', 'ACTIVE', 'WITHDRAWN'];

/** DRAFT listings exist only for their organization and staff. */
export function visibleListing(ctx: Context, listing: ListingEntity | null): ListingEntity | null {
  if (!listing) return null;
  return listing.status === 'DRAFT' && !managesOrganization(ctx.caller, listing.organizationId)
    ? null
    : listing;
}

export async function listingsOfOrganization(
  ctx: Context,
  organizationId: string,
  args: { first?: number | null; after?: string | null; status?: ListingStatus | null },
): Promise<Connection<ListingEntity>> {
  const size = pageSize(args.first, 20);
  const keyset = decodeKeyset('Listing', args.after, 'date');
  const member = managesOrganization(ctx.caller, organizationId);
  if (args.status && PRIVATE_STATUSES.includes(args.status) && !member) {
    throw new ForbiddenError(`Only members of the organization see its ${args.status} listings.`);
  }
  const where: FilterQuery<ListingEntity> = { organizationId };
  if (args.status) where.status = args.status;
  else if (!member) where.status = { $in: PUBLIC_STATUSES };
  // A shop window tolerates lag: the operation's ReadRoute (a replica for most queries).
  const { connectionType } = ctx.reads;
  const [rows, total] = await Promise.all([
    ctx.em.find(Listing, keyset ? { $and: [where, olderThan('createdAt', keyset)] } : where, {
      orderBy: { createdAt: 'desc', id: 'desc' },
      limit: size + 1,
      disableIdentityMap: true,
      connectionType,
    }),
    ctx.em.count(Listing, where, { connectionType }),
  ]);
  return toConnection(rows, size, total, (row) => encodeKeyset('Listing', row.createdAt, row.id));
}

const ANIMAL_BREEDER =
  'query($r:[_Any!]!){ _entities(representations:$r){ ... on Animal { id breeder { id } } } }';

/** An organization lists only its own animals: inventory knows whose an animal is. */
async function requireOwnAnimal(ctx: Context, animalId: string, organizationId: string): Promise<void> {
  const result = await ctx.services.call<{
    _entities: ({ id: string; breeder: { id: string } | null } | null)[];
  }>('inventory', ANIMAL_BREEDER, {
    r: [{ __typename: 'Animal', id: animalId }],
  });
  const entities = result.data?._entities;
  if (!entities)
    throw new ServiceUnavailableError('The inventory service could not tell whose animal this is.');
  const animal = entities[0];
  if (!animal) throw new NotFoundError('Animal');
  if (animal.breeder?.id !== organizationId)
    throw new BadUserInputError('This animal belongs to another organization.', 'animalId');
}

function openListingConflict(err: unknown): never {
  if (isUniqueViolation(err))
    throw new ConflictError('This animal already has an ACTIVE or RESERVED listing.');
  throw err;
}

export interface CreateListingArgs {
  organizationId: string;
  animalId?: string | null;
  productId?: string | null;
  priceAmount: number;
  currency?: string | null;
  status?: ListingStatus | null;
}

export async function createListing(ctx: Context, input: CreateListingArgs): Promise<ListingEntity> {
  const organizationId = requireUuid(input.organizationId, 'organizationId');
  requireOrganizationMember(ctx.caller, organizationId);
  const animalId = optionalUuid(input.animalId, 'animalId');
  const productId = optionalUuid(input.productId, 'productId');
  exactlyOne(animalId, 'animalId', productId, 'productId');
  const priceAmount = validateAmount(input.priceAmount, 'priceAmount');
  const currency = validateCurrency(input.currency ?? 'EUR', 'currency');
  const status = input.status ?? 'ACTIVE';
  if (status !== 'DRAFT' && status !== 'ACTIVE')
    throw new BadUserInputError('A new listing is DRAFT or ACTIVE.', 'status');
  if (animalId) await requireOwnAnimal(ctx, animalId, organizationId);
  else if (!(await ctx.loaders.productPrice.load(productId!))) throw new NotFoundError('Product');

  // A listing created ACTIVE is news (marketplaceActivity LISTED), and an animal's price is owed
  // to inventory's search, both in the insert's transaction (the outbox).
  const row = await ctx.em
    .transactional(async (tx) => {
      const inserted = await queryOne<ChangedListing>(
        tx,
        `insert into listing (organization_id, animal_id, product_id, status, price_amount, currency) values (?, ?, ?, ?, ?, ?)
         returning ${CHANGED_LISTING_COLUMNS}`,
        [organizationId, animalId, productId, status, priceAmount, currency],
      );
      if (status === 'ACTIVE') await enqueueListed(ctx.jobs, tx, { id: inserted!.id, organizationId });
      if (animalId) await listingPriceReports.enqueue(ctx.jobs, tx, [animalId]);
      await enqueueAudit(ctx.jobs, tx, {
        actor: ctx.caller.userId,
        action: 'createListing',
        subject: `Listing:${inserted!.id}`,
        diff: { organizationId, animalId, productId, status, priceAmount, currency },
      });
      return inserted;
    })
    .catch(openListingConflict);
  ctx.entityChanges.add(listingChanges([row!]));
  const listing = await ctx.loaders.listing.load(row!.id);
  if (!listing) throw new NotFoundError('Listing');
  return listing;
}

export interface UpdateListingArgs {
  priceAmount?: number | null;
  currency?: string | null;
  status?: ListingStatus | null;
}

/** Price and manual status changes, refused while an order holds the listing (RESERVED) or after it sold. */
export async function updateListing(
  ctx: Context,
  id: string,
  input: UpdateListingArgs,
): Promise<ListingEntity> {
  requireUuid(id, 'id');
  const current = visibleListing(ctx, await ctx.loaders.listing.load(id));
  if (!current) throw new NotFoundError('Listing');
  requireOrganizationMember(ctx.caller, current.organizationId);
  const priceAmount =
    input.priceAmount == null ? current.priceAmount : validateAmount(input.priceAmount, 'priceAmount');
  const currency = input.currency == null ? current.currency : validateCurrency(input.currency, 'currency');
  const status = input.status ?? current.status;
  if (input.status && !MANUAL_STATUSES.includes(input.status))
    throw new BadUserInputError('RESERVED and SOLD follow orders; set DRAFT, ACTIVE or WITHDRAWN.', 'status');
  // Conditional on the status: a checkout that reserves it concurrently wins, and this is a CONFLICT.
  // Under the row lock the status this update replaces is known, so publishing is news once; an
  // animal's new price or status is owed to inventory's search in the same transaction.
  const updated = await ctx.em
    .transactional(async (tx) => {
      const before = await queryOne<{ status: ListingStatus }>(
        tx,
        'select status from listing where id = ? for update',
        [id],
      );
      const rows = await query<ChangedListing>(
        tx,
        `update listing set price_amount = ?, currency = ?, status = ?, updated_at = now() where id = ? and status not in ('RESERVED', 'SOLD')
         returning ${CHANGED_LISTING_COLUMNS}`,
        [priceAmount, currency, status, id],
      );
      if (rows.length > 0 && status === 'ACTIVE' && before?.status !== 'ACTIVE')
        await enqueueListed(ctx.jobs, tx, current);
      const animalId = rows[0]?.animalId;
      if (animalId) await listingPriceReports.enqueue(ctx.jobs, tx, [animalId]);
      if (rows.length > 0) {
        const diff = {
          from: { status: before?.status, priceAmount: current.priceAmount, currency: current.currency },
          to: { status, priceAmount, currency },
        };
        await enqueueAudit(ctx.jobs, tx, {
          actor: ctx.caller.userId,
          action: 'updateListing',
          subject: `Listing:${id}`,
          diff,
        });
      }
      return rows;
    })
    .catch(openListingConflict);
  if (updated.length === 0)
    throw new ConflictError('This listing is in an order (RESERVED or SOLD); it cannot change now.');
  ctx.entityChanges.add(listingChanges(updated));
  const listing = await ctx.loaders.listing.clear(id).load(id);
  if (!listing) throw new NotFoundError('Listing');
  return listing;
}
