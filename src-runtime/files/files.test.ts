import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmod, mkdir, readdir, readFile, realpath, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, startTestRuntime, type TestRuntime } from '../../test-support/runtime-harness.js';
import { directoryListingSchema, fileContentSchema } from '../contract/files.js';
import { filesFeature } from './feature.js';

describe('files API', () => {
  let rt: TestRuntime;
  let root: string;
  let id: string;
  const f = (p: string) => `/api/v1/workspaces/${id}/files/${p}`;

  beforeAll(async () => {
    root = await realpath(await makeTempDir('wr-files-'));
    await mkdir(join(root, 'src', 'deep'), { recursive: true });
    await writeFile(join(root, 'src', 'a.ts'), 'export const a = 1;\n');
    await writeFile(join(root, 'src', 'deep', 'b.ts'), 'export const b = 2;\n');
    await writeFile(join(root, '.hidden'), 'secret-ish');
    await writeFile(join(root, '.gitignore'), 'ignored.log\nbuild/\n');
    await writeFile(join(root, 'ignored.log'), 'noise');
    await mkdir(join(root, 'build'));
    await writeFile(join(root, 'build', 'out.js'), 'x');
    await writeFile(join(root, 'bin.dat'), Buffer.from([0, 1, 2, 255, 254]));
    rt = await startTestRuntime({ workspace: root, features: [filesFeature] });
    id = (await rt.json('/api/v1/workspaces')).body.workspaces[0].id;
  });
  afterAll(() => rt.close());

  it('reads a file with content type, strong ETag and Last-Modified, and 304s on If-None-Match', async () => {
    const res = await rt.api(f('src/a.ts'));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('export const a = 1;\n');
    expect(res.headers.get('content-type')).toContain('text/x-typescript');
    const etag = res.headers.get('etag')!;
    expect(etag).toMatch(/^"[^"]+"$/);
    expect(res.headers.get('last-modified')).toBeTruthy();
    const again = await rt.api(f('src/a.ts'), { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
  });

  it('honours Range (206) and refuses an unsatisfiable one (416)', async () => {
    const res = await rt.api(f('src/a.ts'), { headers: { range: 'bytes=7-11' } });
    expect(res.status).toBe(206);
    expect(await res.text()).toBe('const');
    expect(res.headers.get('content-range')).toBe('bytes 7-11/20');
    const suffix = await rt.api(f('src/a.ts'), { headers: { range: 'bytes=-3' } });
    expect(await suffix.text()).toBe('1;\n');
    const bad = await rt.json(f('src/a.ts'), { headers: { range: 'bytes=100-200' } });
    expect(bad).toMatchObject({ status: 416, body: { code: 'range_not_satisfiable' } });
  });

  it('returns JSON with ?format=json, base64 for binary files', async () => {
    const text = await rt.json(f('src/a.ts?format=json'));
    expect(fileContentSchema.parse(text.body)).toMatchObject({ path: 'src/a.ts', content: 'export const a = 1;\n', encoding: 'utf-8', size: 20 });
    const bin = await rt.json(f('bin.dat?format=json'));
    expect(bin.body).toMatchObject({ encoding: 'base64', content: Buffer.from([0, 1, 2, 255, 254]).toString('base64') });
  });

  it('lists folders with depth, hidden and .gitignore filters', async () => {
    const top = await rt.json(f(''));
    const listing = directoryListingSchema.parse(top.body);
    const names = listing.entries.map((e) => e.name);
    expect(names).toEqual(expect.arrayContaining(['src', '.hidden', 'ignored.log', 'build']));
    expect(listing.entries.find((e) => e.name === 'src')).toMatchObject({ type: 'directory', path: 'src' });
    const noHidden = await rt.json(f('?hidden=false'));
    expect(noHidden.body.entries.map((e: { name: string }) => e.name)).not.toContain('.hidden');
    const filtered = await rt.json(f('?gitignore=true'));
    const filteredNames = filtered.body.entries.map((e: { name: string }) => e.name);
    expect(filteredNames).not.toContain('ignored.log');
    expect(filteredNames).not.toContain('build');
    const deep = await rt.json(f('src?depth=3'));
    expect(deep.body.entries.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(['src/a.ts', 'src/deep', 'src/deep/b.ts']));
    const limited = await rt.json(f('?limit=2'));
    expect(limited.body).toMatchObject({ truncated: true });
    expect(limited.body.entries).toHaveLength(2);
    // Root listing through the bare /files path too.
    const bare = await rt.json(`/api/v1/workspaces/${id}/files`);
    expect(bare.status).toBe(200);
    expect(bare.body.path).toBe('');
  });

  it('writes raw bodies atomically, keeps the mode, and reports created vs replaced', async () => {
    const created = await rt.json(f('notes/new.txt?mkdir=true'), { method: 'PUT', body: 'hello', headers: { 'content-type': 'text/plain' } });
    expect(created.status).toBe(201);
    expect(created.body.file).toMatchObject({ path: 'notes/new.txt', size: 5, created: true });
    expect(await readFile(join(root, 'notes/new.txt'), 'utf8')).toBe('hello');
    await writeFile(join(root, 'run.sh'), '#!/bin/sh\necho 1\n');
    await chmod(join(root, 'run.sh'), 0o755);
    const replaced = await rt.json(f('run.sh'), { method: 'PUT', body: '#!/bin/sh\necho 2\n' });
    expect(replaced).toMatchObject({ status: 200, body: { file: { created: false } } });
    expect((await stat(join(root, 'run.sh'))).mode & 0o777).toBe(0o755);
    expect((await readdir(root)).filter((n) => n.includes('.wr-tmp-'))).toEqual([]);
    const noParent = await rt.json(f('missing/dir/x.txt'), { method: 'PUT', body: 'x' });
    expect(noParent).toMatchObject({ status: 404, body: { code: 'parent_not_found' } });
    const onDir = await rt.json(f('src'), { method: 'PUT', body: 'x' });
    expect(onDir).toMatchObject({ status: 409, body: { code: 'is_a_directory' } });
  });

  it('accepts the JSON form and leaves other JSON bodies as bytes', async () => {
    const json = await rt.json(f('j/form.txt'), { method: 'PUT', json: { content: 'aGk=', encoding: 'base64', mkdir: true } });
    expect(json.status).toBe(201);
    expect(await readFile(join(root, 'j/form.txt'), 'utf8')).toBe('hi');
    const pkg = { name: 'x', version: '1.0.0' };
    await rt.json(f('package.json'), { method: 'PUT', json: pkg });
    expect(JSON.parse(await readFile(join(root, 'package.json'), 'utf8'))).toEqual(pkg);
    const forcedRaw = await rt.json(f('raw.json?format=raw'), { method: 'PUT', json: { content: 'x' } });
    expect(forcedRaw.status).toBe(201);
    expect(await readFile(join(root, 'raw.json'), 'utf8')).toBe('{"content":"x"}');
    const badJson = await rt.json(f('bad.txt?format=json'), { method: 'PUT', body: '{nope', headers: { 'content-type': 'application/json' } });
    expect(badJson).toMatchObject({ status: 400, body: { code: 'invalid_json' } });
  });

  it('If-Match: 412 on a stale ETag, so two editors never silently overwrite each other', async () => {
    const first = await rt.json(f('shared.txt'), { method: 'PUT', body: 'v1' });
    const etag1 = first.body.file.etag as string;
    const read = await rt.api(f('shared.txt'));
    expect(read.headers.get('etag')).toBe(etag1);
    // Editor A saves with the ETag it read.
    const a = await rt.json(f('shared.txt'), { method: 'PUT', body: 'v2-A', headers: { 'if-match': etag1 } });
    expect(a.status).toBe(200);
    // Editor B still holds etag1: refused.
    const b = await rt.json(f('shared.txt'), { method: 'PUT', body: 'v2-B', headers: { 'if-match': etag1 } });
    expect(b).toMatchObject({ status: 412, body: { code: 'precondition_failed' } });
    expect(await readFile(join(root, 'shared.txt'), 'utf8')).toBe('v2-A');
    const missing = await rt.json(f('nope.txt'), { method: 'PUT', body: 'x', headers: { 'if-match': '*' } });
    expect(missing.status).toBe(412);
  });

  it('two writes a millisecond apart (same size) get different ETags, concurrent If-Match writes: one wins', async () => {
    const one = await rt.json(f('fast.txt'), { method: 'PUT', body: 'aaaa' });
    const two = await rt.json(f('fast.txt'), { method: 'PUT', body: 'bbbb' });
    expect(one.body.file.etag).not.toBe(two.body.file.etag);
    const read = await rt.api(f('fast.txt'));
    expect(read.headers.get('etag')).toBe(two.body.file.etag);
    // External in-place rewrite of the same size: the ETag still changes.
    await writeFile(join(root, 'fast.txt'), 'cccc');
    const after = await rt.api(f('fast.txt'));
    expect(after.headers.get('etag')).not.toBe(two.body.file.etag);
    const etag = after.headers.get('etag')!;
    const results = await Promise.all(
      ['x1', 'x2', 'x3'].map((body) => rt.json(f('fast.txt'), { method: 'PUT', body, headers: { 'if-match': etag } })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 412, 412]);
  });

  it('deletes files, refuses non-empty folders without recursive, and 404s on missing paths', async () => {
    await mkdir(join(root, 'trash/sub'), { recursive: true });
    await writeFile(join(root, 'trash/sub/x'), 'x');
    const refused = await rt.json(f('trash'), { method: 'DELETE' });
    expect(refused).toMatchObject({ status: 409, body: { code: 'directory_not_empty' } });
    const ok = await rt.json(f('trash?recursive=true'), { method: 'DELETE' });
    expect(ok).toMatchObject({ status: 200, body: { ok: true } });
    await expect(stat(join(root, 'trash'))).rejects.toThrow();
    const missing = await rt.json(f('trash'), { method: 'DELETE' });
    expect(missing).toMatchObject({ status: 404, body: { code: 'file_not_found' } });
    const missingRead = await rt.json(f('nothing-here.txt'));
    expect(missingRead).toMatchObject({ status: 404, body: { code: 'file_not_found' } });
    const rootDelete = await rt.json(f('?recursive=true'), { method: 'DELETE' });
    expect(rootDelete.status).toBe(404); // DELETE needs a path: the root is not a route
  });

  it('moves and renames, refuses clobbering, makes folders', async () => {
    await writeFile(join(root, 'mv-a.txt'), 'A');
    await writeFile(join(root, 'mv-b.txt'), 'B');
    const ops = `/api/v1/workspaces/${id}/file-ops`;
    const clash = await rt.json(`${ops}/move`, { method: 'POST', json: { from: 'mv-a.txt', to: 'mv-b.txt' } });
    expect(clash).toMatchObject({ status: 409, body: { code: 'destination_exists' } });
    const moved = await rt.json(`${ops}/move`, { method: 'POST', json: { from: 'mv-a.txt', to: 'moved/into/a.txt' } });
    expect(moved).toMatchObject({ status: 200, body: { entry: { path: 'moved/into/a.txt', type: 'file' } } });
    expect(await readFile(join(root, 'moved/into/a.txt'), 'utf8')).toBe('A');
    const over = await rt.json(`${ops}/move`, { method: 'POST', json: { from: 'moved/into/a.txt', to: 'mv-b.txt', overwrite: true } });
    expect(over.status).toBe(200);
    expect(await readFile(join(root, 'mv-b.txt'), 'utf8')).toBe('A');
    const intoSelf = await rt.json(`${ops}/move`, { method: 'POST', json: { from: 'moved', to: 'moved/x' } });
    expect(intoSelf).toMatchObject({ status: 400, body: { code: 'invalid_destination' } });
    const made = await rt.json(`${ops}/mkdir`, { method: 'POST', json: { path: 'a/b/c' } });
    expect(made).toMatchObject({ status: 201, body: { entry: { path: 'a/b/c', type: 'directory' } } });
    const again = await rt.json(`${ops}/mkdir`, { method: 'POST', json: { path: 'a/b/c' } });
    expect(again.status).toBe(200);
    const onFile = await rt.json(`${ops}/mkdir`, { method: 'POST', json: { path: 'mv-b.txt' } });
    expect(onFile).toMatchObject({ status: 409, body: { code: 'file_exists' } });
    const noParents = await rt.json(`${ops}/mkdir`, { method: 'POST', json: { path: 'q/r', parents: false } });
    expect(noParents).toMatchObject({ status: 404, body: { code: 'parent_not_found' } });
  });

  it('serves the same on the default workspace under /api/v1/files', async () => {
    const list = await rt.json('/api/v1/files');
    expect(list.status).toBe(200);
    expect(list.body.entries.map((e: { name: string }) => e.name)).toContain('src');
    const read = await rt.api('/api/v1/files/src/a.ts');
    expect(await read.text()).toBe('export const a = 1;\n');
    const put = await rt.json('/api/v1/files/default.txt', { method: 'PUT', body: 'def' });
    expect(put.status).toBe(201);
    expect(await readFile(join(root, 'default.txt'), 'utf8')).toBe('def');
    const byId = await rt.json(`/api/v1/files/default.txt?workspace_id=${id}&format=json`);
    expect(byId.body.content).toBe('def');
    const del = await rt.json('/api/v1/files/default.txt', { method: 'DELETE' });
    expect(del.status).toBe(200);
    const moved = await rt.json('/api/v1/file-ops/mkdir', { method: 'POST', json: { path: 'def-dir' } });
    expect(moved.status).toBe(201);
    const unknown = await rt.json('/api/v1/files?workspace_id=ws_nope');
    expect(unknown).toMatchObject({ status: 404, body: { code: 'workspace_not_found' } });
  });

  it('streams large files and serves ranges of them', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024, 7);
    big.write('TAIL', big.length - 4);
    await writeFile(join(root, 'big.bin'), big);
    const res = await rt.api(f('big.bin'));
    expect(Buffer.from(await res.arrayBuffer()).equals(big)).toBe(true);
    const tail = await rt.api(f('big.bin'), { headers: { range: 'bytes=-4' } });
    expect(await tail.text()).toBe('TAIL');
  });

  it('follows symlinks that stay inside the workspace', async () => {
    await symlink(join(root, 'src'), join(root, 'src-link'));
    const res = await rt.api(f('src-link/a.ts'));
    expect(res.status).toBe(200);
    const put = await rt.json(f('src-link/via-link.txt'), { method: 'PUT', body: 'v' });
    expect(put.status).toBe(201);
    expect(await readFile(join(root, 'src', 'via-link.txt'), 'utf8')).toBe('v');
  });
});
