import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realpath } from 'node:fs/promises';
import { makeTempDir, startTestRuntime, type TestRuntime } from '../../test-support/runtime-harness.js';
import { readStoreFile } from '../store/db.js';

describe('runtime routes', () => {
  let rt: TestRuntime;
  let ws: string;
  beforeAll(async () => {
    ws = await realpath(await makeTempDir());
    rt = await startTestRuntime({ workspace: ws });
  });
  afterAll(() => rt.close());

  it('health is public and says ok with version and uptime', async () => {
    const res = await fetch(`${rt.url}/health`);
    const body = (await res.json()) as { status: string; version: string; uptime_s: number };
    expect(body.status).toBe('ok');
    expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(body.uptime_s).toBeGreaterThanOrEqual(0);
  });

  it('status reports the process, data dir, git in use and counts', async () => {
    const { body } = await rt.json('/api/v1/runtime/status');
    expect(body.runtime).toMatchObject({ pid: process.pid, data_dir: rt.dataDir, url: rt.url, counts: { workspaces: 1 } });
    expect(['embedded', 'system', 'none']).toContain(body.runtime.git.source);
    expect(body.runtime.memory.rss_bytes).toBeGreaterThan(0);
  });

  it('--workspace registers a trusted default workspace', async () => {
    const { body } = await rt.json('/api/v1/workspaces');
    expect(body.workspaces).toHaveLength(1);
    expect(body.workspaces[0]).toMatchObject({ root_dir: ws, trusted: true, is_default: true });
  });

  it('config: PATCH changes some fields, PUT replaces with defaults, both validated and persisted', async () => {
    const before = (await rt.json('/api/v1/runtime/config')).body.config;
    expect(before.app_port_range).toEqual({ start: 41000, end: 41999 });
    const patched = await rt.json('/api/v1/runtime/config', { method: 'PATCH', json: { model: 'claude-sonnet', allowed_hosts: ['devbox.lan'] } });
    expect(patched.body.config).toMatchObject({ model: 'claude-sonnet', allowed_hosts: ['devbox.lan'], app_port_range: before.app_port_range });
    expect((await readStoreFile(rt.dataDir)).config.model).toBe('claude-sonnet');
    const put = await rt.json('/api/v1/runtime/config', { method: 'PUT', json: { permission_timeout_s: 30 } });
    expect(put.body.config).toMatchObject({ permission_timeout_s: 30, model: null, allowed_hosts: [] });
    expect(put.body.config.default_workspace_id).toBe(before.default_workspace_id);
    const unknown = await rt.json('/api/v1/runtime/config', { method: 'PATCH', json: { colour: 'blue' } });
    expect(unknown.status).toBe(400);
    const badWs = await rt.json('/api/v1/runtime/config', { method: 'PATCH', json: { default_workspace_id: 'ws_nope' } });
    expect(badWs).toMatchObject({ status: 400, body: { code: 'workspace_not_found' } });
  });

  it('allowed_hosts from the config take effect at once', async () => {
    await rt.json('/api/v1/runtime/config', { method: 'PATCH', json: { allowed_hosts: ['devbox.lan'] } });
    const { rawRequest } = await import('../../test-support/raw-http.js');
    const res = await rawRequest(rt.url, { path: '/health', headers: { host: `devbox.lan:${rt.port}` } });
    expect(res.status).toBe(200);
  });
});
