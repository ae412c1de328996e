import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, readFile, realpath, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, startTestRuntime, type TestRuntime } from '../../test-support/runtime-harness.js';
import { filesFeature } from './feature.js';
import { waitFor } from '../../test-support/wait.js';

describe('sandbox view (E2B-style)', () => {
  let rt: TestRuntime;
  let root: string;
  let id: string;
  let untrusted: string;

  beforeAll(async () => {
    root = await realpath(await makeTempDir('wr-sbx-'));
    await mkdir(join(root, 'sub'));
    await writeFile(join(root, 'sub', 'hello.txt'), 'hello');
    rt = await startTestRuntime({ workspace: root, features: [filesFeature] });
    id = (await rt.json('/api/v1/workspaces')).body.workspaces[0].id;
    const other = await realpath(await makeTempDir('wr-sbx-untrusted-'));
    untrusted = (await rt.json('/api/v1/workspaces', { method: 'POST', json: { root_dir: other } })).body.workspace.id;
  });
  afterAll(() => rt.close());

  const sfiles = (p: string, extra = '') => `/api/v1/sandboxes/${id}/files?path=${encodeURIComponent(p)}${extra}`;

  it('maps /workspace to the workspace root for read, list, write and delete', async () => {
    const read = await rt.api(sfiles('/workspace/sub/hello.txt'));
    expect(await read.text()).toBe('hello');
    const list = await rt.json(sfiles('/workspace'));
    expect(list.body.entries.map((e: { name: string }) => e.name)).toContain('sub');
    const relative = await rt.api(sfiles('sub/hello.txt'));
    expect(relative.status).toBe(200);
    const put = await rt.json(sfiles('/workspace/new/dir/file.txt'), { method: 'PUT', body: 'made' });
    expect(put.status).toBe(201);
    expect(await readFile(join(root, 'new/dir/file.txt'), 'utf8')).toBe('made');
    const del = await rt.json(sfiles('/workspace/new'), { method: 'DELETE' });
    expect(del.status).toBe(200);
    const outside = await rt.json(sfiles('/etc/passwd'));
    expect(outside).toMatchObject({ status: 400, body: { code: 'path_outside_sandbox' } });
  });

  it('runs a command and waits for its exit code and output', async () => {
    const { status, body } = await rt.json(`/api/v1/sandboxes/${id}/commands`, {
      method: 'POST',
      json: { cmd: 'echo out; echo err >&2; pwd; echo "$GREETING"; exit 3', cwd: '/workspace/sub', envs: { GREETING: 'hi there' }, wait: true },
    });
    expect(status).toBe(200);
    expect(body.command).toMatchObject({ status: 'exited', exit_code: 3, cwd: '/workspace/sub', stderr: 'err\n' });
    expect(body.command.stdout).toBe(`out\n${join(root, 'sub')}\nhi there\n`);
    expect(body.command.id).toMatch(/^exec_/);
  });

  it('streams output over SSE as it happens and ends with command_exit', async () => {
    const started = await rt.json(`/api/v1/sandboxes/${id}/commands`, { method: 'POST', json: { cmd: 'for i in 1 2 3; do echo line$i; sleep 0.1; done' } });
    expect(started.status).toBe(201);
    const cid = started.body.command.id as string;
    const res = await rt.api(`/api/v1/sandboxes/${id}/commands/${cid}/events`);
    const text = await res.text(); // the stream ends after command_exit
    expect(text).toContain('event: command_output');
    expect(text.indexOf('line1')).toBeLessThan(text.indexOf('line3'));
    expect(text).toMatch(/event: command_exit\ndata: .*"exit_code":0/);
    const got = await rt.json(`/api/v1/sandboxes/${id}/commands/${cid}`);
    expect(got.body.command).toMatchObject({ status: 'exited', exit_code: 0, stdout: 'line1\nline2\nline3\n' });
    // Replay of a finished command ends too.
    const replay = await rt.api(`/api/v1/sandboxes/${id}/commands/${cid}/events`);
    expect(await replay.text()).toContain('command_exit');
  });

  it('kills a running command and its children', async () => {
    const started = await rt.json(`/api/v1/sandboxes/${id}/commands`, { method: 'POST', json: { cmd: 'sleep 300 & echo $! > child.pid; sleep 300; echo never' } });
    const cid = started.body.command.id as string;
    const childPid = await waitFor(async () => Number((await readFile(join(root, 'child.pid'), 'utf8').catch(() => '')).trim()), 'the background child pid');
    const killed = await rt.json(`/api/v1/sandboxes/${id}/commands/${cid}/kill`, { method: 'POST' });
    // SIGTERM ended it: the SIGKILL after the grace period was not needed.
    expect(killed.body.command).toMatchObject({ status: 'killed', signal: 'SIGTERM' });
    // The background child went with the group: gone, or a zombie waiting for its new parent.
    const state = () => readFile(`/proc/${childPid}/stat`, 'utf8').then((t) => t.split(') ')[1]?.[0], () => 'gone');
    await waitFor(async () => ['gone', 'Z', 'X'].includes((await state()) ?? ''), `the background child ${childPid} to end`);
    const list = await rt.json(`/api/v1/sandboxes/${id}/commands`);
    expect(list.body.commands[0].id).toBe(cid);
    const timedOut = await rt.json(`/api/v1/sandboxes/${id}/commands`, { method: 'POST', json: { cmd: 'sleep 30', timeout_ms: 200, wait: true } });
    expect(timedOut.body.command.status).toBe('killed');
  });

  it('refuses commands in an untrusted workspace (files still work there)', async () => {
    const refused = await rt.json(`/api/v1/sandboxes/${untrusted}/commands`, { method: 'POST', json: { cmd: 'echo no' } });
    expect(refused).toMatchObject({ status: 403, body: { code: 'workspace_untrusted' } });
    const put = await rt.json(`/api/v1/sandboxes/${untrusted}/files?path=%2Fworkspace%2Fok.txt`, { method: 'PUT', body: 'files ok' });
    expect(put.status).toBe(201);
    const missing = await rt.json(`/api/v1/sandboxes/${id}/commands/exec_nope`);
    expect(missing).toMatchObject({ status: 404, body: { code: 'command_not_found' } });
  });
});
