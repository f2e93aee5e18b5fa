// One lint for the whole repository (`npm run lint`, and in CI). Type-aware rules are left out on
// purpose: `tsc` already typechecks every package, and a typed lint would double CI's time.
import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/',
      '**/dist/',
      '**/generated/',
      '**/.turbo/',
      'bench/results/',
      '.data/',
      'schema/codegen/*.generated.*',
      'packages/client/src/generated/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // `_`-prefixed names are deliberately unused (resolver arguments in position).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  {
    // Every package a file imports is declared in the package.json nearest to it (its workspace's,
    // or the root's for root scripts and tests). Hoisting makes an undeclared import work here and
    // break in a strict install, a Docker image built from one workspace, or a published package.
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createNodeResolver()] },
    rules: {
      'import-x/no-extraneous-dependencies': [
        'error',
        {
          includeTypes: true,
          devDependencies: [
            '**/test/**',
            '**/*.test.ts',
            '**/scripts/**',
            '**/bench/**',
            '**/*.config.{js,ts}',
            '**/codegen.ts',
            '**/codegen/**',
            '**/vite.*',
          ],
        },
      ],
    },
  },
  {
    // The GraphiQL page is built into a static bundle at build time; the running gateway only
    // serves the files, so what it imports is a build dependency.
    files: ['gateway/graphiql/**'],
    rules: {
      'import-x/no-extraneous-dependencies': ['error', { includeTypes: true, devDependencies: true }],
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Tests poke at loosely typed GraphQL answers; `any` there is a test's shorthand, not an API.
    files: ['**/test/**', '**/*.test.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Browser code: the GraphiQL page and the partner embed widget.
    files: ['gateway/graphiql/**', 'packages/client/embed/**', '**/*.browser.{js,ts}'],
    languageOptions: { globals: { ...globals.browser } },
  },
);
