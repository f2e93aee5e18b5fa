import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execute, firstError } from '@terrarium/subgraph-kit/testing';
import { asService, asUser, em, insertUsers, startOps, type Ops } from './helpers.js';

const AUDIT_LOG = /* GraphQL */ `
  query AuditLog($first: Int = 50, $after: String) {
    auditLog(first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          action
          actor {
            id
            displayName
          }
          subject
          source
          createdAt
        }
      }
    }
  }
`;
const CREATE_PARTNER = /* GraphQL */ `
  mutation CreatePartner($input: CreateApiClientInput!) {
    createApiClient(input: $input) {
      client {
        id
        name
        allowedOperations
      }
      key
    }
  }
`;
interface AuditPage {
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { node: { id: string } }[];
}
const CLIENT_BY_KEY = 'query ($key: String!) { apiClientByKey(key: $key) { id name allowedOperations } }';

describe('ops: staff back office', () => {
  let ops: Ops;
  let adminId: string;
  let keeperId: string;
  const admin = () => asUser(adminId, ['STAFF']);

  beforeAll(async () => {
    ops = await startOps('ops_test_admin');
    const ids = await insertUsers(ops, 2, 'admin-test-');
    adminId = ids[0]!;
    keeperId = ids[1]!;
    await em(ops).execute(
      `update user_account set roles = '{STAFF}', display_name = 'Ada Admin' where id = ?`,
      [adminId],
    );
  });
  afterAll(() => ops.stop());

  it('keeps the audit log from anonymous callers (UNAUTHENTICATED) and non-staff (FORBIDDEN)', async () => {
    expect(firstError(await execute(ops, AUDIT_LOG))?.code).toBe('UNAUTHENTICATED');
    expect(firstError(await execute(ops, AUDIT_LOG, {}, asUser(keeperId, ['KEEPER', 'BREEDER'])))?.code).toBe(
      'FORBIDDEN',
    );
  });

  it('creates a partner client for staff only, returns its key once and records the action', async () => {
    const input = {
      name: 'Gecko Gazette',
      allowedOperations: ['AnimalCard', 'BreederListings', 'AnimalCard'],
    };
    expect(firstError(await execute(ops, CREATE_PARTNER, { input }, asUser(keeperId)))?.code).toBe(
      'FORBIDDEN',
    );
    expect(
      firstError(
        await execute(
          ops,
          CREATE_PARTNER,
          { input: { ...input, allowedOperations: ['not an op'] } },
          admin(),
        ),
      ),
    ).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'allowedOperations',
    });

    const created = await execute(ops, CREATE_PARTNER, { input }, admin());
    expect(created.errors).toEqual([]);
    const { client, key } = created.data!['createApiClient'];
    expect(client).toMatchObject({
      name: 'Gecko Gazette',
      allowedOperations: ['AnimalCard', 'BreederListings'],
    });
    expect(key).toMatch(/^trk_[A-Za-z0-9_-]{43}$/);
    // Only the hash is stored.
    const [row] = await em(ops).execute<{ key_hash: string }[]>(
      'select key_hash from api_client where id = ?',
      [client.id],
    );
    expect(row!.key_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row!.key_hash).not.toContain(key.slice(4));

    const log = await execute(ops, AUDIT_LOG, {}, admin());
    expect(log.data!['auditLog'].edges[0].node).toMatchObject({
      action: 'createApiClient',
      actor: { id: adminId, displayName: 'Ada Admin' },
      subject: `ApiClient:${client.id} Gecko Gazette`,
      source: 'ops',
    });
  });

  it('finds a client by its key for services only', async () => {
    const { data } = await execute(
      ops,
      CREATE_PARTNER,
      { input: { name: 'Reptile Radar', allowedOperations: ['AnimalCard'] } },
      admin(),
    );
    const { client, key } = data!['createApiClient'];
    expect(firstError(await execute(ops, CLIENT_BY_KEY, { key }))).toMatchObject({ code: 'FORBIDDEN' });
    expect(firstError(await execute(ops, CLIENT_BY_KEY, { key }, admin()))).toMatchObject({
      code: 'FORBIDDEN',
    });
    expect((await execute(ops, CLIENT_BY_KEY, { key }, asService('gateway'))).data).toEqual({
      apiClientByKey: { id: client.id, name: 'Reptile Radar', allowedOperations: ['AnimalCard'] },
    });
    const wrong = `trk_${'A'.repeat(43)}`;
    expect((await execute(ops, CLIENT_BY_KEY, { key: wrong }, asService('gateway'))).data).toEqual({
      apiClientByKey: null,
    });
    expect((await execute(ops, CLIENT_BY_KEY, { key: 'garbage' }, asService('gateway'))).data).toEqual({
      apiClientByKey: null,
    });
  });

  it('lets staff create an organization with an owner, who becomes a BREEDER member', async () => {
    const CREATE =
      'mutation ($input: CreateOrganizationInput!) { createOrganization(input: $input) { id slug members { role user { id roles } } } }';
    const input = {
      name: 'Gecko Grove',
      slug: 'gecko-grove',
      description: 'Leopard geckos.',
      ownerId: keeperId,
    };
    expect(firstError(await execute(ops, CREATE, { input }, asUser(keeperId)))?.code).toBe('FORBIDDEN');
    expect(
      firstError(await execute(ops, CREATE, { input: { ...input, slug: 'Gecko Grove!' } }, admin())),
    ).toMatchObject({ code: 'BAD_USER_INPUT', field: 'slug' });
    const created = await execute(ops, CREATE, { input }, admin());
    expect(created.errors).toEqual([]);
    expect(created.data!['createOrganization'].members).toEqual([
      { role: 'OWNER', user: { id: keeperId, roles: ['BREEDER', 'KEEPER'] } },
    ]);
    expect(
      firstError(await execute(ops, CREATE, { input: { ...input, ownerId: null } }, admin()))?.code,
    ).toBe('CONFLICT');

    const BY_SLUG =
      '{ organization(slug: "gecko-grove") { id name description } organizations(first: 10) { totalCount edges { node { slug } } } }';
    const read = await execute(ops, BY_SLUG);
    expect(read.data!['organization']).toEqual({
      id: created.data!['createOrganization'].id,
      name: 'Gecko Grove',
      description: 'Leopard geckos.',
    });
    expect(read.data!['organizations'].edges.map((e: { node: { slug: string } }) => e.node.slug)).toContain(
      'gecko-grove',
    );
  });

  it('lets staff set roles, but not remove their own STAFF role, and records it', async () => {
    const SET =
      'mutation ($userId: ID!, $roles: [Role!]!) { setUserRoles(userId: $userId, roles: $roles) { id roles } }';
    expect(
      firstError(await execute(ops, SET, { userId: keeperId, roles: ['STAFF'] }, asUser(keeperId)))?.code,
    ).toBe('FORBIDDEN');
    expect(
      firstError(await execute(ops, SET, { userId: adminId, roles: ['KEEPER'] }, admin())),
    ).toMatchObject({ code: 'BAD_USER_INPUT', field: 'roles' });
    expect(
      (await execute(ops, SET, { userId: keeperId, roles: ['KEEPER', 'BREEDER', 'KEEPER'] }, admin())).data,
    ).toEqual({
      setUserRoles: { id: keeperId, roles: ['BREEDER', 'KEEPER'] },
    });
    const log = await execute(ops, AUDIT_LOG, { first: 1 }, admin());
    expect(log.data!['auditLog'].edges[0].node).toMatchObject({
      action: 'setUserRoles',
      subject: `User:${keeperId} roles=BREEDER,KEEPER`,
    });
  });

  it('records audit entries from services only, and pages through the log without gaps', async () => {
    const RECORD =
      'mutation ($actorId: ID, $subject: String!) { recordAudit(action: "adjustStock", actorId: $actorId, subject: $subject) }';
    expect(
      firstError(await execute(ops, RECORD, { actorId: adminId, subject: 'Product:1' }, admin()))?.code,
    ).toBe('FORBIDDEN');
    expect(
      (await execute(ops, RECORD, { actorId: adminId, subject: 'Product:1' }, asService('inventory'))).data,
    ).toEqual({ recordAudit: true });
    expect(
      firstError(await execute(ops, RECORD, { actorId: 'nope', subject: 'x' }, asService('inventory'))),
    ).toMatchObject({ code: 'BAD_USER_INPUT', field: 'actorId' });

    const all = (await execute(ops, AUDIT_LOG, { first: 100 }, admin())).data!['auditLog'];
    expect(all.edges[0].node).toMatchObject({
      action: 'adjustStock',
      source: 'inventory',
      actor: { id: adminId },
    });
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const page: AuditPage = (
        await execute<{ auditLog: AuditPage }>(ops, AUDIT_LOG, { first: 2, after }, admin())
      ).data!.auditLog;
      seen.push(...page.edges.map((e) => e.node.id));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    expect(seen).toEqual(all.edges.map((e: { node: { id: string } }) => e.node.id));
    expect(seen.length).toBe(all.totalCount);
    expect(firstError(await execute(ops, AUDIT_LOG, { after: 'bogus' }, admin()))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'after',
    });
  });
});
