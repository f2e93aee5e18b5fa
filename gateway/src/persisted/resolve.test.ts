import { describe, expect, it } from 'vitest';
import { indexManifests, sha256Hex, type ManifestEntry } from './manifest.js';
import { decidePersisted } from './resolve.js';

const entry = (name: string, body: string, type: ManifestEntry['type'] = 'query'): ManifestEntry => ({
  id: sha256Hex(body),
  name,
  type,
  body,
});
const card = entry('AnimalCard', 'query AnimalCard { a }');
const page = entry('ProductPage', 'query ProductPage { p }');
const index = indexManifests(
  new Map([
    ['partner-embed', [card]],
    ['storefront', [page]],
  ]),
);
const options = { partnerManifest: 'partner-embed', lookUp: (id: string) => index.get(id) };
const partner = { name: 'Acme', allowedOperations: ['AnimalCard'] };

describe('decidePersisted', () => {
  it('runs a granted operation for a partner, by hash or documentId (bare or sha256:)', () => {
    for (const params of [
      { sha256Hash: card.id },
      { documentId: card.id },
      { documentId: `sha256:${card.id}` },
    ]) {
      expect(decidePersisted(params, partner, options)).toMatchObject({
        kind: 'run',
        operation: { name: 'AnimalCard' },
      });
    }
  });

  it.each([
    ['a free-form query', { query: '{ a }' }],
    ['the granted body sent as a query', { query: card.body }],
    ['an APQ registration', { query: card.body, sha256Hash: card.id }],
    ['an unknown id', { sha256Hash: sha256Hex('x') }],
    ['a malformed id', { documentId: 'AnimalCard' }],
    ["another client's id", { sha256Hash: page.id }],
  ])('refuses %s from a partner', (_name, params) => {
    expect(decidePersisted(params, partner, options)).toMatchObject({
      kind: 'refuse',
      code: 'PERSISTED_QUERY_NOT_IN_LIST',
      status: 403,
    });
  });

  it('refuses a partner-manifest operation the API client was not granted', () => {
    expect(
      decidePersisted({ sha256Hash: card.id }, { name: 'B', allowedOperations: ['Other'] }, options),
    ).toMatchObject({ kind: 'refuse' });
  });

  it('first-party: manifest ids run, free-form and APQ pass to Apollo, mismatched hashes are refused', () => {
    expect(decidePersisted({ sha256Hash: page.id }, null, options)).toMatchObject({ kind: 'run' });
    expect(decidePersisted({ query: '{ a }' }, null, options)).toEqual({ kind: 'pass' });
    expect(decidePersisted({ sha256Hash: sha256Hex('{ a }') }, null, options)).toEqual({ kind: 'pass' });
    expect(decidePersisted({ query: '{ a }', sha256Hash: sha256Hex('{ a }') }, null, options)).toEqual({
      kind: 'pass',
    });
    expect(decidePersisted({ query: '{ a }', sha256Hash: page.id }, null, options)).toMatchObject({
      kind: 'refuse',
      code: 'BAD_REQUEST',
    });
    expect(decidePersisted({ documentId: sha256Hex('none') }, null, options)).toMatchObject({
      kind: 'refuse',
      code: 'PERSISTED_QUERY_NOT_FOUND',
    });
    expect(decidePersisted({ documentId: page.id, sha256Hash: card.id }, null, options)).toMatchObject({
      kind: 'refuse',
      code: 'BAD_REQUEST',
    });
  });
});
