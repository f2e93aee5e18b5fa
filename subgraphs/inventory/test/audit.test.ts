/**
 * Stock adjustments are audited in ops through inventory's job queue: the real ops subgraph runs
 * beside inventory (over HTTP, with a signed service caller), and the entry arrives once with the
 * actor, the product and what changed.
 */
import { createOpsSubgraph } from '@terrarium/ops';
import {
  serviceCaller,
  startSiblingSubgraph,
  expectData,
  type RunningSibling,
} from '@terrarium/subgraph-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADJUST_STOCK, STAFF, productId, startInventory, type InventorySubgraph } from './support.js';

interface Row {
  action: string;
  actor_id: string | null;
  subject: string;
  source: string;
  diff: Record<string, unknown>;
  key: string;
}

let ops: RunningSibling;
let inventory: InventorySubgraph;
beforeAll(async () => {
  ops = await startSiblingSubgraph('ops', createOpsSubgraph, 'inventory_audit_test_ops');
  inventory = await startInventory('inventory_audit_test', { env: { OPS_URL: ops.url } });
});
afterAll(async () => {
  await inventory?.stop();
  await ops?.subgraph.stop();
});

const auditRows = () =>
  ops.subgraph.orm.em
    .fork()
    .getConnection()
    .execute<Row[]>(
      `select action, actor_id, subject, source, diff, key from audit_log where action = 'adjustStock'`,
    );

describe('inventory: audit of stock adjustments in ops', () => {
  it('delivers an AdjustStock entry to ops once, with actor, subject and diff', async () => {
    const tank = productId('TR-TANK-120');
    await expectData(
      inventory,
      ADJUST_STOCK,
      { productId: tank, delta: 4, reason: 'Delivery from supplier' },
      STAFF,
    );

    const until = Date.now() + 15_000;
    let rows: Row[];
    while ((rows = await auditRows()).length === 0 && Date.now() < until)
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      action: 'adjustStock',
      actor_id: STAFF.userId,
      subject: `Product:${tank}`,
      source: 'inventory',
      diff: { delta: 4, reason: 'Delivery from supplier', onHand: 10 },
    });
    expect(rows[0]!.key).toMatch(/^inventory:audit\.record:[0-9a-f-]{36}$/);

    // A redelivery of the same job (a worker killed after ops answered) records nothing more.
    const again = await ops.subgraph.execute(
      {
        query: 'mutation ($key: String) { recordAudit(action: "adjustStock", subject: "x", key: $key) }',
        variables: { key: rows[0]!.key.replace(/^inventory:/, '') },
      },
      serviceCaller('inventory'),
    );
    expect(again.body.kind === 'single' && again.body.singleResult.data).toEqual({ recordAudit: true });
    expect(await auditRows()).toHaveLength(1);
  }, 30_000);

  it('records nothing for an adjustment that was refused (rolled back with its job)', async () => {
    const before = (await auditRows()).length;
    const refused = await inventory.execute(
      {
        query: ADJUST_STOCK,
        variables: { productId: productId('TR-TANK-120'), delta: -1_000, reason: 'Too many' },
      },
      STAFF,
    );
    expect(
      refused.body.kind === 'single' &&
        refused.body.singleResult.errors?.map((error) => error.extensions?.['code']),
    ).toEqual(['CONFLICT']);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(await auditRows()).toHaveLength(before);
  });
});
