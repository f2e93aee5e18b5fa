import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countStatements, errorCodes, execute, expectData } from '@terrarium/subgraph-kit/testing';
import {
  BEA,
  KEEPER,
  ORG,
  STAFF,
  animalId,
  speciesId,
  startInventory,
  type InventorySubgraph,
} from './support.js';

let subgraph: InventorySubgraph;
beforeAll(async () => {
  subgraph = await startInventory('inventory_animals_test');
});
afterAll(async () => {
  await subgraph?.stop();
});

const ANIMAL_PAGE = /* GraphQL */ `
  query AnimalPage($id: ID!) {
    animal(id: $id) {
      id
      name
      sex
      hatchDate
      status
      morph
      genes
      weightGrams
      species {
        id
        commonName
        scientificName
      }
      sire {
        id
        name
        morph
      }
      dam {
        id
        name
        morph
      }
      careLog(first: 10) {
        kind
        notes
        weightGrams
        recordedAt
      }
      breeder {
        id
      }
    }
  }
`;

interface Page {
  animals: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { cursor: string; node: { id: string; name: string; status: string; morph: string | null } }[];
  };
}

const ANIMALS = /* GraphQL */ `
  query Animals($filter: AnimalFilter, $first: Int, $after: String) {
    animals(filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        cursor
        node {
          id
          name
          status
          morph
        }
      }
    }
  }
`;

const UPDATE = /* GraphQL */ `
  mutation Update($id: ID!, $input: UpdateAnimalInput!) {
    updateAnimal(id: $id, input: $input) {
      id
      name
      status
      morph
      sire {
        id
      }
    }
  }
`;
const CREATE = /* GraphQL */ `
  mutation Create($input: CreateAnimalInput!) {
    createAnimal(input: $input) {
      id
      name
      sex
      status
      species {
        commonName
      }
      sire {
        name
      }
      dam {
        name
      }
      breeder {
        id
      }
    }
  }
`;
const LOG_CARE = /* GraphQL */ `
  mutation LogCare($animalId: ID!, $input: LogCareInput!) {
    logCare(animalId: $animalId, input: $input) {
      id
      kind
      notes
      weightGrams
      recordedAt
    }
  }
`;

