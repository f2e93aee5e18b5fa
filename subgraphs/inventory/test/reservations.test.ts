import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OperationResult, errorCodes, execute, expectData } from '@terrarium/subgraph-kit/testing';
import {
  ADJUST_STOCK,
  COMMERCE,
  COMMIT,
  KEEPER,
  RELEASE,
  RESERVE,
  RETURN,
  STAFF,
  animalId,
  startInventory,
  stockOf,
  type InventorySubgraph,
} from './support.js';

interface Reserved {
  reserveForOrder: { orderId: string; status: string };
}

let subgraph: InventorySubgraph;
beforeAll(async () => {
  subgraph = await startInventory('inventory_reservations_test');
});
afterAll(async () => {
  await subgraph?.stop();
});

/** A product of its own for each test, with `onHand` units. */
async function productWith(onHand: number): Promise<string> {
  const id = randomUUID();
  await expectData(subgraph, ADJUST_STOCK, { productId: id, delta: onHand, reason: 'Test delivery' }, STAFF);
  return id;
}

const reserve = (orderId: string, items: unknown[]): Promise<OperationResult<Reserved>> =>
  execute<Reserved>(subgraph, RESERVE, { orderId, items }, COMMERCE);

async function animalStatus(id: string): Promise<string> {
  const data = await expectData<{ animal: { status: string } }>(
    subgraph,
    'query ($id: ID!) { animal(id: $id) { status } }',
    { id },
  );
  return data.animal.status;
}

