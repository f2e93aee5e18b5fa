import { BadUserInputError } from '@terrarium/platform/errors';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Animal } from '../entities/animal.entity.js';
import { query } from '@terrarium/subgraph-kit/sql';

/** Deepest descendant line searched when checking that a new parent is not a descendant. @default 50 */
const MAX_LINE_DEPTH = 50;

export interface ParentChange {
  /** The animal being edited; null while creating. */
  animalId: string | null;
  speciesId: string;
  /** Only the parents that change (undefined: unchanged, null: cleared). */
  sireId?: string | null;
  damId?: string | null;
}

/**
 * A sire or dam must exist, be of the same species and of a fitting sex (a sire is not FEMALE, a
 * dam not MALE), be two different animals, and not be the animal itself or one of its
 * descendants (a pedigree never loops).
 */
export async function checkParents(tx: EntityManager, change: ParentChange): Promise<void> {
  const wanted = [
    ['sireId', change.sireId, 'FEMALE'],
    ['damId', change.damId, 'MALE'],
  ] as const;
  const ids = wanted.flatMap(([, id]) => (id ? [id] : []));
  if (ids.length === 0) return;
  if (change.sireId && change.sireId === change.damId)
    throw new BadUserInputError('The sire and the dam must be two different animals.', 'damId');
  if (change.animalId && ids.includes(change.animalId))
    throw new BadUserInputError('An animal cannot be its own parent.', 'sireId');

  const parents = new Map((await tx.find(Animal, { id: { $in: ids } })).map((parent) => [parent.id, parent]));
  for (const [field, id, wrongSex] of wanted) {
    if (!id) continue;
    const parent = parents.get(id);
    if (!parent) throw new BadUserInputError(`No animal with id ${id}.`, field);
    if (parent.speciesId !== change.speciesId)
      throw new BadUserInputError(
        `The ${field === 'sireId' ? 'sire' : 'dam'} must be of the same species.`,
        field,
      );
    if (parent.sex === wrongSex)
      throw new BadUserInputError(
        `A ${wrongSex.toLowerCase()} animal cannot be the ${field === 'sireId' ? 'sire' : 'dam'}.`,
        field,
      );
  }

  if (change.animalId) {
    const [descendant] = await query<{ id: string }>(
      tx,
      `with recursive line (id, depth) as (
         select id, 1 from animal where sire_id = ? or dam_id = ?
         union
         select a.id, line.depth + 1 from animal a join line on a.sire_id = line.id or a.dam_id = line.id
          where line.depth < ?
       )
       select id from line where id in (?) limit 1`,
      [change.animalId, change.animalId, MAX_LINE_DEPTH, ids],
    );
    if (descendant)
      throw new BadUserInputError(
        `Animal ${descendant.id} descends from this animal and cannot be its parent.`,
        'sireId',
      );
  }
}

/** An animal that already sired (or mothered) offspring cannot change to the opposite sex. */
export async function checkSexChange(tx: EntityManager, animalId: string, sex: string): Promise<void> {
  const column = sex === 'FEMALE' ? 'sire_id' : sex === 'MALE' ? 'dam_id' : null;
  if (!column) return;
  const [child] = await query<{ id: string }>(tx, `select id from animal where ${column} = ? limit 1`, [
    animalId,
  ]);
  if (child)
    throw new BadUserInputError(
      `This animal is recorded as a ${column === 'sire_id' ? 'sire' : 'dam'}; it cannot be ${sex}.`,
      'sex',
    );
}
