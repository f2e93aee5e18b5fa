// @ts-check
/**
 * The gateway benchmark's own graph: four small in-memory subgraphs (users, products, reviews,
 * inventory) that exercise what a federation gateway must get right: entities with @key,
 * @requires (inventory's shipping estimate needs the price and weight from products), @provides
 * (reviews provide the author's username), an interface (Account), a union (SearchResult), lists
 * of lists, nullable and non-null fields that fail, a mutation. The data is generated
 * deterministically, so every run (and both gateways) see the same answers.
 */
// 'graphql/index.js': the CommonJS build @apollo/subgraph uses, also under Vite (see gateway/src/errors.ts).
import { GraphQLError } from 'graphql/index.js';

const FEDERATION =
  'extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@shareable", "@external", "@requires", "@provides"])';

export const USERS_SDL = /* GraphQL */ `
  ${FEDERATION}

  "Who can own reviews and storefronts: a person or a breeder business."
  interface Account {
    id: ID!
    name: String!
  }

  type User implements Account @key(fields: "id") {
    id: ID!
    name: String!
    username: String! @shareable
    email: String!
    bio: String
    avatarUrl: String
    joinedAt: String!
    location: String
    website: String
    timezone: String!
    pronouns: String
    "Null for users who keep it private; an error for user u4, whose profile is corrupt."
    birthDate: String
    roles: [String!]!
  }

  type Organization implements Account @key(fields: "id") {
    id: ID!
    name: String!
    members: [User!]!
  }

  type Query {
    me: User
    user(id: ID!): User
    users(first: Int = 10): [User!]!
    accounts: [Account!]!
  }
`;

export const PRODUCTS_SDL = /* GraphQL */ `
  ${FEDERATION}

  type Product @key(fields: "upc") {
    upc: String!
    sku: String!
    slug: String!
    ean: String!
    name: String!
    description: String!
    material: String
    origin: String!
    warrantyMonths: Int!
    createdAt: String!
    brand: String!
    "Price in cents."
    price: Int!
    "Weight in grams."
    weight: Int!
    currency: String!
    color: String
    tags: [String!]!
    "Outer and packaging dimensions in millimetres: [[length, width, height], [length, width, height]]."
    dimensions: [[Int!]!]!
    "A variant grid (rows of sizes by colours); holes are null."
    variantGrid: [[Variant]]
    category: Category
    related: [Product!]!
  }

  type Variant {
    sku: String!
    label: String!
  }

  type Category @key(fields: "id") {
    id: ID!
    name: String!
    products: [Product!]!
  }

  union SearchResult = Product | Category

  type Query {
    topProducts(first: Int = 5): [Product!]!
    product(upc: String!): Product
    categories: [Category!]!
    search(text: String!): [SearchResult!]!
  }

  type Mutation {
    "Does not persist: answers with the product as it would be after the rename."
    renameProduct(upc: String!, name: String!): Product
  }
`;

export const REVIEWS_SDL = /* GraphQL */ `
  ${FEDERATION}

  type Review @key(fields: "id") {
    id: ID!
    title: String!
    body: String!
    rating: Int!
    createdAt: String!
    updatedAt: String
    language: String!
    pros: [String!]!
    cons: [String!]!
    helpfulCount: Int!
    verifiedPurchase: Boolean!
    author: User @provides(fields: "username")
    product: Product!
    "A non-null field that fails for every fifth review (its parent becomes null)."
    moderation: Moderation
  }

  type Moderation {
    status: String!
    note: String!
  }

  type User @key(fields: "id") {
    id: ID!
    username: String! @external
    reviews(first: Int = 3): [Review!]!
    reviewCount: Int!
  }

  type Product @key(fields: "upc") {
    upc: String!
    reviews(first: Int = 4): [Review!]!
    reviewCount: Int!
    averageRating: Float
  }

  type Query {
    latestReviews(first: Int = 5): [Review!]!
  }

  type Mutation {
    "Does not persist: answers with the review as it would be stored."
    addReview(upc: String!, title: String!, body: String!, rating: Int!): Review!
  }
`;

