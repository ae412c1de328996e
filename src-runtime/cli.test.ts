/**
 * The runtime as a real child process (the built bundle, as users and Electron run it): the ready
 * line and runtime.json, the data dir lock, the IPC ready message with the token, graceful
 * shutdown on request, `status`, and recovery after SIGKILL in the middle of a burst of writes.
 */
import { describe, expect, it } from 'vitest';
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { makeTempDir } from '../test-support/runtime-harness.js';

const ENTRY = join(process.cwd(), 'dist', 'runtime', 'main.mjs');

function spawnRuntime(args: string[]): { child: ChildProcess; ready: Promise<any>; stderr: () => string } {
  const child = spawn(process.execPath, [ENTRY, 'serve', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const ready = new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (line) => resolve(JSON.parse(line)));
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
  });
  ready.catch(() => undefined); // callers that expect a failed start await the exit instead
  return { child, ready, stderr: () => err };
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(child.exitCode) : child.once('exit', (code) => r(code))));
}

describe('workspace-runtime serve (child process)', () => {
  it('prints a ready line without the token and writes runtime.json (0600) with it', async () => {
    const dataDir = await makeTempDir();
    const { child, ready } = spawnRuntime(['--data-dir', dataDir]);
    try {
      const line = await ready;
      expect(Object.keys(line).sort()).toEqual(['port', 'type', 'url']);
      const discovery = JSON.parse(await readFile(join(dataDir, 'runtime.json'), 'utf8'));
      expect(discovery).toMatchObject({ url: line.url, port: line.port, pid: child.pid });
      expect(discovery.token.length).toBeGreaterThanOrEqual(32);
      expect((await stat(join(dataDir, 'runtime.json'))).mode & 0o777).toBe(0o600);
      expect((await stat(join(dataDir, 'token'))).mode & 0o777).toBe(0o600);
      const res = await fetch(`${line.url}/api/v1/runtime/status`, { headers: { authorization: `Bearer ${discovery.token}` } });
      expect(((await res.json()) as any).runtime.pid).toBe(child.pid);

      // A second runtime on the same data dir exits with a message naming the running one.
      const second = spawnRuntime(['--data-dir', dataDir]);
      expect(await exited(second.child)).toBe(1);
      expect(second.stderr()).toContain(`pid ${child.pid}`);
      expect(second.stderr()).toContain(line.url);

      // `status` reads runtime.json and asks the runtime.
      const status = spawn(process.execPath, [ENTRY, 'status', '--data-dir', dataDir]);
      let out = '';
      status.stdout.on('data', (d) => (out += d));
      expect(await exited(status)).toBe(0);
      expect(JSON.parse(out).runtime.url).toBe(line.url);
    } finally {
      child.kill('SIGTERM');
      expect(await exited(child)).toBe(0);
    }
    expect(existsSync(join(dataDir, 'runtime.json'))).toBe(false);
    expect(existsSync(join(dataDir, 'runtime.lock'))).toBe(false);
  });

  it('posts {type:"ready", port, url, token} over IPC and shuts down gracefully when asked', async () => {
    const dataDir = await makeTempDir();
    const child = fork(ENTRY, ['serve', '--port', '0', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    const messages: any[] = [];
    child.on('message', (m) => messages.push(m));
    const ready = await new Promise<any>((resolve) => child.on('message', (m: any) => m.type === 'ready' && resolve(m)));
    const discovery = JSON.parse(await readFile(join(dataDir, 'runtime.json'), 'utf8'));
    expect(ready).toEqual({ type: 'ready', port: discovery.port, url: discovery.url, token: discovery.token });
    child.send({ type: 'shutdown' });
    expect(await exited(child)).toBe(0);
    expect(messages.map((m) => m.type)).toEqual(['ready', 'stopped']);
    expect(existsSync(join(dataDir, 'runtime.json'))).toBe(false);
  });

  it('reports start failures (port in use, bad arguments) clearly', async () => {
    const dataDir = await makeTempDir();
    const { child, ready } = spawnRuntime(['--data-dir', dataDir]);
    const { port } = await ready;
    try {
      const clash = spawn(process.execPath, [ENTRY, 'serve', '--port', String(port), '--data-dir', await makeTempDir()]);
      let err = '';
      clash.stderr.on('data', (d) => (err += d));
      expect(await exited(clash)).toBe(1);
      expect(err).toContain(`Port ${port}`);
      const version = spawn(process.execPath, [ENTRY, '--version']);
      let versionOut = '';
      version.stdout.on('data', (d) => (versionOut += d));
      expect(await exited(version)).toBe(0);
      expect(versionOut.trim()).toMatch(/^\d+\.\d+\.\d+/);
      const bad = spawn(process.execPath, [ENTRY, 'serve', '--port', 'abc']);
      let badErr = '';
      bad.stderr.on('data', (d) => (badErr += d));
      expect(await exited(bad)).toBe(2);
      expect(badErr).toContain('--port must be a number');
    } finally {
      child.kill('SIGTERM');
      await exited(child);
    }
  });

  it('refuses to start on an unreadable db.json (exit 78, one JSON line on stderr and the parent channel) and recovers with --recover-store', async () => {
    const dataDir = await makeTempDir();
    const root = await makeTempDir();
    // A good start leaves db.json with the workspace; a second write makes db.json.prev hold it too.
    const good = spawnRuntime(['--data-dir', dataDir, '--workspace', root]);
    const { url } = await good.ready;
    const { token } = JSON.parse(await readFile(join(dataDir, 'runtime.json'), 'utf8'));
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    expect((await fetch(`${url}/api/v1/runtime/config`, { method: 'PATCH', headers, body: JSON.stringify({ model: 'kept-model' }) })).status).toBe(200);
    good.child.kill('SIGTERM');
    expect(await exited(good.child)).toBe(0);

    await writeFile(join(dataDir, 'db.json'), '{"schema_version": 2, "workspaces": [');
    const refused = fork(ENTRY, ['serve', '--port', '0', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    const messages: any[] = [];
    refused.on('message', (m) => messages.push(m));
    let err = '';
    refused.stderr!.on('data', (d) => (err += d));
    expect(await exited(refused)).toBe(78);
    const line = JSON.parse(err.trim().split('\n').at(-1)!);
    const expected = { type: 'error', code: 'store_unreadable', file: join(dataDir, 'db.json'), backup: join(dataDir, 'db.json.prev'), hint: 'serve --recover-store' };
    expect(line).toMatchObject(expected);
    expect(messages).toEqual([expected]);
    expect(await readFile(join(dataDir, 'db.json'), 'utf8')).toBe('{"schema_version": 2, "workspaces": ['); // never replaced

    const recovered = spawnRuntime(['--data-dir', dataDir, '--recover-store']);
    try {
      const { url: url2 } = await recovered.ready;
      const list = (await (await fetch(`${url2}/api/v1/workspaces`, { headers })).json()) as any;
      expect(list.workspaces.map((w: { root_dir: string }) => w.root_dir)).toContain(root);
      expect(recovered.stderr()).toContain('db.json.corrupt-');
      const names = await readdir(dataDir);
      const corrupt = names.find((n) => n.startsWith('db.json.corrupt-'))!;
      expect(await readFile(join(dataDir, corrupt), 'utf8')).toBe('{"schema_version": 2, "workspaces": [');
    } finally {
      recovered.child.kill('SIGTERM');
      await exited(recovered.child);
    }
  });

  it('restarts with a readable, consistent store after SIGKILL in the middle of a burst of writes', async () => {
    const dataDir = await makeTempDir();
    const root = await makeTempDir();
    const first = spawnRuntime(['--data-dir', dataDir]);
    const { url } = await first.ready;
    const { token } = JSON.parse(await readFile(join(dataDir, 'runtime.json'), 'utf8'));
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const acknowledged: string[] = [];
    const burst = Array.from({ length: 300 }, async (_, i) => {
      const dir = join(root, `w${i}`);
      await mkdir(dir);
      const res = await fetch(`${url}/api/v1/workspaces`, { method: 'POST', headers, body: JSON.stringify({ root_dir: dir }) }).catch(() => undefined);
      if (res?.status === 201) acknowledged.push(dir);
    });
    // Kill once writes are flowing, so the kill lands in the middle of the burst.
    while (acknowledged.length < 20) await new Promise((r) => setTimeout(r, 2));
    first.child.kill('SIGKILL');
    await Promise.all(burst);
    await exited(first.child);

    const second = spawnRuntime(['--data-dir', dataDir]);
    try {
      const { url: url2 } = await second.ready;
      const db = JSON.parse(await readFile(join(dataDir, 'db.json'), 'utf8'));
      expect(Array.isArray(db.workspaces)).toBe(true);
      const ids = new Set(db.workspaces.map((w: { id: string }) => w.id));
      expect(ids.size).toBe(db.workspaces.length);
      const res = await fetch(`${url2}/api/v1/workspaces`, { headers });
      expect(((await res.json()) as any).workspaces.length).toBe(db.workspaces.length);
      // Every registration the runtime acknowledged is on disk.
      const roots = new Set(db.workspaces.map((w: { root_dir: string }) => w.root_dir));
      expect(acknowledged.length).toBeGreaterThanOrEqual(20);
      for (const dir of acknowledged) expect(roots.has(dir)).toBe(true);
      expect(db.workspaces.length).toBeLessThanOrEqual(300);
    } finally {
      second.child.kill('SIGTERM');
      await exited(second.child);
    }
  });
});
