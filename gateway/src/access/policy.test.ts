import { describe, expect, it } from 'vitest';
import { AccessPolicyError, readAccessPolicy } from './policy.js';

const supergraph = (link: string, body: string) => `
schema @link(url: "https://specs.apollo.dev/link/v1.0") ${link} { query: Query }
${body}
`;

describe('readAccessPolicy', () => {
  it('reads field and type requirements under the imported name', () => {
    const policy = readAccessPolicy(
      supergraph(
        '@link(url: "https://terrarium.dev/auth/v1.0", import: ["@access"])',
        'type Query { me: String @access admin: String @access(roles: "STAFF", scopes: ["partner"]) } type Secret @access(roles: ["STAFF"]) { id: ID }',
      ),
    );
    expect(Object.fromEntries(policy)).toEqual({
      'Query.me': { roles: [], scopes: [] },
      'Query.admin': { roles: ['STAFF'], scopes: ['partner'] },
      Secret: { roles: ['STAFF'], scopes: [] },
    });
  });

  it('follows a renamed import and the namespaced default', () => {
    const renamed = readAccessPolicy(
      supergraph(
        '@link(url: "https://terrarium.dev/auth/v1.0", import: [{ name: "@access", as: "@auth" }])',
        'type Query { a: String @auth b: String @access }',
      ),
    );
    expect([...renamed.keys()]).toEqual(['Query.a']);
    const namespaced = readAccessPolicy(
      supergraph('@link(url: "https://terrarium.dev/auth/v1.0")', 'type Query { a: String @auth__access }'),
    );
    expect([...namespaced.keys()]).toEqual(['Query.a']);
  });

  it('is empty without the link (a directive of the same name from elsewhere is not ours)', () => {
    expect(readAccessPolicy(supergraph('', 'type Query { a: String @access }')).size).toBe(0);
  });

  it('refuses an unknown role, so a typo cannot leave a field open or closed by accident', () => {
    expect(() =>
      readAccessPolicy(
        supergraph(
          '@link(url: "https://terrarium.dev/auth/v1.0", import: ["@access"])',
          'type Query { a: String @access(roles: ["ADMIN"]) }',
        ),
      ),
    ).toThrow(AccessPolicyError);
  });
});
