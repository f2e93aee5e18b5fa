import { Cart, CartLine } from './cart.entity.js';
import { CheckoutRequest } from './checkout-request.entity.js';
import { Coupon } from './coupon.entity.js';
import { Listing } from './listing.entity.js';
import { Order, OrderLine, OrderStatusChange } from './order.entity.js';
import { Payment } from './payment.entity.js';
import { Refund } from './refund.entity.js';
import { Shipment } from './shipment.entity.js';
import { WishlistItem } from './wishlist-item.entity.js';

export const entities = [
  Listing,
  Coupon,
  Cart,
  CartLine,
  Order,
  OrderLine,
  OrderStatusChange,
  CheckoutRequest,
  Payment,
  Refund,
  WishlistItem,
  Shipment,
];