describe('animal queries', () => {
  it('answers the storefront AnimalPage for a seeded hatchling', async () => {
    const { animal } = await expectData<{ animal: Record<string, any> }>(subgraph, ANIMAL_PAGE, {
      id: animalId(7),
    });
    expect(animal).toMatchObject({
      id: animalId(7),
      name: 'Sunny',
      sex: 'MALE',
      hatchDate: '2025-07-18',
      status: 'AVAILABLE',
      morph: 'Pastel Banana Clown',
      genes: ['Pastel', 'Banana', 'Clown', '50% Het Piebald'],
      species: { id: speciesId('ball-python'), commonName: 'Ball python', scientificName: 'Python regius' },
      sire: { id: animalId(1), name: 'Apollo', morph: 'Pastel Clown' },
      dam: { id: animalId(2), name: 'Selene' },
      breeder: { id: ORG.sunset },
    });
    const times = animal['careLog'].map((entry: { recordedAt: string }) => entry.recordedAt);
    expect(times.length).toBe(4);
    expect([...times].sort().reverse()).toEqual(times);
    expect(animal['careLog'].find((entry: { kind: string }) => entry.kind === 'WEIGHT').weightGrams).toBe(
      animal['weightGrams'],
    );
  });

  it('answers null for an unknown id and BAD_USER_INPUT for a malformed one', async () => {
    expect(await expectData(subgraph, ANIMAL_PAGE, { id: randomUUID() })).toEqual({ animal: null });
    expect(errorCodes(await execute(subgraph, ANIMAL_PAGE, { id: 'animal-7' }))).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await execute(subgraph, ANIMALS, { filter: { speciesId: 'python' } }))).toEqual([
      'BAD_USER_INPUT',
    ]);
    expect(errorCodes(await execute(subgraph, ANIMALS, { after: 'not-a-cursor' }))).toEqual([
      'BAD_USER_INPUT',
    ]);
    expect(errorCodes(await execute(subgraph, ANIMALS, { first: 101 }))).toEqual(['BAD_USER_INPUT']);
    expect(
      errorCodes(
        await execute(subgraph, 'query ($id: ID!) { animal(id: $id) { careLog(first: -1) { id } } }', {
          id: animalId(7),
        }),
      ),
    ).toEqual(['BAD_USER_INPUT']);
  });

  it('lists species by common name and offspring of a parent', async () => {
    const { species } = await expectData<{ species: { commonName: string }[] }>(
      subgraph,
      '{ species { commonName } }',
    );
    expect(species.map((s) => s.commonName)).toEqual([
      'Ball python',
      'Bearded dragon',
      'Corn snake',
      'Crested gecko',
      'Leopard gecko',
    ]);
    const { animal } = await expectData<{ animal: { offspring: { name: string }[] } }>(
      subgraph,
      'query ($id: ID!) { animal(id: $id) { offspring { name } } }',
      { id: animalId(6) },
    );
    expect(animal.offspring.map((a) => a.name).sort()).toEqual([
      'Cinder',
      'Maple',
      'Nova',
      'Pumpkin',
      'Rio',
      'Rosie',
    ]);
  });

  it('pages through the seeded animals newest first, without gaps or repeats', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const page: Page = await expectData<Page>(subgraph, ANIMALS, {
        first: 10,
        after,
        filter: { organizationId: null },
      });
      expect(page.animals.totalCount).toBeGreaterThanOrEqual(24);
      seen.push(...page.animals.edges.map((edge) => edge.node.id));
      after = page.animals.pageInfo.hasNextPage ? page.animals.pageInfo.endCursor : null;
      pages += 1;
    } while (after && pages < 20);
    expect(new Set(seen).size).toBe(seen.length);
    const seeded = Array.from({ length: 24 }, (_, i) => animalId(24 - i));
    // Seeded animals were registered in number order, so newest first is 24 down to 1.
    expect(seen.filter((id) => seeded.includes(id))).toEqual(seeded);
  });

  it('filters by species, status, organization, sex and morph', async () => {
    const count = async (filter: Record<string, unknown>) =>
      (await expectData<Page>(subgraph, ANIMALS, { filter, first: 0 })).animals.totalCount;
    expect(await count({ speciesId: speciesId('ball-python') })).toBe(8);
    expect(await count({ speciesId: speciesId('bearded-dragon') })).toBe(0);
    expect(await count({ status: 'HOLDBACK' })).toBe(6);
    expect(await count({ organizationId: ORG.desert, speciesId: speciesId('corn-snake') })).toBe(3);
    expect(await count({ sex: 'UNKNOWN' })).toBe(2);
    const pastels = await expectData<Page>(subgraph, ANIMALS, { filter: { morph: 'PASTEL' }, first: 20 });
    expect(pastels.animals.edges.map((e) => e.node.name).sort()).toEqual([
      'Apollo',
      'Clementine',
      'Saffron',
      'Sunny',
    ]);
    expect(pastels.animals.totalCount).toBe(4);
    expect(await count({ morph: '%' })).toBe(0);
  });
});

