import { describe, expect, it } from 'vitest';
import { parsePorcelainStatus } from './parse-status.js';
import { parseLog } from './parse-log.js';
import { parseDiff, unquoteGitPath } from './parse-diff.js';
import { parseBranches, parseTrack } from './parse-branches.js';
import { parseProgressLine } from './progress.js';
import { classifyGitOutput, filesFromGitMessage, GitError, toApiError } from './errors.js';

const Z = '0000000000000000000000000000000000000000';
const H1 = 'a4d65fad86ec1e528667' + '94b41260dc0f1237baaf';
const H2 = '57a1229015dcb009c7f2' + 'cdf8c8bfc6134a033145';

describe('parsePorcelainStatus', () => {
  it('reads branch headers, staged/unstaged changes, renames, conflicts and odd names', () => {
    const out = [
      `# branch.oid ${H1}`,
      '# branch.head feature/x',
      '# branch.upstream origin/feature/x',
      '# branch.ab +2 -1',
      `1 .M N... 100644 100644 100644 ${H1} ${H1} src/app file.ts`,
      `1 A. N... 000000 100644 100644 ${Z} ${H2} tab\there "quoted".txt`,
      `1 MD N... 100644 100644 000000 ${H1} ${H2} both.txt`,
      `2 RM N... 100644 100644 100644 ${H1} ${H1} R087 new name.txt`,
      'old\nname.txt',
      `u UU N... 100644 100644 100644 100644 ${H1} ${H2} ${H1} conflict.txt`,
      `u DU N... 100644 000000 100644 100644 ${H1} ${Z} ${H2} gone-ours.txt`,
      '? untracked dir/ä.txt',
      '? -leading-dash',
      '',
    ].join('\0');
    const s = parsePorcelainStatus(out);
    expect(s).toMatchObject({ head_oid: H1, branch: 'feature/x', detached: false, upstream: 'origin/feature/x', ahead: 2, behind: 1 });
    expect(s.staged).toEqual([
      { path: 'tab\there "quoted".txt', status: 'added' },
      { path: 'both.txt', status: 'modified' },
      { path: 'new name.txt', old_path: 'old\nname.txt', status: 'renamed', similarity: 87 },
    ]);
    expect(s.unstaged).toEqual([
      { path: 'src/app file.ts', status: 'modified' },
      { path: 'both.txt', status: 'deleted' },
      { path: 'new name.txt', status: 'modified' },
    ]);
    expect(s.conflicted).toEqual([
      { path: 'conflict.txt', conflict: 'both_modified' },
      { path: 'gone-ours.txt', conflict: 'deleted_by_us' },
    ]);
    expect(s.untracked).toEqual(['untracked dir/ä.txt', '-leading-dash']);
  });

  it('reads an unborn branch and a detached HEAD', () => {
    expect(parsePorcelainStatus('# branch.oid (initial)\0# branch.head master\0')).toMatchObject({ head_oid: null, branch: 'master', detached: false, ahead: null });
    expect(parsePorcelainStatus(`# branch.oid ${H1}\0# branch.head (detached)\0`)).toMatchObject({ head_oid: H1, branch: null, detached: true });
  });
});

describe('parseLog', () => {
  const rec = (hash: string, parents: string, subject: string, body: string, files = '') =>
    '\x1e' + [hash, parents, 'Ann Author', 'ann@example.com', '2026-11-23T10:00:00+00:00', 'Cy Committer', 'cy@example.com', '2026-11-23T10:05:00+01:00', subject, body].join('\0') + files;

  it('reads commits with parents, author, committer, subject and multi-line body', () => {
    const out = rec(H2, H1, 'second: fix it', 'line one\n\nline three\n') + '\0' + rec(H1, '', 'first', '') + '\0';
    const commits = parseLog(out);
    expect(commits).toHaveLength(2);
    expect(commits[0]).toEqual({
      hash: H2,
      short_hash: H2.slice(0, 7),
      parents: [H1],
      author: { name: 'Ann Author', email: 'ann@example.com', date: '2026-11-23T10:00:00+00:00' },
      committer: { name: 'Cy Committer', email: 'cy@example.com', date: '2026-11-23T10:05:00+01:00' },
      subject: 'second: fix it',
      body: 'line one\n\nline three',
    });
    expect(commits[1]!.parents).toEqual([]);
  });

  it('reads merge parents and --name-status -z file lists with renames', () => {
    const out = rec(H2, `${H1} ${H1}`, 'merge', '', '\0\nM\0a b.txt\0R100\0old\tname\0new name\0A\0x\0') + rec(H1, '', 'first', '', '\0\nA\0a b.txt\0');
    const commits = parseLog(out, true);
    expect(commits[0]!.parents).toHaveLength(2);
    expect(commits[0]!.files).toEqual([
      { path: 'a b.txt', status: 'modified' },
      { path: 'new name', old_path: 'old\tname', status: 'renamed' },
      { path: 'x', status: 'added' },
    ]);
    expect(commits[1]!.files).toEqual([{ path: 'a b.txt', status: 'added' }]);
  });
});

