import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  persisted,
  startFixtureGraph,
  PARTNER_KEY,
  type FixtureGraph,
  type PartnerOperation,
} from './fixtures/graph.js';
import { startGateway, type TestGateway } from './fixtures/gateway.js';
import { startTestIssuer, type TestIssuer } from './fixtures/jwt.js';

let graph: FixtureGraph;
let issuer: TestIssuer;
let gateway: TestGateway;
const headers: Record<'anonymous' | 'keeper' | 'staff' | 'partner', Record<string, string>> = {
  anonymous: {},
  keeper: {},
  staff: {},
  partner: { 'x-api-key': PARTNER_KEY },
};

beforeAll(async () => {
  [graph, issuer] = await Promise.all([startFixtureGraph(), startTestIssuer()]);
  gateway = await startGateway(graph.supergraphPath, {
    JWKS_URL: issuer.jwksUrl,
    OPS_URL: graph.ops.url,
    PERSISTED_MANIFESTS_DIR: graph.dir,
  });
  headers.keeper = {
    authorization: `Bearer ${await issuer.sign({ sub: '0b7c5a2e-2222-4000-8000-000000000002', roles: ['KEEPER'] })}`,
  };
  headers.staff = {
    authorization: `Bearer ${await issuer.sign({ sub: '0b7c5a2e-1111-4000-8000-000000000001', roles: ['STAFF'] })}`,
  };
  // Warm the partner key's verdict so that request counts below are the operation's own.
  await gateway.post(persisted('PartnerFeed'), headers.partner);
});
afterAll(async () => {
  await gateway?.stop();
  await Promise.all([graph?.close(), issuer?.close()]);
});

/**
 * Sends `query` as `who` (a partner, which may only run its trusted documents, names one of
 * them); returns the status, the first error's code and how many subgraph requests it caused.
 */
async function run(who: keyof typeof headers, query: string | { persisted: PartnerOperation }) {
  const before = graph.total();
  const { status, body } = await gateway.post(
    typeof query === 'string' ? { query } : persisted(query.persisted),
    headers[who],
  );
  return {
    status,
    code: body.errors?.[0]?.extensions?.['code'],
    message: body.errors?.[0]?.message,
    data: body.data,
    fetches: graph.total() - before,
  };
}

describe('@access survives composition', () => {
  it('is in the supergraph with its @link, on fields and on types', () => {
    const sdl = readFileSync(graph.supergraphPath, 'utf8');
    expect(sdl).toContain('@link(url: "https://terrarium.dev/auth/v1.0", import: ["@access"])');
    expect(sdl).toMatch(/type AuditEntry[^{]*@access\(roles: \["STAFF"\]\)/);
    expect(sdl).toMatch(/me: User @join__field\(graph: OPS\) @access\n/);
  });
});

describe('field-level authorization at the gateway', () => {
  it.each([
    ['anonymous', '{ me { id } }', 401, 'UNAUTHENTICATED'],
    ['partner', { persisted: 'PartnerMe' }, 403, 'FORBIDDEN'],
    ['keeper', '{ auditLog { id } }', 403, 'FORBIDDEN'],
    ['anonymous', '{ auditLog { action } }', 401, 'UNAUTHENTICATED'],
    ['keeper', '{ products { title cost } }', 403, 'FORBIDDEN'],
    ['keeper', '{ products { ...Costs } } fragment Costs on Product { cost }', 403, 'FORBIDDEN'],
    ['keeper', '{ items { ... on Product { cost } } }', 403, 'FORBIDDEN'],
    ['keeper', '{ items { title } }', 403, 'FORBIDDEN'],
    ['keeper', '{ partnerFeed }', 403, 'FORBIDDEN'],
    ['anonymous', '{ partnerFeed }', 401, 'UNAUTHENTICATED'],
    ['keeper', '{ staffOrPartner }', 403, 'FORBIDDEN'],
  ] as const)(
    'refuses %s running %o (%i %s) without calling a subgraph',
    async (who, query, status, code) => {
      const result = await run(who, query);
      expect(result).toMatchObject({ status, code, fetches: 0 });
    },
  );

  it('tells an anonymous caller how to authenticate', async () => {
    const { status, headers } = await gateway.post({ query: '{ me { id } }' });
    expect(status).toBe(401);
    expect(headers.get('www-authenticate')).toBe('Bearer');
  });

  it('names the coordinate and what it requires', async () => {
    expect((await run('keeper', '{ auditLog { id } }')).message).toBe('AuditEntry requires role STAFF.');
    expect((await run('anonymous', '{ me { id } }')).message).toBe('You must be signed in to read Query.me.');
  });

  it.each([
    ['keeper', '{ me { id email } }'],
    ['staff', '{ auditLog { id action } }'],
    ['staff', '{ products { title cost } }'],
    ['staff', '{ items { title } }'],
    ['keeper', '{ items { ... on Product { title price } } }'],
    ['anonymous', '{ products { title price } items { __typename } }'],
    ['partner', { persisted: 'PartnerFeed' }],
    ['partner', { persisted: 'StaffOrPartner' }],
    ['staff', '{ staffOrPartner }'],
  ] as const)('lets %s run %o', async (who, query) => {
    const result = await run(who, query);
    expect(result.status).toBe(200);
    expect(result.code).toBeUndefined();
    expect(result.fetches).toBeGreaterThan(0);
  });
});