describe('N+1-free loading', () => {
  it('loads a page of animals with species, sire and dam in a constant number of statements', async () => {
    // 60 animals of one organization, with parents spread over the seeded adults and each other.
    const org = randomUUID();
    const em = subgraph.orm.em.fork();
    const ids = Array.from({ length: 60 }, () => randomUUID());
    for (const [i, id] of ids.entries()) {
      const species = i % 2 === 0 ? 'leopard-gecko' : 'corn-snake';
      const [sire, dam] = i % 2 === 0 ? [animalId(3), animalId(4)] : [animalId(5), animalId(6)];
      await em.execute(
        `insert into animal (id, name, species_id, organization_id, sex, status, sire_id, dam_id, created_at)
         values (?, ?, ?, ?, 'UNKNOWN', 'AVAILABLE', ?, ?, ?)`,
        [id, `Hatchling ${i}`, speciesId(species), org, sire, dam, new Date(Date.UTC(2026, 9, 2) + i * 1000)],
      );
    }
    const query = /* GraphQL */ `
      query ($filter: AnimalFilter, $first: Int) {
        animals(filter: $filter, first: $first) {
          totalCount
          edges {
            node {
              id
              species {
                commonName
              }
              sire {
                name
              }
              dam {
                name
              }
            }
          }
        }
      }
    `;
    let fifty: Page | undefined;
    const small = await countStatements(subgraph, () =>
      expectData(subgraph, query, { filter: { organizationId: org }, first: 5 }),
    );
    const large = await countStatements(subgraph, async () => {
      fifty = await expectData<Page>(subgraph, query, { filter: { organizationId: org }, first: 50 });
    });
    expect(fifty!.animals.edges).toHaveLength(50);
    // page + count + species batch + sire/dam batch, whatever the page size.
    expect(large).toBe(4);
    expect(small).toBe(large);
  });
});

describe('pedigree', () => {
  it('walks ancestors with one recursive statement, nearest generation first', async () => {
    // Two more generations on top of the seed: Sunny x Clementine -> Comet; Comet x Saffron -> Dot.
    const comet = await expectData<{ createAnimal: { id: string } }>(
      subgraph,
      CREATE,
      {
        input: {
          organizationId: ORG.sunset,
          speciesId: speciesId('ball-python'),
          name: 'Comet',
          sex: 'MALE',
          sireId: animalId(7),
          damId: animalId(9),
        },
      },
      BEA,
    );
    const dot = await expectData<{ createAnimal: { id: string } }>(
      subgraph,
      CREATE,
      {
        input: {
          organizationId: ORG.sunset,
          speciesId: speciesId('ball-python'),
          name: 'Dot',
          sireId: comet.createAnimal.id,
          damId: animalId(11),
        },
      },
      BEA,
    );
    const query =
      'query ($id: ID!, $depth: Int) { animal(id: $id) { pedigree(depth: $depth) { generation relation animal { name genes hatchDate } } } }';
    type Pedigree = {
      animal: {
        pedigree: {
          generation: number;
          relation: string;
          animal: { name: string; genes: string[]; hatchDate: string | null };
        }[];
      };
    };
    let deep: Pedigree | undefined;
    const statements = await countStatements(subgraph, async () => {
      deep = await expectData<Pedigree>(subgraph, query, { id: dot.createAnimal.id, depth: 6 });
    });
    // The animal itself (loader) and the recursive CTE: nothing per ancestor.
    expect(statements).toBe(2);
    expect(deep!.animal.pedigree.map((e) => `${e.generation} ${e.relation} ${e.animal.name}`)).toEqual([
      '1 sire Comet',
      '1 dam Saffron',
      '2 sire.sire Sunny',
      '2 sire.dam Clementine',
      '2 dam.sire Apollo',
      '2 dam.dam Selene',
      '3 sire.sire.sire Apollo',
      '3 sire.sire.dam Selene',
      '3 sire.dam.sire Apollo',
      '3 sire.dam.dam Selene',
    ]);
    // Ancestors come back as whole animals from the same statement.
    expect(deep!.animal.pedigree[2]!.animal).toEqual({
      name: 'Sunny',
      genes: ['Pastel', 'Banana', 'Clown', '50% Het Piebald'],
      hatchDate: '2025-07-18',
    });
    const shallow = await expectData<Pedigree>(subgraph, query, { id: dot.createAnimal.id, depth: 1 });
    expect(shallow.animal.pedigree.map((e) => e.relation)).toEqual(['sire', 'dam']);
    const byDefault = await expectData<Pedigree>(
      subgraph,
      'query ($id: ID!) { animal(id: $id) { pedigree { relation } } }',
      { id: dot.createAnimal.id },
    );
    expect(byDefault.animal.pedigree).toHaveLength(10);
    expect(errorCodes(await execute(subgraph, query, { id: dot.createAnimal.id, depth: 0 }))).toEqual([
      'BAD_USER_INPUT',
    ]);
    expect(errorCodes(await execute(subgraph, query, { id: dot.createAnimal.id, depth: 7 }))).toEqual([
      'BAD_USER_INPUT',
    ]);
  });
});

