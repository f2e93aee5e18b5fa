/** A reference to products' Product: inventory only knows its id. */
export interface ProductRef {
  id: string;
}

/** A reference to ops' Organization (stub, resolvable: false). */
export interface OrganizationRef {
  id: string;
}

/** A product's stock level as the graph shows it. */
export interface StockLevel {
  onHand: number;
  reserved: number;
  /** onHand - reserved. */
  available: number;
}

/** The answer of the internal reserve/release/commit/return API. NONE: no reservation for the order. */
export interface ReservationResult {
  orderId: string;
  status: 'RESERVED' | 'RELEASED' | 'COMMITTED' | 'RETURNED' | 'NONE';
}
