import { describe, expect, it } from 'vitest';
import { toPrepared } from './prepared.js';

describe('prepared statements', () => {
  it('numbers each value and types it as its inlined literal was typed', () => {
    const prepared = toPrepared('select ? as a, ? as b, ? as c, ? as d, ? as e where x = ?', [
      'text',
      7,
      1.5,
      true,
      2 ** 40,
      null,
    ]);
    expect(prepared?.text).toBe(
      'select $1 as a, $2::int4 as b, $3::numeric as c, $4::boolean as d, $5::int8 as e where x = $6',
    );
    expect(prepared?.values).toEqual(['text', 7, 1.5, true, 2 ** 40, null]);
  });

  it('expands an array into a list, as MikroORM inlines it', () => {
    const prepared = toPrepared('select 1 where id in (?) and n = ?', [['a', 'b'], 3]);
    expect(prepared?.text).toBe('select 1 where id in ($1, $2) and n = $3::int4');
    expect(prepared?.values).toEqual(['a', 'b', 3]);
  });

  it('names a text the same way every time, and another text otherwise', () => {
    const one = toPrepared('select ? as x', ['a']);
    expect(toPrepared('select ? as x', ['b'])?.name).toBe(one?.name);
    expect(toPrepared('select ? as y', ['a'])?.name).not.toBe(one?.name);
    expect(one?.name).toMatch(/^tr_/);
  });

  it('leaves to MikroORM what it cannot say the same way', () => {
    expect(toPrepared('select ?? from t', ['col'])).toBeNull();
    expect(toPrepared('select 1 where a = ?', [Number.NaN])).toBeNull();
    expect(toPrepared('select 1 where a in (?)', [[]])).toBeNull();
    expect(toPrepared('select ?, ?', ['only one'])).toBeNull();
    expect(toPrepared('select ?', ['one', 'too many'])).toBeNull();
  });
});
