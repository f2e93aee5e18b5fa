/**
 * Keepers and care: commerce hands a delivered animal to its buyer (assignKeeper), the keeper's
 * collection, who may log and schedule care, reminders once per due time over the subscription,
 * and the daily digest asked of ops.
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { ExecutionResult } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANONYMOUS, type Caller } from '@terrarium/platform/caller';
import { loadTypeDefs } from '@terrarium/subgraph-kit/schema-file';
import { errorCodes, execute, expectData, firstError } from '@terrarium/subgraph-kit/testing';
import { createResolvers } from '../src/resolvers/index.js';
import { remindDueCare, requestCareDigests } from '../src/services/care-reminders.job.js';
import {
  BEA,
  COMMERCE,
  COMMIT,
  KEEPER,
  ORG,
  RESERVE,
  STAFF,
  speciesId,
  startInventory,
  type InventorySubgraph,
} from './support.js';

// @apollo/subgraph loads graphql's CommonJS build; its schema works only with that same copy.
const { parse, subscribe } = createRequire(import.meta.url)('graphql') as typeof import('graphql');

const ASSIGN = 'mutation ($a: ID!, $k: ID!) { assignKeeper(animalId: $a, keeperId: $k) }';
const COLLECTION = /* GraphQL */ `
  query ($id: ID!) {
    _entities(representations: [{ __typename: "User", id: $id }]) {
      ... on User {
        animals(first: 10) {
          totalCount
          edges {
            node {
              id
              name
              careSchedules {
                kind
                everyDays
                nextDueAt
              }
            }
          }
        }
      }
    }
  }
`;
const LOG_CARE =
  'mutation ($a: ID!, $i: LogCareInput!) { logCare(animalId: $a, input: $i) { kind recordedAt } }';
const SET_SCHEDULE =
  'mutation ($a: ID!, $k: CareKind!, $d: Int!) { setCareSchedule(animalId: $a, kind: $k, everyDays: $d) { kind everyDays nextDueAt } }';
const SCHEDULES = 'query ($id: ID!) { animal(id: $id) { careSchedules { kind everyDays } } }';
const DAY_MS = 86_400_000;

let subgraph: InventorySubgraph;
beforeAll(async () => {
  subgraph = await startInventory('inventory_keepers_test', { redis: false });
});
afterAll(async () => {
  await subgraph?.stop();
});

const keeper = (): Caller => ({ ...KEEPER, userId: randomUUID() });

/** A new animal of the demo breeder, bought (reserved and committed by commerce) and kept by `by`. */
async function keptAnimal(by: Caller | null): Promise<string> {
  const created = await expectData<{ createAnimal: { id: string } }>(
    subgraph,
    'mutation ($i: CreateAnimalInput!) { createAnimal(input: $i) { id } }',
    {
      i: {
        organizationId: ORG.sunset,
        speciesId: speciesId('ball-python'),
        name: `Keeper test ${randomUUID().slice(0, 8)}`,
      },
    },
    BEA,
  );
  const animalId = created.createAnimal.id;
  if (by === null) return animalId;
  const orderId = randomUUID();
  await expectData(subgraph, RESERVE, { orderId, items: [{ animalId, quantity: 1 }] }, COMMERCE);
  await expectData(subgraph, COMMIT, { orderId }, COMMERCE);
  expect(await expectData(subgraph, ASSIGN, { a: animalId, k: by.userId }, COMMERCE)).toEqual({
    assignKeeper: true,
  });
  return animalId;
}

describe('keepers', () => {
  it('hands a sold animal to its buyer once (a redelivery is a no-op) and only when commerce asks', async () => {
    const buyer = keeper();
    const animalId = await keptAnimal(buyer);
    expect(await expectData(subgraph, ASSIGN, { a: animalId, k: buyer.userId }, COMMERCE)).toEqual({
      assignKeeper: true,
    });
    expect(errorCodes(await execute(subgraph, ASSIGN, { a: animalId, k: buyer.userId }, buyer))).toEqual([
      'FORBIDDEN',
    ]);
    const forSale = await keptAnimal(null);
    expect(
      firstError(await execute(subgraph, ASSIGN, { a: forSale, k: buyer.userId }, COMMERCE)),
    ).toMatchObject({ code: 'CONFLICT' });
    expect(
      firstError(await execute(subgraph, ASSIGN, { a: 'nope', k: buyer.userId }, COMMERCE)),
    ).toMatchObject({ code: 'BAD_USER_INPUT', field: 'animalId' });
  });

  it("lists the keeper's collection to the keeper and staff only", async () => {
    const buyer = keeper();
    const first = await keptAnimal(buyer);
    const second = await keptAnimal(buyer);
    const mine = await expectData<{
      _entities: [{ animals: { totalCount: number; edges: { node: { id: string } }[] } }];
    }>(subgraph, COLLECTION, { id: buyer.userId }, buyer);
    expect(mine._entities[0].animals.totalCount).toBe(2);
    expect(mine._entities[0].animals.edges.map((edge) => edge.node.id)).toEqual([second, first]);
    const asStaff = await expectData<typeof mine>(subgraph, COLLECTION, { id: buyer.userId }, STAFF);
    expect(asStaff._entities[0].animals.totalCount).toBe(2);
    expect(errorCodes(await execute(subgraph, COLLECTION, { id: buyer.userId }, keeper()))).toEqual([
      'FORBIDDEN',
    ]);
  });
});

