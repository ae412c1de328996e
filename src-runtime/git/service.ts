/**
 * Version control per workspace: finds the workspace's repository, runs the git commands (one file
 * each in this folder) with writes serialised per repository, turns GitErrors into ApiErrors,
 * reports push/pull/clone progress as `git_progress` and announces `git_status_changed` after the
 * operations that change status.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { conflict } from '../contract/errors.js';
import type { Workspace } from '../contract/workspaces.js';
import type { RuntimeContext } from '../feature.js';
import { getBranches } from './branches.js';
import { checkout, type CheckoutOptions } from './checkout.js';
import { cloneRepository, type CloneOptions } from './clone.js';
import { createCommit, type CommitOptions } from './commit.js';
import type { Git } from './core.js';
import { getDiff, type DiffOptions } from './diff.js';
import { discardPaths } from './discard.js';
import { GitError, toApiError } from './errors.js';
import { initRepository } from './init.js';
import { getCommits, type LogOptions } from './log.js';
import type { GitProgress } from './progress.js';
import { pull, type PullOptions } from './pull.js';
import { push, type PushOptions } from './push.js';
import { getRepository, type Repository } from './repository.js';
import { stagePaths } from './stage.js';
import { getStatus, type UntrackedMode, type WorkingStatus } from './status.js';
import type { GitStatusNotifier } from './status-events.js';
import { unstagePaths } from './unstage.js';
import { KeyedLock } from '../platform/keyed-lock.js';

/** Every exit code a process can report (runPrivate's callers read the code themselves). */
const ANY_EXIT: ReadonlySet<number> = new Set(Array.from({ length: 257 }, (_, i) => i - 1));

type ProgressOperation = 'push' | 'pull' | 'clone' | 'fetch';

export class VersionControlService {
  private readonly repos = new Map<string, Repository>();
  private readonly lock = new KeyedLock();

  constructor(
    private readonly ctx: RuntimeContext,
    /** Located in the background at start-up; routes wait for it. */
    private readonly git: Promise<Git | null>,
    private readonly notifier: GitStatusNotifier,
  ) {}

