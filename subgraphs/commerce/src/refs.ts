/** A reference to another subgraph's entity (User, Organization, Animal, Product) by its key. */
export interface EntityRef {
  id: string;
}

export const ref = (id: string): EntityRef => ({ id });
export const refOrNull = (id: string | null | undefined): EntityRef | null => (id ? { id } : null);
