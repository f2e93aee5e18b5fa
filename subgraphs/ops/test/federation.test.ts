import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execute } from '@terrarium/subgraph-kit/testing';
import { em, insertUsers, startOps, type Ops } from './helpers.js';

const ENTITIES = /* GraphQL */ `
  query ($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on User {
        id
        displayName
        email
      }
      ... on Organization {
        id
        name
        slug
        members {
          role
          user {
            id
            displayName
          }
        }
      }
    }
  }
`;

describe('ops: federation entities', () => {
  let ops: Ops;
  let userIds: string[];
  beforeAll(async () => {
    ops = await startOps('ops_test_federation');
    userIds = await insertUsers(ops, 20, 'fed-');
  });
  afterAll(() => ops.stop());

  it('resolves User references by id, null for unknown or malformed ids', async () => {
    const representations = [
      { __typename: 'User', id: userIds[0] },
      { __typename: 'User', id: '00000000-0000-4000-8000-000000000000' },
      { __typename: 'User', id: 'not-a-uuid' },
    ];
    const result = await execute(ops, ENTITIES, { representations });
    expect(result.errors).toEqual([]);
    expect(result.data).toEqual({
      _entities: [{ id: userIds[0], displayName: 'User 1', email: null }, null, null],
    });
  });

  it('resolves 20 User references with one SQL statement', async () => {
    const representations = userIds.map((id) => ({ __typename: 'User', id: id.toUpperCase() }));
    const before = ops.sqlStatementCount();
    const result = await execute(
      ops,
      'query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on User { id displayName } } }',
      { representations },
    );
    expect(ops.sqlStatementCount() - before).toBe(1);
    expect((result.data!['_entities'] as { id: string }[]).map((u) => u.id)).toEqual(userIds);
  });

  it('resolves Organization references by id, with their members batched', async () => {
    const [a, b] = await em(ops).execute<{ id: string }[]>(
      `insert into organization (name, slug) values ('Atlas Agamas', 'atlas-agamas'), ('Boa Barn', 'boa-barn') returning id`,
    );
    await em(ops).execute(
      `insert into organization_member (organization_id, user_id, role) values (?, ?, 'OWNER'), (?, ?, 'MEMBER'), (?, ?, 'OWNER')`,
      [a!.id, userIds[0], a!.id, userIds[1], b!.id, userIds[2]],
    );
    const representations = [a, b].map((org) => ({ __typename: 'Organization', id: org!.id }));
    const before = ops.sqlStatementCount();
    const result = await execute(ops, ENTITIES, { representations });
    // organizations, their members, the members' users: one statement each.
    expect(ops.sqlStatementCount() - before).toBe(3);
    expect(result.data).toEqual({
      _entities: [
        {
          id: a!.id,
          name: 'Atlas Agamas',
          slug: 'atlas-agamas',
          members: [
            { role: 'OWNER', user: { id: userIds[0], displayName: 'User 1' } },
            { role: 'MEMBER', user: { id: userIds[1], displayName: 'User 2' } },
          ],
        },
        {
          id: b!.id,
          name: 'Boa Barn',
          slug: 'boa-barn',
          members: [{ role: 'OWNER', user: { id: userIds[2], displayName: 'User 3' } }],
        },
      ],
    });
  });
});
