import { describe, expect, it } from 'vitest';
import { runCheck } from '../src/check.js';
import { findAcknowledgement } from '../src/acknowledgements.js';
import { coordinateOf } from '../src/diff.js';
import { copyFixture, editFile, writeFile } from './helpers.js';
import { validateJson } from './json-schema.js';

const env = {};
const PRODUCTS = 'subgraphs/products/schema.graphql';

describe('runCheck policy', () => {
  it('fails an enum value removal when an operation can send it through a variable', async () => {
    const root = copyFixture();
    editFile(root, PRODUCTS, (sdl) => sdl.replace('  FEEDING\n', ''));
    writeFile(root, 'schema/changes/feeding.md', 'ProductKind.FEEDING\n');
    const { report } = await runCheck({ root, env });
    expect(report.exitCode).toBe(1);
    expect(report.affectedOperations).toEqual([
      expect.objectContaining({
        operation: 'ProductsOfKind',
        client: 'storefront',
        coordinate: 'ProductKind.FEEDING',
        change: 'ENUM_VALUE_REMOVED',
      }),
    ]);
  });

  it('fails a required argument added to a field an operation selects, naming the operation', async () => {
    const root = copyFixture();
    editFile(root, PRODUCTS, (sdl) =>
      sdl.replace(
        'productsByKind(kind: ProductKind!)',
        'productsByKind(kind: ProductKind!, region: String!)',
      ),
    );
    const { report } = await runCheck({ root, env });
    expect(report.exitCode).toBe(1);
    const change = report.changes.breaking.find((c) => c.coordinate === 'Query.productsByKind(region:)');
    expect(change?.usedBy.map((ref) => ref.operation)).toEqual(['ProductsOfKind']);
  });

  it('fails on an operation that no longer validates, and on a field hidden with @inaccessible', async () => {
    const root = copyFixture();
    editFile(root, 'subgraphs/inventory/schema.graphql', (sdl) =>
      sdl
        .replace('["@key", "@shareable"]', '["@key", "@shareable", "@inaccessible"]')
        .replace('  available: Int!', '  available: Int! @inaccessible'),
    );
    const { report } = await runCheck({ root, env });
    expect(report.exitCode).toBe(1);
    expect(report.operations.invalid).toEqual([
      expect.objectContaining({
        operation: 'ProductPage',
        client: 'storefront',
        errors: ['Cannot query field "available" on type "Stock".'],
      }),
    ]);
    expect(report.changes.breaking.map((c) => c.coordinate)).toEqual(['Stock.available']);
  });

  it('without a committed supergraph still validates operations, and reports nothing compared', async () => {
    const root = copyFixture();
    const { report } = await runCheck({ root, env, supergraph: `${root}/schema/none.graphql` });
    expect(report.exitCode).toBe(0);
    expect(report.changes).toMatchObject({ baseline: null, compared: false, breaking: [] });
  });

  it('exits 2 on a malformed manifest and on a corrupt committed supergraph', async () => {
    const root = copyFixture();
    writeFile(root, 'schema/manifests/broken.json', '{"format":"something-else"}');
    expect((await runCheck({ root, env })).report).toMatchObject({
      exitCode: 2,
      error: expect.stringContaining('broken.json is not an apollo-persisted-query-manifest'),
    });

    const other = copyFixture();
    writeFile(other, 'schema/supergraph.graphql', 'type Query { x: Int }\n');
    expect((await runCheck({ root: other, env })).report).toMatchObject({
      exitCode: 2,
      error: expect.stringContaining('is not a valid supergraph'),
    });
  });

  it('reports lint warnings without failing', async () => {
    const root = copyFixture();
    editFile(root, PRODUCTS, (sdl) =>
      sdl
        .replace(
          '  name: String!\n',
          '  name: String!\n  related(first: Int): [Product!]!\n  Bad_name: String\n',
        )
        .replace('  FEEDING\n', '  FEEDING\n  sub_strate\n')
        .replace('"What a product is for."\n', ''),
    );
    const { report } = await runCheck({ root, env });
    expect(report.exitCode).toBe(0);
    const rules = report.lint.map((w) => `${w.rule} ${w.coordinate} ${w.subgraphs.join(',')}`).sort();
    expect(rules).toEqual([
      'naming/enum-value-upper-case ProductKind.sub_strate products',
      'naming/field-camel-case Product.Bad_name products',
      'pagination/list-with-pagination-args Product.related products',
      'pagination/unbounded-entity-list Query.productsByKind products',
    ]);
    // Enums are not object types: the description rule is about object types only.
    editFile(root, 'subgraphs/inventory/schema.graphql', (sdl) =>
      sdl.replace('"How many of a product can be sold."\n', ''),
    );
    const second = await runCheck({ root, env });
    expect(
      second.report.lint.filter((w) => w.rule === 'docs/object-type-description').map((w) => w.coordinate),
    ).toEqual(['Stock']);
  });
});

describe('acknowledgement matching', () => {
  const files = [
    {
      file: 'schema/changes/a.md',
      text: '- `Product.tags(first)` dropped\n- Removed Product.description.\n',
    },
  ];
  it('matches whole coordinates only, argument with or without the colon', () => {
    expect(findAcknowledgement(files, 'Product.description')).toBe('schema/changes/a.md');
    expect(findAcknowledgement(files, 'Product.tags(first:)')).toBe('schema/changes/a.md');
    expect(findAcknowledgement(files, 'Product.tags')).toBeNull();
    expect(findAcknowledgement(files, 'Product')).toBeNull();
    expect(findAcknowledgement(files, 'Product.desc')).toBeNull();
  });
});

describe('inspector paths to schema coordinates', () => {
  it('writes arguments as Type.field(arg:) and directive usages on their element', () => {
    expect(coordinateOf({ path: 'Query.product.id', type: 'FIELD_ARGUMENT_REMOVED', message: '' })).toBe(
      'Query.product(id:)',
    );
    expect(
      coordinateOf({ path: 'Product.name.@deprecated', type: 'FIELD_DEPRECATION_ADDED', message: '' }),
    ).toBe('Product.name');
    expect(coordinateOf({ path: 'Product.name.tag', type: 'DIRECTIVE_USAGE_FIELD_ADDED', message: '' })).toBe(
      'Product.name',
    );
    expect(coordinateOf({ path: '@cost.weight', type: 'DIRECTIVE_ARGUMENT_REMOVED', message: '' })).toBe(
      '@cost(weight:)',
    );
    expect(coordinateOf({ path: 'Kind.B', type: 'ENUM_VALUE_REMOVED', message: '' })).toBe('Kind.B');
  });
});

describe('the tiny JSON Schema validator', () => {
  it('rejects what the report schema forbids, so a passing shape test means something', () => {
    const schema = {
      type: 'object',
      additionalProperties: false,
      required: ['a'],
      properties: { a: { type: ['string', 'null'] }, b: { enum: [1, 2] } },
    };
    expect(validateJson(schema, { a: null, b: 1 })).toEqual([]);
    expect(validateJson(schema, { b: 3, c: true })).toEqual([
      '/a: required',
      '/b: 3 not in [1,2]',
      '/c: not allowed',
    ]);
  });
});