describe('parseDiff', () => {
  it('parses hunks with line numbers, additions and deletions', () => {
    const text = [
      'diff --git a/src/a.ts b/src/a.ts',
      'index 1111111..2222222 100644',
      '--- a/src/a.ts',
      '+++ b/src/a.ts',
      '@@ -1,3 +1,4 @@ function x() {',
      ' keep',
      '-old',
      '+new',
      '+added',
      ' tail',
      '@@ -10 +11 @@',
      '-last',
      '\\ No newline at end of file',
      '+last!',
      '\\ No newline at end of file',
      '',
    ].join('\n');
    const [file] = parseDiff(text);
    expect(file).toMatchObject({ path: 'src/a.ts', status: 'modified', binary: false, additions: 3, deletions: 2 });
    expect(file!.hunks).toHaveLength(2);
    expect(file!.hunks[0]).toMatchObject({ old_start: 1, old_lines: 3, new_start: 1, new_lines: 4, header: '@@ -1,3 +1,4 @@ function x() {' });
    expect(file!.hunks[0]!.lines).toEqual([
      { type: 'context', content: 'keep', old_line: 1, new_line: 1 },
      { type: 'delete', content: 'old', old_line: 2, new_line: null },
      { type: 'add', content: 'new', old_line: null, new_line: 2 },
      { type: 'add', content: 'added', old_line: null, new_line: 3 },
      { type: 'context', content: 'tail', old_line: 3, new_line: 4 },
    ]);
    expect(file!.hunks[1]).toMatchObject({ old_start: 10, old_lines: 1, new_start: 11, new_lines: 1 });
    expect(file!.hunks[1]!.lines.map((l) => l.type)).toEqual(['delete', 'no_newline', 'add', 'no_newline']);
  });

  it('flags binary files, new/deleted files, renames, mode changes and quoted names', () => {
    const text = [
      'diff --git a/img.png b/img.png',
      'new file mode 100644',
      'index 0000000..e69de29',
      'Binary files /dev/null and b/img.png differ',
      'diff --git a/gone.txt b/gone.txt',
      'deleted file mode 100644',
      'index 257cc56..0000000',
      '--- a/gone.txt',
      '+++ /dev/null',
      '@@ -1 +0,0 @@',
      '-bye',
      'diff --git a/a "b/\\303\\244 b"',
      'similarity index 100%',
      'rename from a',
      'rename to "\\303\\244 b"',
      'diff --git a/run.sh b/run.sh',
      'old mode 100644',
      'new mode 100755',
      'diff --git "a/tab\\there" "b/tab\\there"',
      'index 1..2 100644',
      '--- "a/tab\\there"\t',
      '+++ "b/tab\\there"\t',
      '@@ -1 +1 @@',
      '-a',
      '+b',
    ].join('\n');
    const files = parseDiff(text);
    expect(files.map((f) => [f.path, f.status, f.binary])).toEqual([
      ['img.png', 'added', true],
      ['gone.txt', 'deleted', false],
      ['ä b', 'renamed', false],
      ['run.sh', 'mode_changed', false],
      ['tab\there', 'modified', false],
    ]);
    expect(files[2]!.old_path).toBe('a');
    expect(files[3]).toMatchObject({ old_mode: '100644', new_mode: '100755' });
  });

  it('parses a diff cut in the middle of a hunk up to the cut', () => {
    const files = parseDiff('diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,5 +1,5 @@\n a\n-b\n+c');
    expect(files[0]!.hunks[0]!.lines).toHaveLength(3);
  });

  it('unquotes C-style paths', () => {
    expect(unquoteGitPath('"\\303\\244\\t\\"q\\\\"')).toBe('ä\t"q\\');
    expect(unquoteGitPath('plain name')).toBe('plain name');
  });
});

