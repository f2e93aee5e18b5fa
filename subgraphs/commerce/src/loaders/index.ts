import type DataLoader from 'dataloader';
import type { LoaderDeps } from '@terrarium/subgraph-kit/context';
import type { CouponEntity } from '../entities/coupon.entity.js';
import type { ListingEntity } from '../entities/listing.entity.js';
import type { OrderEntity, OrderLineEntity, OrderStatusChangeEntity } from '../entities/order.entity.js';
import type { PaymentEntity } from '../entities/payment.entity.js';
import type { ShipmentEntity } from '../entities/shipment.entity.js';
import type { Money } from '../money.js';
import { createCouponLoader } from './coupon.loader.js';
import { createAnimalListingLoader, createListingLoader } from './listing.loader.js';
import { createOrderHistoryLoader, createOrderLinesLoader, createOrderLoader } from './order.loader.js';
import { createPaymentLoader, createRefundedLoader } from './payment.loader.js';
import { createProductPriceLoader } from './product-price.loader.js';
import {
  createOrderShipmentsLoader,
  createShipmentLinesLoader,
  createShipmentLoader,
} from './shipment.loader.js';

export interface Loaders {
  listing: DataLoader<string, ListingEntity | null>;
  listingOfAnimal: DataLoader<string, ListingEntity | null>;
  order: DataLoader<string, OrderEntity | null>;
  orderLines: DataLoader<string, OrderLineEntity[]>;
  orderHistory: DataLoader<string, OrderStatusChangeEntity[]>;
  payment: DataLoader<string, PaymentEntity | null>;
  refunded: DataLoader<string, { orderId: string; amount: number } | null>;
  coupon: DataLoader<string, CouponEntity | null>;
  productPrice: DataLoader<string, Money | null>;
  shipment: DataLoader<string, ShipmentEntity | null>;
  orderShipments: DataLoader<string, ShipmentEntity[]>;
  shipmentLines: DataLoader<string, OrderLineEntity[]>;
}

/** Built per request; the price loader batches its calls to products through the kit's service client. */
export function createLoaders({ em, reads, services }: LoaderDeps): Loaders {
  return {
    listing: createListingLoader(em, reads),
    listingOfAnimal: createAnimalListingLoader(em, reads),
    order: createOrderLoader(em),
    orderLines: createOrderLinesLoader(em),
    orderHistory: createOrderHistoryLoader(em),
    payment: createPaymentLoader(em),
    refunded: createRefundedLoader(em),
    coupon: createCouponLoader(em),
    productPrice: createProductPriceLoader(services),
    shipment: createShipmentLoader(em),
    orderShipments: createOrderShipmentsLoader(em),
    shipmentLines: createShipmentLinesLoader(em),
  };
}
