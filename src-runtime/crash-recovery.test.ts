/**
 * "Nothing escapes": a runtime killed with SIGKILL while an agent session runs a turn and an app
 * has a setsid grandchild. The next runtime on the same data dir ends the agent (recorded group
 * and marker), the app and the grandchild (marker), and leaves alone a process carrying another
 * data dir's marker and one carrying none.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { realpath, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBuiltRuntime } from '../test-support/built-runtime.js';
import { makeTempDir } from '../test-support/runtime-harness.js';
import { waitFor } from '../test-support/wait.js';
import { alive, readPid } from './apps/test-fixtures.js';
import { dataDirMarkerId, MARKER_VARIABLE, newInstanceId } from './platform/process-marker.js';
import { readStoreFile } from './store/db.js';

const script = fileURLToPath(new URL('./agents/testing/scripted-acp-agent.mjs', import.meta.url));
const spawned: ChildProcess[] = [];
const pids: number[] = [];

afterAll(() => {
  for (const child of spawned) child.kill('SIGKILL');
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
});

describe('a runtime killed with SIGKILL', () => {
  it('leaves an agent and a setsid grandchild running; the next start on the same data dir ends them and nothing else', async () => {
    const root = await realpath(await makeTempDir('wr-crash-ws-'));
    const dataDir = await makeTempDir('wr-crash-data-');
    const home = await makeTempDir('wr-crash-home-');
    const agentPidFile = join(root, 'agent.pid');
    await writeFile(
      join(root, 'app.runtime.yaml'),
      `id: escaper\nport: none\nstart: "setsid sh -c 'echo $$ > gc.pid.tmp && mv gc.pid.tmp gc.pid; exec sleep 1000' </dev/null >/dev/null 2>&1 & exec sleep 1000"\n`,
    );
    const env = { ...process.env, WR_USER_HOME: home };
    const first = await startBuiltRuntime(dataDir, root, env);
    spawned.push(first.child);

    const config = await first.json('/api/v1/runtime/config', {
      method: 'PATCH',
      json: { agents: [{ name: 'lingering', protocol: 'acp', command: process.execPath, args: [script], env: { SCRIPTED_PID_FILE: agentPidFile, SCRIPTED_OUTLIVE_CLIENT: '1' } }] },
    });
    expect(config.status).toBe(200);
    const created = await first.json('/api/v1/agent-sessions', { method: 'POST', json: { agent: 'lingering' } });
    expect(created.status).toBe(201);
    const sessionId = created.body.session.id as string;
    await waitFor(async () => (await first.json(`/api/v1/sessions/${sessionId}`)).body.session.state === 'idle', 'the session to be idle');
    const sent = await first.json(`/api/v1/sessions/${sessionId}/messages`, { method: 'POST', json: { content: 'HANG' } });
    expect(sent.status).toBe(202);
    await waitFor(async () => (await first.json(`/api/v1/runs/${sent.body.run.id}`)).body.run.status === 'running', 'the run to be running');
    const agent = await readPid(agentPidFile);
    pids.push(agent);

    const { body: listed } = await first.json('/api/v1/apps');
    const ensured = await first.json(`/api/v1/apps/${listed.apps[0].id}/ensure-running`, { method: 'POST' });
    expect(ensured.status).toBe(200);
    const app = ensured.body.app.pid as number;
    const grandchild = await readPid(join(root, 'gc.pid'));
    pids.push(app, grandchild);

    // Bystanders: one carrying the marker of a runtime of another data dir, one without a marker.
    const foreignMarker = `${newInstanceId(dataDirMarkerId(await makeTempDir('wr-crash-other-')))}:agent:ses_other#1`;
    const foreign = spawn('sleep', ['1000'], { env: { PATH: process.env.PATH, [MARKER_VARIABLE]: foreignMarker }, stdio: 'ignore', detached: true });
    const unmarked = spawn('sleep', ['1000'], { stdio: 'ignore', detached: true });
    spawned.push(foreign, unmarked);
    await waitFor(async () => (await alive(foreign.pid!)) && (await alive(unmarked.pid!)), 'the bystanders to run');

    // Both groups are recorded on disk (coalesced writes) before the crash.
    await waitFor(async () => {
      const groups = ((await readStoreFile(dataDir)).sections.processes as { groups: Array<{ owner: string }> } | undefined)?.groups ?? [];
      return groups.some((g) => g.owner === `agent:${sessionId}`) && groups.some((g) => g.owner.startsWith('app:'));
    }, 'agent and app group records on disk');

    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    // The crash leaves them running: that is what the next start must clean up.
    expect(await alive(agent)).toBe(true);
    expect(await alive(app)).toBe(true);
    expect(await alive(grandchild)).toBe(true);

    const second = await startBuiltRuntime(dataDir, root, env);
    spawned.push(second.child);
    // Reaping happens before the runtime listens: by the time it is ready, they are gone.
    expect(await alive(agent)).toBe(false);
    expect(await alive(app)).toBe(false);
    expect(await alive(grandchild)).toBe(false);
    expect(await alive(foreign.pid!)).toBe(true);
    expect(await alive(unmarked.pid!)).toBe(true);
    const status = await second.json('/api/v1/runtime/status');
    expect(status.body.runtime.features.processes).toMatchObject({ reaped_groups: 2, left_alone_groups: 0 });
    // The grandchild left the app's group: only its marker found it.
    expect(status.body.runtime.features.processes.reaped_marked).toBeGreaterThanOrEqual(1);

    // A graceful stop of the second runtime does not touch them either.
    second.child.kill('SIGTERM');
    await new Promise((r) => second.child.once('exit', r));
    expect(await alive(foreign.pid!)).toBe(true);
    expect(await alive(unmarked.pid!)).toBe(true);
  });
});