export const INVENTORY_SDL = /* GraphQL */ `
  ${FEDERATION}

  type Product @key(fields: "upc") {
    upc: String!
    price: Int! @external
    weight: Int! @external
    inStock: Boolean!
    quantity: Int!
    "Shipping cost in cents, from the price and the weight."
    shippingEstimate: Int! @requires(fields: "price weight")
    "Unknown (an error) for products with an odd number."
    restockDate: String
    warehouse: Warehouse
  }

  type Warehouse {
    code: String!
    "Non-null, and failing for warehouse W3: the warehouse becomes null."
    manager: String!
    shelves: [[String!]]!
  }

  type Query {
    warehouses: [Warehouse!]!
  }
`;

const FIRST_NAMES = ['Ada', 'Bea', 'Kai', 'Dez', 'Sam', 'Lou', 'Mia', 'Noe'];
const LAST_NAMES = ['Admin', 'Breeder', 'Keeper', 'Morales', 'Scales', 'Vance', 'Okafor', 'Lindqvist'];
const PRODUCT_NAMES = [
  'Ceramic Heat Emitter 100W',
  'T5 HO UVB Tube 12%',
  'Digital Thermostat',
  'Digital Hygrometer',
  'Cork Bark Hide Medium',
  'Coconut Fiber Substrate 8L',
  'Glass Terrarium 120x60x60',
  'Water Bowl Large',
  'Automatic Misting System',
  'Frozen Feeder Mice 10-pack',
  'Calcium + D3 Supplement',
  'Feeding Tongs 30cm',
];
const CATEGORY_NAMES = ['Heating & Lighting', 'Habitat', 'Feeding', 'Monitoring'];
const SENTENCES = [
  'Arrived well packed and works exactly as described.',
  'My ball python has been using it every night since.',
  'Temperatures are stable now, no more swings overnight.',
  'A bit pricey, but the build quality is excellent.',
  'Setup took ten minutes and the instructions were clear.',
  'Second one I bought; the first still works after two years.',
];

/** @typedef {{ id: string, name: string, username: string, email: string, bio: string | null, avatarUrl: string | null, joinedAt: string, location: string | null, website: string | null, timezone: string, pronouns: string | null, roles: string[] }} User */
/** @typedef {{ upc: string, sku: string, slug: string, ean: string, material: string | null, origin: string, warrantyMonths: number, createdAt: string, name: string, description: string, brand: string, price: number, weight: number, currency: string, color: string | null, tags: string[], dimensions: number[][], categoryId: string }} Product */
/** @typedef {{ id: string, title: string, body: string, rating: number, createdAt: string, updatedAt: string | null, language: string, pros: string[], cons: string[], helpfulCount: number, verifiedPurchase: boolean, authorId: string, upc: string }} Review */

/** @type {User[]} */
export const USERS = FIRST_NAMES.map((first, i) => ({
  id: `u${i + 1}`,
  name: `${first} ${LAST_NAMES[i]}`,
  username: `${first.toLowerCase()}${i + 1}`,
  email: `${first.toLowerCase()}@terrarium.test`,
  bio:
    i % 3 === 0
      ? null
      : `Keeps ${i + 2} reptiles, mostly geckos and a ${i % 2 ? 'corn snake' : 'ball python'}.`,
  avatarUrl: i % 4 === 1 ? null : `https://cdn.terrarium.test/avatars/u${i + 1}.webp`,
  joinedAt: `2023-0${(i % 9) + 1}-1${i}T08:00:00.000Z`,
  location: i % 2 ? 'Lisbon' : null,
  website: i % 3 === 1 ? `https://${first.toLowerCase()}.reptiles.test` : null,
  timezone: i % 2 ? 'Europe/Lisbon' : 'Europe/Berlin',
  pronouns: i % 4 === 2 ? 'they/them' : null,
  roles: i === 0 ? ['STAFF'] : i % 2 ? ['BREEDER'] : ['KEEPER'],
}));

