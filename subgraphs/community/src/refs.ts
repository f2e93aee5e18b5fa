/**
 * How community holds an entity another subgraph owns (User, Product, Organization): just its id.
 * The gateway fetches the owner's fields; community resolves only the fields it contributes.
 */
export interface EntityRef {
  id: string;
}

export const ref = (id: string): EntityRef => ({ id });
