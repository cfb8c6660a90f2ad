import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/**', '.gpu-kit/**', 'src/model/fast/assembly/**', 'node_modules/**', 'scratch/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The dashboard's page: browser ES modules, Plotly loaded as a global by its own script tag.
    files: ['src/dashboard/public/**/*.js'],
    languageOptions: { sourceType: 'module', globals: { ...globals.browser, Plotly: 'readonly' } },
  },
);
