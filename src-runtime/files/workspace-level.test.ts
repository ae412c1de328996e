import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { execFileSync } from 'node:child_process';
import { chmod, lstat, mkdir, readdir, readFile, readlink, realpath, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { x as extract, t as listTar } from 'tar';
import WebSocket from 'ws';
import { makeTempDir, startTestRuntime, type TestRuntime } from '../../test-support/runtime-harness.js';
import { filesFeature } from './feature.js';
import { versionControlFeature } from '../git/feature.js';
import { waitFor } from '../../test-support/wait.js';

const gitC = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd, encoding: 'utf8' });

/** Every non-.git path under root with its type, mode and bytes (or link target). */
async function treeState(root: string, skip: (rel: string) => boolean = () => false): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (rel: string) => {
    for (const name of (await readdir(join(root, rel))).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      if (name === '.git' || skip(r)) continue;
      const info = await lstat(join(root, r));
      if (info.isSymbolicLink()) out[r] = `link:${await readlink(join(root, r))}`;
      else if (info.isDirectory()) await walk(r);
      else out[r] = `file:${(info.mode & 0o111) !== 0 ? 'x' : '-'}:${(await readFile(join(root, r))).toString('base64')}`;
    }
  };
  await walk('');
  return out;
}

describe('templates, export, snapshots', () => {
  let rt: TestRuntime;
  let base: string;
  let root: string;
  let id: string;

  beforeAll(async () => {
    base = await realpath(await makeTempDir('wr-wsl-'));
    root = join(base, 'ws');
    await mkdir(root);
    rt = await startTestRuntime({ workspace: root, features: [filesFeature, versionControlFeature] });
    id = (await rt.json('/api/v1/workspaces')).body.workspaces[0].id;
  });
  afterAll(() => rt.close());

  it('lists the shipped templates', async () => {
    const { body } = await rt.json('/api/v1/templates');
    const names = body.templates.map((t: { name: string }) => t.name);
    expect(names).toEqual(expect.arrayContaining(['empty', 'node-ts', 'python']));
    const node = body.templates.find((t: { name: string }) => t.name === 'node-ts');
    expect(node.files).toEqual(expect.arrayContaining(['app.runtime.yaml', 'package.json', 'src/index.ts', '.gitignore']));
  });

  it('applies a template, never overwrites, and reports conflicts without writing anything', async () => {
    const dir = join(base, 'tpl');
    await mkdir(dir);
    await writeFile(join(dir, 'README.md'), 'mine\n');
    const ws = (await rt.json('/api/v1/workspaces', { method: 'POST', json: { root_dir: dir } })).body.workspace.id;
    const refused = await rt.json(`/api/v1/workspaces/${ws}/template`, { method: 'POST', json: { template: 'node-ts' } });
    expect(refused).toMatchObject({ status: 409, body: { code: 'template_conflicts', details: { conflicts: ['README.md'] } } });
    expect(await readdir(dir)).toEqual(['README.md']);
    expect(await readFile(join(dir, 'README.md'), 'utf8')).toBe('mine\n');
    await rm(join(dir, 'README.md'));
    const applied = await rt.json(`/api/v1/workspaces/${ws}/template`, { method: 'POST', json: { template: 'node-ts' } });
    expect(applied.status).toBe(200);
    expect(applied.body.created).toEqual(expect.arrayContaining(['app.runtime.yaml', 'src/index.ts', '.gitignore']));
    expect(await readFile(join(dir, 'app.runtime.yaml'), 'utf8')).toContain('apps:');
    const again = await rt.json(`/api/v1/workspaces/${ws}/template`, { method: 'POST', json: { template: 'node-ts' } });
    expect(again.body).toMatchObject({ created: [] });
    expect(again.body.unchanged.length).toBe(applied.body.created.length);
    const py = await rt.json(`/api/v1/workspaces/${ws}/template`, { method: 'POST', json: { template: 'python' } });
    expect(py).toMatchObject({ status: 409, body: { code: 'template_conflicts' } }); // README.md and app.runtime.yaml differ
    const empty = await rt.json(`/api/v1/workspaces/${ws}/template`, { method: 'POST', json: { template: 'empty' } });
    expect(empty.body).toMatchObject({ created: [], unchanged: [] });
    const unknown = await rt.json(`/api/v1/workspaces/${ws}/template`, { method: 'POST', json: { template: '../etc' } });
    expect(unknown).toMatchObject({ status: 404, body: { code: 'template_not_found' } });
  });

  it('clones a git repository (local path and file:// URL) into a new workspace, untrusted unless asked, with progress events', async () => {
    const origin = join(base, 'origin');
    await mkdir(origin);
    gitC(origin, 'init', '-q', '-b', 'main');
    await writeFile(join(origin, 'hello.txt'), 'from origin\n');
    gitC(origin, 'add', '.');
    gitC(origin, 'commit', '-qm', 'init');

    const ws = new WebSocket(`${rt.url.replace('http', 'ws')}/api/v1/ws?access_token=${rt.token}`);
    const events: Array<Record<string, unknown>> = [];
    ws.on('message', (m) => events.push(JSON.parse(String(m))));
    await new Promise((r) => ws.once('open', r));
    ws.send(JSON.stringify({ type: 'subscribe', topics: ['clone_progress'] }));
    await waitFor(() => events.some((e) => e.type === 'subscribed'), 'the subscription');

    const target = join(base, 'cloned-file-url');
    const res = await rt.json('/api/v1/workspaces/clone', { method: 'POST', json: { url: pathToFileURL(origin).href, root_dir: target, clone_id: 'clone_test1' } });
    expect(res.status).toBe(201);
    expect(res.body.workspace).toMatchObject({ root_dir: target, trusted: false });
    expect(await readFile(join(target, 'hello.txt'), 'utf8')).toBe('from origin\n');
    const phases = () => events.filter((e) => e.type === 'clone_progress' && e.clone_id === 'clone_test1').map((e) => e.phase);
    await vi.waitFor(() => expect(phases().at(-1)).toBe('done'), { timeout: 10_000 });
    expect(phases()[0]).toBe('starting');
    ws.close();

    const plain = await rt.json('/api/v1/workspaces/clone', { method: 'POST', json: { url: origin, root_dir: join(base, 'cloned-path'), keep_history: false, trusted: true } });
    expect(plain.status).toBe(201);
    expect(plain.body.workspace.trusted).toBe(true);
    expect(await readdir(join(base, 'cloned-path'))).toEqual(['hello.txt']);
    const notEmpty = await rt.json('/api/v1/workspaces/clone', { method: 'POST', json: { url: origin, root_dir: target } });
    expect(notEmpty).toMatchObject({ status: 409, body: { code: 'folder_not_empty' } });
    const bad = await rt.json('/api/v1/workspaces/clone', { method: 'POST', json: { url: join(base, 'no-such-repo'), root_dir: join(base, 'never') } });
    expect(bad).toMatchObject({ status: 422, body: { code: 'clone_failed' } });
    await expect(stat(join(base, 'never'))).rejects.toThrow();
    const injected = await rt.json('/api/v1/workspaces/clone', { method: 'POST', json: { url: '--upload-pack=touch /tmp/x', root_dir: join(base, 'never2') } });
    expect(injected).toMatchObject({ status: 400, body: { code: 'invalid_url' } });
  });

  it('exports a streamed tar.gz without .git, optionally honouring .gitignore', async () => {
    await mkdir(join(root, 'src'), { recursive: true });
    await writeFile(join(root, 'src', 'a.ts'), 'a');
    await writeFile(join(root, '.gitignore'), 'secret.env\nout/\n');
    await writeFile(join(root, 'secret.env'), 'KEY=1');
    await mkdir(join(root, 'out'));
    await writeFile(join(root, 'out', 'x.js'), 'x');
    gitC(root, 'init', '-q', '-b', 'main');
    const listOf = async (query: string) => {
      const res = await rt.api(`/api/v1/workspaces/${id}/export${query}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/gzip');
      const file = join(base, `export-${Math.random()}.tgz`);
      await writeFile(file, Buffer.from(await res.arrayBuffer()));
      const names: string[] = [];
      await listTar({ file, onReadEntry: (e) => void names.push(e.path.replace(/\/$/, '')) });
      return { names, file };
    };
    const all = await listOf('');
    expect(all.names).toEqual(expect.arrayContaining(['src/a.ts', 'secret.env', 'out/x.js', '.gitignore']));
    expect(all.names.some((n) => n === '.git' || n.startsWith('.git/'))).toBe(false);
    const filtered = await listOf('?gitignore=true');
    expect(filtered.names).toContain('src/a.ts');
    expect(filtered.names).not.toContain('secret.env');
    expect(filtered.names.some((n) => n.startsWith('out'))).toBe(false);
    const dest = join(base, 'extracted');
    await mkdir(dest);
    await extract({ file: all.file, cwd: dest });
    expect(await readFile(join(dest, 'src', 'a.ts'), 'utf8')).toBe('a');
    await rm(join(root, '.git'), { recursive: true, force: true });
  });

  it('streams the export: a 32 MiB file is read as it is sent, not packed before the first byte', async () => {
    // After the first bytes of the archive have arrived, the test rewrites the file's last MiB in
    // place. An export that streams has read no further than what the pipes between it and the
    // test hold (tar's 1 MiB read, gzip's buffers, the kernel's socket buffers: a few MiB while the
    // test is not reading), so the archive carries the new bytes; one that built the archive (or
    // read the file) first carries the old ones. How slow the machine is does not matter: the
    // window is bounded by buffers, not by time. The export's memory is measured by
    // bench/export-memory.mjs (96 MiB).
    const dir = join(base, 'big-export');
    await mkdir(dir);
    const MiB = 1024 * 1024;
    const SIZE_MIB = 32;
    const chunk = Buffer.alloc(MiB);
    for (let i = 0; i < chunk.length; i += 4) chunk.writeUInt32LE((i * 2654435761) >>> 0, i); // poorly compressible
    const { open } = await import('node:fs/promises');
    const handle = await open(join(dir, 'big.bin'), 'w');
    for (let i = 0; i < SIZE_MIB; i++) await handle.write(chunk);
    await handle.close();
    const ws = (await rt.json('/api/v1/workspaces', { method: 'POST', json: { root_dir: dir } })).body.workspace.id;
    const res = await rt.api(`/api/v1/workspaces/${ws}/export`);
    const reader = res.body!.getReader();
    const archive = join(base, 'big-export.tar.gz');
    const out = await open(archive, 'w');
    try {
      const first = await reader.read();
      expect(first.done).toBe(false);
      await out.write(first.value!);
      const marker = Buffer.alloc(MiB, 0x5a);
      const file = await open(join(dir, 'big.bin'), 'r+');
      await file.write(marker, 0, MiB, (SIZE_MIB - 1) * MiB);
      await file.close();
      let total = first.value!.length;
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        total += value.length;
        await out.write(value);
      }
      await out.close();
      expect(total).toBeGreaterThan((SIZE_MIB - 2) * MiB);
      const dest = join(base, 'big-extracted');
      await mkdir(dest);
      await extract({ file: archive, cwd: dest });
      const tail = Buffer.alloc(MiB);
      const extracted = await open(join(dest, 'big.bin'), 'r');
      expect((await extracted.stat()).size).toBe(SIZE_MIB * MiB);
      await extracted.read(tail, 0, MiB, (SIZE_MIB - 1) * MiB);
      await extracted.close();
      expect(tail.equals(marker)).toBe(true);
      await rm(dest, { recursive: true, force: true });
    } finally {
      // A failed test must not leave the export running into the next tests.
      await reader.cancel().catch(() => undefined);
      await out.close().catch(() => undefined);
      await rm(archive, { force: true });
    }
  }, 120_000);

  it('snapshots the non-ignored tree and restores it byte for byte, without touching the user git state', async () => {
    const dir = join(base, 'snap');
    await mkdir(join(dir, 'src'), { recursive: true });
    gitC(dir, 'init', '-q', '-b', 'main');
    await writeFile(join(dir, '.gitignore'), 'ignored.log\n');
    await writeFile(join(dir, 'src', 'tracked.ts'), 'tracked v1\r\nwith crlf\r\n');
    await writeFile(join(dir, '.gitattributes'), '*.ts text eol=lf\n');
    await writeFile(join(dir, 'run.sh'), '#!/bin/sh\necho hi\n');
    await chmod(join(dir, 'run.sh'), 0o755);
    gitC(dir, 'add', '.');
    gitC(dir, 'commit', '-qm', 'base');
    await writeFile(join(dir, 'run.sh'), '#!/bin/sh\necho stashed\n');
    gitC(dir, 'stash', 'push', '-q', '-m', 'user-stash', '--', 'run.sh'); // a real stash that must survive
    await writeFile(join(dir, 'untracked.txt'), 'untracked v1');
    await writeFile(join(dir, 'bin.dat'), Buffer.from([0, 255, 1, 254, 13, 10]));
    await symlink('src/tracked.ts', join(dir, 'link-to-tracked'));
    await writeFile(join(dir, 'ignored.log'), 'log v1');
    await writeFile(join(dir, 'src', 'tracked.ts'), 'tracked v1 modified\r\n');
    await writeFile(join(dir, 'staged.txt'), 'staged');
    gitC(dir, 'add', 'staged.txt');
    gitC(dir, 'branch', 'feature-x');

    const userState = async () => ({
      index: (await readFile(join(dir, '.git', 'index'))).toString('base64'),
      head: await readFile(join(dir, '.git', 'HEAD'), 'utf8'),
      branches: gitC(dir, 'branch', '--list'),
      stash: gitC(dir, 'stash', 'list'),
      status: gitC(dir, 'status', '--porcelain'),
      refs: gitC(dir, 'for-each-ref'),
    });
    const before = await userState();
    expect(before.stash).toContain('user-stash');
    const ws = (await rt.json('/api/v1/workspaces', { method: 'POST', json: { root_dir: dir } })).body.workspace.id;
    const snapTree = await treeState(dir, (r) => r === 'ignored.log');

    const created = await rt.json(`/api/v1/workspaces/${ws}/snapshots`, { method: 'POST', json: { label: 'first' } });
    expect(created.status).toBe(201);
    expect(created.body.snapshot).toMatchObject({ label: 'first', kind: 'manual', workspace_id: ws });
    expect(created.body.snapshot.id).toMatch(/^snap_/);
    expect(created.body.snapshot.file_count).toBe(Object.keys(snapTree).length);
    expect(await userState()).toEqual(before);

    // Change everything: modify, delete, add, change a mode, retarget the link, touch the ignored file.
    await writeFile(join(dir, 'src', 'tracked.ts'), 'changed');
    await rm(join(dir, 'untracked.txt'));
    await writeFile(join(dir, 'brand-new.txt'), 'new');
    await mkdir(join(dir, 'new-folder', 'deep'), { recursive: true });
    await writeFile(join(dir, 'new-folder', 'deep', 'file.txt'), 'deep');
    await chmod(join(dir, 'run.sh'), 0o644);
    await rm(join(dir, 'link-to-tracked'));
    await symlink('run.sh', join(dir, 'link-to-tracked'));
    await writeFile(join(dir, 'ignored.log'), 'log v2');
    const beforeRestore = await userState();

    const restored = await rt.json(`/api/v1/workspaces/${ws}/snapshots/${created.body.snapshot.id}/restore`, { method: 'POST' });
    expect(restored.status).toBe(200);
    expect(restored.body.pre_restore).toMatchObject({ kind: 'pre_restore' });
    expect(restored.body.removed).toBe(2);
    expect(await treeState(dir, (r) => r === 'ignored.log')).toEqual(snapTree);
    await expect(stat(join(dir, 'new-folder'))).rejects.toThrow();
    expect(await readFile(join(dir, 'ignored.log'), 'utf8')).toBe('log v2'); // ignored files are left alone
    // The user's index, HEAD, branches and stash are untouched (status reflects the restored files only).
    const after = await userState();
    expect({ ...after, status: '' }).toEqual({ ...beforeRestore, status: '' });
    expect(after.index).toBe(before.index);

    // The pre-restore snapshot brings the changed tree back.
    const back = await rt.json(`/api/v1/workspaces/${ws}/snapshots/${restored.body.pre_restore.id}/restore`, { method: 'POST' });
    expect(back.status).toBe(200);
    expect(await readFile(join(dir, 'brand-new.txt'), 'utf8')).toBe('new');
    expect(await readlink(join(dir, 'link-to-tracked'))).toBe('run.sh');
    expect((await stat(join(dir, 'run.sh'))).mode & 0o111).toBe(0);

    const list = await rt.json(`/api/v1/workspaces/${ws}/snapshots`);
    expect(list.body.snapshots.map((s: { kind: string }) => s.kind)).toEqual(['pre_restore', 'pre_restore', 'manual']);
    const del = await rt.json(`/api/v1/workspaces/${ws}/snapshots/${created.body.snapshot.id}`, { method: 'DELETE' });
    expect(del.status).toBe(200);
    const gone = await rt.json(`/api/v1/workspaces/${ws}/snapshots/${created.body.snapshot.id}/restore`, { method: 'POST' });
    expect(gone).toMatchObject({ status: 404, body: { code: 'snapshot_not_found' } });
    expect((await rt.json(`/api/v1/workspaces/${ws}/snapshots`)).body.snapshots).toHaveLength(2);
  });

  it('restores only the paths asked for, leaving the rest of the tree as it is', async () => {
    const dir = join(base, 'partial');
    await mkdir(join(dir, 'src', 'deep'), { recursive: true });
    await writeFile(join(dir, 'a.txt'), 'A1');
    await writeFile(join(dir, 'b.txt'), 'B1');
    await writeFile(join(dir, 'src', 'deep', 'c.txt'), 'C1');
    const ws = (await rt.json('/api/v1/workspaces', { method: 'POST', json: { root_dir: dir } })).body.workspace.id;
    const snap = (await rt.json(`/api/v1/workspaces/${ws}/snapshots`, { method: 'POST', json: { label: 'before discarding' } })).body.snapshot;
    await writeFile(join(dir, 'a.txt'), 'A2');
    await writeFile(join(dir, 'b.txt'), 'B2');
    await rm(join(dir, 'src'), { recursive: true });
    await writeFile(join(dir, 'new.txt'), 'N');

    const restored = await rt.json(`/api/v1/workspaces/${ws}/snapshots/${snap.id}/restore`, { method: 'POST', json: { paths: ['a.txt', 'src'] } });
    expect(restored.status).toBe(200);
    expect(restored.body).toMatchObject({ written: 2, removed: 0 });
    expect(await readFile(join(dir, 'a.txt'), 'utf8')).toBe('A1');
    expect(await readFile(join(dir, 'src', 'deep', 'c.txt'), 'utf8')).toBe('C1');
    expect(await readFile(join(dir, 'b.txt'), 'utf8')).toBe('B2'); // not asked for
    expect(await readFile(join(dir, 'new.txt'), 'utf8')).toBe('N'); // not asked for

    for (const [paths, code] of [
      [['../outside'], 'path_traversal'],
      [['/etc/passwd'], 'path_absolute'],
      [['.'], 'invalid_path'],
      [[], 'invalid_request'],
    ] as const) {
      const bad = await rt.json(`/api/v1/workspaces/${ws}/snapshots/${snap.id}/restore`, { method: 'POST', json: { paths } });
      expect(bad.status, JSON.stringify(paths)).toBe(400);
      expect(bad.body.code).toBe(code);
    }
  });

  it('works for non-git workspaces too', async () => {
    const dir = join(base, 'plain');
    await mkdir(dir);
    await writeFile(join(dir, 'a.txt'), 'A');
    const ws = (await rt.json('/api/v1/workspaces', { method: 'POST', json: { root_dir: dir } })).body.workspace.id;
    const snap = (await rt.json(`/api/v1/workspaces/${ws}/snapshots`, { method: 'POST', json: {} })).body.snapshot;
    await writeFile(join(dir, 'a.txt'), 'changed');
    await writeFile(join(dir, 'b.txt'), 'B');
    const restored = await rt.json(`/api/v1/workspaces/${ws}/snapshots/${snap.id}/restore`, { method: 'POST' });
    expect(restored.body).toMatchObject({ written: 1, removed: 1 });
    expect(await readdir(dir)).toEqual(['a.txt']);
    expect(await readFile(join(dir, 'a.txt'), 'utf8')).toBe('A');
  });
});
