import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { GitError } from './errors.js';
import { installAskpass, locateGit } from './core.js';
import { isolateGitConfig, makeRepo, tempDir } from './test-repos.js';

isolateGitConfig();

describe('git core wrapper', () => {
  it('uses the system git through dugite with LOCAL_GIT_DIRECTORY and GIT_EXEC_PATH', async () => {
    const git = (await locateGit())!;
    expect(git).not.toBeNull();
    expect(git.binary.source).toBe('system');
    expect(git.binary.env.GIT_EXEC_PATH).toBe(execFileSync('git', ['--exec-path'], { encoding: 'utf8' }).trim());
    expect(git.info().version).toBe(execFileSync('git', ['--version'], { encoding: 'utf8' }).trim().replace('git version ', ''));
    // A subcommand that lives in the exec path (not built in) runs: the exec path is right.
    const repo = makeRepo({ files: { 'a.txt': 'a\n' } });
    const { stdout } = await git.run(['rev-parse', '--show-toplevel'], repo);
    expect(stdout.trim()).toBe(repo);
    expect(await locateGit({ gitPath: '/no/such/git' })).toBeNull();
    // The distribution's system config, not dugite's <prefix>/etc/gitconfig.
    const sysconfig = process.platform === 'linux' && git.binary.env.LOCAL_GIT_DIRECTORY === '/usr' ? '/etc/gitconfig' : undefined;
    if (sysconfig) expect(git.binary.env.GIT_CONFIG_SYSTEM).toBe(sysconfig);
  });

  it('never waits for credentials: the askpass helper answers nothing and terminal prompts are off', async () => {
    const git = (await locateGit())!;
    await installAskpass(tempDir('wr-askpass-'));
    const env = git.env();
    expect(env).toMatchObject({ GIT_TERMINAL_PROMPT: '0', GCM_INTERACTIVE: 'never' });
    expect(env.GIT_SSH_COMMAND).toContain('BatchMode=yes');
    expect(env.GIT_ASKPASS).toMatch(/git-askpass/);
    // A git waiting for credentials would be stopped at the timeout and reject (kind 'timeout').
    const { stdout } = await git.run(['credential', 'fill'], tempDir(), { stdin: 'protocol=https\nhost=example.invalid\n\n', timeoutMs: 10_000 });
    expect(stdout).toContain('username=\n');
    expect(stdout).toContain('password=\n');
  });

  it('checks exit codes per call and types the failure; a hung git is stopped at its timeout', async () => {
    const git = (await locateGit())!;
    const dir = tempDir();
    await expect(git.run(['status'], dir)).rejects.toMatchObject({ kind: 'not_a_repository' });
    const tolerated = await git.run(['rev-parse', '--is-inside-work-tree'], dir, { successExitCodes: new Set([0, 128]) });
    expect(tolerated.exitCode).toBe(128);
    // Left alone the alias would succeed after 5 s; the timeout makes it a typed failure.
    const hung = git.run(['-c', 'alias.wait=!sleep 5', 'wait'], dir, { timeoutMs: 300 });
    await expect(hung).rejects.toBeInstanceOf(GitError);
    await expect(hung).rejects.toMatchObject({ kind: 'timeout' });
  });

  it('an ssh remote without keys fails fast instead of asking (BatchMode)', async () => {
    const git = (await locateGit())!;
    const repo = makeRepo({ files: { 'a.txt': 'a\n' } });
    // Asking would hang until the timeout, which fails with kind 'timeout' instead.
    const failed = git.run(['ls-remote', 'ssh://git@127.0.0.1:1/repo.git'], repo, { timeoutMs: 15_000 });
    await expect(failed).rejects.toMatchObject({ kind: expect.stringMatching(/remote_unreachable|auth_failed/) });
  });
});
