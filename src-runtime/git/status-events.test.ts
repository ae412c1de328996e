import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { WireEvent } from '../contract/events.js';
import { startTestRuntime, type TestRuntime } from '../../test-support/runtime-harness.js';
import { versionControlFeature } from './feature.js';
import { affectsStatus } from './status-events.js';
import { isolateGitConfig, makeRepo, writeFiles } from './test-repos.js';

isolateGitConfig();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(10);
  }
}

describe('git_status_changed', () => {
  let rt: TestRuntime;
  let id: string;
  let repo: string;
  // The files feature's watcher contract (services.ts FilesServiceApi): count who holds it.
  const held = new Map<string, number>();

  beforeAll(async () => {
    rt = await startTestRuntime({ features: [versionControlFeature] });
    rt.ctx.services.files = {
      retainWatcher(workspaceId) {
        held.set(workspaceId, (held.get(workspaceId) ?? 0) + 1);
        let released = false;
        return () => {
          if (released) return;
          released = true;
          held.set(workspaceId, (held.get(workspaceId) ?? 1) - 1);
        };
      },
    };
    repo = makeRepo({ files: { 'a.txt': 'a\n' } });
    const { body } = await rt.json('/api/v1/workspaces', { method: 'POST', json: { root_dir: repo } });
    id = body.workspace.id;
  });
  afterAll(() => rt.close());

  it('knows which paths can change git status', () => {
    expect(affectsStatus('src/a.ts')).toBe(true);
    expect(affectsStatus('.git/HEAD')).toBe(true);
    expect(affectsStatus('.git/index')).toBe(true);
    expect(affectsStatus('.git/refs/heads/main')).toBe(true);
    expect(affectsStatus('.git/objects/ab/cdef')).toBe(false);
    expect(affectsStatus('.git/index.lock')).toBe(false);
    expect(affectsStatus('.git/logs/HEAD')).toBe(false);
    expect(affectsStatus('.gitignore')).toBe(true);
  });

  it('keeps the watcher while subscribed, sends one debounced event per burst over WS /api/v1/ws, and releases on close', async () => {
    const received: WireEvent[] = [];
    const ws = new WebSocket(`${rt.url.replace('http', 'ws')}/api/v1/ws?access_token=${rt.token}`);
    ws.on('message', (raw) => {
      const msg = JSON.parse(String(raw)) as WireEvent;
      if (msg.type === 'git_status_changed') received.push(msg);
    });
    await new Promise((resolve) => ws.once('open', resolve));
    ws.send(JSON.stringify({ type: 'subscribe', topics: ['git_status_changed'], workspace_id: id }));
    await until(() => (held.get(id) ?? 0) === 1);

    // A burst of file_changed events from the watcher: one git_status_changed.
    for (let i = 0; i < 20; i++) rt.ctx.bus.publishWorkspace(id, 'file_changed', { path: `f${i}.txt`, event_type: 'change' });
    await until(() => received.length === 1);
    await sleep(200);
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ type: 'git_status_changed', workspace_id: id });

    // Object-store churn does not count; HEAD does.
    rt.ctx.bus.publishWorkspace(id, 'file_changed', { path: '.git/objects/12/3456', event_type: 'add' });
    await sleep(200);
    expect(received).toHaveLength(1);
    rt.ctx.bus.publishWorkspace(id, 'file_changed', { path: '.git/HEAD', event_type: 'change' });
    await until(() => received.length === 2);

    // The runtime's own operations announce themselves too.
    writeFiles(repo, { 'a.txt': 'changed\n' });
    const stage = await rt.json(`/api/v1/workspaces/${id}/version-control/stage`, { method: 'POST', json: { paths: ['a.txt'] } });
    expect(stage.status).toBe(200);
    await until(() => received.length === 3);

    ws.close();
    await until(() => (held.get(id) ?? 0) === 0);
    const status = await rt.json('/api/v1/runtime/status');
    expect(status.body.runtime.features.version_control.watched_workspaces).toBe(0);
  });
});
