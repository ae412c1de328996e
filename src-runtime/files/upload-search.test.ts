import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, readdir, readFile, realpath, stat, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { makeTempDir, startTestRuntime, type TestRuntime } from '../../test-support/runtime-harness.js';
import { filesFeature } from './feature.js';
import { findRipgrep } from './search.js';
import { waitFor } from '../../test-support/wait.js';

describe('upload', () => {
  let rt: TestRuntime;
  let root: string;
  let id: string;

  beforeAll(async () => {
    root = await realpath(await makeTempDir('wr-up-'));
    rt = await startTestRuntime({ workspace: root, features: [filesFeature] });
    id = (await rt.json('/api/v1/workspaces')).body.workspaces[0].id;
  });
  afterAll(() => rt.close());

  it('uploads several files (with sub-folders) into a folder', async () => {
    const form = new FormData();
    form.append('file', new Blob(['alpha']), 'a.txt');
    form.append('file', new Blob([new Uint8Array([0, 1, 2])]), 'nested/deeper/b.bin');
    const res = await rt.json(`/api/v1/workspaces/${id}/file-ops/upload?path=incoming`, { method: 'POST', body: form });
    expect(res.status).toBe(201);
    expect(res.body.files.map((f: { path: string }) => f.path).sort()).toEqual(['incoming/a.txt', 'incoming/nested/deeper/b.bin']);
    expect(await readFile(join(root, 'incoming/a.txt'), 'utf8')).toBe('alpha');
    expect([...(await readFile(join(root, 'incoming/nested/deeper/b.bin')))]).toEqual([0, 1, 2]);
  });

  it('default workspace: POST /api/v1/files/upload; overwrite=false refuses existing files', async () => {
    const form = new FormData();
    form.append('file', new Blob(['one']), 'seed.txt');
    expect((await rt.json('/api/v1/files/upload', { method: 'POST', body: form })).status).toBe(201);
    const again = new FormData();
    again.append('file', new Blob(['two']), 'seed.txt');
    const refused = await rt.json('/api/v1/files/upload?overwrite=false', { method: 'POST', body: again });
    expect(refused).toMatchObject({ status: 409, body: { code: 'file_exists' } });
    expect(await readFile(join(root, 'seed.txt'), 'utf8')).toBe('one');
  });

  it('a file over the limit gets 413 and leaves no temp file; non-multipart gets 415', async () => {
    const form = new FormData();
    form.append('file', new Blob([Buffer.alloc(5000, 1)]), 'big.bin');
    const res = await rt.json(`/api/v1/workspaces/${id}/file-ops/upload?max_file_bytes=1000`, { method: 'POST', body: form });
    expect(res).toMatchObject({ status: 413, body: { code: 'file_too_large' } });
    expect((await readdir(root)).filter((n) => n.includes('big.bin'))).toEqual([]);
    const plain = await rt.json(`/api/v1/workspaces/${id}/file-ops/upload`, { method: 'POST', body: 'x', headers: { 'content-type': 'text/plain' } });
    expect(plain.status).toBe(415);
  });

  it('streams a large upload to disk as it arrives, without holding it in memory', async () => {
    // 64 MiB sent in 1 MiB chunks over a raw request. Halfway the client stops sending: a runtime
    // that streams has most of what it received on disk (a temp file beside the target) while the
    // request is still open; one that buffered the body would have written nothing yet.
    const size = 64 * 1024 * 1024;
    const boundary = 'BigBoundary';
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="huge.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`;
    const tail = `\r\n--${boundary}--\r\n`;
    const url = new URL(rt.url);
    const onDisk = async () => {
      const names = await readdir(root);
      const sizes = await Promise.all(names.map((n) => stat(join(root, n)).then((s) => s.size, () => 0)));
      return sizes.reduce((a, b) => a + b, 0);
    };
    const req = request({
      host: url.hostname,
      port: url.port,
      method: 'POST',
      path: `/api/v1/workspaces/${id}/file-ops/upload`,
      headers: { authorization: `Bearer ${rt.token}`, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(head.length + size + tail.length) },
    });
    const response = new Promise<number>((resolve, reject) => {
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
    });
    const chunk = Buffer.alloc(1024 * 1024, 97);
    const send = async (bytes: number) => {
      for (let sent = 0; sent < bytes; sent += chunk.length) if (!req.write(chunk)) await new Promise((r) => req.once('drain', r));
    };
    req.write(head);
    await send(size / 2);
    await waitFor(async () => (await onDisk()) >= size / 4, 'half of what was sent to be on disk while the upload is open');
    expect(await readdir(root)).not.toContain('huge.bin');
    await send(size / 2);
    req.end(tail);
    expect(await response).toBe(201);
    expect((await stat(join(root, 'huge.bin'))).size).toBe(size);
  }, 120_000);
});

