/** Git processes carry the runtime's process marker (WR_OWNER), like every other child it starts. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmod, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startTestRuntime, type TestRuntime } from '../../test-support/runtime-harness.js';
import { versionControlFeature } from './feature.js';
import { isolateGitConfig, makeRepo, writeFiles } from './test-repos.js';

isolateGitConfig();

describe('git and the process marker', () => {
  let rt: TestRuntime;
  let root: string;
  beforeAll(async () => {
    root = makeRepo();
    rt = await startTestRuntime({ workspace: root, features: [versionControlFeature] });
  });
  afterAll(() => rt.close());

  it("a hook of a trusted repository sees this runtime's WR_OWNER marker", async () => {
    const id = rt.ctx.services.workspaces.list()[0]!.id;
    const seen = join(root, '..', `marker-${id}.txt`);
    await mkdir(join(root, '.git', 'hooks'), { recursive: true });
    writeFiles(root, { '.git/hooks/pre-commit': `#!/bin/sh\nprintf '%s' "$WR_OWNER" > '${seen}'\n`, 'a.txt': 'a\n' });
    await chmod(join(root, '.git', 'hooks', 'pre-commit'), 0o755);
    const res = await rt.json(`/api/v1/workspaces/${id}/version-control/commit`, { method: 'POST', json: { message: 'marked', all: true } });
    expect(res.status).toBe(201);
    const status = await rt.json('/api/v1/runtime/status');
    const instance = status.body.runtime.features.processes.instance_id as string;
    expect(instance).toBeTruthy();
    expect(await readFile(seen, 'utf8')).toMatch(new RegExp(`^${instance.replace(/\./g, '\\.')}:git#\\d+$`));
  });
});
