import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRuntime, type TestRuntime } from '../../test-support/runtime-harness.js';
import { rawRequest } from '../../test-support/raw-http.js';
import { checkAccess } from './mount.js';
import { hostAllowed, originAllowed, type GuardConfig } from './guards.js';
import type { Request } from 'express';
import { ApiError } from '../contract/errors.js';
import { runtimeApi } from '../contract/runtime.js';

describe('who may call what', () => {
  let rt: TestRuntime;
  beforeAll(async () => {
    rt = await startTestRuntime();
  });
  afterAll(() => rt.close());

  it('serves /health without a token and everything under /api with one only', async () => {
    expect((await rt.api('/health', { headers: { authorization: '' } })).status).toBe(200);
    const missing = await rt.json('/api/v1/workspaces', { headers: { authorization: '' } });
    expect(missing).toMatchObject({ status: 401, body: { code: 'unauthorized' } });
    expect(missing.body.error).toContain('Bearer');
    const wrong = await rt.json('/api/v1/workspaces', { headers: { authorization: 'Bearer not-the-token' } });
    expect(wrong.status).toBe(401);
    expect((await rt.json('/api/v1/workspaces')).status).toBe(200);
  });

  it('accepts ?access_token= only where a browser cannot set headers (SSE, pages)', async () => {
    const json = await fetch(`${rt.url}/api/v1/workspaces?access_token=${rt.token}`);
    expect(json.status).toBe(401);
    const docs = await fetch(`${rt.url}/api/v1/docs?access_token=${rt.token}`);
    expect(docs.status).toBe(200);
  });

  it('refuses foreign Host headers (DNS rebinding), also on /health and the shell', async () => {
    for (const path of ['/health', '/', '/api/v1/workspaces']) {
      const res = await rawRequest(rt.url, { path, headers: { host: 'attacker.example:80', authorization: `Bearer ${rt.token}` } });
      expect(res.status).toBe(403);
      expect(JSON.parse(res.body).code).toBe('host_not_allowed');
    }
    const ok = await rawRequest(rt.url, { path: '/health', headers: { host: `localhost:${rt.port}` } });
    expect(ok.status).toBe(200);
  });

  it('refuses requests from other origins, accepts its own', async () => {
    const foreign = await rawRequest(rt.url, { method: 'POST', path: '/api/v1/workspaces', headers: { origin: 'https://evil.example', authorization: `Bearer ${rt.token}`, 'content-type': 'application/json' }, body: '{}' });
    expect(foreign.status).toBe(403);
    expect(JSON.parse(foreign.body).code).toBe('origin_not_allowed');
    const preflight = await rawRequest(rt.url, { method: 'OPTIONS', path: '/api/v1/workspaces', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(403);
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    const own = await rawRequest(rt.url, { path: '/api/v1/workspaces', headers: { origin: `http://127.0.0.1:${rt.port}`, authorization: `Bearer ${rt.token}` } });
    expect(own.status).toBe(200);
  });

  it('guards: loopback names and configured hosts, origins on our port only', () => {
    const guard: GuardConfig = { token: 't', port: () => 3002, allowedHosts: () => ['box.lan'] };
    expect(hostAllowed('127.0.0.1:3002', guard)).toBe(true);
    expect(hostAllowed('[::1]:3002', guard)).toBe(true);
    expect(hostAllowed('box.lan:3002', guard)).toBe(true);
    expect(hostAllowed('127.0.0.1.evil.com', guard)).toBe(false);
    expect(hostAllowed(undefined, guard)).toBe(false);
    expect(originAllowed('http://localhost:3002', guard)).toBe(true);
    expect(originAllowed('http://localhost:3003', guard)).toBe(false);
    expect(originAllowed('null', guard)).toBe(false);
    expect(originAllowed('file://', guard)).toBe(false);
  });

  it('loopback-only routes refuse remote callers and any Origin header', () => {
    const guard: GuardConfig = { token: 'tok', port: () => 1, allowedHosts: () => [] };
    const def = { ...runtimeApi.health, access: 'loopback' as const };
    const req = (address: string, headers: Record<string, string> = {}) => ({ socket: { remoteAddress: address }, headers, url: '/' }) as unknown as Request;
    expect(() => checkAccess(def, req('127.0.0.1'), guard)).not.toThrow();
    expect(() => checkAccess(def, req('::ffff:127.0.0.1'), guard)).not.toThrow();
    expect(() => checkAccess(def, req('192.168.1.9'), guard)).toThrow(ApiError);
    expect(() => checkAccess(def, req('127.0.0.1', { origin: 'http://127.0.0.1:1' }), guard)).toThrow(/Origin/);
    const both = { ...def, access: 'token+loopback' as const };
    expect(() => checkAccess(both, req('127.0.0.1'), guard)).toThrow(/token/);
    expect(() => checkAccess(both, req('127.0.0.1', { authorization: 'Bearer tok' }), guard)).not.toThrow();
    expect(() => checkAccess(both, req('10.0.0.2', { authorization: 'Bearer tok' }), guard)).toThrow(/this machine/);
  });
});