describe('search', () => {
  let rt: TestRuntime;
  let root: string;
  let id: string;

  beforeAll(async () => {
    root = await realpath(await makeTempDir('wr-search-'));
    await mkdir(join(root, 'src/components'), { recursive: true });
    await mkdir(join(root, 'node_modules/lib'), { recursive: true });
    await mkdir(join(root, 'build'));
    await writeFile(join(root, '.gitignore'), 'build/\n*.log\n');
    await writeFile(join(root, 'src/components/UserProfile.tsx'), 'export function UserProfile() {\n  return "needle in profile";\n}\n');
    await writeFile(join(root, 'src/components/Button.tsx'), 'export const Button = () => null; // NEEDLE upper\n');
    await writeFile(join(root, 'src/index.ts'), 'import { UserProfile } from "./components/UserProfile";\n');
    await writeFile(join(root, 'node_modules/lib/index.js'), 'needle in node_modules\n');
    await writeFile(join(root, 'build/out.js'), 'needle in build\n');
    await writeFile(join(root, 'debug.log'), 'needle in log\n');
    await writeFile(join(root, 'binary.bin'), Buffer.from([0, 110, 101, 101, 100, 108, 101]));
    rt = await startTestRuntime({ workspace: root, features: [filesFeature] });
    id = (await rt.json('/api/v1/workspaces')).body.workspaces[0].id;
  });
  afterAll(() => rt.close());

  const search = (body: Record<string, unknown>) => rt.json(`/api/v1/workspaces/${id}/file-ops/search`, { method: 'POST', json: body });

  it('ripgrep is installed here (so both engines are exercised)', async () => {
    expect(await findRipgrep()).toBeTruthy();
  });

  for (const engine of ['rg', 'node'] as const) {
    describe(`engine ${engine}`, () => {
      it('finds file names fuzzily, best first, skipping ignored folders', async () => {
        const { status, body } = await search({ query: 'usrprof', engine });
        expect(status).toBe(200);
        expect(body.engine).toBe(engine);
        expect(body.matches[0].path).toBe('src/components/UserProfile.tsx');
        const all = await search({ query: 'js', engine, limit: 50 });
        const paths = all.body.matches.map((m: { path: string }) => m.path);
        expect(paths.some((p: string) => p.startsWith('node_modules') || p.startsWith('build'))).toBe(false);
        const withIgnored = await search({ query: 'outjs', engine, include_ignored: true });
        expect(withIgnored.body.matches.map((m: { path: string }) => m.path)).toContain('build/out.js');
      });

      it('searches contents (literal, case-insensitive by default) with line and column, honouring .gitignore', async () => {
        const { body } = await search({ query: 'needle', mode: 'content', engine });
        const hits = body.matches.map((m: { path: string; line: number }) => `${m.path}:${m.line}`).sort();
        expect(hits).toEqual(['src/components/Button.tsx:1', 'src/components/UserProfile.tsx:2']);
        const profile = body.matches.find((m: { path: string }) => m.path.endsWith('UserProfile.tsx'));
        expect(profile).toMatchObject({ column: 11, text: '  return "needle in profile";' });
        const sensitive = await search({ query: 'NEEDLE', mode: 'content', case_sensitive: true, engine });
        expect(sensitive.body.matches.map((m: { path: string }) => m.path)).toEqual(['src/components/Button.tsx']);
        const regex = await search({ query: 'User\\w+\\(', mode: 'content', regex: true, engine });
        expect(regex.body.matches.map((m: { path: string }) => m.path)).toEqual(['src/components/UserProfile.tsx']);
        const literal = await search({ query: 'User\\w+\\(', mode: 'content', engine });
        expect(literal.body.matches).toEqual([]);
        const under = await search({ query: 'needle', mode: 'content', path: 'src/components', engine });
        expect(under.body.matches.length).toBe(2);
      });

      it('limits results and says so', async () => {
        const { body } = await search({ query: 'e', mode: 'content', limit: 1, engine });
        expect(body.matches).toHaveLength(1);
        expect(body.truncated).toBe(true);
      });

      it('refuses an invalid regular expression with 400', async () => {
        const { status, body } = await search({ query: '(unclosed', mode: 'content', regex: true, engine });
        expect(status).toBe(400);
        expect(body.code).toBe('invalid_regex');
      });
    });
  }

  it('the default workspace search route works too', async () => {
    const { status, body } = await rt.json('/api/v1/file-ops/search', { method: 'POST', json: { query: 'button' } });
    expect(status).toBe(200);
    expect(body.matches[0].path).toBe('src/components/Button.tsx');
  });
});
