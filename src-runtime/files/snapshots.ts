/**
 * Workspace snapshots in a private git object store: one bare repository per workspace under the
 * data dir (`files/snapshots/<workspace>.git`). Git runs through the version-control feature
 * (`runPrivate`: restricted, so nothing the workspace names runs) with GIT_DIR/GIT_WORK_TREE/GIT_INDEX_FILE
 * pointing at that store, so the user's repository (index, HEAD, branches, stash, config) is never
 * read for writing nor touched, and non-git workspaces work the same. A snapshot is `git add -A`
 * into the private index (the worktree's .gitignore files and the user's info/exclude apply) →
 * write-tree → commit-tree → refs/snapshots/<id>: tracked and untracked files with their modes
 * and symlinks. Attributes are neutralised (`-text -filter …` in the store's info/attributes) so
 * content round-trips byte for byte. Restore takes a pre_restore snapshot, deletes what the target
 * lacks and checks out what differs.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { lstat, mkdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ApiError, notFound } from '../contract/errors.js';
import type { Snapshot } from '../contract/files.js';
import { newId } from '../ids.js';
import type { Store } from '../store/db.js';
import { withConfinedDir, writeFileConfined } from '../platform/confined-fs.js';
import { KeyedLock } from '../platform/keyed-lock.js';

interface StoredSnapshot extends Snapshot {
  commit: string;
}

interface SnapshotSection {
  snapshots: StoredSnapshot[];
}

const SAFE_CONFIG = [
  'core.autocrlf=false',
  'core.safecrlf=false',
  'core.eol=lf',
  'core.fileMode=true',
  'core.symlinks=true',
  'core.ignoreCase=false',
  'core.precomposeUnicode=false',
  'core.quotePath=false',
  'core.fsmonitor=false',
  'core.untrackedCache=false',
  'core.hooksPath=/dev/null',
  'gc.auto=0',
  'advice.addEmbeddedRepo=false',
  'advice.addIgnoredFile=false',
  'commit.gpgSign=false',
  'protocol.ext.allow=never',
  'protocol.fd.allow=never',
].flatMap((c) => ['-c', c]);

/** Runs git for the private store (the version-control feature's `runPrivate`); any exit code resolves. */
export type PrivateGit = (args: string[], cwd: string, options: { env: Record<string, string>; stdin?: string }) => Promise<{ stdout: string; stderr: string; exitCode: number }>;

const splitZ = (text: string) => text.split('\0').filter(Boolean);

/** Put one staged entry (file or symlink) at `to` inside the roots, replacing what is there. */
async function placeStaged(roots: readonly string[], from: string, to: string): Promise<void> {
  const staged = await lstat(from);
  await withConfinedDir(roots, dirname(to), { create: true }, async (d) => {
    const existing = await d.lstat(basename(to));
    if (existing?.isDirectory() || (staged.isSymbolicLink() && existing)) await d.removeTree(basename(to));
    if (staged.isSymbolicLink()) await d.symlink(await readlink(from), basename(to));
  });
  if (!staged.isSymbolicLink()) await writeFileConfined(roots, to, await readFile(from), { mode: staged.mode & 0o777 });
}

export class Snapshots {
  private readonly lock = new KeyedLock();

  constructor(
    private readonly store: Store,
    private readonly dataDir: string,
    private readonly runGit: PrivateGit,
  ) {}

  private async git(args: string[], env: Record<string, string>, cwd: string, stdin?: string) {
    return this.runGit([...SAFE_CONFIG, ...args], cwd, { env, stdin });
  }

  private async gitOk(args: string[], env: Record<string, string>, cwd: string, stdin?: string): Promise<string> {
    const r = await this.git(args, env, cwd, stdin);
    if (r.exitCode !== 0) throw new ApiError(500, 'snapshot_git_failed', `git ${args[0]} failed: ${r.stderr.trim().split('\n').slice(-3).join(' ')}`);
    return r.stdout;
  }

  private section(): SnapshotSection {
    return this.store.section<SnapshotSection>('files', () => ({ snapshots: [] }));
  }

  private exclusive<T>(workspaceId: string, fn: () => Promise<T>): Promise<T> {
    return this.lock.run(workspaceId, fn);
  }

