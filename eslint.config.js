import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import layerPlugin from './scripts/lint/layer-imports.mjs';

export default tseslint.config(
  { ignores: ['dist/**', 'build/**', 'node_modules/**', 'tests/fixtures/**', 'coverage/**', '.bench-cache/**', '.build-*/**', '.scratch/**', 'invarlock-out/**', 'invarlock-demo/**'] },
  {
    files: ['scripts/**/*.mjs', 'scripts/**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  // A layer imports only the layers below it, and only through their index.ts (STYLE.md §1).
  {
    files: ['src/**/*.ts'],
    plugins: { invarlock: layerPlugin },
    rules: { 'invarlock/layer-imports': 'error' },
  },
);