/** @type {Product[]} */
export const PRODUCTS = PRODUCT_NAMES.map((name, i) => ({
  upc: `p${i + 1}`,
  sku: `TR-${String(i + 1).padStart(3, '0')}`,
  slug: name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, ''),
  ean: `40${String(1234567890 + i * 7919).padStart(11, '0')}`,
  material: i % 4 === 3 ? null : (['ceramic', 'glass', 'cork', 'steel'][i % 4] ?? null),
  origin: i % 2 ? 'DE' : 'PT',
  warrantyMonths: 12 + (i % 3) * 12,
  createdAt: `2022-${String((i % 12) + 1).padStart(2, '0')}-15T10:00:00.000Z`,
  name,
  description: `${name}: ${SENTENCES[i % SENTENCES.length]}`,
  brand: ['Arcadia', 'ZooMed', 'Exo Terra', 'Habistat'][i % 4] ?? '',
  price: 999 + i * 1250,
  weight: 120 + i * 85,
  currency: 'EUR',
  color: i % 3 === 0 ? null : (['black', 'white', 'brown'][i % 3] ?? null),
  tags: ['reptile', i % 2 ? 'tropical' : 'desert', ...(i % 3 === 0 ? ['bestseller'] : [])],
  dimensions: [
    [100 + i * 10, 60 + i, 40 + i],
    [110 + i * 10, 70 + i, 50 + i],
  ],
  categoryId: `c${(i % CATEGORY_NAMES.length) + 1}`,
}));

/** Four reviews per product, authors spread over the users. @type {Review[]} */
export const REVIEWS = PRODUCTS.flatMap((product, p) =>
  [0, 1, 2, 3].map((k) => {
    const n = p * 4 + k + 1;
    return {
      id: `r${n}`,
      title: `${['Great', 'Solid', 'Good value', 'Does the job'][k]} ${product.name.split(' ')[0]}`,
      body: `${SENTENCES[n % SENTENCES.length]} ${SENTENCES[(n + 2) % SENTENCES.length]}`,
      rating: (n % 5) + 1,
      createdAt: `2024-${String((n % 12) + 1).padStart(2, '0')}-0${(n % 9) + 1}T12:00:00.000Z`,
      updatedAt: n % 4 === 0 ? `2024-12-0${(n % 9) + 1}T12:00:00.000Z` : null,
      language: n % 3 ? 'en' : 'pt',
      pros: n % 2 ? ['easy to install', 'stable temperature'] : ['good value'],
      cons: n % 3 === 0 ? ['loud fan'] : [],
      helpfulCount: (n * 7) % 23,
      verifiedPurchase: n % 3 !== 0,
      authorId: `u${((n * 3) % USERS.length) + 1}`,
      upc: product.upc,
    };
  }),
);

const usersById = new Map(USERS.map((user) => [user.id, user]));
const productsByUpc = new Map(PRODUCTS.map((product) => [product.upc, product]));
const reviewsById = new Map(REVIEWS.map((review) => [review.id, review]));
const categories = CATEGORY_NAMES.map((name, i) => ({ id: `c${i + 1}`, name }));
const organizations = [
  { id: 'o1', name: 'Sunset Reptiles', memberIds: ['u2', 'u4'] },
  { id: 'o2', name: 'Desert Morphs', memberIds: ['u6'] },
];

/** @param {string} upc */
const productNumber = (upc) => Number(upc.slice(1));

/** @type {Record<string, Record<string, unknown>>} */
export const USERS_RESOLVERS = {
  Query: {
    me: () => usersById.get('u3'),
    user: (/** @type {unknown} */ _, /** @type {{ id: string }} */ { id }) => usersById.get(id) ?? null,
    users: (/** @type {unknown} */ _, /** @type {{ first: number }} */ { first }) => USERS.slice(0, first),
    accounts: () => [...USERS.slice(0, 3), ...organizations],
  },
  Account: {
    __resolveType: (/** @type {{ memberIds?: string[] }} */ account) =>
      account.memberIds ? 'Organization' : 'User',
  },
  User: {
    __resolveReference: (/** @type {{ id: string }} */ ref) => usersById.get(ref.id) ?? null,
    birthDate: (/** @type {User} */ user) => {
      if (user.id === 'u4')
        throw new GraphQLError('Profile of u4 is corrupt.', {
          extensions: { code: 'INTERNAL_SERVER_ERROR' },
        });
      return Number(user.id.slice(1)) % 2 ? `199${user.id.slice(1)}-05-17` : null;
    },
  },
  Organization: {
    __resolveReference: (/** @type {{ id: string }} */ ref) =>
      organizations.find((o) => o.id === ref.id) ?? null,
    members: (/** @type {{ memberIds: string[] }} */ org) => org.memberIds.map((id) => usersById.get(id)),
  },
};