describe('reserveForOrder', () => {
  it('never oversells: 200 concurrent one-unit orders against 10 units give exactly 10 reservations', async () => {
    const product = await productWith(10);
    let racing = true;
    let lowest = Number.POSITIVE_INFINITY;
    // Reads availability over and over while the orders race; it must never dip below zero.
    const watcher = (async () => {
      const em = subgraph.orm.em.fork();
      while (racing) {
        const [row] = await em.execute<{ available: number }[]>(
          'select on_hand - reserved as available from stock where product_id = ?',
          [product],
        );
        lowest = Math.min(lowest, row!.available);
      }
    })();

    const started = performance.now();
    const results = await Promise.all(
      Array.from({ length: 200 }, () => reserve(randomUUID(), [{ productId: product, quantity: 1 }])),
    );
    const elapsedMs = performance.now() - started;
    racing = false;
    await watcher;

    const reserved = results.filter((r) => r.data?.reserveForOrder.status === 'RESERVED');
    const conflicts = results.filter((r) => r.errors[0]?.extensions?.['code'] === 'CONFLICT');
    expect(reserved).toHaveLength(10);
    expect(conflicts).toHaveLength(190);
    expect(conflicts.every((r) => r.errors[0]?.extensions?.['productId'] === product)).toBe(true);
    expect(lowest).toBeGreaterThanOrEqual(0);
    expect(await stockOf(subgraph, product)).toEqual({ onHand: 10, reserved: 10, available: 0 });
    process.stdout.write(
      `[inventory] 200 concurrent reservations against 10 units: ${elapsedMs.toFixed(0)} ms\n`,
    );
  });

  it('reserves an animal for only one of two orders racing for it', async () => {
    const animal = animalId(7);
    const [a, b] = await Promise.all([
      reserve(randomUUID(), [{ animalId: animal, quantity: 1 }]),
      reserve(randomUUID(), [{ animalId: animal, quantity: 1 }]),
    ]);
    const outcomes = [a!, b!]
      .map((r) => r.data?.reserveForOrder.status ?? r.errors[0]?.extensions?.['code'])
      .sort();
    expect(outcomes).toEqual(['CONFLICT', 'RESERVED']);
    expect([a!, b!].find((r) => r.errors.length)!.errors[0]!.extensions).toMatchObject({
      code: 'CONFLICT',
      animalId: animal,
    });
    expect(await animalStatus(animal)).toBe('RESERVED');
  });

  it('is all-or-nothing: one short item leaves every other item untouched', async () => {
    const plenty = await productWith(5);
    const scarce = await productWith(1);
    const animal = animalId(8);
    const orderId = randomUUID();
    const result = await reserve(orderId, [
      { productId: plenty, quantity: 2 },
      { animalId: animal, quantity: 1 },
      { productId: scarce, quantity: 2 },
    ]);
    expect(result.errors[0]?.extensions).toMatchObject({ code: 'CONFLICT', productId: scarce });
    expect(await stockOf(subgraph, plenty)).toEqual({ onHand: 5, reserved: 0, available: 5 });
    expect(await animalStatus(animal)).toBe('AVAILABLE');
    // Nothing was recorded for the order either.
    expect(
      (await expectData<{ releaseForOrder: { status: string } }>(subgraph, RELEASE, { orderId }, COMMERCE))
        .releaseForOrder.status,
    ).toBe('NONE');
  });

  it('is idempotent per order id, also when the same order arrives several times at once', async () => {
    const product = await productWith(10);
    const orderId = randomUUID();
    const first = await Promise.all(
      Array.from({ length: 5 }, () => reserve(orderId, [{ productId: product, quantity: 3 }])),
    );
    const again = await reserve(orderId, [{ productId: product, quantity: 3 }]);
    for (const result of [...first, again])
      expect(result.data?.reserveForOrder).toEqual({ orderId, status: 'RESERVED' });
    expect(await stockOf(subgraph, product)).toEqual({ onHand: 10, reserved: 3, available: 7 });
  });

  it('refuses malformed requests with BAD_USER_INPUT', async () => {
    const product = randomUUID();
    expect(
      (await reserve('order-1', [{ productId: product, quantity: 1 }])).errors[0]?.extensions?.['code'],
    ).toBe('BAD_USER_INPUT');
    expect((await reserve(randomUUID(), [])).errors[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(
      (await reserve(randomUUID(), [{ productId: product, animalId: animalId(9), quantity: 1 }])).errors[0]
        ?.extensions?.['code'],
    ).toBe('BAD_USER_INPUT');
    expect(
      (await reserve(randomUUID(), [{ productId: product, quantity: 0 }])).errors[0]?.extensions?.['code'],
    ).toBe('BAD_USER_INPUT');
    expect(
      (await reserve(randomUUID(), [{ productId: 'nope', quantity: 1 }])).errors[0]?.extensions?.['code'],
    ).toBe('BAD_USER_INPUT');
    expect(
      (await reserve(randomUUID(), [{ animalId: animalId(9), quantity: 2 }])).errors[0]?.extensions?.['code'],
    ).toBe('BAD_USER_INPUT');
  });

  it('answers only the commerce service', async () => {
    const variables = { orderId: randomUUID(), items: [{ productId: randomUUID(), quantity: 1 }] };
    expect(errorCodes(await execute(subgraph, RESERVE, variables, STAFF))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await execute(subgraph, RESERVE, variables, KEEPER))).toEqual(['FORBIDDEN']);
    expect(
      errorCodes(await execute(subgraph, RESERVE, variables, { ...COMMERCE, service: 'media' })),
    ).toEqual(['FORBIDDEN']);
    expect(errorCodes(await execute(subgraph, RELEASE, { orderId: variables.orderId }, STAFF))).toEqual([
      'FORBIDDEN',
    ]);
    expect(errorCodes(await execute(subgraph, COMMIT, { orderId: variables.orderId }, STAFF))).toEqual([
      'FORBIDDEN',
    ]);
    expect(errorCodes(await execute(subgraph, RETURN, { orderId: variables.orderId }, STAFF))).toEqual([
      'FORBIDDEN',
    ]);
  });
});

describe('releaseForOrder', () => {
  it('gives stock and animals back exactly once, however often it is called', async () => {
    const product = await productWith(4);
    const animal = animalId(10);
    const orderId = randomUUID();
    await expectData(
      subgraph,
      RESERVE,
      {
        orderId,
        items: [
          { productId: product, quantity: 3 },
          { animalId: animal, quantity: 1 },
        ],
      },
      COMMERCE,
    );
    expect(await stockOf(subgraph, product)).toEqual({ onHand: 4, reserved: 3, available: 1 });

    const releases = await Promise.all(
      [1, 2, 3].map(() =>
        expectData<{ releaseForOrder: { status: string } }>(subgraph, RELEASE, { orderId }, COMMERCE),
      ),
    );
    expect(releases.map((r) => r.releaseForOrder.status)).toEqual(['RELEASED', 'RELEASED', 'RELEASED']);
    expect(await stockOf(subgraph, product)).toEqual({ onHand: 4, reserved: 0, available: 4 });
    expect(await animalStatus(animal)).toBe('AVAILABLE');

    // A released order stays released: reserving it again changes nothing.
    const again = await reserve(orderId, [{ productId: product, quantity: 3 }]);
    expect(again.data?.reserveForOrder.status).toBe('RELEASED');
    expect(await stockOf(subgraph, product)).toEqual({ onHand: 4, reserved: 0, available: 4 });
  });

  it('answers NONE for an order it never reserved', async () => {
    const orderId = randomUUID();
    expect(await expectData(subgraph, RELEASE, { orderId }, COMMERCE)).toEqual({
      releaseForOrder: { orderId, status: 'NONE' },
    });
    expect(errorCodes(await execute(subgraph, RELEASE, { orderId: '42' }, COMMERCE))).toEqual([
      'BAD_USER_INPUT',
    ]);
  });
});

describe('commitForOrder', () => {
  it('takes reserved units out of stock and sells the animal, exactly once', async () => {
    const product = await productWith(6);
    const animal = animalId(11);
    const orderId = randomUUID();
    await expectData(
      subgraph,
      RESERVE,
      {
        orderId,
        items: [
          { productId: product, quantity: 2 },
          { animalId: animal, quantity: 1 },
        ],
      },
      COMMERCE,
    );

    const commits = await Promise.all(
      [1, 2].map(() =>
        expectData<{ commitForOrder: { status: string } }>(subgraph, COMMIT, { orderId }, COMMERCE),
      ),
    );
    expect(commits.map((c) => c.commitForOrder.status)).toEqual(['COMMITTED', 'COMMITTED']);
    expect(await stockOf(subgraph, product)).toEqual({ onHand: 4, reserved: 0, available: 4 });
    expect(await animalStatus(animal)).toBe('SOLD');

    // Releasing a paid order is a no-op that says so; the sold animal cannot be reserved again.
    expect(
      (await expectData<{ releaseForOrder: { status: string } }>(subgraph, RELEASE, { orderId }, COMMERCE))
        .releaseForOrder.status,
    ).toBe('COMMITTED');
    expect(await stockOf(subgraph, product)).toEqual({ onHand: 4, reserved: 0, available: 4 });
    expect(
      (await reserve(randomUUID(), [{ animalId: animal, quantity: 1 }])).errors[0]?.extensions,
    ).toMatchObject({ code: 'CONFLICT', animalId: animal });
  });

  it('refuses to commit a released reservation, and answers NONE for an unknown order', async () => {
    const product = await productWith(2);
    const orderId = randomUUID();
    await expectData(subgraph, RESERVE, { orderId, items: [{ productId: product, quantity: 1 }] }, COMMERCE);
    await expectData(subgraph, RELEASE, { orderId }, COMMERCE);
    expect(errorCodes(await execute(subgraph, COMMIT, { orderId }, COMMERCE))).toEqual(['CONFLICT']);
    expect(await stockOf(subgraph, product)).toEqual({ onHand: 2, reserved: 0, available: 2 });
    const unknown = randomUUID();
    expect(await expectData(subgraph, COMMIT, { orderId: unknown }, COMMERCE)).toEqual({
      commitForOrder: { orderId: unknown, status: 'NONE' },
    });
  });
});

describe('returnForOrder', () => {
  const returned = (orderId: string) =>
    expectData<{ returnForOrder: { status: string } }>(subgraph, RETURN, { orderId }, COMMERCE);

  it('puts sold units back on hand and the sold animal back on sale, exactly once', async () => {
    const product = await productWith(5);
    const animal = animalId(12);
    const orderId = randomUUID();
    await expectData(
      subgraph,
      RESERVE,
      {
        orderId,
        items: [
          { productId: product, quantity: 2 },
          { animalId: animal, quantity: 1 },
        ],
      },
      COMMERCE,
    );
    await expectData(subgraph, COMMIT, { orderId }, COMMERCE);
    expect(await stockOf(subgraph, product)).toEqual({ onHand: 3, reserved: 0, available: 3 });

    const returns = await Promise.all([1, 2, 3].map(() => returned(orderId)));
    expect(returns.map((r) => r.returnForOrder.status)).toEqual(['RETURNED', 'RETURNED', 'RETURNED']);
    expect(await stockOf(subgraph, product)).toEqual({ onHand: 5, reserved: 0, available: 5 });
    expect(await animalStatus(animal)).toBe('AVAILABLE');
    // Back on sale: another order can reserve the animal.
    expect(
      (await reserve(randomUUID(), [{ animalId: animal, quantity: 1 }])).data?.reserveForOrder.status,
    ).toBe('RESERVED');
  });

  it('releases a reservation whose commit never arrived, and a late commit is then refused', async () => {
    const product = await productWith(3);
    const orderId = randomUUID();
    await expectData(subgraph, RESERVE, { orderId, items: [{ productId: product, quantity: 3 }] }, COMMERCE);
    expect((await returned(orderId)).returnForOrder.status).toBe('RELEASED');
    expect(await stockOf(subgraph, product)).toEqual({ onHand: 3, reserved: 0, available: 3 });
    expect(errorCodes(await execute(subgraph, COMMIT, { orderId }, COMMERCE))).toEqual(['CONFLICT']);
    expect(await stockOf(subgraph, product)).toEqual({ onHand: 3, reserved: 0, available: 3 });
  });

  it('answers NONE for an unknown order and BAD_USER_INPUT for a malformed id', async () => {
    const orderId = randomUUID();
    expect(await expectData(subgraph, RETURN, { orderId }, COMMERCE)).toEqual({
      returnForOrder: { orderId, status: 'NONE' },
    });
    expect(errorCodes(await execute(subgraph, RETURN, { orderId: 'x' }, COMMERCE))).toEqual([
      'BAD_USER_INPUT',
    ]);
  });
});