describe('care', () => {
  it('lets the keeper log care of a kept animal, not its breeder; the breeder keeps caring for what it holds', async () => {
    const buyer = keeper();
    const kept = await keptAnimal(buyer);
    expect(
      await expectData(subgraph, LOG_CARE, { a: kept, i: { kind: 'FEEDING', notes: 'Thawed rat' } }, buyer),
    ).toMatchObject({ logCare: { kind: 'FEEDING' } });
    expect(errorCodes(await execute(subgraph, LOG_CARE, { a: kept, i: { kind: 'FEEDING' } }, BEA))).toEqual([
      'FORBIDDEN',
    ]);
    const held = await keptAnimal(null);
    expect(errorCodes(await execute(subgraph, LOG_CARE, { a: held, i: { kind: 'FEEDING' } }, buyer))).toEqual(
      ['FORBIDDEN'],
    );
    expect(await expectData(subgraph, LOG_CARE, { a: held, i: { kind: 'SHED' } }, BEA)).toMatchObject({
      logCare: { kind: 'SHED' },
    });
  });

  it('schedules care from the last care of its kind, moves it on when care is logged, and shows it to carers only', async () => {
    const buyer = keeper();
    const animalId = await keptAnimal(buyer);
    const fedAt = new Date(Date.now() - 3 * DAY_MS);
    await expectData(
      subgraph,
      LOG_CARE,
      { a: animalId, i: { kind: 'FEEDING', recordedAt: fedAt.toISOString() } },
      buyer,
    );
    const set = await expectData<{ setCareSchedule: { nextDueAt: string } }>(
      subgraph,
      SET_SCHEDULE,
      { a: animalId, k: 'FEEDING', d: 7 },
      buyer,
    );
    expect(Date.parse(set.setCareSchedule.nextDueAt)).toBe(fedAt.getTime() + 7 * DAY_MS);

    const fedNow = new Date();
    await expectData(
      subgraph,
      LOG_CARE,
      { a: animalId, i: { kind: 'FEEDING', recordedAt: fedNow.toISOString() } },
      buyer,
    );
    // A back-filled older entry does not pull the due time back.
    await expectData(
      subgraph,
      LOG_CARE,
      { a: animalId, i: { kind: 'FEEDING', recordedAt: fedAt.toISOString() } },
      buyer,
    );
    const collection = await expectData<{
      _entities: [
        {
          animals: {
            edges: { node: { careSchedules: { kind: string; everyDays: number; nextDueAt: string }[] } }[];
          };
        },
      ];
    }>(subgraph, COLLECTION, { id: buyer.userId }, buyer);
    expect(collection._entities[0].animals.edges[0]!.node.careSchedules).toEqual([
      { kind: 'FEEDING', everyDays: 7, nextDueAt: new Date(fedNow.getTime() + 7 * DAY_MS).toISOString() },
    ]);

    expect(await expectData(subgraph, SCHEDULES, { id: animalId }, ANONYMOUS)).toEqual({
      animal: { careSchedules: [] },
    });
    expect(await expectData(subgraph, SCHEDULES, { id: animalId }, BEA)).toEqual({
      animal: { careSchedules: [] },
    });
    expect(
      firstError(await execute(subgraph, SET_SCHEDULE, { a: animalId, k: 'FEEDING', d: 0 }, buyer)),
    ).toMatchObject({ code: 'BAD_USER_INPUT', field: 'everyDays' });
    expect(
      errorCodes(await execute(subgraph, SET_SCHEDULE, { a: animalId, k: 'FEEDING', d: 5 }, keeper())),
    ).toEqual(['FORBIDDEN']);
    expect(
      errorCodes(await execute(subgraph, SET_SCHEDULE, { a: randomUUID(), k: 'FEEDING', d: 5 }, buyer)),
    ).toEqual(['NOT_FOUND']);
  });
});

