/**
 * The contract (schema/operations, copied from the shared contract): every storefront, partner
 * and back-office operation answered through the real gateway by the six real subgraphs, with
 * data from every subgraph it names.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, contractOperation, gql, logIn, startPlatform, type Platform } from './support/platform.js';
import { seedId as seedIdOf } from '@terrarium/subgraph-kit/seed-id';

let platform: Platform;
let url: string;
let adminToken: string;
let keeperToken: string;

beforeAll(async () => {
  platform = await startPlatform({ subgraphs: ['ops', 'products', 'inventory', 'commerce', 'media', 'community'] });
  url = platform.gatewayUrl;
  [adminToken, keeperToken] = await Promise.all([logIn(url, 'admin@terrarium.test'), logIn(url, 'keeper@terrarium.test')]);
}, 120_000);
afterAll(async () => {
  await platform?.stop();
});

function expectNoErrors(body: { errors?: unknown[] }) {
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
}

describe('storefront', () => {
  it('ProductPage: catalog, images, stock, rating and reviews with their authors', async () => {
    const { body } = await gql(url, contractOperation('storefront', 'ProductPage'), { slug: 'ceramic-heat-emitter-100w' });
    expectNoErrors(body);
    const product = body.data.product;
    expect(product).toMatchObject({ sku: 'TR-HEAT-100', category: { slug: 'heating-lighting' } });
    expect(product.images.length).toBeGreaterThan(0);
    expect(product.images[0].url).toMatch(/\/files\/.+\/w800\.|\/files\//);
    expect(product.stock.available).toBeGreaterThanOrEqual(0);
    expect(product.reviewCount).toBeGreaterThan(0);
    expect(product.averageRating).toBeGreaterThan(0);
    expect(product.reviews.edges[0].node.author.displayName).toEqual(expect.any(String));
  });

  it('SearchProducts: a page of products with prices, thumbnails, stock and ratings', async () => {
    const { body } = await gql(url, contractOperation('storefront', 'SearchProducts'), { search: 'thermostat' });
    expectNoErrors(body);
    const connection = body.data.products;
    expect(connection.totalCount).toBeGreaterThan(0);
    expect(connection.edges[0].node).toMatchObject({ name: 'Digital Thermostat', stock: { available: expect.any(Number) } });
    expect(connection.edges[0].node.images[0].url).toEqual(expect.any(String));
  });

  it('Autocomplete', async () => {
    const { body } = await gql(url, contractOperation('storefront', 'Autocomplete'), { prefix: 'dig' });
    expectNoErrors(body);
    expect(body.data.searchSuggestions).toEqual(expect.arrayContaining(['Digital Thermostat', 'Digital Hygrometer']));
  });

  it('AnimalPage: inventory, media, ops, community and commerce in one answer', async () => {
    const { body } = await gql(url, contractOperation('storefront', 'AnimalPage'), { id: seedIdOf('animal:7') });
    expectNoErrors(body);
    const animal = body.data.animal;
    expect(animal.species.commonName).toEqual(expect.any(String));
    expect(animal.sire?.id ?? animal.dam?.id).toEqual(expect.any(String));
    expect(animal.photos.length).toBeGreaterThan(0);
    expect(animal.breeder).toMatchObject({ slug: 'sunset-reptiles', name: 'Sunset Reptiles' });
    expect(animal.breeder.averageRating).toBeGreaterThan(0);
    expect(animal.listing).toMatchObject({ status: 'ACTIVE', price: { currency: 'EUR' } });
  });

  it('BreederPage: organization, logo, rating and listings with animals', async () => {
    const { body } = await gql(url, contractOperation('storefront', 'BreederPage'), { slug: 'sunset-reptiles' });
    expectNoErrors(body);
    const org = body.data.organization;
    expect(org.logo.url).toEqual(expect.any(String));
    expect(org.reviewCount).toBeGreaterThan(0);
    expect(org.listings.totalCount).toBeGreaterThan(0);
    const withAnimal = org.listings.edges.find((e: any) => e.node.animal);
    expect(withAnimal.node.animal.species.commonName).toEqual(expect.any(String));
  });

  it('Me: the user from ops with cart and orders from commerce', async () => {
    const { body } = await gql(url, contractOperation('storefront', 'Me'), {}, bearer(keeperToken));
    expectNoErrors(body);
    expect(body.data.me).toMatchObject({ email: 'keeper@terrarium.test', roles: ['KEEPER'] });
    expect(body.data.me.orders.totalCount).toBeGreaterThanOrEqual(0);
  });

  it('PostReview: a signed-in review updates the product aggregate', async () => {
    const token = await signUp(`reviewer-${Date.now()}@example.com`);
    const { body } = await gql(
      url,
      contractOperation('storefront', 'PostReview'),
      { input: { productId: seedIdOf('product:TR-TONGS'), rating: 4, body: 'Long enough to keep fingers safe.' } },
      bearer(token),
    );
    expectNoErrors(body);
    expect(body.data.postReview).toMatchObject({ rating: 4, product: { id: seedIdOf('product:TR-TONGS') } });
    expect(body.data.postReview.product.reviewCount).toBeGreaterThanOrEqual(1);
  });
});

describe('partner embed', () => {
  it('AnimalCard', async () => {
    const { body } = await gql(url, contractOperation('partner-embed', 'AnimalCard'), { id: seedIdOf('animal:8') });
    expectNoErrors(body);
    expect(body.data.animal).toMatchObject({ species: { commonName: expect.any(String) }, breeder: { slug: expect.any(String) } });
    expect(body.data.animal.photos[0].url).toEqual(expect.any(String));
  });

  it('BreederListings', async () => {
    const { body } = await gql(url, contractOperation('partner-embed', 'BreederListings'), { slug: 'desert-morphs' });
    expectNoErrors(body);
    expect(body.data.organization.listings.edges.length).toBeGreaterThan(0);
  });
});

describe('back office', () => {
  it('AdjustStock and AuditLog need staff; staff can adjust', async () => {
    const variables = { productId: seedIdOf('product:TR-HYGRO'), delta: 5, reason: 'cycle count' };
    // Declared with @access(roles: ["STAFF"]) in inventory's schema; refused by the gateway.
    const anonymous = await gql(url, contractOperation('admin', 'AdjustStock'), variables);
    expect([anonymous.status, anonymous.body.errors?.[0]?.extensions?.['code']]).toEqual([401, 'UNAUTHENTICATED']);
    const stranger = await gql(url, contractOperation('admin', 'AdjustStock'), variables, bearer(keeperToken));
    expect([stranger.status, stranger.body.errors?.[0]?.extensions?.['code']]).toEqual([403, 'FORBIDDEN']);
    const { body } = await gql(url, contractOperation('admin', 'AdjustStock'), variables, bearer(adminToken));
    expectNoErrors(body);
    expect(body.data.adjustStock).toMatchObject({ name: 'Digital Hygrometer', stock: { onHand: expect.any(Number) } });
    const audit = await gql(url, contractOperation('admin', 'AuditLog'), {}, bearer(adminToken));
    expectNoErrors(audit.body);
  });

  it('CreatePartner returns the key once', async () => {
    const { body } = await gql(url, contractOperation('admin', 'CreatePartner'), { input: { name: 'Gecko Blog', allowedOperations: ['AnimalCard'] } }, bearer(adminToken));
    expectNoErrors(body);
    expect(body.data.createApiClient.key).toMatch(/^trk_/);
  });
});

async function signUp(email: string): Promise<string> {
  const { body } = await gql(url, contractOperation('storefront', 'SignUp'), { input: { email, password: 'a-long-enough-password', displayName: 'Reviewer' } });
  expectNoErrors(body);
  return body.data.signUp.token;
}
