import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EntityManager } from '@mikro-orm/postgresql';
import { isUniqueViolation, query, queryOne } from '../src/sql.js';
import { createNotesSubgraph } from './fixture.js';

/**
 * query() runs a read as a prepared statement outside a transaction: the answers must be the
 * ones MikroORM's inlined parameters gave, and what cannot be prepared must still run.
 */
describe('query()', () => {
  let notes: Awaited<ReturnType<typeof createNotesSubgraph>>;
  let em: EntityManager;
  beforeAll(async () => {
    notes = await createNotesSubgraph('kit_sql');
    em = notes.createContext().em;
  });
  afterAll(() => notes.stop());

  it('types each value as its inlined literal was: numbers and booleans come back as such', async () => {
    const row = await queryOne<{ i: number; f: string; b: boolean; t: string }>(
      em,
      'select ? as i, ? as f, ? as b, ? as t',
      [7, 1.5, true, 'text'],
    );
    expect(row).toEqual({ i: 7, f: '1.5', b: true, t: 'text' });
  });

  it('expands an array into a list and counts one statement', async () => {
    const before = notes.sqlStatementCount();
    const rows = await query<{ n: number }>(
      em,
      'select n from generate_series(1, 5) n where n in (?) order by n',
      [[2, 4]],
    );
    expect(rows).toEqual([{ n: 2 }, { n: 4 }]);
    expect(notes.sqlStatementCount() - before).toBe(1);
  });

  it('runs a statement Postgres cannot prepare (an untyped parameter alone) as before', async () => {
    for (let i = 0; i < 2; i++) {
      const before = notes.sqlStatementCount();
      expect(await queryOne<{ missing: boolean }>(em, 'select ? is null as missing', [null])).toEqual({
        missing: true,
      });
      expect(notes.sqlStatementCount() - before).toBe(1);
    }
  });

  it('converts errors as MikroORM does', async () => {
    await query(em, 'create table if not exists kit_sql.unique_thing (k text primary key)');
    await query(em, 'insert into kit_sql.unique_thing (k) values (?) on conflict do nothing', ['a']);
    const err = await query(em, 'insert into kit_sql.unique_thing (k) values (?) returning k', ['a']).catch(
      (e: unknown) => e,
    );
    expect(isUniqueViolation(err)).toBe(true);
  });
});
