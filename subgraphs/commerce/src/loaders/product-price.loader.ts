import DataLoader from 'dataloader';
import { GraphQLError } from 'graphql';
import { ServiceUnavailableError } from '@terrarium/platform/errors';
import type { ServiceClient } from '@terrarium/subgraph-kit/service-client';
import type { Money } from '../money.js';

/** Product prices belong to the products subgraph; commerce asks for them, one call per batch. */
const PRODUCT_PRICES =
  'query($r:[_Any!]!){ _entities(representations:$r){ ... on Product { id price { amount currency } } } }';

interface PricedProduct {
  id: string;
  price: Money;
}

/** Current catalog prices by product id; null for a product the catalog does not know. */
export function createProductPriceLoader(services: ServiceClient): DataLoader<string, Money | null> {
  return new DataLoader(async (ids) => {
    const result = await services
      .call<{ _entities: (PricedProduct | null)[] }>('products', PRODUCT_PRICES, {
        r: ids.map((id) => ({ __typename: 'Product', id })),
      })
      .catch((err: unknown) => {
        // Transport failures already are SERVICE_UNAVAILABLE; a body that is not JSON becomes one too.
        throw err instanceof GraphQLError
          ? err
          : new ServiceUnavailableError('The products service gave no usable answer.');
      });
    const entities = result.data?._entities;
    if (!entities) {
      throw new ServiceUnavailableError(
        `The products service did not return prices${result.errors[0] ? `: ${result.errors[0].message}` : ''}.`,
      );
    }
    return ids.map((_, index) => entities[index]?.price ?? null);
  });
}
