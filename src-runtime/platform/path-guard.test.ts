import { beforeAll, describe, expect, it } from 'vitest';
import { mkdir, realpath, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '../../test-support/runtime-harness.js';
import { guardAbsolutePath, guardPath } from './path-guard.js';

let base: string;
let workspace: string;
let extra: string;
let elsewhere: string;

beforeAll(async () => {
  base = await realpath(await makeTempDir('wr-guard-'));
  workspace = join(base, 'workspace');
  extra = join(base, 'extra');
  elsewhere = join(base, 'elsewhere');
  for (const dir of [join(workspace, 'src'), join(extra, 'docs'), elsewhere]) await mkdir(dir, { recursive: true });
  await writeFile(join(workspace, 'src', 'a.ts'), 'a');
  await writeFile(join(extra, 'docs', 'b.md'), 'b');
  await writeFile(join(elsewhere, 'secret'), 's');
  await symlink(elsewhere, join(workspace, 'link-out'));
  await symlink(join(extra, 'docs'), join(workspace, 'link-to-extra'));
  await symlink(join(elsewhere, 'not-there-yet'), join(workspace, 'dangling'));
  await symlink(workspace, join(elsewhere, 'link-in'));
});

const code = (promise: Promise<unknown>) =>
  promise.then(
    () => 'accepted',
    (error: { code?: string }) => error.code,
  );

describe('guardAbsolutePath (a workspace plus its add_dirs)', () => {
  const roots = () => [workspace, extra];

  it('accepts existing and new paths inside any of the roots', async () => {
    expect(await guardAbsolutePath(roots(), join(workspace, 'src', 'a.ts'))).toEqual({ abs: join(workspace, 'src', 'a.ts'), real: join(workspace, 'src', 'a.ts'), exists: true });
    expect(await guardAbsolutePath(roots(), join(extra, 'docs', 'new', 'c.md'))).toEqual({ abs: join(extra, 'docs', 'new', 'c.md'), real: join(extra, 'docs', 'new', 'c.md'), exists: false });
    expect((await guardAbsolutePath(roots(), extra)).real).toBe(extra);
  });

  it('refuses paths outside every root, also when spelled with ..', async () => {
    await expect(guardAbsolutePath(roots(), join(elsewhere, 'secret'))).rejects.toMatchObject({ status: 403, code: 'path_outside_workspace', message: expect.stringContaining('outside the workspace') });
    expect(await code(guardAbsolutePath(roots(), `${workspace}/src/../../elsewhere/secret`))).toBe('path_outside_workspace');
    expect(await code(guardAbsolutePath(roots(), base))).toBe('path_outside_workspace');
    // A sibling whose name merely starts like a root is not inside it.
    expect(await code(guardAbsolutePath(roots(), `${workspace}-other/file`))).toBe('path_outside_workspace');
  });

  it('refuses symlinks that lead out: existing targets, new files below them, dangling links', async () => {
    expect(await code(guardAbsolutePath(roots(), join(workspace, 'link-out', 'secret')))).toBe('path_outside_workspace');
    expect(await code(guardAbsolutePath(roots(), join(workspace, 'link-out', 'new', 'file.txt')))).toBe('path_outside_workspace');
    expect(await code(guardAbsolutePath(roots(), join(workspace, 'dangling')))).toBe('path_outside_workspace');
  });

  it('judges by the real path: a link between roots, or from outside into a root, lands inside', async () => {
    expect((await guardAbsolutePath(roots(), join(workspace, 'link-to-extra', 'b.md'))).real).toBe(join(extra, 'docs', 'b.md'));
    expect((await guardAbsolutePath(roots(), join(elsewhere, 'link-in', 'src', 'a.ts'))).real).toBe(join(workspace, 'src', 'a.ts'));
    // The same link is refused when only the workspace is a root.
    expect(await code(guardAbsolutePath([workspace], join(workspace, 'link-to-extra', 'b.md')))).toBe('path_outside_workspace');
    // Roots given through a symlink are compared by their real paths.
    expect((await guardAbsolutePath([join(elsewhere, 'link-in')], join(workspace, 'src', 'a.ts'))).exists).toBe(true);
  });

  it('refuses relative paths and NUL bytes', async () => {
    expect(await code(guardAbsolutePath(roots(), 'src/a.ts'))).toBe('path_not_absolute');
    expect(await code(guardAbsolutePath(roots(), `${workspace}/src/a.ts\0`))).toBe('invalid_path');
  });
});

describe('guardPath (relative to one root)', () => {
  it('keeps its rules: inside is fine, symlinks out and dangling links are refused', async () => {
    expect(await guardPath(workspace, 'src/a.ts')).toMatchObject({ rel: 'src/a.ts', exists: true });
    expect(await guardPath(workspace, 'src/new/x.ts')).toMatchObject({ rel: 'src/new/x.ts', real: join(workspace, 'src', 'new', 'x.ts'), exists: false });
    expect(await code(guardPath(workspace, 'link-out/secret'))).toBe('path_outside_workspace');
    expect(await code(guardPath(workspace, 'link-out/new.txt'))).toBe('path_outside_workspace');
    expect(await code(guardPath(workspace, 'dangling'))).toBe('path_outside_workspace');
    expect(await code(guardPath(workspace, '../elsewhere/secret'))).toBe('path_traversal');
  });
});
