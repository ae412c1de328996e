import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startTestRuntime, type TestRuntime } from '../../test-support/runtime-harness.js';
import { createVersionControlFeature, versionControlFeature } from './feature.js';
import { commitFile, git, IDENTITY, isolateGitConfig, makeRepo, tempDir, writeFiles } from './test-repos.js';

isolateGitConfig();

describe('version control API (real repositories, git as the oracle)', () => {
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

  it('reports the git in use in the runtime status', async () => {
    const { body } = await rt.json('/api/v1/runtime/status');
    const version = git(process.cwd(), ['--version']).trim().replace('git version ', '');
    expect(body.runtime.git).toMatchObject({ available: true, source: 'system', version });
    expect(body.runtime.features.version_control.git.source).toBe('system');
  });

  it('answers 409 for a folder that is not a repository, and init makes it one', async () => {
    const dir = tempDir();
    const id = await register(dir);
    const before = await rt.json(vc(id, 'status'));
    expect(before).toMatchObject({ status: 409, body: { code: 'not_a_git_repository' } });
    const init = await rt.json(vc(id, 'init'), { method: 'POST', json: { initial_branch: 'trunk' } });
    expect(init.status).toBe(201);
    expect(init.body.status).toMatchObject({ branch: 'trunk', head_oid: null, clean: true, repo_root: dir });
    expect(git(dir, ['rev-parse', '--show-toplevel']).trim()).toBe(dir);
    expect(git(dir, ['symbolic-ref', '--short', 'HEAD']).trim()).toBe('trunk');
    const again = await rt.json(vc(id, 'init'), { method: 'POST', json: {} });
    expect(again).toMatchObject({ status: 409, body: { code: 'git_already_initialized' } });
    // The unborn branch has an empty history, not an error.
    const log = await rt.json(vc(id, 'log'));
    expect(log).toMatchObject({ status: 200, body: { commits: [] } });

    // The first commit on the unborn branch.
    git(dir, ['config', 'user.name', IDENTITY.name]);
    git(dir, ['config', 'user.email', IDENTITY.email]);
    writeFiles(dir, { 'readme.md': '# new\n' });
    const staged = await rt.json(vc(id, 'stage'), { method: 'POST', json: { paths: ['readme.md'] } });
    expect(staged.body.status.staged).toEqual([{ path: 'readme.md', status: 'added' }]);
    const unstaged = await rt.json(vc(id, 'unstage'), { method: 'POST', json: { paths: ['readme.md'] } });
    expect(unstaged.body.status.untracked).toEqual([{ path: 'readme.md' }]);
    const first = await rt.json(vc(id, 'commit'), { method: 'POST', json: { message: 'first', all: true } });
    expect(first.status).toBe(201);
    expect(first.body.commit).toMatchObject({ parents: [], subject: 'first' });
    expect(git(dir, ['log', '--format=%H']).trim()).toBe(first.body.commit.hash);
  });

  it('status lists staged, unstaged, untracked, renamed and oddly named files like git does', async () => {
    const repo = makeRepo({ files: { 'a.txt': 'a\n', 'old name.txt': 'rename me\n', 'gone.txt': 'x\n', 'dir/keep.txt': 'k\n' } });
    const id = await register(repo);
    writeFiles(repo, { 'a.txt': 'a changed\n', 'new file.txt': 'n\n', 'tab\tname.txt': 't\n', 'line\nbreak.txt': 'l\n', 'ünï "quoted".txt': 'u\n', '-dash.txt': 'd\n', 'dir/sub/deep.txt': 'deep\n' });
    git(repo, ['mv', 'old name.txt', 'new name.txt']);
    git(repo, ['rm', '-q', 'gone.txt']);
    git(repo, ['add', 'new file.txt']);
    const { status, body } = await rt.json(vc(id, 'status'));
    expect(status).toBe(200);
    const s = body.status;
    expect(s).toMatchObject({ branch: 'main', detached: false, upstream: null, clean: false, operation: null });
    expect(s.head_oid).toBe(git(repo, ['rev-parse', 'HEAD']).trim());
    // Oracle: git's own lists.
    const staged = git(repo, ['diff', '--cached', '--name-only', '-z', '-M']).split('\0').filter(Boolean).sort();
    const unstaged = git(repo, ['diff', '--name-only', '-z']).split('\0').filter(Boolean).sort();
    const untracked = git(repo, ['ls-files', '--others', '--exclude-standard', '-z']).split('\0').filter(Boolean).sort();
    expect(s.staged.map((c: { path: string }) => c.path).sort()).toEqual(staged);
    expect(s.unstaged.map((c: { path: string }) => c.path).sort()).toEqual(unstaged);
    expect(s.untracked.map((c: { path: string }) => c.path).sort()).toEqual(untracked);
    expect(untracked).toContain('line\nbreak.txt');
    expect(untracked).toContain('tab\tname.txt');
    expect(s.staged).toContainEqual({ path: 'new name.txt', old_path: 'old name.txt', status: 'renamed', similarity: 100 });
    expect(s.staged).toContainEqual({ path: 'gone.txt', status: 'deleted' });
    expect(s.unstaged).toContainEqual({ path: 'a.txt', status: 'modified' });
  });

  it('stages, unstages and discards paths (odd names included), checked with git', async () => {
    const repo = makeRepo({ files: { 'a.txt': 'a\n', 'b c.txt': 'b\n' } });
    const id = await register(repo);
    writeFiles(repo, { 'a.txt': 'A\n', 'b c.txt': 'B\n', ':(glob)*.txt': 'magic-looking name\n', 'junk.tmp': 'junk\n' });
    rmSync(join(repo, 'a.txt'));
    const staged = await rt.json(vc(id, 'stage'), { method: 'POST', json: { paths: ['a.txt', ':(glob)*.txt'] } });
    expect(staged.status).toBe(200);
    // Literal pathspecs: only the file literally named ":(glob)*.txt" was added, not every .txt.
    expect(git(repo, ['diff', '--cached', '--name-status', '-z']).split('\0').filter(Boolean)).toEqual(['A', ':(glob)*.txt', 'D', 'a.txt']);
    expect(staged.body.status.staged).toHaveLength(2);

    const unstaged = await rt.json(vc(id, 'unstage'), { method: 'POST', json: { paths: ['a.txt'] } });
    expect(unstaged.status).toBe(200);
    expect(git(repo, ['diff', '--cached', '--name-only', '-z']).split('\0').filter(Boolean)).toEqual([':(glob)*.txt']);

    const discarded = await rt.json(vc(id, 'discard'), { method: 'POST', json: { paths: ['a.txt', 'b c.txt', 'junk.tmp'] } });
    expect(discarded.status).toBe(200);
    expect(readFileSync(join(repo, 'a.txt'), 'utf8')).toBe('a\n');
    expect(readFileSync(join(repo, 'b c.txt'), 'utf8')).toBe('b\n');
    expect(existsSync(join(repo, 'junk.tmp'))).toBe(false);
    expect(git(repo, ['status', '--porcelain', '-z']).split('\0').filter(Boolean)).toEqual(['A  :(glob)*.txt']);

    git(repo, ['mv', 'b c.txt', 'renamed.txt']);
    const rename = await rt.json(vc(id, 'discard'), { method: 'POST', json: { paths: ['b c.txt', 'renamed.txt'], include_staged: true } });
    expect(rename.status).toBe(200);
    expect(readFileSync(join(repo, 'b c.txt'), 'utf8')).toBe('b\n');
    expect(existsSync(join(repo, 'renamed.txt'))).toBe(false);

    const all = await rt.json(vc(id, 'discard'), { method: 'POST', json: { paths: [':(glob)*.txt'], include_staged: true } });
    expect(all.body.status.clean).toBe(true);
    expect(git(repo, ['status', '--porcelain'])).toBe('');

    const missing = await rt.json(vc(id, 'stage'), { method: 'POST', json: { paths: ['no-such-file'] } });
    expect(missing).toMatchObject({ status: 404, body: { code: 'git_path_not_found' } });
    const outside = await rt.json(vc(id, 'stage'), { method: 'POST', json: { paths: ['../outside.txt'] } });
    expect(outside.status).toBe(400);
    expect(outside.body.code).toBe('git_path_outside_repository');
  });

  it('commits staged changes, selected paths, everything, and amends; refuses empty messages and empty commits', async () => {
    const repo = makeRepo({ files: { 'a.txt': 'a\n', 'b.txt': 'b\n' } });
    const id = await register(repo);
    const empty = await rt.json(vc(id, 'commit'), { method: 'POST', json: { message: '   ' } });
    expect(empty.status).toBe(400);
    const nothing = await rt.json(vc(id, 'commit'), { method: 'POST', json: { message: 'nothing here' } });
    expect(nothing).toMatchObject({ status: 409, body: { code: 'git_nothing_to_commit' } });

    writeFiles(repo, { 'a.txt': 'a2\n', 'b.txt': 'b2\n', 'c.txt': 'c\n' });
    const selected = await rt.json(vc(id, 'commit'), { method: 'POST', json: { message: 'only a and c\n\nwith a body', paths: ['a.txt', 'c.txt'] } });
    expect(selected.status).toBe(201);
    expect(selected.body.commit).toMatchObject({ subject: 'only a and c', body: 'with a body', author: { name: IDENTITY.name, email: IDENTITY.email } });
    expect(selected.body.commit.hash).toBe(git(repo, ['rev-parse', 'HEAD']).trim());
    expect(git(repo, ['show', '--name-only', '--format=', 'HEAD']).trim().split('\n').sort()).toEqual(['a.txt', 'c.txt']);
    expect(git(repo, ['status', '--porcelain']).trim()).toBe('M b.txt');

    writeFiles(repo, { 'd.txt': 'd\n' });
    const all = await rt.json(vc(id, 'commit'), { method: 'POST', json: { message: 'everything', all: true } });
    expect(all.status).toBe(201);
    expect(git(repo, ['show', '--name-only', '--format=', 'HEAD']).trim().split('\n').sort()).toEqual(['b.txt', 'd.txt']);
    expect(git(repo, ['status', '--porcelain'])).toBe('');

    const count = git(repo, ['rev-list', '--count', 'HEAD']).trim();
    const amended = await rt.json(vc(id, 'commit'), { method: 'POST', json: { message: 'everything, reworded', amend: true } });
    expect(amended.status).toBe(201);
    expect(git(repo, ['rev-list', '--count', 'HEAD']).trim()).toBe(count);
    expect(git(repo, ['log', '-1', '--format=%s']).trim()).toBe('everything, reworded');
  });

  it('a missing identity is a clear 409 git_identity_missing, and nothing is committed', async () => {
    const repo = makeRepo({ files: { 'a.txt': 'a\n' }, identity: false });
    const id = await register(repo);
    writeFiles(repo, { 'a.txt': 'changed\n' });
    const before = git(repo, ['rev-parse', 'HEAD']).trim();
    const res = await rt.json(vc(id, 'commit'), { method: 'POST', json: { message: 'who am I', all: true } });
    expect(res).toMatchObject({ status: 409, body: { code: 'git_identity_missing' } });
    expect(res.body.error).toContain('user.email');
    expect(git(repo, ['rev-parse', 'HEAD']).trim()).toBe(before);
  });

  it('log pages through history, filters by path and ref, and lists changed files', async () => {
    const repo = makeRepo({ files: { 'start.txt': 's\n' } });
    for (let i = 1; i <= 12; i++) commitFile(repo, i % 3 === 0 ? 'three.txt' : 'other.txt', `v${i}\n`, `commit ${i}`);
    git(repo, ['branch', 'side', 'HEAD~5']);
    const id = await register(repo);
    const page1 = await rt.json(vc(id, 'log?limit=5'));
    expect(page1.status).toBe(200);
    expect(page1.body.commits.map((c: { subject: string }) => c.subject)).toEqual(['commit 12', 'commit 11', 'commit 10', 'commit 9', 'commit 8']);
    expect(page1.body.next_cursor).toBe('5');
    const oracle = git(repo, ['log', '--format=%H']).trim().split('\n');
    const seen: string[] = [];
    let cursor: string | undefined = undefined;
    do {
      const page: { body: { commits: Array<{ hash: string }>; next_cursor?: string } } = await rt.json(vc(id, `log?limit=5${cursor ? `&cursor=${cursor}` : ''}`));
      seen.push(...page.body.commits.map((c) => c.hash));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual(oracle);
    const first = page1.body.commits[0];
    expect(first.parents).toEqual([git(repo, ['rev-parse', 'HEAD~1']).trim()]);
    expect(first.author).toMatchObject({ name: IDENTITY.name, email: IDENTITY.email });

    const byPath = await rt.json(vc(id, `log?path=${encodeURIComponent('three.txt')}`));
    expect(byPath.body.commits.map((c: { subject: string }) => c.subject)).toEqual(['commit 12', 'commit 9', 'commit 6', 'commit 3']);
    const byRef = await rt.json(vc(id, 'log?ref=side&limit=2&files=true'));
    expect(byRef.body.commits[0].hash).toBe(git(repo, ['rev-parse', 'side']).trim());
    expect(byRef.body.commits[0].files).toEqual([{ path: 'other.txt', status: 'modified' }]);
    const badRef = await rt.json(vc(id, 'log?ref=no-such-branch'));
    expect(badRef).toMatchObject({ status: 404, body: { code: 'git_ref_not_found' } });
  });

  it('diffs the working tree, the index and a commit, one file or all, flags binaries and truncates', async () => {
    const repo = makeRepo({ files: { 'a.txt': 'one\ntwo\nthree\n', 'img.bin': Buffer.from([0, 1, 2, 3, 0, 255]) } });
    const id = await register(repo);
    writeFiles(repo, { 'a.txt': 'one\n2\nthree\nfour\n', 'img.bin': Buffer.from([0, 9, 9, 0]), 'fresh.txt': 'brand new\n' });
    const wt = await rt.json(vc(id, 'diff'));
    expect(wt.status).toBe(200);
    expect(wt.body.diff.text).toBe(git(repo, ['diff', '--no-color', '--no-ext-diff', '-M']));
    const a = wt.body.diff.files.find((f: { path: string }) => f.path === 'a.txt');
    expect(a).toMatchObject({ status: 'modified', binary: false, additions: 2, deletions: 1 });
    expect(a.hunks[0].lines).toContainEqual({ type: 'add', content: '2', old_line: null, new_line: 2 });
    expect(wt.body.diff.files.find((f: { path: string }) => f.path === 'img.bin')).toMatchObject({ binary: true, hunks: [] });

    const untracked = await rt.json(vc(id, 'diff?path=fresh.txt'));
    expect(untracked.body.diff.files).toHaveLength(1);
    expect(untracked.body.diff.files[0]).toMatchObject({ path: 'fresh.txt', status: 'added', additions: 1 });

    git(repo, ['add', 'a.txt']);
    const staged = await rt.json(vc(id, 'diff?staged=true&path=a.txt'));
    expect(staged.body.diff).toMatchObject({ mode: 'staged', path: 'a.txt', truncated: false });
    expect(staged.body.diff.text).toBe(git(repo, ['diff', '--cached', '--no-color', '-M', '--', 'a.txt']));
    const onlyWt = await rt.json(vc(id, 'diff?path=a.txt'));
    expect(onlyWt.body.diff.files).toEqual([]);

    git(repo, ['commit', '-q', '-m', 'a change']);
    const head = git(repo, ['rev-parse', 'HEAD']).trim();
    const show = await rt.json(vc(id, `diff?commit=${head}`));
    expect(show.body.diff).toMatchObject({ mode: 'commit', commit: head });
    expect(show.body.diff.files.map((f: { path: string }) => f.path)).toEqual(['a.txt']);
    const root = await rt.json(vc(id, `diff?commit=${git(repo, ['rev-list', '--max-parents=0', 'HEAD']).trim()}`));
    expect(root.body.diff.files.map((f: { path: string; status: string }) => [f.path, f.status])).toEqual([['a.txt', 'added'], ['img.bin', 'added']]);

    writeFiles(repo, { 'big.txt': Array.from({ length: 5000 }, (_, i) => `line ${i}`).join('\n') + '\n' });
    git(repo, ['add', 'big.txt']);
    const cut = await rt.json(vc(id, 'diff?staged=true&max_bytes=4096'));
    expect(cut.body.diff.truncated).toBe(true);
    expect(cut.body.diff.bytes).toBeLessThanOrEqual(4096);
    expect(cut.body.diff.text.endsWith('\n')).toBe(true);
    expect(cut.body.diff.files[0].hunks[0].lines.length).toBeGreaterThan(100);
  });

  it('lists branches and checks out existing, new and detached; a dirty tree that blocks is a 409 naming the files', async () => {
    const repo = makeRepo({ files: { 'f.txt': 'base\n' } });
    const base = git(repo, ['rev-parse', 'HEAD']).trim();
    git(repo, ['switch', '-q', '-c', 'feature']);
    commitFile(repo, 'f.txt', 'feature\n');
    git(repo, ['switch', '-q', 'main']);
    const id = await register(repo);
    const list = await rt.json(vc(id, 'branches'));
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ current: 'main', detached: false });
    expect(list.body.branches.map((b: { name: string; current: boolean }) => [b.name, b.current])).toEqual([
      ['feature', false],
      ['main', true],
    ]);

    const created = await rt.json(vc(id, 'checkout'), { method: 'POST', json: { branch: 'topic', create: true, start_point: 'feature' } });
    expect(created.status).toBe(200);
    expect(created.body.status.branch).toBe('topic');
    expect(git(repo, ['rev-parse', 'topic']).trim()).toBe(git(repo, ['rev-parse', 'feature']).trim());
    expect(git(repo, ['symbolic-ref', '--short', 'HEAD']).trim()).toBe('topic');

    const exists = await rt.json(vc(id, 'checkout'), { method: 'POST', json: { branch: 'main', create: true } });
    expect(exists).toMatchObject({ status: 409, body: { code: 'git_branch_exists' } });
    const invalid = await rt.json(vc(id, 'checkout'), { method: 'POST', json: { branch: 'a..b', create: true } });
    expect(invalid).toMatchObject({ status: 400, body: { code: 'git_invalid_branch_name' } });
    const option = await rt.json(vc(id, 'checkout'), { method: 'POST', json: { branch: '--orphan' } });
    expect(option.status).toBe(400);
    const none = await rt.json(vc(id, 'checkout'), { method: 'POST', json: { branch: 'no-such' } });
    expect(none).toMatchObject({ status: 404, body: { code: 'git_ref_not_found' } });

    writeFiles(repo, { 'f.txt': 'dirty edit\n' });
    const blocked = await rt.json(vc(id, 'checkout'), { method: 'POST', json: { branch: 'main' } });
    expect(blocked).toMatchObject({ status: 409, body: { code: 'git_local_changes', details: { files: ['f.txt'] } } });
    expect(blocked.body.error).toContain('f.txt');
    expect(git(repo, ['symbolic-ref', '--short', 'HEAD']).trim()).toBe('topic');
    git(repo, ['checkout', '--', 'f.txt']);

    const detached = await rt.json(vc(id, 'checkout'), { method: 'POST', json: { commit: base } });
    expect(detached.body.status).toMatchObject({ detached: true, branch: null, head_oid: base });
    expect(git(repo, ['symbolic-ref', '-q', 'HEAD'], { allowFail: true })).toBe('');
    const branches = await rt.json(vc(id, 'branches'));
    expect(branches.body).toMatchObject({ current: null, detached: true });
    const back = await rt.json(vc(id, 'checkout'), { method: 'POST', json: { branch: 'main' } });
    expect(back.body.status.branch).toBe('main');
  });

  it('404 for an unknown workspace and 400 for bad input', async () => {
    expect((await rt.json(vc('ws_nope', 'status'))).status).toBe(404);
    const repo = makeRepo({ files: { 'a.txt': 'a\n' } });
    const id = await register(repo);
    expect((await rt.json(vc(id, 'stage'), { method: 'POST', json: { paths: [] } })).status).toBe(400);
    expect((await rt.json(vc(id, 'checkout'), { method: 'POST', json: {} })).status).toBe(400);
    expect((await rt.json(vc(id, 'log?limit=0'))).status).toBe(400);
    writeFileSync(join(repo, '.git', 'index.lock'), '');
    const locked = await rt.json(vc(id, 'stage'), { method: 'POST', json: { paths: ['a.txt'] } });
    expect(locked).toMatchObject({ status: 409, body: { code: 'git_locked' } });
    rmSync(join(repo, '.git', 'index.lock'));
  });
});

describe('without git', () => {
  let rt: TestRuntime;
  beforeAll(async () => {
    rt = await startTestRuntime({ features: [createVersionControlFeature({ gitPath: '/nonexistent/bin/git' })] });
  });
  afterAll(() => rt.close());

  it('version-control routes answer 503 git_unavailable and the rest of the runtime works', async () => {
    const status = await rt.json('/api/v1/runtime/status');
    expect(status.body.runtime.git).toEqual({ available: false, source: 'none', version: null, path: null });
    const dir = tempDir();
    const created = await rt.json('/api/v1/workspaces', { method: 'POST', json: { root_dir: dir } });
    expect(created.status).toBe(201);
    const res = await rt.json(`/api/v1/workspaces/${created.body.workspace.id}/version-control/status`);
    expect(res).toMatchObject({ status: 503, body: { code: 'git_unavailable' } });
    const init = await rt.json(`/api/v1/workspaces/${created.body.workspace.id}/version-control/init`, { method: 'POST', json: {} });
    expect(init.status).toBe(503);
  });
});