  private gitDir(workspaceId: string): string {
    return join(this.dataDir, 'files', 'snapshots', `${workspaceId}.git`);
  }

  private env(gitDir: string, root: string, index: string): Record<string, string> {
    return {
      GIT_DIR: gitDir,
      GIT_WORK_TREE: root,
      GIT_INDEX_FILE: index,
      GIT_CONFIG_NOSYSTEM: '1',
      // Paths are given as pathspecs here ("."), and restore passes literal names on stdin.
      GIT_LITERAL_PATHSPECS: '0',
      GIT_AUTHOR_NAME: 'workspace-runtime',
      GIT_AUTHOR_EMAIL: 'snapshots@workspace-runtime.invalid',
      GIT_COMMITTER_NAME: 'workspace-runtime',
      GIT_COMMITTER_EMAIL: 'snapshots@workspace-runtime.invalid',
    };
  }

  /** Create the private store on first use; refresh its excludes from the user's info/exclude. */
  private async prepare(workspaceId: string, root: string): Promise<string> {
    const dir = this.gitDir(workspaceId);
    if (!existsSync(join(dir, 'HEAD'))) {
      await mkdir(dirname(dir), { recursive: true });
      await this.gitOk(['init', '--bare', '--quiet', dir], { GIT_CONFIG_NOSYSTEM: '1' }, dirname(dir));
    }
    await mkdir(join(dir, 'info'), { recursive: true });
    await writeFile(join(dir, 'info', 'attributes'), '* -text -eol -filter -ident -working-tree-encoding\n');
    const userExclude = await readFile(join(root, '.git', 'info', 'exclude'), 'utf8').catch(() => '');
    await writeFile(join(dir, 'info', 'exclude'), userExclude);
    return dir;
  }

  list(workspaceId: string): Snapshot[] {
    return this.section()
      .snapshots.filter((s) => s.workspace_id === workspaceId)
      .map(({ commit: _commit, ...s }) => s)
      .reverse();
  }

  private find(workspaceId: string, id: string): StoredSnapshot {
    const s = this.section().snapshots.find((x) => x.id === id && x.workspace_id === workspaceId);
    if (!s) throw notFound('snapshot_not_found', `No snapshot "${id}" in this workspace`);
    return s;
  }

  create(workspaceId: string, root: string, label: string | null): Promise<Snapshot> {
    return this.exclusive(workspaceId, () => this.createLocked(workspaceId, root, label, 'manual'));
  }

  private async createLocked(workspaceId: string, root: string, label: string | null, kind: Snapshot['kind']): Promise<Snapshot> {
    const dir = await this.prepare(workspaceId, root);
    // A persistent private index: unchanged files are not re-hashed on the next snapshot.
    const env = this.env(dir, root, join(dir, 'index'));
    const added = await this.git(['add', '-A', '--', '.'], env, root);
    if (added.exitCode !== 0) {
      // Unreadable files or a nested repository without commits: say which.
      throw new ApiError(409, 'snapshot_failed', `The working tree could not be captured: ${added.stderr.trim().split('\n').slice(-3).join(' ')}`);
    }
    const tree = (await this.gitOk(['write-tree'], env, root)).trim();
    const id = newId('snapshot');
    const message = `${kind}: ${label ?? id}\n`;
    const commit = (await this.gitOk(['commit-tree', tree], env, root, message)).trim();
    await this.gitOk(['update-ref', `refs/snapshots/${id}`, commit], env, root);
    const fileCount = splitZ(await this.gitOk(['ls-tree', '-r', '-z', '--name-only', tree], env, root)).length;
    const snapshot: StoredSnapshot = { id, workspace_id: workspaceId, label, kind, file_count: fileCount, created_at: new Date().toISOString(), commit };
    this.section().snapshots.push(snapshot);
    this.store.touch();
    await this.store.flush(); // acknowledged means listed after a crash
    const { commit: _c, ...view } = snapshot;
    return view;
  }

