// ESLint (flat config) with typescript-eslint. `npm test` runs it.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Node built-ins and I/O libraries: never in workflow code (it must be deterministic and runs in Temporal's sandbox). */
const NOT_IN_WORKFLOWS = [
  'node:*',
  'fs',
  'fs/promises',
  'path',
  'os',
  'crypto',
  'http',
  'https',
  'net',
  'child_process',
  'dns',
  'url',
  'util',
  'stream',
  'events',
  'mongoose',
  'mongodb',
  'express',
  'pino',
  'nodemailer',
  'openid-client',
  '@node-saml/*',
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/activity',
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'coverage/**', 'test-results/**', 'bench/results/**', '.onramp/**', 'dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: NOT_IN_WORKFLOWS, message: 'workflow code is deterministic: no Node built-ins or I/O (use activities)' },
            {
              group: ['../src/store/*', '../src/http/*', '../src/library/*', '../src/mail/*', '../src/devservices/*'],
              message: 'workflow code imports pure domain code and types only',
            },
            { regex: '^\\.\\./activities/', message: 'import activities as types only: `import type`', allowTypeImports: true },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: 'use sleep() from @temporalio/workflow' },
        { name: 'process', message: 'no process in workflow code' },
      ],
    },
  },
);
