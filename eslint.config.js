// Lint: TypeScript rules plus the import direction of DESIGN.md, enforced per folder.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const noElectron = { name: 'electron', message: 'Only src-main may import electron (the binary cannot load under plain Node).' };

export default tseslint.config(
  { ignores: ['dist/**', 'dist-electron/**', 'release/**', 'node_modules/**', 'test-results/**', 'resources/templates/**', '**/*.d.mts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-unused-expressions': ['error', { allowShortCircuit: true, allowTernary: true }],
      'no-empty': ['error', { allowEmptyCatch: false }],
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['src-runtime/**', 'e2e/**', 'bench/**', 'scripts/**', 'test-support/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [noElectron] }] },
  },
  {
    files: ['src-runtime/contract/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noElectron, 'express', 'ws', 'lowdb', 'chokidar', 'execa', 'dugite'],
          patterns: [{ regex: '^node:', message: 'contract/ is pure TS: no Node imports.' }, { regex: '^\\.\\./(?!contract/)', message: 'contract/ imports nothing else of the runtime.' }],
        },
      ],
    },
  },
  {
    files: ['src-runtime/client/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noElectron, 'express', 'lowdb', 'chokidar', 'execa', 'dugite'],
          patterns: [{ regex: '^\\.\\./(?!contract/)', message: 'client/ builds only on contract/.' }],
        },
      ],
    },
  },
  {
    files: ['src-renderer/**'],
    ignores: ['src-renderer/vite.config.ts'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noElectron],
          patterns: [
            { regex: 'src-runtime/(?!contract/|client/)', message: 'The renderer may import only src-runtime/contract and src-runtime/client.' },
            { regex: '^node:', message: 'The renderer runs in a sandboxed page: no Node modules.' },
            { regex: '^(fs|path|child_process|os|crypto|http|net)$', message: 'The renderer runs in a sandboxed page: no Node modules.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src-main/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: 'src-runtime/(?!contract/(desktop-bridge|runtime-process)(\\.js)?$|parent-channel)',
              message: 'Main imports nothing of the runtime but its entry path and the message/bridge types.',
            },
          ],
        },
      ],
    },
  },
);
