import type { Type } from '@apollo/federation-internals';

export const TypeKind = {
  NON_NULL: 0,
  LIST: 1,
  COMPOSITE: 2,
  LEAF: 3,
} as const;

/** How a leaf value is checked (federation-internals' isValidLeafValue, by scalar). */
const Leaf = {
  CUSTOM: 0,
  BOOLEAN: 1,
  INT: 2,
  ID: 3,
  FLOAT: 4,
  STRING: 5,
  ENUM: 6,
} as const;

export type LeafKind = (typeof Leaf)[keyof typeof Leaf];

/** A field's output type, resolved once: its wrappers, and for named types what completing a value needs. */
export interface TypeRef {
  kind: (typeof TypeKind)[keyof typeof TypeKind];
  ofType: TypeRef | null;
  /** The named type's name (empty for wrappers). */
  name: string;
  /** As GraphQL prints it (`[Review!]`), for error messages. */
  printed: string;
  leaf: LeafKind;
  enumValues: ReadonlySet<string> | null;
}

const BUILT_IN_LEAVES: Readonly<Record<string, LeafKind>> = {
  Int: Leaf.INT,
  ID: Leaf.ID,
  Float: Leaf.FLOAT,
  String: Leaf.STRING,
  Boolean: Leaf.BOOLEAN,
};

export function compileType(type: Type, memo: Map<string, TypeRef>): TypeRef {
  const printed = type.toString();
  const known = memo.get(printed);
  if (known) return known;
  let ref: TypeRef;
  switch (type.kind) {
    case 'NonNullType':
      ref = {
        kind: TypeKind.NON_NULL,
        ofType: compileType(type.ofType, memo),
        name: '',
        printed,
        leaf: Leaf.CUSTOM,
        enumValues: null,
      };
      break;
    case 'ListType':
      ref = {
        kind: TypeKind.LIST,
        ofType: compileType(type.ofType, memo),
        name: '',
        printed,
        leaf: Leaf.CUSTOM,
        enumValues: null,
      };
      break;
    case 'ObjectType':
    case 'InterfaceType':
    case 'UnionType':
      ref = {
        kind: TypeKind.COMPOSITE,
        ofType: null,
        name: type.name,
        printed,
        leaf: Leaf.CUSTOM,
        enumValues: null,
      };
      break;
    case 'EnumType':
      ref = {
        kind: TypeKind.LEAF,
        ofType: null,
        name: type.name,
        printed,
        leaf: Leaf.ENUM,
        enumValues: new Set(type.values.map((value) => value.name)),
      };
      break;
    case 'ScalarType':
      ref = {
        kind: TypeKind.LEAF,
        ofType: null,
        name: type.name,
        printed,
        leaf: BUILT_IN_LEAVES[type.name] ?? Leaf.CUSTOM,
        enumValues: null,
      };
      break;
    default:
      throw new Error(`Unexpected output type ${printed}`);
  }
  memo.set(printed, ref);
  return ref;
}

const INTEGER = /^-?(?:0|[1-9][0-9]*)$/;

/** isValidLeafValue of federation-internals (values.ts), for a compiled leaf type. */
export function isValidLeaf(type: TypeRef, value: unknown): boolean {
  const leaf = type.leaf;
  if (leaf === Leaf.CUSTOM) return true;
  switch (typeof value) {
    case 'boolean':
      return leaf === Leaf.BOOLEAN;
    case 'number':
      if (!Number.isFinite(value)) return false;
      if (leaf === Leaf.INT || leaf === Leaf.ID) return INTEGER.test(String(value));
      return leaf === Leaf.FLOAT;
    case 'string':
      if (leaf === Leaf.ENUM) return type.enumValues!.has(value);
      return leaf !== Leaf.BOOLEAN && leaf !== Leaf.INT && leaf !== Leaf.FLOAT;
    default:
      return false;
  }
}

/** pathLastElementDescription of resultShaping.ts. */
export function describeLast(
  path: readonly (string | number)[],
  current: TypeRef,
  parentTypeName: string,
): string {
  const element = path[path.length - 1];
  return typeof element === 'string'
    ? `field ${parentTypeName}.${element}`
    : `array element of type ${current.printed} at index ${String(element)}`;
}