describe('animal mutations', () => {
  it("lets a breeder edit only their own organization's animals", async () => {
    // Animal 1 belongs to sunset-reptiles (Bea's), animal 2 to scales-and-tails.
    const own = await expectData<{ updateAnimal: { name: string; morph: string } }>(
      subgraph,
      UPDATE,
      { id: animalId(1), input: { morph: 'Pastel Clown (proven)' } },
      BEA,
    );
    expect(own.updateAnimal.morph).toBe('Pastel Clown (proven)');
    expect(
      errorCodes(await execute(subgraph, UPDATE, { id: animalId(2), input: { name: 'Mine now' } }, BEA)),
    ).toEqual(['FORBIDDEN']);
    expect(
      errorCodes(await execute(subgraph, UPDATE, { id: animalId(1), input: { name: 'Mine now' } }, KEEPER)),
    ).toEqual(['FORBIDDEN']);
    expect(
      errorCodes(await execute(subgraph, UPDATE, { id: animalId(1), input: { name: 'Mine now' } })),
    ).toEqual(['UNAUTHENTICATED']);
    expect(
      errorCodes(
        await execute(
          subgraph,
          LOG_CARE,
          { animalId: animalId(2), input: { kind: 'NOTE', notes: 'Hi' } },
          BEA,
        ),
      ),
    ).toEqual(['FORBIDDEN']);
    const create = { organizationId: ORG.desert, speciesId: speciesId('corn-snake'), name: 'Stray' };
    expect(errorCodes(await execute(subgraph, CREATE, { input: create }, BEA))).toEqual(['FORBIDDEN']);
    // Staff may edit any organization's animals.
    expect(
      (
        await expectData<{ updateAnimal: { name: string } }>(
          subgraph,
          UPDATE,
          { id: animalId(2), input: { name: 'Selene' } },
          STAFF,
        )
      ).updateAnimal.name,
    ).toBe('Selene');
    const animal = await expectData<{ animal: { name: string } }>(
      subgraph,
      'query ($id: ID!) { animal(id: $id) { name } }',
      { id: animalId(2) },
    );
    expect(animal.animal.name).toBe('Selene');
    // Every edit is owed to ops' audit log with its actor and what changed; refused ones owe nothing.
    const audits = await subgraph.orm.em
      .fork()
      .getConnection()
      .execute<{ data: Record<string, unknown> }[]>(
        `select data, created_on from "${subgraph.jobs.schema}".job where name = 'audit.record' and data->>'action' = 'updateAnimal' and data->>'subject' in (?, ?)
          union all select data, created_on from "${subgraph.jobs.schema}".archive where name = 'audit.record' and data->>'action' = 'updateAnimal' and data->>'subject' in (?, ?)
          order by created_on`,
        [`Animal:${animalId(1)}`, `Animal:${animalId(2)}`, `Animal:${animalId(1)}`, `Animal:${animalId(2)}`],
        'all',
      );
    expect(audits.map((row) => row.data)).toEqual([
      {
        actor: BEA.userId,
        action: 'updateAnimal',
        subject: `Animal:${animalId(1)}`,
        diff: { from: { morph: 'Pastel Clown' }, to: { morph: 'Pastel Clown (proven)' } },
      },
      {
        actor: STAFF.userId,
        action: 'updateAnimal',
        subject: `Animal:${animalId(2)}`,
        diff: { from: { name: 'Selene' }, to: { name: 'Selene' } },
      },
    ]);
  });

  it('creates an animal with checked parents', async () => {
    const input = {
      organizationId: ORG.sunset,
      speciesId: speciesId('leopard-gecko'),
      name: '  Biscotti ',
      sireId: animalId(3),
      damId: animalId(4),
      genes: ['Tremper Albino', ' tremper albino', ''],
    };
    const created = await expectData<{ createAnimal: Record<string, unknown> }>(
      subgraph,
      CREATE,
      { input },
      BEA,
    );
    expect(created.createAnimal).toMatchObject({
      name: 'Biscotti',
      sex: 'UNKNOWN',
      status: 'AVAILABLE',
      species: { commonName: 'Leopard gecko' },
      sire: { name: 'Frost' },
      dam: { name: 'Mango' },
      breeder: { id: ORG.sunset },
    });
    expect(
      errorCodes(await execute(subgraph, CREATE, { input: { ...input, sireId: animalId(1) } }, BEA)),
    ).toEqual(['BAD_USER_INPUT']); // a ball python
    expect(
      errorCodes(
        await execute(
          subgraph,
          CREATE,
          { input: { ...input, sireId: animalId(4), damId: animalId(3) } },
          BEA,
        ),
      ),
    ).toEqual(['BAD_USER_INPUT']); // sexes swapped
    expect(
      errorCodes(await execute(subgraph, CREATE, { input: { ...input, speciesId: randomUUID() } }, BEA)),
    ).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await execute(subgraph, CREATE, { input: { ...input, status: 'SOLD' } }, BEA))).toEqual(
      ['BAD_USER_INPUT'],
    );
    expect(errorCodes(await execute(subgraph, CREATE, { input: { ...input, name: ' ' } }, BEA))).toEqual([
      'BAD_USER_INPUT',
    ]);
    expect(
      errorCodes(await execute(subgraph, CREATE, { input: { ...input, hatchDate: '2999-01-01' } }, BEA)),
    ).toEqual(['BAD_USER_INPUT']);
  });

  it('keeps a pedigree free of loops and leaves checkout statuses to checkout', async () => {
    // Apollo (1) cannot become the son of his own son Sunny (7).
    expect(
      errorCodes(await execute(subgraph, UPDATE, { id: animalId(1), input: { sireId: animalId(7) } }, STAFF)),
    ).toEqual(['BAD_USER_INPUT']);
    expect(
      errorCodes(await execute(subgraph, UPDATE, { id: animalId(1), input: { sireId: animalId(1) } }, STAFF)),
    ).toEqual(['BAD_USER_INPUT']);
    // Apollo sired offspring: he cannot be recorded as female.
    expect(
      errorCodes(await execute(subgraph, UPDATE, { id: animalId(1), input: { sex: 'FEMALE' } }, STAFF)),
    ).toEqual(['BAD_USER_INPUT']);
    expect(
      errorCodes(await execute(subgraph, UPDATE, { id: animalId(1), input: { status: 'SOLD' } }, STAFF)),
    ).toEqual(['BAD_USER_INPUT']);
    expect(
      errorCodes(await execute(subgraph, UPDATE, { id: animalId(1), input: { name: null } }, STAFF)),
    ).toEqual(['BAD_USER_INPUT']);
    expect(
      errorCodes(await execute(subgraph, UPDATE, { id: randomUUID(), input: { name: 'Ghost' } }, STAFF)),
    ).toEqual(['NOT_FOUND']);
    expect(
      errorCodes(await execute(subgraph, UPDATE, { id: 'seven', input: { name: 'Ghost' } }, STAFF)),
    ).toEqual(['BAD_USER_INPUT']);
    const holdback = await expectData<{ updateAnimal: { status: string } }>(
      subgraph,
      UPDATE,
      { id: animalId(13), input: { status: 'HOLDBACK' } },
      STAFF,
    );
    expect(holdback.updateAnimal.status).toBe('HOLDBACK');
  });

  it("logs care, newest first, and a weighing updates the animal's weight", async () => {
    const id = animalId(4); // Mango, sunset-reptiles
    const logged = await expectData<{ logCare: { kind: string; weightGrams: number } }>(
      subgraph,
      LOG_CARE,
      { animalId: id, input: { kind: 'WEIGHT', weightGrams: 74, notes: 'Gravid, eating well.' } },
      BEA,
    );
    expect(logged.logCare).toMatchObject({ kind: 'WEIGHT', weightGrams: 74 });
    // A back-dated weighing is history: it does not replace the current weight.
    await expectData(
      subgraph,
      LOG_CARE,
      { animalId: id, input: { kind: 'WEIGHT', weightGrams: 60, recordedAt: '2026-01-01T10:00:00Z' } },
      BEA,
    );
    const { animal } = await expectData<{
      animal: { weightGrams: number; careLog: { kind: string; notes: string }[] };
    }>(subgraph, 'query ($id: ID!) { animal(id: $id) { weightGrams careLog(first: 2) { kind notes } } }', {
      id,
    });
    expect(animal.weightGrams).toBe(74);
    expect(animal.careLog).toEqual([
      { kind: 'WEIGHT', notes: 'Gravid, eating well.' },
      { kind: 'FEEDING', notes: 'Six dubia roaches dusted with calcium + D3.' },
    ]);
    expect(
      errorCodes(await execute(subgraph, LOG_CARE, { animalId: id, input: { kind: 'WEIGHT' } }, BEA)),
    ).toEqual(['BAD_USER_INPUT']);
    expect(
      errorCodes(
        await execute(
          subgraph,
          LOG_CARE,
          { animalId: id, input: { kind: 'SHED', recordedAt: '2999-01-01T00:00:00Z' } },
          BEA,
        ),
      ),
    ).toEqual(['BAD_USER_INPUT']);
    expect(
      errorCodes(await execute(subgraph, LOG_CARE, { animalId: 'x', input: { kind: 'SHED' } }, BEA)),
    ).toEqual(['BAD_USER_INPUT']);
  });
});