/** @type {Record<string, Record<string, unknown>>} */
export const PRODUCTS_RESOLVERS = {
  Query: {
    topProducts: (/** @type {unknown} */ _, /** @type {{ first: number }} */ { first }) =>
      PRODUCTS.slice(0, first),
    product: (/** @type {unknown} */ _, /** @type {{ upc: string }} */ { upc }) =>
      productsByUpc.get(upc) ?? null,
    categories: () => categories,
    search: (/** @type {unknown} */ _, /** @type {{ text: string }} */ { text }) => {
      const needle = text.toLowerCase();
      return [
        ...categories.filter((c) => c.name.toLowerCase().includes(needle)),
        ...PRODUCTS.filter((p) => p.name.toLowerCase().includes(needle)),
      ];
    },
  },
  Mutation: {
    renameProduct: (/** @type {unknown} */ _, /** @type {{ upc: string, name: string }} */ { upc, name }) => {
      const product = productsByUpc.get(upc);
      return product ? { ...product, name } : null;
    },
  },
  SearchResult: {
    __resolveType: (/** @type {{ upc?: string }} */ value) => (value.upc ? 'Product' : 'Category'),
  },
  Product: {
    __resolveReference: (/** @type {{ upc: string }} */ ref) => productsByUpc.get(ref.upc) ?? null,
    category: (/** @type {Product} */ product) => categories.find((c) => c.id === product.categoryId) ?? null,
    related: (/** @type {Product} */ product) => {
      const n = productNumber(product.upc);
      return [PRODUCTS[n % PRODUCTS.length], PRODUCTS[(n + 4) % PRODUCTS.length]];
    },
    variantGrid: (/** @type {Product} */ product) => {
      const n = productNumber(product.upc);
      if (n % 4 === 0) return null;
      return [
        [
          { sku: `${product.upc}-S-black`, label: 'S black' },
          n % 2 ? null : { sku: `${product.upc}-S-white`, label: 'S white' },
        ],
        [{ sku: `${product.upc}-L-black`, label: 'L black' }],
      ];
    },
  },
  Category: {
    __resolveReference: (/** @type {{ id: string }} */ ref) =>
      categories.find((c) => c.id === ref.id) ?? null,
    products: (/** @type {{ id: string }} */ category) =>
      PRODUCTS.filter((p) => p.categoryId === category.id),
  },
};

