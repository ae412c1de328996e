// The lint rules that hold the runtime's shape (eslint.config.js) fire where they should and stay
// quiet where they should not. Snippets are linted as the text of real files of src-runtime (the
// file on disk is not touched): the folder rules look at the path, and the type-aware rules need a
// file the TypeScript project contains. Paths that do not exist yet are checked on the computed config.
import { fileURLToPath } from 'node:url';
import { ESLint, type Linter } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({ cwd: root });
});

async function lint(filePath: string, code: string): Promise<Linter.LintMessage[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}${filePath}` });
  return result!.messages;
}

const ruleIds = (messages: Linter.LintMessage[]) => messages.map((m) => m.ruleId);

async function restrictedImportsOf(filePath: string): Promise<string[]> {
  const config = (await eslint.calculateConfigForFile(`${root}${filePath}`)) as { rules: Record<string, [unknown, { paths: Array<{ name: string }> }]> };
  return config.rules['no-restricted-imports']![1].paths.map((p) => p.name);
}

describe('layering (runtime/layering)', () => {
  it('refuses an import of another feature folder, naming both and the way out', async () => {
    const messages = await lint('src-runtime/apps/routes.ts', "import { ScriptsService } from '../scripts/service.js';\nexport const s = ScriptsService;\n");
    expect(ruleIds(messages)).toEqual(['runtime/layering']);
    expect(messages[0]!.message).toContain('apps/ (feature) may not import scripts/ (feature)');
    expect(messages[0]!.message).toContain('services.ts');
  });

  it('refuses type-only imports, re-exports and dynamic imports across features too', async () => {
    const code = [
      "import type { WorkspaceService } from '../workspaces/service.js';",
      "export { readOpenSpec } from '../openspec/service.js';",
      'export type W = WorkspaceService;',
      "export const load = () => import('../agents/catalog.js');",
    ].join('\n');
    expect(ruleIds(await lint('src-runtime/files/routes.ts', code))).toEqual(['runtime/layering', 'runtime/layering', 'runtime/layering']);
  });

  it('keeps the ground floor and the shared root files free of features', async () => {
    expect(ruleIds(await lint('src-runtime/http/app.ts', "export { AppsService } from '../apps/service.js';\n"))).toEqual(['runtime/layering']);
    expect(ruleIds(await lint('src-runtime/services.ts', "export type { WorkspaceService } from './workspaces/service.js';\n"))).toEqual(['runtime/layering']);
  });

  it('allows the ground floor, the shared root files and the own folder; composition and tests import anything', async () => {
    const ok = [
      "import { isInsideFolder } from '../platform/paths.js';",
      "import type { Services } from '../services.js';",
      "import { newId } from '../ids.js';",
      "import type { App } from '../contract/apps.js';",
      "import { AppsService } from './service.js';",
      'export const parts = { isInsideFolder, newId, AppsService };',
      'export type Both = [Services, App];',
    ].join('\n');
    expect(await lint('src-runtime/apps/routes.ts', ok)).toEqual([]);
    expect(await lint('src-runtime/features.ts', "export { appsFeature } from './apps/feature.js';\nexport { agentsFeature } from './agents/feature.js';\n")).toEqual([]);
    expect(await lint('src-runtime/apps/apps.test.ts', "export { ScriptsService } from '../scripts/service.js';\n")).toEqual([]);
  });
});

describe('where git and processes may start (no-restricted-imports)', () => {
  it('refuses dugite outside src-runtime/git/', async () => {
    const messages = await lint('src-runtime/apps/service.ts', "import { exec } from 'dugite';\nexport const run = exec;\n");
    expect(ruleIds(messages)).toEqual(['no-restricted-imports']);
    expect(messages[0]!.message).toContain('git runs only through src-runtime/git/');
    expect(await lint('src-runtime/git/status.ts', "import { exec } from 'dugite';\nexport const run = exec;\n")).toEqual([]);
  });

  it('refuses child_process, execa and a pty package outside the process helper, git/core.ts and the harnesses', async () => {
    const code = ["import { spawn } from 'node:child_process';", "import { exec } from 'child_process';", "import { execa } from 'execa';", "import * as pty from 'node-pty';", 'export const all = { spawn, exec, execa, pty };'].join('\n');
    const messages = await lint('src-runtime/files/service.ts', code);
    expect(ruleIds(messages)).toEqual(['no-restricted-imports', 'no-restricted-imports', 'no-restricted-imports', 'no-restricted-imports']);
    expect(messages[0]!.message).toContain('platform/process');
    expect(ruleIds(await lint('src-runtime/git/core.ts', code))).toEqual([]);
    expect(ruleIds(await lint('src-runtime/agents/acp-harness.ts', code))).toEqual([]);
    expect(ruleIds(await lint('src-runtime/files/files.test.ts', code))).toEqual([]);
    expect(await restrictedImportsOf('src-runtime/platform/process.ts')).not.toContain('execa');
    expect(await restrictedImportsOf('src-runtime/platform/paths.ts')).toEqual(expect.arrayContaining(['execa', 'child_process', 'node:child_process', 'dugite']));
  });
});

describe('promises (type-aware)', () => {
  const prelude = 'async function save(): Promise<void> {}\n';

  it('refuses a floating promise; awaiting it or a deliberate void passes', async () => {
    expect(ruleIds(await lint('src-runtime/apps/routes.ts', `${prelude}export function f() {\n  save();\n}\n`))).toEqual(['@typescript-eslint/no-floating-promises']);
    expect(await lint('src-runtime/apps/routes.ts', `${prelude}export async function f() {\n  await save();\n  void save().catch(() => undefined);\n}\n`)).toEqual([]);
  });

  it('refuses an async callback where a void one is expected', async () => {
    const messages = await lint('src-runtime/apps/routes.ts', `${prelude}export function f() {\n  setTimeout(async () => {\n    await save();\n  }, 10);\n}\n`);
    expect(ruleIds(messages)).toEqual(['@typescript-eslint/no-misused-promises']);
  });
});
