/**
 * Bad input is a clear 4xx on a real runtime: NUL bytes in body fields, path parameters and query
 * strings; JSON nested too deep; JSON routes called with another content type; add_dirs that would
 * hand an agent the whole machine; a commit a hook refuses; what the contract fuzzer found (a JSON
 * null body, a multipart body cut short, settings written at the same time, a pathspec git cuts off).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmod, mkdir, readdir, realpath, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { makeTempDir, startTestRuntime, type TestRuntime } from '../../test-support/runtime-harness.js';
import { features } from '../features.js';
import { makeRepo, writeFiles } from '../git/test-repos.js';

describe('bad input answers a clear 4xx', () => {
  let rt: TestRuntime;
  let root: string;
  let id: string;

  beforeAll(async () => {
    root = makeRepo();
    writeFiles(root, { 'a.txt': 'a\n' });
    rt = await startTestRuntime({ workspace: root, features });
    id = rt.ctx.services.workspaces.list()[0]!.id;
  });
  afterAll(() => rt.close());

  it('refuses NUL bytes in body fields with invalid_request naming each field', async () => {
    const cmd = await rt.json(`/api/v1/sandboxes/${id}/commands`, { method: 'POST', json: { cmd: 'echo a\0b', envs: { OK: 'x', BAD: 'y\0' } } });
    expect(cmd.status).toBe(400);
    expect(cmd.body.code).toBe('invalid_request');
    expect(cmd.body.details).toEqual([
      { path: 'body.cmd', message: 'contains a NUL byte' },
      { path: 'body.envs.BAD', message: 'contains a NUL byte' },
    ]);
    const snapshot = await rt.json(`/api/v1/workspaces/${id}/snapshots`, { method: 'POST', json: { label: 'x\0' } });
    expect(snapshot).toMatchObject({ status: 400, body: { code: 'invalid_request', details: [{ path: 'body.label', message: 'contains a NUL byte' }] } });
    const commit = await rt.json(`/api/v1/workspaces/${id}/version-control/commit`, { method: 'POST', json: { message: 'm\0', all: true } });
    expect(commit).toMatchObject({ status: 400, body: { code: 'invalid_request', details: [{ path: 'body.message' }] } });
  });

  it('refuses NUL bytes in query strings and path parameters', async () => {
    for (const op of ['log', 'diff']) {
      const res = await rt.json(`/api/v1/workspaces/${id}/version-control/${op}?path=a%00b`);
      expect(res, op).toMatchObject({ status: 400, body: { code: 'invalid_request', details: [{ path: 'query.path', message: 'contains a NUL byte' }] } });
    }
    const param = await rt.json(`/api/v1/workspaces/${id}%00x/snapshots`);
    expect(param).toMatchObject({ status: 400, body: { code: 'invalid_path' } });
  });

  it('refuses JSON nested deeper than 64 levels without touching anything', async () => {
    const deep = '{"env":'.repeat(5000) + '1' + '}'.repeat(5000);
    const res = await rt.api(`/api/v1/settings?workspace_id=${id}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: deep });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: string }).code).toBe('json_too_deep');
    expect(await readdir(root)).not.toContain('.claude');
    // 64 levels are fine as far as depth goes (the schema then judges the content).
    const ok = await rt.api(`/api/v1/settings?workspace_id=${id}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ env: {} }) });
    expect(ok.status).toBe(200);
  });

  it('refuses a JSON route body sent as another content type (415), and a POST without a body still works', async () => {
    const plain = await rt.api(`/api/v1/workspaces/${id}/snapshots`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ label: 'x' }) });
    expect(plain.status).toBe(415);
    expect(await plain.json()).toMatchObject({ code: 'unsupported_media_type' });
    const none = await rt.api(`/api/v1/workspaces/${id}/snapshots`, { method: 'POST', headers: {}, body: 'x' });
    expect(none.status).toBe(415);
    const vendor = await rt.api(`/api/v1/workspaces/${id}/snapshots`, { method: 'POST', headers: { 'content-type': 'application/vnd.example+json; charset=utf-8' }, body: JSON.stringify({ label: 'v' }) });
    expect(vendor.status).toBe(201);
    const empty = await rt.api(`/api/v1/workspaces/${id}/snapshots`, { method: 'POST' });
    expect(empty.status).toBe(201);
  });

  it('refuses add_dirs that are not project folders: /, the home folder, an ancestor of the data dir, a missing folder', async () => {
    const extra = await makeTempDir('wr-extra-');
    for (const dir of ['/', homedir(), rt.dataDir, join(rt.dataDir, '..'), join(extra, 'missing')]) {
      const res = await rt.json(`/api/v1/workspaces/${id}`, { method: 'PATCH', json: { add_dirs: [dir] } });
      expect(res, dir).toMatchObject({ status: 400, body: { code: 'invalid_add_dir' } });
    }
    const fine = await rt.json(`/api/v1/workspaces/${id}`, { method: 'PATCH', json: { add_dirs: [extra] } });
    expect(fine.status).toBe(200);
    expect(fine.body.workspace.add_dirs).toEqual([await realpath(extra)]);
  });

  it('refuses a JSON null body instead of reading it as an empty one', async () => {
    const res = await rt.api(`/api/v1/workspaces/${id}/snapshots`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'null' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'invalid_request' });
  });

  it('answers a multipart body that ends in the middle of a file with 400 invalid_multipart', async () => {
    const body = '--b\r\nContent-Disposition: form-data; name="f"; filename="cut.txt"\r\n\r\nunterminated';
    const res = await rt.api(`/api/v1/workspaces/${id}/file-ops/upload`, { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=b' }, body });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'invalid_multipart' });
    expect(await readdir(root)).not.toContain('cut.txt');
  });

  it('writes settings that arrive at the same time without failing one of them', async () => {
    const puts = await Promise.all(
      Array.from({ length: 6 }, (_, i) => rt.api(`/api/v1/settings?workspace_id=${id}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ env: { N: String(i) } }) })),
    );
    expect(puts.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect((await readdir(join(root, '.claude'))).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('answers a pathspec too long for git to repeat with 404 git_path_not_found', async () => {
    const res = await rt.json(`/api/v1/workspaces/${id}/version-control/stage`, { method: 'POST', json: { paths: ['a'.repeat(100 * 1024)] } });
    expect(res).toMatchObject({ status: 404, body: { code: 'git_path_not_found' } });
  });

  it('answers 409 git_hook_failed with what the hook said when a hook refuses a commit in a trusted repo', async () => {
    await mkdir(join(root, '.git', 'hooks'), { recursive: true });
    await writeFile(join(root, '.git', 'hooks', 'pre-commit'), '#!/bin/sh\necho "lint: 3 problems in a.txt" >&2\necho "fix them first"\nexit 1\n');
    await chmod(join(root, '.git', 'hooks', 'pre-commit'), 0o755);
    const res = await rt.json(`/api/v1/workspaces/${id}/version-control/commit`, { method: 'POST', json: { message: 'first', all: true } });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('git_hook_failed');
    expect(res.body.details.hook).toBe('pre-commit');
    expect(res.body.details.output).toContain('lint: 3 problems in a.txt');
    expect(res.body.details.output).toContain('fix them first');
  });
});
