import type { AnimalEntity } from './entities/animal.entity.js';
import type { CareKind } from './entities/care-log.entity.js';

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

/** ops' User as inventory sees it: only its id (the keeper of animals). */
export interface UserRef {
  id: string;
}

/** A careReminderDue event, resolved: the animal is loaded, its fields resolve as usual. */
export interface CareReminderModel {
  kind: CareKind;
  dueAt: Date;
  animal: AnimalEntity;
}
