import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../src/report/types.js';
import {
  copyFixture,
  editFile,
  ensureBuilt,
  fixtureDir,
  packageDir,
  runCli,
  runJson,
  writeFile,
} from './helpers.js';
import { validateJson } from './json-schema.js';

const reportSchema = JSON.parse(readFileSync(join(packageDir, 'report.schema.json'), 'utf8')) as Record<
  string,
  never
>;
const PRODUCTS = 'subgraphs/products/schema.graphql';
const INVENTORY = 'subgraphs/inventory/schema.graphql';

function expectValidShape(report: Report): void {
  expect(validateJson(reportSchema, report)).toEqual([]);
}

beforeAll(() => {
  ensureBuilt();
}, 120_000);

// Each case starts one to three Node processes that compose; allow for a loaded two-core machine.
describe('terrarium-schema check (real CLI process)', { timeout: 90_000 }, () => {
  it('passes on the unchanged fixture, whose committed supergraph is fresh', () => {
    const { code, report } = runJson(['check', '--root', fixtureDir]);
    expect(code).toBe(0);
    expect(report.ok).toBe(true);
    expect(report.operations.checked).toBe(3);
    expect(report.changes.compared).toBe(true);
    expectValidShape(report);
    expect(runCli(['compose', '--check', '--root', fixtureDir]).code).toBe(0);
  });

  it('fails when a field a persisted operation selects is removed, acknowledged or not, and names the operation', () => {
    const root = copyFixture();
    editFile(root, PRODUCTS, (sdl) => sdl.replace('  sku: String!\n', ''));
    writeFile(root, 'schema/changes/drop-sku.md', '- `Product.sku` is gone\n');
    const { code, report } = runJson(['check', '--root', root]);
    expect(code).toBe(1);
    const change = report.changes.breaking.find((c) => c.coordinate === 'Product.sku');
    expect(change?.acknowledgedIn).toBe('schema/changes/drop-sku.md');
    expect(change?.usedBy).toEqual([
      {
        operation: 'ProductCard',
        client: 'partner',
        source: 'manifest',
        file: 'schema/manifests/partner.json',
      },
    ]);
    expect(report.affectedOperations).toEqual([
      expect.objectContaining({
        operation: 'ProductCard',
        client: 'partner',
        coordinate: 'Product.sku',
        change: 'FIELD_REMOVED',
      }),
    ]);
    expect(report.operations.invalid.map((op) => op.operation)).toEqual(['ProductCard']);
    expect(report.failures.join('\n')).toContain('breaks ProductCard (partner, persisted)');
    expectValidShape(report);

    const human = runCli(['check', '--root', root]);
    expect(human.stdout).toContain('partner/ProductCard (persisted) uses Product.sku (FIELD_REMOVED)');
    expect(human.stdout).not.toContain('\u001b['); // piped, so no colour
  });

  it('fails on an unused field removal until a changes file lists it, then passes', () => {
    const root = copyFixture();
    editFile(root, PRODUCTS, (sdl) =>
      sdl.replace('  "Pre-2020 catalogue code. No client reads it."\n  legacyCode: String\n', ''),
    );
    const before = runJson(['check', '--root', root]);
    expect(before.code).toBe(1);
    expect(before.report.changes.breaking).toEqual([
      expect.objectContaining({ coordinate: 'Product.legacyCode', usedBy: [], acknowledgedIn: null }),
    ]);
    expect(before.report.failures).toEqual([
      expect.stringContaining('Product.legacyCode (FIELD_REMOVED) is not acknowledged'),
    ]);

    // A longer coordinate on the line is not an acknowledgement of this one.
    writeFile(
      root,
      'schema/changes/2025-01-drop-legacy-code.md',
      '# Drop legacy code\n\n- `Product.legacyCodeV2` later\n',
    );
    expect(runJson(['check', '--root', root]).code).toBe(1);

    writeFile(
      root,
      'schema/changes/2025-01-drop-legacy-code.md',
      '# Drop legacy code\n\n- `Product.legacyCode`: unused since 2020.\n',
    );
    const after = runJson(['check', '--root', root]);
    expect(after.code).toBe(0);
    expect(after.report.changes.breaking[0]?.acknowledgedIn).toBe(
      'schema/changes/2025-01-drop-legacy-code.md',
    );
    expectValidShape(after.report);
  });

  it('passes when an optional field is added, reporting it as safe', () => {
    const root = copyFixture();
    editFile(root, PRODUCTS, (sdl) =>
      sdl.replace(
        '  name: String!\n',
        '  name: String!\n  "Shipping weight in grams."\n  weightGrams: Int\n',
      ),
    );
    const { code, report } = runJson(['check', '--root', root]);
    expect(code).toBe(0);
    expect(report.changes.breaking).toEqual([]);
    expect(report.changes.dangerous).toEqual([]);
    expect(report.changes.safe).toContainEqual(
      expect.objectContaining({
        type: 'FIELD_ADDED',
        coordinate: 'Product.weightGrams',
        criticality: 'safe',
      }),
    );
  });

  it('fails on a composition error and names both subgraphs that disagree on a @shareable field', () => {
    const root = copyFixture();
    editFile(root, INVENTORY, (sdl) => sdl.replace('amount: Int!', 'amount: String!'));
    const { code, report } = runJson(['check', '--root', root]);
    expect(code).toBe(1);
    expect(report.composition.ok).toBe(false);
    expect(report.composition.errors).toEqual([
      expect.objectContaining({
        code: 'FIELD_TYPE_MISMATCH',
        subgraphs: ['inventory', 'products'],
        coordinate: 'Money.amount',
        type: 'Money',
        field: 'amount',
      }),
    ]);
    expectValidShape(report);
    const markdown = runCli(['check', '--root', root, '--format', 'markdown']);
    expect(markdown.stdout).toContain('### :x: Schema check failed');
    expect(markdown.stdout).toContain('| FIELD_TYPE_MISMATCH | `Money.amount` | inventory, products |');
  });

  it('exits 2 when the root cannot be read, with the reason in the JSON report', () => {
    const { code, report } = runJson(['check', '--root', join(fixtureDir, 'does-not-exist')]);
    expect(code).toBe(2);
    expect(report.error).toMatch(/cannot read .*does-not-exist/);
    expectValidShape(report);
    expect(runCli(['check', '--root', join(fixtureDir, 'subgraphs')]).code).toBe(2); // a dir without subgraphs/
    expect(runCli(['frobnicate']).code).toBe(2);
  });
});