describe('careReminderDue', () => {
  const schema = buildSubgraphSchema({
    typeDefs: loadTypeDefs(new URL('../schema.graphql', import.meta.url)),
    resolvers: createResolvers() as never,
  });
  const REMINDERS = parse('subscription { careReminderDue { kind dueAt animal { id name } } }');

  async function listen(caller: Caller) {
    const stream = await subscribe({
      schema,
      document: REMINDERS,
      contextValue: subgraph.createContext(caller),
    });
    if (!(Symbol.asyncIterator in stream))
      throw new Error(`subscribe failed: ${JSON.stringify(stream.errors)}`);
    return stream;
  }

  it('tells the keeper, and no one else, once per due time, after the claim committed', async () => {
    const buyer = keeper();
    const animalId = await keptAnimal(buyer);
    const fedAt = new Date(Date.now() - 3 * DAY_MS);
    await expectData(
      subgraph,
      LOG_CARE,
      { a: animalId, i: { kind: 'FEEDING', recordedAt: fedAt.toISOString() } },
      buyer,
    );

    const mine = await listen(buyer);
    const theirs = await listen(keeper());
    const next = mine.next();
    const notTheirs = theirs.next();
    // Overdue as soon as it is set (last fed 3 days ago, every 2 days): the care.reminders job runs
    // at once rather than at the next minute, claims it, and its publish job emits after the commit.
    await expectData(subgraph, SET_SCHEDULE, { a: animalId, k: 'FEEDING', d: 2 }, buyer);
    const event = (await next).value as ExecutionResult;
    expect(event.errors).toBeUndefined();
    expect(event.data?.['careReminderDue']).toMatchObject({
      kind: 'FEEDING',
      dueAt: new Date(fedAt.getTime() + 2 * DAY_MS).toISOString(),
      animal: { id: animalId },
    });
    const quiet = await Promise.race([
      notTheirs.then(() => 'heard'),
      new Promise((resolve) => setTimeout(() => resolve('quiet'), 1_000)),
    ]);
    expect(quiet).toBe('quiet');
    // Already reminded for this due time: the scheduled run claims nothing more.
    const reminded = await subgraph.orm.em
      .fork()
      .getConnection()
      .execute<{ reminded: number }[]>(
        `select count(*)::int as reminded from care_schedule where animal_id = ? and reminded_for = next_due_at`,
        [animalId],
        'all',
      );
    expect(reminded[0]!.reminded).toBe(1);
    expect(await remindDueCare(subgraph.orm.em.fork(), subgraph.jobs)).toBe(0);
    await mine.return?.(undefined);
    await theirs.return?.(undefined);
  }, 30_000);

  it('refuses an anonymous subscriber', async () => {
    const result = await subscribe({
      schema,
      document: REMINDERS,
      contextValue: subgraph.createContext(ANONYMOUS),
    });
    expect(Symbol.asyncIterator in result).toBe(false);
    expect((result as ExecutionResult).errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
  });
});

describe('care digest', () => {
  it('asks ops for one digest per keeper with care due today, keyed by keeper and day', async () => {
    const buyer = keeper();
    const animalId = await keptAnimal(buyer);
    await expectData(
      subgraph,
      LOG_CARE,
      {
        a: animalId,
        i: {
          kind: 'WEIGHT',
          weightGrams: 1200,
          recordedAt: new Date(Date.now() - 10 * DAY_MS).toISOString(),
        },
      },
      buyer,
    );
    await expectData(subgraph, SET_SCHEDULE, { a: animalId, k: 'WEIGHT', d: 7 }, buyer);
    const today = new Date().toISOString().slice(0, 10);
    expect(await requestCareDigests(subgraph.orm.em.fork(), subgraph.jobs, today)).toBeGreaterThanOrEqual(1);
    const rows = await subgraph.orm.em.fork().getConnection().execute<
      {
        data: {
          userId: string;
          template: string;
          key: string;
          data: { items: { animal: string; task: string }[] };
        };
      }[]
    >(`select data from inventory_keepers_test_jobs.job where name = 'mail.request' and data->>'userId' = ?`, [buyer.userId], 'all');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.data).toMatchObject({
      template: 'care-digest',
      key: `care-digest:${buyer.userId}:${today}`,
    });
    expect(rows[0]!.data.data.items).toEqual([
      {
        animal: expect.stringMatching(/^Keeper test /),
        task: expect.stringMatching(/^weighing \(every 7 days\), overdue since \d{4}-\d{2}-\d{2}$/),
      },
    ]);
  });
});
