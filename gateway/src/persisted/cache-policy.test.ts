import { describe, expect, it } from 'vitest';
import { cacheControlFor } from './cache-policy.js';

const pub = { maxAge: 60, scope: 'PUBLIC' as const };

describe('cacheControlFor', () => {
  it.each([
    [
      'a public query',
      { operationType: 'query', hasErrors: false, personal: false, policy: pub },
      'public, max-age=60',
    ],
    [
      'a query with a user token',
      { operationType: 'query', hasErrors: false, personal: true, policy: pub },
      'private, max-age=60',
    ],
    [
      'a PRIVATE hint',
      { operationType: 'query', hasErrors: false, personal: false, policy: { maxAge: 5, scope: 'PRIVATE' } },
      'private, max-age=5',
    ],
    [
      'personal and uncacheable',
      { operationType: 'query', hasErrors: false, personal: true, policy: null },
      'private, no-store',
    ],
    ['no hints', { operationType: 'query', hasErrors: false, personal: false, policy: null }, 'no-store'],
    ['errors', { operationType: 'query', hasErrors: true, personal: false, policy: pub }, 'no-store'],
    ['a mutation', { operationType: 'mutation', hasErrors: false, personal: false, policy: pub }, 'no-store'],
    [
      'no operation (refused)',
      { operationType: null, hasErrors: true, personal: false, policy: null },
      'no-store',
    ],
  ] as const)('%s', (_name, facts, expected) => {
    expect(cacheControlFor(facts)).toBe(expected);
  });
});
