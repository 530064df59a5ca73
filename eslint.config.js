import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'data/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-confusing-void-expression': 'off',
      // Koa's callback() returns a promise where Node expects a listener; that is by design.
      '@typescript-eslint/no-misused-promises': [
        'error',
        { checksVoidReturn: { arguments: false } },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['**/*.test.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-floating-promises': 'off',
      // Flags JWT claims such as `sub` as String.prototype.sub.
      '@typescript-eslint/no-deprecated': 'off',
    },
  },
  // Boundaries (issue 14): what each package may import, and who reads the environment.
  {
    files: ['packages/core/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                'koa',
                'koa/*',
                '@koa/*',
                'koa-body',
                'koa-body/*',
                'ws',
                'ws/*',
                'pino',
                'pino/*',
                'pino-*',
                '@plaza/server-koa',
                '@plaza/server-koa/*',
              ],
              message:
                'The core knows nothing of Koa, ws, pino or the server: take a Logger or a port, and leave HTTP to server-koa.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['packages/server-koa/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['knex', 'knex/*', 'objection', 'objection/*'],
              message:
                'The server knows nothing of SQL: ask the core (plaza.users, plaza.posts, …).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['packages/client-sdk/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '@plaza/core',
                '@plaza/core/*',
                '@plaza/server-koa',
                '@plaza/server-koa/*',
                '**/core/src/**',
                '**/server-koa/src/**',
              ],
              message:
                'The SDK runs in browsers and talks HTTP only: it imports neither the core nor the server.',
            },
          ],
        },
      ],
    },
  },
  {
    // The published packages never reach the private test kit outside their tests (a distinct
    // rule name, so the per-package boundaries above keep their own options).
    files: ['packages/core/src/**/*.ts', 'packages/server-koa/src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@plaza/testkit', '@plaza/testkit/*'],
              message: '@plaza/testkit is private and unpublished: only tests may import it.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['packages/*/src/**/*.ts', 'examples/**/*.ts'],
    ignores: [
      // The command-line entry points: the only readers of the environment.
      'packages/server-koa/src/cli.ts',
      'examples/bot/src/cli.ts',
      'examples/embed/embed.ts',
      'examples/embed/src/koaHost.ts',
      'examples/embed/src/expressHost.ts',
      // Tests and the test kit may set up their own environment.
      '**/*.test.ts',
      'packages/testkit/src/**',
    ],
    rules: {
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message:
            'Only the CLI entry points read process.env; take the value as an option or parameter.',
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "ImportDeclaration[source.value=/^(node:)?process$/] > ImportSpecifier[imported.name='env']",
          message:
            'Only the CLI entry points read process.env; take the value as an option or parameter.',
        },
      ],
    },
  },
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked },
);
