import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const layers = ['action', 'cli', 'core', 'report', 'guards', 'edits', 'eval', 'adapters', 'hub', 'onnx', 'contracts', 'errors'];

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
  // A layer may reach another layer only through its index.ts (STYLE.md §1).
  ...layers.map((layer) => ({
    files: [`src/${layer}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: layers
            .filter((other) => other !== layer)
            .map((other) => ({
              group: [`../${other}/*/**`, `../../${other}/*/**`, `../${other}/!(index.js)`, `../../${other}/!(index.js)`],
              message: `Import ${other} through its index.ts only.`,
            })),
        },
      ],
    },
  })),
);
