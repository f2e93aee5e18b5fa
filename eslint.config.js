// One lint for the whole repository (`npm run lint`, and in CI). Type-aware rules are left out on
// purpose: `tsc` already typechecks every package, and a typed lint would double CI's time.
import js from '@eslint/js';
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
    files: ['gateway/src/graphiql/client/**', 'packages/client/embed/**', '**/*.browser.{js,ts}'],
    languageOptions: { globals: { ...globals.browser } },
  },
);