  /** Make the tree (or only `paths`, each with what is below it) equal to the snapshot. */
  restore(workspaceId: string, root: string, id: string, paths?: string[]): Promise<{ snapshot: Snapshot; pre_restore: Snapshot; written: number; removed: number }> {
    const wanted = (path: string) => !paths || paths.some((p) => path === p || path.startsWith(`${p}/`));
    return this.exclusive(workspaceId, async () => {
      const target = this.find(workspaceId, id);
      const pre = await this.createLocked(workspaceId, root, `before restoring ${id}`, 'pre_restore');
      const dir = this.gitDir(workspaceId);
      const preCommit = this.find(workspaceId, pre.id).commit;
      const env = this.env(dir, root, join(dir, 'index'));
      // What differs between the current tree and the target, by path.
      const diff = splitZ(await this.gitOk(['diff-tree', '-r', '-z', '--no-renames', '--name-status', preCommit, target.commit], env, root));
      const toRemove: string[] = [];
      const toWrite: string[] = [];
      for (let i = 0; i + 1 < diff.length; i += 2) {
        const status = diff[i]!;
        const path = diff[i + 1]!;
        if (!wanted(path)) continue;
        if (status === 'D') toRemove.push(path);
        else toWrite.push(path);
      }
      // Every removal and write goes through a verified folder handle (platform/confined-fs): a
      // symlink swapped into the workspace while this runs cannot redirect it outside.
      const roots = [root];
      const gone = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT' || (error instanceof ApiError && error.status === 404);
      for (const path of toRemove) {
        await withConfinedDir(roots, dirname(join(root, path)), {}, (d) => d.removeTree(basename(path))).catch((error: unknown) => {
          if (!gone(error)) throw error;
        });
        // Folders left empty by the removal go too (git does not keep empty folders either).
        let parent = dirname(path);
        while (parent && parent !== '.') {
          const removed = await withConfinedDir(roots, dirname(join(root, parent)), {}, (d) => d.rmdir(basename(parent))).then(
            () => true,
            () => false,
          );
          if (!removed) break;
          parent = dirname(parent);
        }
      }
      if (toWrite.length) {
        // Check the target out into a private staging folder (through a throwaway index, so the
        // snapshot index stays as it was), then copy each entry into the workspace, confined.
        const suffix = randomBytes(4).toString('hex');
        const tmpIndex = join(dir, `index-restore-${suffix}`);
        const stage = join(dir, `restore-${suffix}`);
        const tmpEnv = this.env(dir, root, tmpIndex);
        try {
          await this.gitOk(['read-tree', target.commit], tmpEnv, root);
          await this.gitOk(['checkout-index', '-f', '-z', '--stdin', `--prefix=${stage}/`], tmpEnv, root, toWrite.join('\0') + '\0');
          for (const path of toWrite) {
            await placeStaged(roots, join(stage, path), join(root, path)).catch((error: unknown) => {
              // A folder on the way was removed or swapped while restoring: stop, and say how to recover.
              if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
                throw new ApiError(409, 'snapshot_restore_interrupted', `The workspace changed while restoring (at "${path}"); restore again, or restore ${pre.id} to go back`, { pre_restore: pre.id });
              }
              throw error;
            });
          }
        } finally {
          await rm(tmpIndex, { force: true });
          await rm(stage, { recursive: true, force: true });
        }
      }
      const { commit: _c, ...snapshot } = target;
      return { snapshot, pre_restore: pre, written: toWrite.length, removed: toRemove.length };
    });
  }

  remove(workspaceId: string, root: string, id: string): Promise<void> {
    return this.exclusive(workspaceId, async () => {
      this.find(workspaceId, id);
      const dir = this.gitDir(workspaceId);
      const env = this.env(dir, root, join(dir, 'index'));
      await this.gitOk(['update-ref', '-d', `refs/snapshots/${id}`], env, root);
      const section = this.section();
      section.snapshots = section.snapshots.filter((s) => !(s.id === id && s.workspace_id === workspaceId));
      this.store.touch();
      await this.store.flush();
    });
  }

  /** Forget a removed workspace's snapshots and its private store. */
  async dropWorkspace(workspaceId: string): Promise<void> {
    const section = this.section();
    section.snapshots = section.snapshots.filter((s) => s.workspace_id !== workspaceId);
    this.store.touch();
    await rm(this.gitDir(workspaceId), { recursive: true, force: true });
  }
}
