import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wrap } from '@mikro-orm/core';
import { createByIdLoader, createReadOnlyByIdLoader } from '../src/loaders.js';
import { query } from '../src/sql.js';
import { createNotesSubgraph, Label } from './fixture.js';

const first = '0b6c1b5e-0000-4000-8000-000000000001';
const second = '0b6c1b5e-0000-4000-8000-000000000002';

/**
 * The read-only by-id loader must answer what the managed one answers, property for property,
 * without putting anything in the EntityManager (nothing there to flush by mistake).
 */
describe('by-id loaders', () => {
  let notes: Awaited<ReturnType<typeof createNotesSubgraph>>;
  beforeAll(async () => {
    notes = await createNotesSubgraph('kit_loaders');
    const { em } = notes.createContext();
    await query(em, 'delete from kit_loaders.label');
    await query(
      em,
      `insert into kit_loaders.label (id, display_name, tags, note, created_at)
       values (?::uuid, 'First', '{a,"b c"}', null, '2026-01-02T03:04:05.678Z'), (?::uuid, 'Second', '{}', 'n', now())`,
      [first, second],
    );
  });
  afterAll(() => notes.stop());

  it('reads plain rows equal to the managed entities, in key order, null for a missing or malformed id', async () => {
    const managedEm = notes.createContext().em;
    const readOnlyEm = notes.createContext().em;
    const ids = [second, first.toUpperCase(), '0b6c1b5e-0000-4000-8000-00000000ffff', 'not-a-uuid'];
    const managed = await createByIdLoader(managedEm, Label).loadMany(ids);
    const plain = await createReadOnlyByIdLoader(readOnlyEm, Label).loadMany(ids);

    expect(plain.map((row) => (row && 'id' in row ? row.id : row))).toEqual([second, first, null, null]);
    for (const [i, entity] of managed.entries()) {
      const row = plain[i];
      if (entity === null || entity instanceof Error) {
        expect(row).toBeNull();
        continue;
      }
      expect({ ...row }).toEqual({ ...wrap(entity).toObject() });
    }
    const firstRow = plain[1] as { createdAt: Date; tags: string[] };
    expect(firstRow.createdAt).toEqual(new Date('2026-01-02T03:04:05.678Z'));
    expect(firstRow.tags).toEqual(['a', 'b c']);
    expect(readOnlyEm.getUnitOfWork().getIdentityMap().values()).toHaveLength(0);
    expect(managedEm.getUnitOfWork().getIdentityMap().values()).toHaveLength(2);
  });
});
