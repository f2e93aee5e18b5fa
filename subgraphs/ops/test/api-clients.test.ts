/**
 * Partner keys: staff list them with lastUsedAt (stamped when the gateway verifies a key, at most
 * once a minute) and revoke them; a revocation is audited and announced on Redis
 * (`ops:api-client-revoked`) after commit, which is what gateways listen to.
 */
import { createHash } from 'node:crypto';
import { createRedisClient } from '@terrarium/platform/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execute, expectData, expectErrorCode } from '@terrarium/subgraph-kit/testing';
import { asService, asUser, em, insertUsers, startOps, type Ops } from './helpers.js';

const CREATE = `mutation ($input: CreateApiClientInput!) { createApiClient(input: $input) { client { id } key } }`;
const BY_KEY = 'query ($key: String!) { apiClientByKey(key: $key) { id } }';
const PARTNERS = `query Partners($first: Int = 50) {
  apiClients(first: $first) { edges { node { id name allowedOperations createdAt lastUsedAt revokedAt } } }
}`;
const REVOKE = 'mutation RevokePartner($id: ID!) { revokeApiClient(id: $id) { id revokedAt } }';

interface Partner {
  id: string;
  name: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

describe('ops: partner API clients', () => {
  let ops: Ops;
  let staff: ReturnType<typeof asUser>;
  let keeper: ReturnType<typeof asUser>;
  beforeAll(async () => {
    ops = await startOps('ops_test_api_clients');
    const [staffId, keeperId] = [
      (await insertUsers(ops, 1, 'partners-staff', ['STAFF']))[0]!,
      (await insertUsers(ops, 1, 'partners-keeper'))[0]!,
    ];
    staff = asUser(staffId, ['STAFF']);
    keeper = asUser(keeperId);
  });
  afterAll(() => ops?.stop());

  const create = async (name: string) =>
    (
      await expectData<{ createApiClient: { client: { id: string }; key: string } }>(
        ops,
        CREATE,
        { input: { name, allowedOperations: ['AnimalCard'] } },
        staff,
      )
    ).createApiClient;
  const partner = async (id: string) =>
    (
      await expectData<{ apiClients: { edges: { node: Partner }[] } }>(ops, PARTNERS, {}, staff)
    ).apiClients.edges
      .map((e) => e.node)
      .find((p) => p.id === id)!;

  it('lists clients for staff only, with lastUsedAt stamped by verification at most once a minute', async () => {
    const { client, key } = await create('Reptile Radar');
    await expectErrorCode(ops, 'FORBIDDEN', PARTNERS, {}, keeper);
    expect(await partner(client.id)).toMatchObject({
      name: 'Reptile Radar',
      lastUsedAt: null,
      revokedAt: null,
    });

    await expectData(ops, BY_KEY, { key }, asService('gateway'));
    const first = (await partner(client.id)).lastUsedAt;
    expect(Date.now() - Date.parse(first!)).toBeLessThan(5_000);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await expectData(ops, BY_KEY, { key }, asService('gateway'));
    expect((await partner(client.id)).lastUsedAt).toBe(first);

    // A minute later the next verification stamps it again.
    await em(ops).execute(
      `update api_client set last_used_at = last_used_at - interval '61 seconds' where id = ?`,
      [client.id],
    );
    await expectData(ops, BY_KEY, { key }, asService('gateway'));
    expect(Date.parse((await partner(client.id)).lastUsedAt!)).toBeGreaterThan(Date.parse(first!) - 1_000);
  });

  it.skipIf(!process.env['REDIS_URL'])(
    'revokes for staff only: the key stops, the action is audited and announced on Redis after commit',
    async () => {
      const { client, key } = await create('Gecko Gazette');
      await expectErrorCode(ops, 'FORBIDDEN', REVOKE, { id: client.id }, keeper);
      await expectErrorCode(ops, 'NOT_FOUND', REVOKE, { id: '00000000-0000-4000-8000-000000000000' }, staff);

      const subscriber = createRedisClient(process.env['REDIS_URL']!);
      const heard: { id: string; keyHash: string }[] = [];
      subscriber.on('message', (_channel: string, message: string) => heard.push(JSON.parse(message)));
      await subscriber.subscribe('ops:api-client-revoked');
      try {
        const revoked = await expectData<{ revokeApiClient: { id: string; revokedAt: string } }>(
          ops,
          REVOKE,
          { id: client.id },
          staff,
        );
        expect(revoked.revokeApiClient.id).toBe(client.id);
        expect(Date.now() - Date.parse(revoked.revokeApiClient.revokedAt)).toBeLessThan(60_000);
        expect(await expectData(ops, BY_KEY, { key }, asService('gateway'))).toEqual({
          apiClientByKey: null,
        });

        const until = Date.now() + 5_000;
        while (!heard.some((event) => event.id === client.id) && Date.now() < until)
          await new Promise((resolve) => setTimeout(resolve, 50));
        expect(heard.filter((event) => event.id === client.id)).toEqual([
          { id: client.id, keyHash: createHash('sha256').update(key).digest('hex') },
        ]);
      } finally {
        await subscriber.quit();
      }
      const audit = await em(ops).execute<{ action: string; actor_id: string; subject: string }[]>(
        `select action, actor_id, subject from audit_log where action = 'revokeApiClient'`,
      );
      expect(audit).toEqual([
        {
          action: 'revokeApiClient',
          actor_id: staff.userId,
          subject: `ApiClient:${client.id} Gecko Gazette`,
        },
      ]);
      expect((await partner(client.id)).revokedAt).toBe(
        (await execute<{ revokeApiClient: { revokedAt: string } }>(ops, REVOKE, { id: client.id }, staff))
          .data?.revokeApiClient.revokedAt,
      );
    },
  );
});
