import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdir, realpath, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import WebSocket from 'ws';
import { makeTempDir, startTestRuntime, type TestRuntime } from '../../test-support/runtime-harness.js';
import type { WireEvent } from '../contract/events.js';
import { filesFeature } from './feature.js';
import { isPruned, type WatcherStatus } from './watcher.js';
import { waitFor } from '../../test-support/wait.js';

class HubClient {
  readonly events: WireEvent[] = [];
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (raw) => this.events.push(JSON.parse(String(raw))));
  }
  static async open(rt: TestRuntime): Promise<HubClient> {
    const ws = new WebSocket(`${rt.url.replace('http', 'ws')}/api/v1/ws?access_token=${rt.token}`);
    await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
    return new HubClient(ws);
  }
  send(m: unknown) {
    this.ws.send(JSON.stringify(m));
  }
  fileEvents() {
    return this.events.filter((e) => e.type === 'file_changed');
  }
  close() {
    this.ws.close();
  }
}

describe('file watcher and events', () => {
  let rt: TestRuntime;
  let root: string;
  let id: string;

  const watcherStatus = async (): Promise<WatcherStatus[]> => {
    const { body } = await rt.json('/api/v1/runtime/status');
    return body.runtime.features.files.watchers;
  };
  const readyWatcher = () => waitFor(async () => (await watcherStatus()).find((w) => w.workspace_id === id && w.ready), 'watcher ready');

  beforeAll(async () => {
    root = await realpath(await makeTempDir('wr-watch-'));
    await mkdir(join(root, 'src'));
    await mkdir(join(root, 'node_modules', 'dep'), { recursive: true });
    await mkdir(join(root, 'dist'));
    rt = await startTestRuntime({ workspace: root, features: [filesFeature] });
    id = (await rt.json('/api/v1/workspaces')).body.workspaces[0].id;
  });
  afterAll(() => rt.close());

  it('prunes .git internals, node_modules and configured folders but keeps .git/HEAD and .git/index', () => {
    const ignored = new Set(['dist']);
    expect(isPruned('.git', ignored)).toBe(false);
    expect(isPruned('.git/HEAD', ignored)).toBe(false);
    expect(isPruned('.git/index', ignored)).toBe(false);
    expect(isPruned('.git/objects', ignored)).toBe(true);
    expect(isPruned('.git/index.lock', ignored)).toBe(true);
    expect(isPruned('node_modules', ignored)).toBe(true);
    expect(isPruned('a/node_modules/x.js', ignored)).toBe(true);
    expect(isPruned('dist', ignored)).toBe(true);
    expect(isPruned('sub/.git', ignored)).toBe(true);
        expect(isPruned('src/.wr-tmp-0011-a.ts', ignored)).toBe(true);
    expect(isPruned('src/a.ts', ignored)).toBe(false);
  });

  it('starts lazily for a WS subscriber, batches file_changed, and stops when the subscriber leaves', async () => {
    expect(await watcherStatus()).toEqual([]);
    const client = await HubClient.open(rt);
    client.send({ type: 'subscribe', topics: ['file_changed'], workspace_id: id });
    await readyWatcher();

    await rt.api(`/api/v1/workspaces/${id}/files/src/via-api.txt`, { method: 'PUT', body: 'one' });
    await writeFile(join(root, 'src', 'external.txt'), 'ext');
    await writeFile(join(root, 'node_modules', 'dep', 'index.js'), 'nm');
    await writeFile(join(root, 'dist', 'bundle.js'), 'dist');
    // Written after the pruned folders' files: once its event is in, theirs would be too.
    await writeFile(join(root, 'src', 'marker.txt'), 'last');
    await waitFor(() => ['src/via-api.txt', 'src/external.txt', 'src/marker.txt'].every((p) => client.fileEvents().some((e) => e.path === p)), 'the three file events');
    const events = client.fileEvents();
    expect(events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ workspace_id: id, path: 'src/via-api.txt', event_type: 'created' }),
        expect.objectContaining({ workspace_id: id, path: 'src/external.txt', event_type: 'created' }),
      ]),
    );
    const paths = events.map((e) => e.path as string);
    expect(paths.some((p) => p.includes('node_modules') || p.startsWith('dist') || p.includes('.wr-tmp-'))).toBe(false);

    // A replacement through the API (temp + rename) is a modification; a removal a deletion.
    client.events.length = 0;
    await rt.api(`/api/v1/workspaces/${id}/files/src/via-api.txt`, { method: 'PUT', body: 'two' });
    await waitFor(() => client.fileEvents().find((e) => e.path === 'src/via-api.txt'), 'modification');
    expect(client.fileEvents().find((e) => e.path === 'src/via-api.txt')?.event_type).toBe('modified');
    await rm(join(root, 'src', 'external.txt'));
    await waitFor(() => client.fileEvents().find((e) => e.path === 'src/external.txt' && e.event_type === 'deleted'), 'deletion');

    client.send({ type: 'unsubscribe', topics: ['file_changed'] });
    await waitFor(async () => (await watcherStatus()).length === 0, 'watcher stopped');
    client.close();
  });

  it('sees files in folders created just now, in-place edits, and folder removals', async () => {
    const client = await HubClient.open(rt);
    client.send({ type: 'subscribe', topics: ['file_changed'], workspace_id: id });
    await readyWatcher();
    await mkdir(join(root, 'fresh', 'deeper'), { recursive: true });
    await writeFile(join(root, 'fresh', 'deeper', 'new.txt'), 'n');
    await waitFor(() => client.fileEvents().find((e) => e.path === 'fresh/deeper/new.txt' && e.event_type === 'created'), 'file in a new folder');
    expect(client.fileEvents().find((e) => e.path === 'fresh')?.event_type).toBe('created');
    await writeFile(join(root, 'fresh', 'deeper', 'new.txt'), 'edited in place');
    await waitFor(() => client.fileEvents().find((e) => e.path === 'fresh/deeper/new.txt' && e.event_type === 'modified'), 'in-place edit');
    await rm(join(root, 'fresh'), { recursive: true });
    await waitFor(() => client.fileEvents().find((e) => e.path === 'fresh' && e.event_type === 'deleted'), 'folder removal');
    client.close();
    await waitFor(async () => (await watcherStatus()).length === 0, 'watcher stopped');
  });

  it('reports .git/HEAD and .git/index changes and nothing else from .git', async () => {
    const client = await HubClient.open(rt);
    client.send({ type: 'subscribe', topics: ['file_changed'], workspace_id: id });
    await readyWatcher();
    execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: root });
    await waitFor(() => client.fileEvents().find((e) => e.path === '.git/HEAD'), '.git/HEAD event');
    execFileSync('git', ['add', 'src'], { cwd: root });
    await waitFor(() => client.fileEvents().find((e) => e.path === '.git/index'), '.git/index event');
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'x'], { cwd: root });
    execFileSync('git', ['checkout', '-q', '-b', 'other'], { cwd: root });
    // Written after the commit and checkout: once its event is in, theirs would be too.
    await writeFile(join(root, 'src', 'after-git.txt'), 'last');
    await waitFor(() => client.fileEvents().some((e) => e.path === 'src/after-git.txt'), 'the marker file event');
    const gitPaths = new Set(client.fileEvents().map((e) => e.path as string).filter((p) => p.startsWith('.git')));
    expect([...gitPaths].sort()).toEqual(['.git/HEAD', '.git/index']);
    client.close();
    await waitFor(async () => (await watcherStatus()).length === 0, 'watcher stopped after close');
  });

  it('streams the workspace events over SSE with Last-Event-ID resume, holding the watcher meanwhile', async () => {
    const controller = new AbortController();
    const res = await rt.api(`/api/v1/workspaces/${id}/events`, { signal: controller.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    let text = '';
    const pump = (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          text += Buffer.from(value).toString();
        }
      } catch {
        // aborted
      }
    })();
    await readyWatcher();
    await writeFile(join(root, 'src', 'sse.txt'), 'sse');
    await waitFor(() => text.includes('"path":"src/sse.txt"'), 'SSE file_changed');
    const idMatch = /id: (\d+)\nevent: file_changed\ndata: [^\n]*"path":"src\/sse.txt"/.exec(text);
    expect(idMatch).toBeTruthy();
    const seq = Number(idMatch![1]);
    controller.abort();
    await pump;
    await waitFor(async () => (await watcherStatus()).length === 0, 'watcher released by SSE close');

    // Events after the cursor are replayed on reconnect (from the stream backlog).
    await rt.ctx.bus.publishWorkspace(id, 'file_changed', { path: 'replayed.txt', event_type: 'created' });
    const again = await rt.api(`/api/v1/workspaces/${id}/events`, { headers: { 'last-event-id': String(seq) } });
    const r2 = again.body!.getReader();
    let t2 = '';
    while (!t2.includes('replayed.txt')) t2 += Buffer.from((await r2.read()).value!).toString();
    expect(t2).not.toContain('"path":"src/sse.txt"');
    await r2.cancel();
  });

  it('retainWatcher keeps a watcher alive for another feature', async () => {
    const release = rt.ctx.services.files!.retainWatcher(id);
    const w = await readyWatcher();
    expect(w.holders.retained).toBe(1);
    expect(w.watched_folders).toBeGreaterThan(0);
    release();
    await waitFor(async () => (await watcherStatus()).length === 0, 'released');
  });

  it('a watcher error (ENOSPC) shows in status and as a watcher_error event', async () => {
    const client = await HubClient.open(rt);
    client.send({ type: 'subscribe', topics: ['watcher_error', 'file_changed'], workspace_id: id });
    await readyWatcher();
    // Exhausting the real inotify limit would starve the other processes on this machine, so the
    // error chokidar emits in that case is injected into the live watcher.
    const watcher = (rt.ctx.services.files as unknown as { watcherFor(id: string): { fail(e: NodeJS.ErrnoException): void } }).watcherFor(id);
    watcher.fail(Object.assign(new Error('ENOSPC: System limit for number of file watchers reached'), { code: 'ENOSPC' }));
    await waitFor(() => client.events.find((e) => e.type === 'watcher_error'), 'watcher_error event');
    expect(client.events.find((e) => e.type === 'watcher_error')).toMatchObject({ workspace_id: id, code: 'ENOSPC' });
    const status = (await watcherStatus()).find((w) => w.workspace_id === id)!;
    expect(status.errors[0]).toMatchObject({ code: 'ENOSPC' });
    expect(status.errors[0]!.error).toContain('max_user_watches');
    client.close();
  });
});