describe('terrarium-schema compose (real CLI process)', { timeout: 90_000 }, () => {
  it('writes the supergraph only after a passing check, and compose --check tracks freshness', () => {
    const root = copyFixture();
    editFile(root, PRODUCTS, (sdl) =>
      sdl.replace(
        '  name: String!\n',
        '  name: String!\n  "Shipping weight in grams."\n  weightGrams: Int\n',
      ),
    );
    expect(runJson(['compose', '--check', '--root', root]).report.supergraph.fresh).toBe(false);

    const composed = runJson(['compose', '--root', root]);
    expect(composed.code).toBe(0);
    expect(composed.report.supergraph.written).toBe(true);
    expectValidShape(composed.report);
    expect(readFileSync(join(root, 'schema/supergraph.graphql'), 'utf8')).toContain('weightGrams: Int');
    expect(runCli(['compose', '--check', '--root', root]).code).toBe(0);

    // A removal nobody acknowledged: compose refuses to write.
    editFile(root, PRODUCTS, (sdl) => sdl.replace('  weightGrams: Int\n', ''));
    const refused = runJson(['compose', '--root', root]);
    expect(refused.code).toBe(1);
    expect(refused.report.supergraph.written).toBe(false);
    expect(readFileSync(join(root, 'schema/supergraph.graphql'), 'utf8')).toContain('weightGrams: Int');
    expect(existsSync(join(root, 'schema/supergraph.graphql'))).toBe(true);
  });
});
