// Lint: TypeScript rules plus the import direction of DESIGN.md, enforced per folder.
// docs/contributing.md explains the layering; scripts/lint-rules.test.ts proves each rule fires.
import { dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const here = dirname(fileURLToPath(import.meta.url));
const runtimeRoot = resolve(here, 'src-runtime');

const noElectron = { name: 'electron', message: 'Only src-main may import electron (the binary cannot load under plain Node).' };
const processMessage = 'Processes start only in src-runtime/platform/process*.ts (git: git/core.ts, agents: agents/*-harness.ts); use the platform helper.';
const noProcesses = ['child_process', 'node:child_process', 'execa'].map((name) => ({ name, message: processMessage }));
const noPty = { regex: '^(?!\\.)(.*[/-])?pty([-./]|$)', message: processMessage };
const noDugite = { name: 'dugite', message: 'git runs only through src-runtime/git/ (git/core.ts); other features use services.versionControl.' };
/** no-restricted-imports for src-runtime: electron never; processes and dugite unless `allow` says so. */
const runtimeImports = (allow = {}) => [
  'error',
  { paths: [noElectron, ...(allow.processes ? [] : noProcesses), ...(allow.dugite ? [] : [noDugite])], patterns: allow.processes ? [] : [noPty] },
];

// Layering inside src-runtime. The ground floor and the shared root files are what every feature
// builds on; a feature folder may import those and its own folder, never another feature (they
// reach each other through the services.ts contracts). Any other root file is composition
// (runtime.ts, features.ts, main.ts, cli.ts, parent-channel.ts): it may import anything, and only
// composition imports it. A new folder is a feature unless it is listed here.
const groundFloor = new Set(['platform', 'contract', 'events', 'http', 'store', 'client']);
const sharedRootFiles = new Set(['ids', 'services', 'feature', 'version']);

/** 'folder/' for a folder of src-runtime, the bare name for a root file, null outside src-runtime. */
function runtimeArea(path) {
  const rel = relative(runtimeRoot, path);
  if (!rel || rel.startsWith('..') || resolve(runtimeRoot, rel) !== path) return null;
  const [first, ...rest] = rel.split(sep);
  return rest.length ? `${first}/` : first.replace(/\.[cm]?[jt]sx?$/, '');
}

const kindOf = (area) =>
  area.endsWith('/') ? (groundFloor.has(area.slice(0, -1)) ? 'ground floor' : 'feature') : sharedRootFiles.has(area) ? 'shared root file' : 'composition';

const layering = {
  meta: {
    type: 'problem',
    docs: { description: 'src-runtime features import only the ground floor, the shared root files and their own folder' },
    // `allow`: files of other features this file may still import (only for a temporary override).
    schema: [{ type: 'object', properties: { allow: { type: 'array', items: { type: 'string' } } }, additionalProperties: false }],
    messages: {
      crossFeature:
        "{{from}} ({{fromKind}}) may not import {{to}} ({{toKind}}): features reach each other through services.ts, shared code belongs on the ground floor (platform/, contract/, …). See docs/contributing.md.",
    },
  },
  create(context) {
    const from = runtimeArea(resolve(context.filename));
    if (from === null || kindOf(from) === 'composition') return {};
    const allowed = new Set((context.options[0]?.allow ?? []).map((file) => resolve(here, file)));
    const check = (source) => {
      if (!source || typeof source.value !== 'string' || !source.value.startsWith('.')) return;
      const target = resolve(dirname(resolve(context.filename)), source.value);
      const to = runtimeArea(target);
      if (to === null || to === from || allowed.has(target.replace(/\.js$/, '.ts'))) return;
      const toKind = kindOf(to);
      if (toKind === 'ground floor' || toKind === 'shared root file') return;
      context.report({ node: source, messageId: 'crossFeature', data: { from, fromKind: kindOf(from), to, toKind } });
    };
    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
      TSImportType: (node) => check(node.argument?.literal ?? node.source),
    };
  },
};

// Tests and test helpers compose features (a runtime, a repo, an app) and may start processes.
const runtimeTests = ['src-runtime/**/*.test.ts', 'src-runtime/**/test-*.ts', 'src-runtime/**/testing/**'];

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
    files: ['src-runtime/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: here } },
    plugins: { runtime: { rules: { layering } } },
    rules: {
      'runtime/layering': 'error',
      'no-restricted-imports': runtimeImports(),
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  { files: ['src-runtime/git/**'], rules: { 'no-restricted-imports': runtimeImports({ dugite: true }) } },
  { files: ['src-runtime/git/core.ts'], rules: { 'no-restricted-imports': runtimeImports({ dugite: true, processes: true }) } },
  { files: ['src-runtime/platform/process*.ts', 'src-runtime/agents/*-harness.ts'], rules: { 'no-restricted-imports': runtimeImports({ processes: true }) } },
  {
    files: runtimeTests,
    rules: { 'runtime/layering': 'off', 'no-restricted-imports': runtimeImports({ processes: true, dugite: true }) },
  },
  {
    files: ['src-runtime/contract/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noElectron, 'express', 'ws', 'lowdb', 'chokidar', 'execa', 'dugite', 'child_process'],
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
          paths: [noElectron, 'express', 'lowdb', 'chokidar', 'execa', 'dugite', 'child_process', 'node:child_process'],
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