describe('federation', () => {
  it('resolves Animal references by id, null for unknown ones', async () => {
    const query = /* GraphQL */ `
      query ($representations: [_Any!]!) {
        _entities(representations: $representations) {
          ... on Animal {
            id
            name
            species {
              commonName
            }
          }
        }
      }
    `;
    const missing = randomUUID();
    const data = await expectData<{ _entities: unknown[] }>(subgraph, query, {
      representations: [
        { __typename: 'Animal', id: animalId(19) },
        { __typename: 'Animal', id: missing },
      ],
    });
    expect(data._entities).toEqual([
      { id: animalId(19), name: 'Cinder', species: { commonName: 'Corn snake' } },
      null,
    ]);
    const bad = await execute(subgraph, query, { representations: [{ __typename: 'Animal', id: 'cinder' }] });
    expect(bad.errors.map((e) => e.extensions?.['code'])).toEqual(['BAD_USER_INPUT']);
  });
});

describe('seed', () => {
  it('is idempotent: a second start on the same schema adds nothing and keeps demo edits', async () => {
    const counts = async () =>
      subgraph.orm.em.fork().execute(
        `select (select count(*) from species)::int as species, (select count(*) from animal)::int as animals,
                  (select count(*) from care_log)::int as care, (select count(*) from stock)::int as stock,
                  (select count(*) from stock_adjustment)::int as adjustments`,
      );
    const before = await counts();
    await expectData(
      subgraph,
      UPDATE,
      { id: animalId(5), input: { morph: 'Amel Het Anery (proven)' } },
      STAFF,
    );
    const again = await startInventory('inventory_animals_test');
    try {
      expect(await counts()).toEqual(before);
      const { animal } = await expectData<{ animal: { morph: string } }>(
        again,
        'query ($id: ID!) { animal(id: $id) { morph } }',
        { id: animalId(5) },
      );
      expect(animal.morph).toBe('Amel Het Anery (proven)');
    } finally {
      await again.stop();
    }
  });
});