describe('parseBranches', () => {
  it('reads local and remote branches, current, upstream tracking, and skips symrefs', () => {
    const row = (...f: string[]) => f.join('\0');
    const out = [
      row('refs/heads/main', 'main', '*', H1, 'origin/main', 'ahead 2, behind 1', '', '2026-11-23T10:00:00+00:00', 'subject one'),
      row('refs/heads/topic', 'topic', ' ', H2, 'origin/topic', 'gone', '', '2026-11-23T10:00:00+00:00', 's2'),
      row('refs/heads/local-only', 'local-only', ' ', H2, '', '', '', '2026-11-23T10:00:00+00:00', 's3'),
      row('refs/remotes/origin/HEAD', 'origin', ' ', H1, '', '', 'refs/remotes/origin/main', '', ''),
      row('refs/remotes/up/stream/main', 'up/stream/main', ' ', H1, '', '', '', '2026-11-23T10:00:00+00:00', 'r'),
    ].join('\n') + '\n';
    const b = parseBranches(out, ['origin', 'up/stream']);
    expect(b.map((x) => [x.name, x.type, x.current, x.remote])).toEqual([
      ['main', 'local', true, null],
      ['topic', 'local', false, null],
      ['local-only', 'local', false, null],
      ['up/stream/main', 'remote', false, 'up/stream'],
    ]);
    expect(b[0]).toMatchObject({ upstream: 'origin/main', ahead: 2, behind: 1, upstream_gone: false, subject: 'subject one' });
    expect(b[1]).toMatchObject({ upstream_gone: true, ahead: null });
    expect(b[2]).toMatchObject({ upstream: null, ahead: null, behind: null });
    expect(parseTrack('behind 3')).toEqual({ ahead: 0, behind: 3, gone: false });
  });
});

describe('progress and error recognition', () => {
  it('parses progress lines', () => {
    expect(parseProgressLine('Receiving objects:  45% (9/20), 1.2 MiB | 3 MiB/s')).toMatchObject({ phase: 'Receiving objects', percent: 45, current: 9, total: 20, done: false });
    expect(parseProgressLine('remote: Compressing objects: 100% (3/3), done.')).toMatchObject({ phase: 'Compressing objects', percent: 100, done: true });
    expect(parseProgressLine('Enumerating objects: 5, done.')).toMatchObject({ phase: 'Enumerating objects', current: 5, percent: null, done: true });
    expect(parseProgressLine('To /tmp/remote.git')).toBeNull();
  });

  it('recognises git failures from their messages', () => {
    expect(classifyGitOutput("To ../remote.git\n ! [rejected]        main -> main (fetch first)\nerror: failed to push some refs to '../remote.git'\n")).toBe('push_rejected');
    expect(classifyGitOutput("fatal: Authentication failed for 'http://127.0.0.1:1/r.git/'\n")).toBe('auth_failed');
    expect(classifyGitOutput("fatal: could not read Username for 'http://127.0.0.1:1': terminal prompts disabled\n")).toBe('auth_failed');
    expect(classifyGitOutput('', 'CONFLICT (content): Merge conflict in f\nAutomatic merge failed; fix conflicts and then commit the result.\n')).toBe('merge_conflicts');
    expect(classifyGitOutput('\n*** Please tell me who you are.\n\nfatal: no email was given and auto-detection is disabled\n')).toBe('identity_missing');
    expect(classifyGitOutput('fatal: not a git repository (or any of the parent directories): .git\n')).toBe('not_a_repository');
    expect(classifyGitOutput('fatal: invalid reference: nope\n')).toBe('ref_not_found');
    expect(classifyGitOutput("fatal: pathspec 'nope' did not match any files\n")).toBe('path_not_found');
    // git cuts a message at 4 KiB, so a very long pathspec loses its closing quote.
    expect(classifyGitOutput(`fatal: pathspec '${'a'.repeat(4080)}\n`)).toBe('path_not_found');
    expect(classifyGitOutput("fatal: a branch named 'x' already exists\n")).toBe('branch_exists');
    expect(classifyGitOutput('something new and strange\n')).toBe('unknown');
    const auth = toApiError(new GitError('auth_failed', 'x', { stderr: "fatal: Authentication failed for 'https://bob:s3cret@example.com/r.git/'\n" }));
    expect(JSON.stringify(auth.details)).not.toContain('s3cret');
    expect(auth.status).toBe(502);
    const blocked = 'error: Your local changes to the following files would be overwritten by checkout:\n\ta.txt\n\tdir/b c.txt\nPlease commit your changes or stash them before you switch branches.\nAborting\n';
    expect(classifyGitOutput(blocked)).toBe('local_changes_overwritten');
    expect(filesFromGitMessage(blocked)).toEqual(['a.txt', 'dir/b c.txt']);
  });
});
