import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { WireEvent } from '../contract/events.js';
import { startTestRuntime, type TestRuntime } from '../../test-support/runtime-harness.js';
import { versionControlFeature } from './feature.js';
import { affectsStatus } from './status-events.js';
import { isolateGitConfig, makeRepo, writeFiles } from './test-repos.js';
import { waitFor } from '../../test-support/wait.js';

isolateGitConfig();

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
    await waitFor(() => (held.get(id) ?? 0) === 1, 'the watcher to be retained');

    // What did not happen is proved by a marker: a change in another workspace, published after
    // the change under test, is debounced as long and so announced after it. Once the marker's
    // event is on the bus, every event the change under test could cause is there too.
    const announced: string[] = [];
    const untap = rt.ctx.bus.tap((stream, e) => stream === 'global' && e.type === 'git_status_changed' && announced.push(String(e.workspace_id)));
    let markers = 0;
    const afterMarker = async () => {
      rt.ctx.bus.publishWorkspace('ws_marker', 'file_changed', { path: 'marker.txt', event_type: 'change' });
      markers += 1;
      await waitFor(() => announced.filter((w) => w === 'ws_marker').length === markers, 'the marker workspace to be announced');
      return announced.filter((w) => w === id).length;
    };

    // A burst of file_changed events from the watcher: one git_status_changed.
    for (let i = 0; i < 20; i++) rt.ctx.bus.publishWorkspace(id, 'file_changed', { path: `f${i}.txt`, event_type: 'change' });
    expect(await afterMarker()).toBe(1);
    await waitFor(() => received.length === 1, 'the event on the socket');
    expect(received[0]).toMatchObject({ type: 'git_status_changed', workspace_id: id });

    // Object-store churn does not count; HEAD does.
    rt.ctx.bus.publishWorkspace(id, 'file_changed', { path: '.git/objects/12/3456', event_type: 'add' });
    expect(await afterMarker()).toBe(1);
    rt.ctx.bus.publishWorkspace(id, 'file_changed', { path: '.git/HEAD', event_type: 'change' });
    await waitFor(() => received.length === 2, 'the HEAD change on the socket');
    untap();
    expect(received.every((e) => e.workspace_id === id)).toBe(true);

    // The runtime's own operations announce themselves too.
    writeFiles(repo, { 'a.txt': 'changed\n' });
    const stage = await rt.json(`/api/v1/workspaces/${id}/version-control/stage`, { method: 'POST', json: { paths: ['a.txt'] } });
    expect(stage.status).toBe(200);
    await waitFor(() => received.length === 3, 'the stage to be announced');

    ws.close();
    await waitFor(() => (held.get(id) ?? 0) === 0, 'the watcher to be released');
    const status = await rt.json('/api/v1/runtime/status');
    expect(status.body.runtime.features.version_control.watched_workspaces).toBe(0);
  });
});
