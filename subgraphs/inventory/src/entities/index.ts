import { Animal } from './animal.entity.js';
import { CareLog } from './care-log.entity.js';
import { CareSchedule } from './care-schedule.entity.js';
import { Species } from './species.entity.js';

/**
 * The tables the ORM reads and writes. stock, stock_adjustment, reservation and reservation_item
 * (see the migrations) are changed only by conditional SQL in services/stock.service.ts and
 * services/reservation.service.ts, where the WHERE clause is what prevents overselling; an
 * entity for them would invite a read-modify-write that loses that guarantee.
 */
export const entities = [Species, Animal, CareLog, CareSchedule];
