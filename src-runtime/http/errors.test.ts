import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, startTestRuntime, type TestRuntime } from '../../test-support/runtime-harness.js';
import { rawRequest } from '../../test-support/raw-http.js';

describe('bad input gets a clear 4xx', () => {
  let rt: TestRuntime;
  beforeAll(async () => {
    rt = await startTestRuntime();
  });
  afterAll(() => rt.close());

  it('malformed JSON is 400 invalid_json', async () => {
    const res = await rt.json('/api/v1/workspaces', { method: 'POST', body: '{"root_dir": ', headers: { 'content-type': 'application/json' } });
    expect(res).toMatchObject({ status: 400, body: { code: 'invalid_json' } });
  });

  it('schema violations name the field', async () => {
    const res = await rt.json('/api/v1/runtime/config', { method: 'PATCH', json: { app_port_range: { start: 5000, end: 10 } } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/end must be >= start/);
  });

  it('an oversized body is 413 body_too_large, and the runtime keeps serving', async () => {
    const huge = JSON.stringify({ root_dir: '/x'.repeat(1024 * 1024) });
    const res = await rt.json('/api/v1/workspaces', { method: 'POST', body: huge, headers: { 'content-type': 'application/json' } });
    expect(res).toMatchObject({ status: 413, body: { code: 'body_too_large' } });
    expect((await rt.json('/api/v1/workspaces')).status).toBe(200);
  });

  it('unknown API routes are JSON 404s, never the page shell', async () => {
    const res = await rawRequest(rt.url, { path: '/api/v1/no-such-thing', headers: { authorization: `Bearer ${rt.token}` } });
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toContain('application/json');
    expect(JSON.parse(res.body)).toMatchObject({ code: 'route_not_found' });
    const internal = await rawRequest(rt.url, { path: '/internal/v1/nothing' });
    expect(internal.status).toBe(404);
  });

  it('a broken percent-encoding is a 400 without a stack trace', async () => {
    const res = await rawRequest(rt.url, { path: '/api/v1/workspaces/%E0%A4%A', headers: { authorization: `Bearer ${rt.token}` } });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toContain('application/json');
    expect(res.body).not.toMatch(/at .*\.(ts|js):\d+/);
  });
});

describe('the page shell', () => {
  it('serves a renderer build with CSP, SPA fallback, and no token inside', async () => {
    const dir = await makeTempDir();
    await mkdir(join(dir, 'assets'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>shell</title><script src="/assets/app.js"></script>');
    await writeFile(join(dir, 'assets', 'app.js'), 'console.log(1)');
    const rt = await startTestRuntime({ rendererDir: dir });
    try {
      const root = await fetch(`${rt.url}/`);
      expect(root.status).toBe(200);
      expect(root.headers.get('content-security-policy')).toContain("script-src 'self'");
      const html = await root.text();
      expect(html).toContain('<title>shell</title>');
      expect(html).not.toContain(rt.token);
      const deep = await fetch(`${rt.url}/workspaces/ws_1/files?token=abc`);
      expect(await deep.text()).toContain('<title>shell</title>');
      const asset = await fetch(`${rt.url}/assets/app.js`);
      expect(asset.headers.get('cache-control')).toContain('immutable');
      const api = await fetch(`${rt.url}/api/v1/nothing`);
      expect(api.headers.get('content-type')).toContain('application/json');
    } finally {
      await rt.close();
    }
  });

  it('shows a placeholder page that takes the token hand-over when no build exists', async () => {
    const rt = await startTestRuntime({ rendererDir: join(await makeTempDir(), 'missing') });
    try {
      const html = await (await fetch(`${rt.url}/`)).text();
      expect(html).toContain('npm run build');
      const script = await (await fetch(`${rt.url}/runtime-shell.js`)).text();
      expect(script).toContain('sessionStorage');
      expect(script).toContain('history.replaceState');
    } finally {
      await rt.close();
    }
  });
});
