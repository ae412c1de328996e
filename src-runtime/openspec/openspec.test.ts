import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, realpath, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { makeTempDir, startTestRuntime, type TestRuntime } from '../../test-support/runtime-harness.js';
import { appsFeature } from '../apps/feature.js';
import { scriptsFeature } from '../scripts/feature.js';
import { openspecFeature } from './feature.js';
import { waitFor } from '../../test-support/wait.js';
import { parseRequirements, proposalTitle, taskProgress } from './service.js';

const repo = new URL('../../', import.meta.url).pathname;
const openspecBin = join(repo, 'node_modules/.bin/openspec');

const SPEC = `# auth Specification

## Purpose
Users sign in.

## Requirements
### Requirement: Password login
The system SHALL let a user sign in with a password.

#### Scenario: right password
- **WHEN** the password is right
- **THEN** the user is signed in

### Requirement: Lockout
The system MUST lock the account after 5 failures.

#### Scenario: five failures
- **WHEN** five sign-ins fail
- **THEN** the account is locked
`;

async function write(root: string, rel: string, text: string): Promise<void> {
  await mkdir(join(root, rel, '..'), { recursive: true });
  await writeFile(join(root, rel), text);
}

describe('OpenSpec state', () => {
  let rt: TestRuntime;
  let root: string;
  let wsId: string;

  beforeAll(async () => {
    root = await realpath(await makeTempDir('wr-openspec-'));
    rt = await startTestRuntime({ workspace: root, features: [appsFeature, scriptsFeature, openspecFeature] });
    wsId = (await rt.json('/api/v1/workspaces')).body.workspaces[0].id;
  });
  afterAll(() => rt?.close());

  it('offers only initialize before openspec/ exists, and names the CLI it found', async () => {
    const { status, body } = await rt.json(`/api/v1/workspaces/${wsId}/openspec`);
    expect(status).toBe(200);
    expect(body.openspec).toMatchObject({ exists: false, specs: [], changes: [], archived: [] });
    expect(body.openspec.cli).toMatchObject({ available: true, version: expect.stringMatching(/^\d+\.\d+/) });
    const available = body.openspec.actions.filter((a: any) => a.available).map((a: any) => a.name);
    expect(available).toEqual(['initialize']);
    expect(body.openspec.actions[0].cli_command).toBe('openspec init --tools none');
  });

  it('reads a real tree (made by openspec init) with specs, changes, task progress, problems and archives', async () => {
    const init = await execa(openspecBin, ['init', '--tools', 'none', '--no-animation', root], { reject: false, env: { OPENSPEC_TELEMETRY: '0', CI: '1' } });
    expect(init.exitCode).toBe(0);
    await write(root, 'openspec/specs/auth/spec.md', SPEC);
    await write(root, 'openspec/specs/billing/spec.md', '# billing\n\n## Purpose\nMoney.\n\n## Requirements\n### Requirement: Invoices\nThe system SHALL send invoices.\n');
    await write(root, 'openspec/changes/add-2fa/proposal.md', '# Change: Add two-factor sign-in\n\n## Why\nPasswords leak.\n\n## What Changes\n- TOTP codes\n\n## Impact\nauth\n');
    await write(root, 'openspec/changes/add-2fa/tasks.md', '## 1. Build\n- [x] 1.1 Store secrets\n- [x] 1.2 Verify codes\n- [ ] 1.3 Recovery codes\n');
    await write(root, 'openspec/changes/add-2fa/specs/auth/spec.md', '## ADDED Requirements\n### Requirement: Second factor\nThe system SHALL ask for a TOTP code.\n\n#### Scenario: code asked\n- **WHEN** the password is right\n- **THEN** a code is asked\n');
    await write(root, 'openspec/changes/tidy-docs/proposal.md', '# Tidy docs\n\n## Why\nThey are messy.\n');
    await write(root, 'openspec/changes/tidy-docs/tasks.md', '- [x] 1.1 Tidy\n');
    await write(root, 'openspec/changes/tidy-docs/specs/docs/spec.md', '## ADDED Requirements\n### Requirement: Docs\nDocs are tidy.\n');
    await write(root, 'openspec/changes/archive/2025-01-02-first/proposal.md', '# Change: First change\n\n## Why\nx\n\n## What Changes\ny\n');
    await write(root, 'openspec/changes/archive/2025-01-02-first/tasks.md', '- [x] done\n');

    const { body } = await rt.json(`/api/v1/workspaces/${wsId}/openspec`);
    const os = body.openspec;
    expect(os.exists).toBe(true);
    expect(os.specs).toEqual([
      { capability: 'auth', path: 'openspec/specs/auth/spec.md', requirements: 2, problems: [] },
      { capability: 'billing', path: 'openspec/specs/billing/spec.md', requirements: 1, problems: ['requirement "Invoices" has no "#### Scenario:"'] },
    ]);
    const twofa = os.changes.find((c: any) => c.id === 'add-2fa');
    expect(twofa).toMatchObject({ title: 'Add two-factor sign-in', tasks: { total: 3, done: 2 }, delta_specs: ['auth'], problems: [], path: 'openspec/changes/add-2fa' });
    const tidy = os.changes.find((c: any) => c.id === 'tidy-docs');
    expect(tidy.tasks).toEqual({ total: 1, done: 1 });
    expect(tidy.problems).toEqual([
      'proposal.md has no "## What Changes" section',
      'specs/docs: requirement "Docs" has no "#### Scenario:"',
      'specs/docs: requirement "Docs" has no SHALL or MUST',
    ]);
    expect(os.changes.map((c: any) => c.id)).not.toContain('archive');
    expect(os.archived).toEqual([expect.objectContaining({ id: '2025-01-02-first', title: 'First change', archived_at: '2025-01-02' })]);

    const byKey = Object.fromEntries(os.actions.map((a: any) => [`${a.name}:${a.change_id ?? ''}`, a]));
    expect(byKey['initialize:'].available).toBe(false);
    expect(byKey['propose:'].available).toBe(true);
    expect(byKey['apply:add-2fa']).toMatchObject({ available: true, description: expect.stringContaining('2/3') });
    expect(byKey['archive:add-2fa']).toMatchObject({ available: false, reason: '1 of 3 tasks are open' });
    expect(byKey['apply:tidy-docs'].available).toBe(false);
    expect(byKey['archive:tidy-docs']).toMatchObject({ available: false, reason: expect.stringContaining('validation problems') });
    expect(byKey['archive:add-2fa'].cli_command).toBe('openspec archive add-2fa --yes');

    const actions = await rt.ctx.services.apps!.listActions(rt.ctx.services.workspaces.findById(wsId)!);
    expect(actions.map((a) => a.name)).toEqual(['openspec-propose', 'openspec-apply-add-2fa']);
  });

  it('agrees with the openspec CLI on which change is valid', async () => {
    const good = await execa(openspecBin, ['validate', 'add-2fa', '--strict', '--no-interactive'], { cwd: root, reject: false, env: { OPENSPEC_TELEMETRY: '0', CI: '1' } });
    const bad = await execa(openspecBin, ['validate', 'tidy-docs', '--strict', '--no-interactive'], { cwd: root, reject: false, env: { OPENSPEC_TELEMETRY: '0', CI: '1' } });
    expect(good.exitCode).toBe(0);
    expect(bad.exitCode).not.toBe(0);
  });

  it('parses requirements, task checkboxes and titles', () => {
    expect(parseRequirements(SPEC).map((r) => [r.name, r.hasScenario, r.normative])).toEqual([
      ['Password login', true, true],
      ['Lockout', true, true],
    ]);
    expect(taskProgress('- [ ] a\n* [X] b\n  - [x] c\nnot - [x] d\n')).toEqual({ total: 3, done: 2 });
    expect(proposalTitle('intro\n# Proposal: Thing\n')).toBe('Thing');
  });

  it('answers 404 for an unknown workspace', async () => {
    expect((await rt.json('/api/v1/workspaces/ws_nope/openspec')).status).toBe(404);
  });
  it('runs initialize and archive through the openspec CLI as executions; propose and apply need an agent', async () => {
    const dir = await realpath(await makeTempDir('wr-openspec-run-'));
    const untrusted = (await rt.json('/api/v1/workspaces', { method: 'POST', json: { root_dir: dir } })).body.workspace;
    const refused = await rt.json(`/api/v1/workspaces/${untrusted.id}/openspec/actions/initialize`, { method: 'POST', json: {} });
    expect(refused).toMatchObject({ status: 403, body: { code: 'workspace_untrusted' } });
    await rt.json(`/api/v1/workspaces/${untrusted.id}`, { method: 'PATCH', json: { trusted: true } });

    const finish = async (id: string) =>
      waitFor(async () => {
        const e = (await rt.json(`/api/v1/scripts/runs/${id}`)).body.execution;
        return e.status !== 'running' && e;
      }, 'execution');
    const init = await rt.json(`/api/v1/workspaces/${untrusted.id}/openspec/actions/initialize`, { method: 'POST', json: {} });
    expect(init.status).toBe(202);
    expect(init.body.execution.script_id).toBe('openspec:initialize');
    expect(await finish(init.body.execution.id)).toMatchObject({ status: 'succeeded', exit_code: 0 });
    expect((await rt.json(`/api/v1/workspaces/${untrusted.id}/openspec`)).body.openspec.exists).toBe(true);

    const propose = await rt.json(`/api/v1/workspaces/${untrusted.id}/openspec/actions/propose`, { method: 'POST', json: {} });
    expect(propose).toMatchObject({ status: 409, body: { code: 'needs_agent', details: { prompt: expect.stringContaining('proposal.md') } } });

    await write(dir, 'openspec/changes/ship-it/proposal.md', '# Change: Ship it\n\n## Why\nUsers wait.\n\n## What Changes\n- Ship\n');
    await write(dir, 'openspec/changes/ship-it/tasks.md', '- [x] 1.1 Ship\n');
    await write(dir, 'openspec/changes/ship-it/specs/release/spec.md', '## ADDED Requirements\n### Requirement: Releases\nThe system SHALL ship releases.\n\n#### Scenario: shipped\n- **WHEN** a release is cut\n- **THEN** it ships\n');
    const early = await rt.json(`/api/v1/workspaces/${untrusted.id}/openspec/actions/archive`, { method: 'POST', json: {} });
    expect(early).toMatchObject({ status: 400, body: { code: 'change_id_required' } });
    const archive = await rt.json(`/api/v1/workspaces/${untrusted.id}/openspec/actions/archive`, { method: 'POST', json: { change_id: 'ship-it' } });
    expect(archive.status).toBe(202);
    const done = await finish(archive.body.execution.id);
    expect(done).toMatchObject({ status: 'succeeded' });
    const after = (await rt.json(`/api/v1/workspaces/${untrusted.id}/openspec`)).body.openspec;
    expect(after.changes).toEqual([]);
    expect(after.archived.map((c: any) => c.id)).toEqual([expect.stringMatching(/^\d{4}-\d{2}-\d{2}-ship-it$/)]);
    expect(after.specs.map((x: any) => [x.capability, x.requirements])).toEqual([['release', 1]]);
  });
});
