// Traversal attempts sent as raw node:http requests (fetch would normalise %2e%2e before sending),
// through every files route that takes a path: read, write, delete (scoped and default workspace),
// move (both ends), mkdir, upload (folder and part file names), search and the sandbox view.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { mkdir, readdir, realpath, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, startTestRuntime, type TestRuntime } from '../../test-support/runtime-harness.js';
import { filesFeature } from './feature.js';
import { normaliseRelative } from '../platform/path-guard.js';

interface RawResponse {
  status: number;
  body: string;
}

function raw(rt: TestRuntime, method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<RawResponse> {
  const url = new URL(rt.url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, method, path, headers: { authorization: `Bearer ${rt.token}`, ...headers, ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

const TRAVERSALS = [
  '../outside/secret.txt',
  '..%2foutside%2fsecret.txt',
  '%2e%2e/outside/secret.txt',
  '%2e%2e%2foutside%2fsecret.txt',
  'src/%2e%2e/%2e%2e/outside/secret.txt',
  '%252e%252e%252foutside%252fsecret.txt',
  '%25252e%25252e/outside/secret.txt',
  '..%5coutside%5csecret.txt',
  '%2fetc%2fpasswd',
  '/etc/passwd',
  'C:%5cWindows%5cwin.ini',
  'src%00.txt',
  'src%2500.txt',
  'link-out/secret.txt',
  'link-out',
  'dangling-out',
  'link-out/new-file.txt',
  'link-out/newdir/deeper.txt',
];

describe('path traversal (raw node:http)', () => {
  let rt: TestRuntime;
  let base: string;
  let root: string;
  let id: string;

  beforeAll(async () => {
    base = await realpath(await makeTempDir('wr-trav-'));
    root = join(base, 'ws');
    await mkdir(join(root, 'src'), { recursive: true });
    await mkdir(join(base, 'outside'));
    await writeFile(join(base, 'outside', 'secret.txt'), 'TOP-SECRET');
    await writeFile(join(root, 'src', 'ok.txt'), 'fine');
    await symlink(join(base, 'outside'), join(root, 'link-out'));
    await symlink(join(base, 'outside', 'gone'), join(root, 'dangling-out'));
    rt = await startTestRuntime({ workspace: root, features: [filesFeature] });
    id = (await rt.json('/api/v1/workspaces')).body.workspaces[0].id;
  });
  afterAll(() => rt.close());

  const expectRefused = (r: RawResponse, what: string) => {
    expect(r.status, `${what} → ${r.status} ${r.body}`).toBeGreaterThanOrEqual(400);
    expect(r.status, what).toBeLessThan(500);
    expect(r.body).not.toContain('TOP-SECRET');
    expect(r.body).not.toContain('root:x:0');
  };

  const outsideUntouched = async () => {
    expect((await readdir(join(base, 'outside'))).sort()).toEqual(['secret.txt']);
  };

  it('the lexical guard refuses what it should and keeps what it should', () => {
    expect(normaliseRelative('src/./a//b.txt')).toEqual(['src', 'a', 'b.txt']);
    expect(normaliseRelative('100%.txt')).toEqual(['100%.txt']);
    expect(normaliseRelative('a..b/c..')).toEqual(['a..b', 'c..']);
    for (const bad of ['..', 'a/../..', '/abs', '%2e%2e', '%252e%252e/x', 'a\\..\\b', 'x\0y', 'C:/x', '\\\\server\\share']) {
      expect(() => normaliseRelative(bad), bad).toThrow();
    }
  });

  it('a legitimate file reads fine through the same raw client', async () => {
    const ok = await raw(rt, 'GET', `/api/v1/workspaces/${id}/files/src/ok.txt`);
    expect(ok).toMatchObject({ status: 200, body: 'fine' });
  });

  it('GET, PUT and DELETE on the scoped and default routes refuse every traversal', async () => {
    for (const t of TRAVERSALS) {
      for (const prefix of [`/api/v1/workspaces/${id}/files/`, '/api/v1/files/']) {
        expectRefused(await raw(rt, 'GET', prefix + t), `GET ${prefix}${t}`);
        expectRefused(await raw(rt, 'GET', `${prefix}${t}?format=json`), `GET json ${prefix}${t}`);
        expectRefused(await raw(rt, 'PUT', `${prefix}${t}?mkdir=true`, 'PWNED'), `PUT ${prefix}${t}`);
        expectRefused(await raw(rt, 'DELETE', `${prefix}${t}?recursive=true`), `DELETE ${prefix}${t}`);
      }
    }
    await outsideUntouched();
    expect(await stat(join(base, 'outside', 'secret.txt')).then((s) => s.size)).toBe(10);
  });

  it('names the reason with a machine code', async () => {
    const codes = async (p: string) => JSON.parse((await raw(rt, 'GET', `/api/v1/workspaces/${id}/files/${p}`)).body).code;
    expect(await codes('..%2f..%2fetc%2fpasswd')).toBe('path_traversal');
    expect(await codes('%252e%252e%252fetc')).toBe('path_traversal');
    expect(await codes('%2fetc%2fpasswd')).toBe('path_absolute');
    expect(await codes('a%00b')).toBe('invalid_path');
    expect(await codes('link-out/secret.txt')).toBe('path_outside_workspace');
    const put = await raw(rt, 'PUT', `/api/v1/workspaces/${id}/files/link-out/new.txt`, 'x');
    expect(put.status).toBe(403);
    expect(JSON.parse(put.body).code).toBe('path_outside_workspace');
  });

  it('move (both ends), mkdir and search refuse traversal in JSON bodies', async () => {
    const ops = `/api/v1/workspaces/${id}/file-ops`;
    const json = { 'content-type': 'application/json' };
    for (const t of TRAVERSALS.map((p) => decodeURIComponent(p.replace(/%25/g, '%2525')))) {
      expectRefused(await raw(rt, 'POST', `${ops}/move`, JSON.stringify({ from: 'src/ok.txt', to: t }), json), `move to ${t}`);
      expectRefused(await raw(rt, 'POST', `${ops}/move`, JSON.stringify({ from: t, to: 'src/stolen.txt' }), json), `move from ${t}`);
      expectRefused(await raw(rt, 'POST', `${ops}/mkdir`, JSON.stringify({ path: `${t}/dir` }), json), `mkdir ${t}`);
      expectRefused(await raw(rt, 'POST', `${ops}/search`, JSON.stringify({ query: 'SECRET', mode: 'content', path: t }), json), `search ${t}`);
    }
    await outsideUntouched();
    expect(await stat(join(root, 'src', 'ok.txt')).then((s) => s.size)).toBe(4);
  });

  it('upload refuses traversal in the folder and in part file names', async () => {
    const boundary = 'XBOUNDARYX';
    const part = (name: string) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: text/plain\r\n\r\nPWNED\r\n--${boundary}--\r\n`;
    const headers = { 'content-type': `multipart/form-data; boundary=${boundary}` };
    for (const name of ['../outside/x.txt', '..\\outside\\x.txt', '/etc/x.txt', 'a/../../outside/x.txt', '%2e%2e/outside/x.txt', 'link-out/x.txt']) {
      expectRefused(await raw(rt, 'POST', `/api/v1/workspaces/${id}/file-ops/upload`, part(name), headers), `upload ${name}`);
      expectRefused(await raw(rt, 'POST', `/api/v1/files/upload`, part(name), headers), `default upload ${name}`);
    }
    for (const folder of ['..%2f..', '%2e%2e', 'link-out', '%252e%252e']) {
      expectRefused(await raw(rt, 'POST', `/api/v1/workspaces/${id}/file-ops/upload?path=${folder}`, part('x.txt'), headers), `upload into ${folder}`);
    }
    await outsideUntouched();
  });

  it('the sandbox view refuses paths outside /workspace', async () => {
    for (const p of ['/etc/passwd', '/workspace/../etc/passwd', '/workspace/%2e%2e/outside/secret.txt', '/workspace/link-out/secret.txt', '/workspacex/a', '../x']) {
      const q = encodeURIComponent(p);
      expectRefused(await raw(rt, 'GET', `/api/v1/sandboxes/${id}/files?path=${q}`), `sandbox GET ${p}`);
      expectRefused(await raw(rt, 'PUT', `/api/v1/sandboxes/${id}/files?path=${q}`, 'PWNED'), `sandbox PUT ${p}`);
      expectRefused(await raw(rt, 'DELETE', `/api/v1/sandboxes/${id}/files?path=${q}`), `sandbox DELETE ${p}`);
    }
    await outsideUntouched();
    const ok = await raw(rt, 'GET', `/api/v1/sandboxes/${id}/files?path=${encodeURIComponent('/workspace/src/ok.txt')}`);
    expect(ok).toMatchObject({ status: 200, body: 'fine' });
  });
});