  /** Run `fn`, turning git's typed failures into the wire's errors. */
  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof GitError) {
        // A repository removed under us: forget every cached location rather than guess which.
        if (error.kind === 'not_a_repository') this.repos.clear();
        throw toApiError(error);
      }
      throw error;
    }
  }

  private async requireGit(): Promise<Git> {
    const git = await this.git;
    if (!git) throw new GitError('git_unavailable', 'Git is not installed or could not be found: install git (or set WORKSPACE_RUNTIME_GIT to its path) and restart the runtime');
    return git;
  }

  /** The workspace, its git (restricted unless the workspace is trusted) and its repository. */
  private async open(idOrPath: string): Promise<{ ws: Workspace; git: Git; repo: Repository }> {
    const ws = await this.ctx.services.workspaces.get(idOrPath);
    const git = (await this.requireGit()).forWorkspace(ws);
    let repo = this.repos.get(ws.id);
    if (!repo) {
      repo = await getRepository(git, ws.root_dir);
      this.repos.set(ws.id, repo);
    }
    return { ws, git, repo };
  }

  /** Serialise writes per repository: two commits must not race for index.lock. */
  private exclusive<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.lock.run(key, fn);
  }

  private progress(workspaceId: string, operation: ProgressOperation): (p: GitProgress) => void {
    let last = '';
    return (p) => {
      const key = `${p.phase}:${p.percent ?? p.current}:${p.done}`;
      if (key === last) return;
      last = key;
      this.ctx.bus.publishWorkspace(workspaceId, 'git_progress', { operation, ...p });
    };
  }

  /** A write operation: serialised, then status-changed announced (also when it failed half-way). */
  private write<T>(idOrPath: string, fn: (o: { ws: Workspace; git: Git; repo: Repository }) => Promise<T>): Promise<T> {
    return this.guard(async () => {
      const opened = await this.open(idOrPath);
      try {
        return await this.exclusive(opened.repo.root, () => fn(opened));
      } finally {
        this.notifier.schedule(opened.ws.id);
      }
    });
  }

  status(idOrPath: string, untracked: UntrackedMode = 'all'): Promise<WorkingStatus> {
    return this.guard(async () => {
      const { git, repo } = await this.open(idOrPath);
      return getStatus(git, repo, untracked);
    });
  }

  log(idOrPath: string, options: LogOptions) {
    return this.guard(async () => {
      const { git, repo } = await this.open(idOrPath);
      return getCommits(git, repo.root, options);
    });
  }

  diff(idOrPath: string, options: DiffOptions) {
    return this.guard(async () => {
      const { git, repo } = await this.open(idOrPath);
      return getDiff(git, repo.root, options);
    });
  }

  branches(idOrPath: string) {
    return this.guard(async () => {
      const { git, repo } = await this.open(idOrPath);
      return getBranches(git, repo.root);
    });
  }

  commit(idOrPath: string, options: CommitOptions) {
    return this.write(idOrPath, ({ git, repo }) => createCommit(git, repo.root, options));
  }

  stage(idOrPath: string, paths: string[]) {
    return this.write(idOrPath, async ({ git, repo }) => {
      await stagePaths(git, repo.root, paths);
      return getStatus(git, repo);
    });
  }

  unstage(idOrPath: string, paths: string[]) {
    return this.write(idOrPath, async ({ git, repo }) => {
      await unstagePaths(git, repo.root, paths);
      return getStatus(git, repo);
    });
  }

  discard(idOrPath: string, paths: string[], includeStaged: boolean) {
    return this.write(idOrPath, async ({ git, repo }) => {
      await discardPaths(git, repo.root, paths, includeStaged);
      return getStatus(git, repo);
    });
  }

  checkout(idOrPath: string, options: CheckoutOptions) {
    return this.write(idOrPath, async ({ git, repo }) => {
      await checkout(git, repo.root, options);
      return getStatus(git, repo);
    });
  }

  push(idOrPath: string, options: PushOptions) {
    return this.write(idOrPath, async ({ ws, git, repo }) => {
      const result = await push(git, repo.root, options, this.progress(ws.id, 'push'));
      return { ...result, status: await getStatus(git, repo) };
    });
  }

  pull(idOrPath: string, options: PullOptions) {
    return this.write(idOrPath, async ({ ws, git, repo }) => {
      await pull(git, repo.root, options, this.progress(ws.id, 'pull'));
      return getStatus(git, repo);
    });
  }

  init(idOrPath: string, initialBranch?: string) {
    return this.guard(async () => {
      const ws = await this.ctx.services.workspaces.get(idOrPath);
      const git = (await this.requireGit()).forWorkspace(ws);
      const { stdout, exitCode } = await git.run(['rev-parse', '--show-toplevel'], ws.root_dir, { successExitCodes: new Set([0, 128]) });
      if (exitCode === 0 || existsSync(join(ws.root_dir, '.git'))) {
        throw conflict('git_already_initialized', `The workspace is already inside a git repository (${stdout.trim() || ws.root_dir})`, { repo_root: stdout.trim() || ws.root_dir });
      }
      await this.exclusive(ws.root_dir, () => initRepository(git, ws.root_dir, initialBranch));
      this.repos.delete(ws.id);
      this.notifier.schedule(ws.id);
      const { repo } = await this.open(ws.id);
      return getStatus(git, repo);
    });
  }

  /** Clone a URL into a new folder; progress goes to the workspace's stream when one is given. */
  clone(url: string, destination: string, options: CloneOptions & { workspaceId?: string; onProgress?: (p: GitProgress) => void } = {}) {
    return this.guard(async () => {
      // What a clone brings is untrusted until the user says otherwise: no hooks, no ext::.
      const git = (await this.requireGit()).restricted();
      const publish = options.workspaceId ? this.progress(options.workspaceId, 'clone') : undefined;
      await cloneRepository(git, url, destination, options, (p) => {
        publish?.(p);
        options.onProgress?.(p);
      });
    });
  }

  /** git for a store the runtime owns (snapshots): always restricted, any exit code resolves. */
  runPrivate(args: string[], cwd: string, options: { env: Record<string, string>; stdin?: string }) {
    return this.guard(async () => {
      const git = (await this.requireGit()).restricted();
      return git.run(args, cwd, { ...options, successExitCodes: ANY_EXIT });
    });
  }

  forget(workspaceId: string): void {
    this.repos.delete(workspaceId);
    this.notifier.release(workspaceId);
  }
}