/** @type {Record<string, Record<string, unknown>>} */
export const REVIEWS_RESOLVERS = {
  Query: {
    latestReviews: (/** @type {unknown} */ _, /** @type {{ first: number }} */ { first }) =>
      REVIEWS.slice(-first).reverse(),
  },
  Mutation: {
    addReview: (
      /** @type {unknown} */ _,
      /** @type {{ upc: string, title: string, body: string, rating: number }} */ args,
    ) => {
      if (args.rating < 1 || args.rating > 5)
        throw new GraphQLError('rating must be 1..5', { extensions: { code: 'BAD_USER_INPUT' } });
      return {
        id: `r-new-${args.upc}`,
        title: args.title,
        body: args.body,
        rating: args.rating,
        createdAt: '2025-01-01T00:00:00.000Z',
        updatedAt: null,
        language: 'en',
        pros: [],
        cons: [],
        helpfulCount: 0,
        verifiedPurchase: false,
        authorId: 'u3',
        upc: args.upc,
      };
    },
  },
  Review: {
    __resolveReference: (/** @type {{ id: string }} */ ref) => reviewsById.get(ref.id) ?? null,
    author: (/** @type {Review} */ review) => {
      const user = usersById.get(review.authorId);
      return user ? { id: user.id, username: user.username } : null;
    },
    product: (/** @type {Review} */ review) => ({ upc: review.upc }),
    moderation: (/** @type {Review} */ review) => {
      const n = Number(review.id.replace(/\D/g, '')) || 0;
      return n % 5 === 0 ? { status: 'FLAGGED', note: null } : { status: 'OK', note: 'auto-approved' };
    },
  },
  User: {
    __resolveReference: (/** @type {{ id: string }} */ ref) => ({ id: ref.id }),
    reviews: (/** @type {{ id: string }} */ user, /** @type {{ first: number }} */ { first }) =>
      REVIEWS.filter((r) => r.authorId === user.id).slice(0, first),
    reviewCount: (/** @type {{ id: string }} */ user) => REVIEWS.filter((r) => r.authorId === user.id).length,
  },
  Product: {
    __resolveReference: (/** @type {{ upc: string }} */ ref) => ({ upc: ref.upc }),
    reviews: (/** @type {{ upc: string }} */ product, /** @type {{ first: number }} */ { first }) =>
      REVIEWS.filter((r) => r.upc === product.upc).slice(0, first),
    reviewCount: (/** @type {{ upc: string }} */ product) =>
      REVIEWS.filter((r) => r.upc === product.upc).length,
    averageRating: (/** @type {{ upc: string }} */ product) => {
      const ratings = REVIEWS.filter((r) => r.upc === product.upc).map((r) => r.rating);
      return ratings.length ? ratings.reduce((a, b) => a + b, 0) / ratings.length : null;
    },
  },
};

const warehouses = [
  { code: 'W1', manager: 'Ada Admin', shelves: [['A1', 'A2'], ['B1']] },
  { code: 'W2', manager: 'Kai Keeper', shelves: [['C1'], null] },
  { code: 'W3', manager: null, shelves: [] },
];

/** @type {Record<string, Record<string, unknown>>} */
export const INVENTORY_RESOLVERS = {
  Query: { warehouses: () => warehouses },
  Product: {
    __resolveReference: (/** @type {{ upc: string, price?: number, weight?: number }} */ ref) => ref,
    inStock: (/** @type {{ upc: string }} */ product) => productNumber(product.upc) % 3 !== 0,
    quantity: (/** @type {{ upc: string }} */ product) => (productNumber(product.upc) * 17) % 40,
    shippingEstimate: (/** @type {{ price: number, weight: number }} */ product) => {
      // @requires delivered both: a missing one would be a planner or executor bug.
      if (typeof product.price !== 'number' || typeof product.weight !== 'number')
        throw new Error('price and weight are required');
      return product.price > 10_000 ? 0 : Math.round(product.weight * 0.5 + 399);
    },
    restockDate: (/** @type {{ upc: string }} */ product) => {
      if (productNumber(product.upc) % 2)
        throw new GraphQLError(`No restock date for ${product.upc}.`, { extensions: { code: 'NOT_FOUND' } });
      return '2025-03-01';
    },
    warehouse: (/** @type {{ upc: string }} */ product) =>
      warehouses[productNumber(product.upc) % warehouses.length],
  },
  Warehouse: {
    manager: (/** @type {{ code: string, manager: string | null }} */ warehouse) => {
      if (warehouse.manager === null)
        throw new GraphQLError(`Warehouse ${warehouse.code} has no manager on record.`);
      return warehouse.manager;
    },
  },
};

/** The four subgraphs, in the order they are composed. */
export const BENCH_SUBGRAPHS = /** @type {const} */ ([
  { name: 'users', typeDefs: USERS_SDL, resolvers: USERS_RESOLVERS },
  { name: 'products', typeDefs: PRODUCTS_SDL, resolvers: PRODUCTS_RESOLVERS },
  { name: 'reviews', typeDefs: REVIEWS_SDL, resolvers: REVIEWS_RESOLVERS },
  { name: 'inventory', typeDefs: INVENTORY_SDL, resolvers: INVENTORY_RESOLVERS },
]);
