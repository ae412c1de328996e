import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WireEvent } from '../contract/events.js';
import { startTestRuntime, type TestRuntime } from '../../test-support/runtime-harness.js';
import { versionControlFeature } from './feature.js';
import { cloneRepo, commitFile, git, isolateGitConfig, makeBareRemote, makeRepo, startHttpRemote, tempDir, writeFiles, type HttpRemote } from './test-repos.js';

isolateGitConfig();

describe('push and pull against real remotes', () => {
  let rt: TestRuntime;
  const vc = (id: string, rest: string) => `/api/v1/workspaces/${id}/version-control/${rest}`;
  const register = async (dir: string): Promise<string> => {
    const { body } = await rt.json('/api/v1/workspaces', { method: 'POST', json: { root_dir: dir } });
    return body.workspace.id as string;
  };

  beforeAll(async () => {
    rt = await startTestRuntime({ features: [versionControlFeature] });
  });
  afterAll(() => rt.close());

  it('an ext:: remote is refused with 409 git_transport_refused, and nothing runs', async () => {
    const repo = makeRepo({ files: { 'a.txt': 'a\n' } });
    const marker = join(repo, '..', `ext-ran-${Date.now()}`);
    git(repo, ['remote', 'add', 'origin', `ext::sh -c touch% ${marker}`]);
    git(repo, ['config', 'branch.main.remote', 'origin']);
    git(repo, ['config', 'branch.main.merge', 'refs/heads/main']);
    const id = await register(repo);
    for (const op of ['push', 'pull']) {
      const res = await rt.json(vc(id, op), { method: 'POST', json: {} });
      expect(res).toMatchObject({ status: 409, body: { code: 'git_transport_refused' } });
    }
    expect(() => readFileSync(marker)).toThrow();
  });

  it('first push sets the upstream and reports progress; the bare remote has the commit', async () => {
    const remote = makeBareRemote();
    const repo = makeRepo({ files: { 'readme.md': '# hi\n' } });
    git(repo, ['remote', 'add', 'origin', remote]);
    const id = await register(repo);
    const progress: WireEvent[] = [];
    const off = rt.ctx.bus.stream(`workspace:${id}`).subscribe((e) => {
      if (e.type === 'git_progress') progress.push(e);
    });
    const res = await rt.json(vc(id, 'push'), { method: 'POST', json: {} });
    off();
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ remote: 'origin', branch: 'main', upstream: 'origin/main' });
    expect(res.body.status).toMatchObject({ upstream: 'origin/main', ahead: 0, behind: 0 });
    expect(git(remote, ['rev-parse', 'main']).trim()).toBe(git(repo, ['rev-parse', 'HEAD']).trim());
    expect(git(repo, ['config', 'branch.main.remote']).trim()).toBe('origin');
    expect(git(repo, ['config', 'branch.main.merge']).trim()).toBe('refs/heads/main');
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.some((e) => e.operation === 'push' && e.workspace_id === id && typeof e.phase === 'string')).toBe(true);

    commitFile(repo, 'b.txt', 'b\n');
    const branches = await rt.json(vc(id, 'branches'));
    expect(branches.body.branches.find((b: { name: string }) => b.name === 'main')).toMatchObject({ upstream: 'origin/main', ahead: 1, behind: 0 });
    expect(branches.body.branches.find((b: { name: string }) => b.name === 'origin/main')).toMatchObject({ type: 'remote', remote: 'origin' });
    const second = await rt.json(vc(id, 'push'), { method: 'POST', json: {} });
    expect(second.status).toBe(200);
    expect(git(remote, ['rev-parse', 'main']).trim()).toBe(git(repo, ['rev-parse', 'HEAD']).trim());
  });

  it('two clones: a rejected non-fast-forward push, a clean merge pull, then a merge conflict and a rebase conflict', async () => {
    const remote = makeBareRemote();
    const seed = makeRepo({ files: { 'shared.txt': 'line 1\nline 2\nline 3\n', 'other.txt': 'o\n' } });
    git(seed, ['push', '-q', remote, 'main']);
    const alice = cloneRepo(remote);
    const bob = cloneRepo(remote);
    const aliceId = await register(alice);
    const bobId = await register(bob);

    commitFile(alice, 'alice.txt', 'from alice\n');
    expect((await rt.json(vc(aliceId, 'push'), { method: 'POST', json: {} })).status).toBe(200);
    commitFile(bob, 'bob.txt', 'from bob\n');
    const rejected = await rt.json(vc(bobId, 'push'), { method: 'POST', json: {} });
    expect(rejected).toMatchObject({ status: 409, body: { code: 'git_push_rejected' } });
    expect(git(remote, ['rev-parse', 'main']).trim()).toBe(git(alice, ['rev-parse', 'HEAD']).trim());

    const merged = await rt.json(vc(bobId, 'pull'), { method: 'POST', json: {} });
    expect(merged.status).toBe(200);
    expect(merged.body.status).toMatchObject({ ahead: 2, behind: 0, clean: true });
    expect(git(bob, ['rev-list', '--parents', '-1', 'HEAD']).trim().split(' ')).toHaveLength(3); // a merge commit
    expect(readFileSync(join(bob, 'alice.txt'), 'utf8')).toBe('from alice\n');
    expect((await rt.json(vc(bobId, 'push'), { method: 'POST', json: {} })).status).toBe(200);

    // Same line changed on both sides.
    expect((await rt.json(vc(aliceId, 'pull'), { method: 'POST', json: {} })).status).toBe(200);
    commitFile(alice, 'shared.txt', 'line 1\nALICE\nline 3\n');
    expect((await rt.json(vc(aliceId, 'push'), { method: 'POST', json: {} })).status).toBe(200);
    commitFile(bob, 'shared.txt', 'line 1\nBOB\nline 3\n');
    const conflict = await rt.json(vc(bobId, 'pull'), { method: 'POST', json: {} });
    expect(conflict).toMatchObject({ status: 409, body: { code: 'git_merge_conflict', details: { files: ['shared.txt'] } } });
    expect(git(bob, ['status', '--porcelain']).trim()).toBe('UU shared.txt');
    const during = await rt.json(vc(bobId, 'status'));
    expect(during.body.status).toMatchObject({ operation: 'merge', conflicted: [{ path: 'shared.txt', conflict: 'both_modified' }] });
    git(bob, ['merge', '--abort']);

    const rebase = await rt.json(vc(bobId, 'pull'), { method: 'POST', json: { rebase: true } });
    expect(rebase).toMatchObject({ status: 409, body: { code: 'git_rebase_conflict', details: { files: ['shared.txt'] } } });
    expect((await rt.json(vc(bobId, 'status'))).body.status.operation).toBe('rebase');
    git(bob, ['rebase', '--abort']);

    // Local edits that a pull would overwrite.
    writeFiles(bob, { 'shared.txt': 'uncommitted\n' });
    git(bob, ['reset', '-q', '--hard', 'HEAD~1']);
    writeFiles(bob, { 'shared.txt': 'uncommitted\n' });
    const blocked = await rt.json(vc(bobId, 'pull'), { method: 'POST', json: {} });
    expect(blocked).toMatchObject({ status: 409, body: { code: 'git_local_changes' } });
  });

  it('pull with rebase keeps history linear and reports progress', async () => {
    const remote = makeBareRemote();
    const seed = makeRepo({ files: { 'a.txt': 'a\n' } });
    git(seed, ['push', '-q', remote, 'main']);
    const alice = cloneRepo(remote);
    const bob = cloneRepo(remote);
    commitFile(alice, 'alice.txt', 'alice\n');
    git(alice, ['push', '-q']);
    commitFile(bob, 'bob.txt', 'bob\n');
    const bobId = await register(bob);
    const progress: WireEvent[] = [];
    const off = rt.ctx.bus.stream('global').subscribe((e) => {
      if (e.type === 'git_progress' && e.workspace_id === bobId) progress.push(e);
    });
    const res = await rt.json(vc(bobId, 'pull'), { method: 'POST', json: { rebase: true } });
    off();
    expect(res.status).toBe(200);
    expect(res.body.status).toMatchObject({ ahead: 1, behind: 0, operation: null });
    expect(git(bob, ['rev-list', '--merges', '--count', 'HEAD']).trim()).toBe('0');
    expect(git(bob, ['rev-parse', 'HEAD~1']).trim()).toBe(git(alice, ['rev-parse', 'HEAD']).trim());
    expect(progress.every((e) => e.operation === 'pull')).toBe(true);
    expect(progress.length).toBeGreaterThan(0);
  });

  it('no remote, no upstream and detached HEAD are their own errors', async () => {
    const lonely = makeRepo({ files: { 'a.txt': 'a\n' } });
    const id = await register(lonely);
    expect(await rt.json(vc(id, 'push'), { method: 'POST', json: {} })).toMatchObject({ status: 409, body: { code: 'git_no_remote' } });
    expect(await rt.json(vc(id, 'pull'), { method: 'POST', json: {} })).toMatchObject({ status: 409, body: { code: 'git_no_remote' } });

    git(lonely, ['remote', 'add', 'origin', makeBareRemote()]);
    expect(await rt.json(vc(id, 'pull'), { method: 'POST', json: {} })).toMatchObject({ status: 409, body: { code: 'git_no_upstream' } });
    expect(await rt.json(vc(id, 'push'), { method: 'POST', json: { remote: 'nope' } })).toMatchObject({ status: 409, body: { code: 'git_no_remote' } });

    git(lonely, ['switch', '-q', '--detach', 'HEAD']);
    expect(await rt.json(vc(id, 'push'), { method: 'POST', json: {} })).toMatchObject({ status: 409, body: { code: 'git_detached_head' } });
  });

  describe('smart-HTTP remote demanding Basic auth', () => {
    let server: HttpRemote;
    let root: string;
    beforeAll(async () => {
      root = tempDir('wr-http-root-');
      makeBareRemote(join(root, 'repo.git'));
      server = await startHttpRemote(root);
    });
    afterAll(() => server.close());

    it('without credentials push and pull fail at once with git_auth_failed (git never prompts)', async () => {
      const repo = makeRepo({ files: { 'a.txt': 'a\n' } });
      git(repo, ['remote', 'add', 'origin', `${server.url}/repo.git`]);
      const id = await register(repo);
      // A git that asked for credentials would hang until its timeout and fail differently.
      const push = await rt.json(vc(id, 'push'), { method: 'POST', json: {} });
      expect(push).toMatchObject({ status: 502, body: { code: 'git_auth_failed' } });
      expect(server.requests).toBeGreaterThan(0);
      git(repo, ['config', 'branch.main.remote', 'origin']);
      git(repo, ['config', 'branch.main.merge', 'refs/heads/main']);
      const pull = await rt.json(vc(id, 'pull'), { method: 'POST', json: {} });
      expect(pull).toMatchObject({ status: 502, body: { code: 'git_auth_failed' } });
      expect(git(join(root, 'repo.git'), ['for-each-ref']).trim()).toBe('');
    });

    it('with the right credentials the same server accepts the push (the failure above was authentication)', async () => {
      const repo = makeRepo({ files: { 'a.txt': 'a\n' } });
      git(repo, ['remote', 'add', 'origin', `${server.authUrl}/repo.git`]);
      const id = await register(repo);
      const push = await rt.json(vc(id, 'push'), { method: 'POST', json: {} });
      expect(push.status).toBe(200);
      expect(git(join(root, 'repo.git'), ['rev-parse', 'main']).trim()).toBe(git(repo, ['rev-parse', 'HEAD']).trim());
    });
  });

  it('clone through the service reports progress on the workspace stream', async () => {
    const remote = makeBareRemote();
    const seed = makeRepo({ files: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`f${i}.txt`, `content ${i}\n`.repeat(50)])) });
    git(seed, ['push', '-q', remote, 'main']);
    const events: WireEvent[] = [];
    const off = rt.ctx.bus.stream('workspace:ws_clone').subscribe((e) => events.push(e));
    const dest = join(tempDir(), 'cloned');
    await rt.ctx.services.versionControl!.clone(`file://${remote}`, dest, { workspaceId: 'ws_clone' });
    off();
    expect(git(dest, ['rev-parse', 'HEAD']).trim()).toBe(git(seed, ['rev-parse', 'HEAD']).trim());
    expect(events.some((e) => e.type === 'git_progress' && e.operation === 'clone')).toBe(true);
  });
});
