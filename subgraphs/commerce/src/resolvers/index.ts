import { DateTimeScalar } from '@terrarium/subgraph-kit/scalars';
import type { Resolvers } from '../generated/resolvers.js';
import type { CommerceSettings } from '../settings.js';
import { Animal } from './Animal.js';
import { Cart } from './Cart.js';
import { CartLine } from './CartLine.js';
import { Coupon } from './Coupon.js';
import { Listing } from './Listing.js';
import { MarketplaceActivity } from './MarketplaceActivity.js';
import { createMutationResolvers } from './Mutation.js';
import { Order } from './Order.js';
import { OrderLine } from './OrderLine.js';
import { OrderStatusChange } from './OrderStatusChange.js';
import { Organization } from './Organization.js';
import { Query } from './Query.js';
import { Shipment } from './Shipment.js';
import { ShipmentOrder } from './ShipmentOrder.js';
import { Subscription } from './Subscription.js';
import { User } from './User.js';
import { WishlistItem } from './WishlistItem.js';

/** What the resolvers close over: commerce's settings (the payment deadline, the provider's name). */
export interface ResolverDeps {
  settings: CommerceSettings;
}

export function createResolvers({ settings }: ResolverDeps): Resolvers {
  return {
    DateTime: DateTimeScalar,
    Query,
    Mutation: createMutationResolvers(settings),
    Subscription,
    Listing,
    Cart,
    CartLine,
    Order,
    OrderLine,
    OrderStatusChange,
    User,
    Organization,
    Animal,
    WishlistItem,
    Coupon,
    Shipment,
    ShipmentOrder,
    MarketplaceActivity,
  };
}
