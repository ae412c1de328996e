import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { access, readdir, readFile, realpath, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTempDir, startTestRuntime, type TestRuntime } from '../../test-support/runtime-harness.js';
import { startFakeAnthropic, type FakeAnthropic } from '../../test-support/fake-anthropic.js';
import { readAgentEvents, waitRun, waitSession } from '../../test-support/agent-helpers.js';
import { waitFor } from '../../test-support/wait.js';
import { agentsFeature } from './feature.js';

const claude = fileURLToPath(new URL('../../node_modules/.bin/claude', import.meta.url));

/** Pids of live processes whose command line names the conversation (`--session-id <uuid>` or `--resume <uuid>`). */
async function cliProcesses(agentSessionId: string): Promise<number[]> {
  const pids = (await readdir('/proc')).filter((n) => /^\d+$/.test(n));
  const named = await Promise.all(pids.map(async (pid) => ((await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0').includes(agentSessionId) ? Number(pid) : 0)));
  return named.filter(Boolean).sort((a, b) => a - b);
}

function userTexts(body: { messages?: Array<{ role: string; content: unknown }> }): string {
  return JSON.stringify((body.messages ?? []).filter((m) => m.role === 'user').map((m) => m.content));
}

describe('agent sessions with the real Claude Code CLI against a scripted Messages API', () => {
  let rt: TestRuntime;
  let fake: FakeAnthropic;
  let root: string;
  let home: string;
  let dataDir: string;

  const start = async () => {
    rt = await startTestRuntime({ workspace: root, features: [agentsFeature], dataDir });
  };

  beforeAll(async () => {
    fake = await startFakeAnthropic();
    root = await realpath(await makeTempDir('wr-claude-ws-'));
    home = await realpath(await makeTempDir('wr-claude-home-'));
    dataDir = await makeTempDir('wr-claude-data-');
    process.env.WR_USER_HOME = home;
    await start();
    const env = { ANTHROPIC_BASE_URL: fake.url, ANTHROPIC_API_KEY: 'test', CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1', HOME: home };
    const cfg = await rt.json('/api/v1/runtime/config', { method: 'PATCH', json: { agents: [{ name: 'cc', protocol: 'claude-code', command: claude, env }], default_agent: 'cc' } });
    expect(cfg.status).toBe(200);
  });
  afterAll(async () => {
    await rt.close();
    await fake.close();
  });

  async function newSession(): Promise<string> {
    const { status, body } = await rt.json('/api/v1/sessions', { method: 'POST', json: {} });
    expect(status).toBe(201);
    expect(body.session).toMatchObject({ protocol: 'claude-code', agent_name: 'cc' });
    expect(body.session.agent_session_id).toMatch(/^[0-9a-f-]{36}$/);
    await waitSession(rt, body.session.id, ['idle']);
    return body.session.id;
  }

  async function send(id: string, content: string, extra: Record<string, unknown> = {}) {
    const { status, body } = await rt.json(`/api/v1/sessions/${id}/messages`, { method: 'POST', json: { content, ...extra } });
    expect(status).toBe(202);
    return body.run as { id: string; status: string };
  }

  async function answerNext(runId: string, optionId: string) {
    await waitRun(rt, runId, ['requires_action'], 30_000);
    const perms = (await rt.json(`/api/v1/runs/${runId}/permissions`)).body.permissions;
    const pending = perms.find((p: { status: string }) => p.status === 'pending');
    const res = await rt.json(`/api/v1/runs/${runId}/permissions/${pending.id}`, { method: 'POST', json: { option_id: optionId } });
    expect(res.status).toBe(200);
    return pending;
  }

  it('runs a turn that writes a file in the workspace after an allowed permission request, with usage and cost', async () => {
    const id = await newSession();
    const target = join(root, 'hello.txt');
    const run = await send(id, `WRITE ${target} hi from claude`);
    const perm = await answerNext(run.id, 'allow');
    expect(perm).toMatchObject({ tool: 'Write', input: { file_path: target, content: 'hi from claude' } });
    const done = await waitRun(rt, run.id, ['completed'], 30_000);
    expect(await readFile(target, 'utf8')).toBe('hi from claude');
    expect(done.stop_reason).toBe('end_turn');
    expect(done.usage.cost_usd).toBeGreaterThan(0);
    expect(done.usage.output_tokens).toBeGreaterThan(0);
    const { events } = await readAgentEvents(rt, `/api/v1/sessions/${id}/events`, (evs) => evs.some((e) => e.type === 'done'));
    const types = events.map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['text', 'tool_use', 'permission_request', 'permission_resolved', 'tool_result', 'usage', 'done']));
    const result = events.find((e) => e.type === 'tool_result');
    expect(result).toMatchObject({ tool: 'Write', status: 'completed' });
    expect(events.filter((e) => e.type === 'text').map((e) => e.content).join(' ')).toContain('tool said: File created successfully');
  });

  it('denies a permission: the file is not written and the tool result says so', async () => {
    const id = await newSession();
    const target = join(root, 'denied.txt');
    const run = await send(id, `WRITE ${target} should not exist`);
    await answerNext(run.id, 'deny');
    await waitRun(rt, run.id, ['completed'], 30_000);
    await expect(access(target)).rejects.toThrow();
    const { events } = await readAgentEvents(rt, `/api/v1/sessions/${id}/events`, (evs) => evs.some((e) => e.type === 'done'));
    expect(events.find((e) => e.type === 'tool_result')).toMatchObject({ tool: 'Write', status: 'failed' });
  });

  it('queues a follow-up behind the running turn and runs it in the same conversation', async () => {
    const id = await newSession();
    const first = await send(id, 'SLOW 4');
    const second = await send(id, 'follow-up question');
    expect(second.status).toBe('queued');
    expect((await rt.json(`/api/v1/sessions/${id}/queue`)).body.runs.map((r: { id: string }) => r.id)).toEqual([second.id]);
    await waitRun(rt, second.id, ['completed'], 30_000);
    expect((await rt.json(`/api/v1/runs/${first.id}`)).body.run.status).toBe('completed');
    const last = fake.requests.filter((r) => userTexts(r).includes('follow-up question')).pop()!;
    expect(userTexts(last)).toContain('SLOW 4');
    const transcript = (await rt.json(`/api/v1/sessions/${id}/messages`)).body.messages;
    expect(transcript.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect(transcript[3].content).toBe('echo: follow-up question');
  });

  it('guides a queued message into the running turn (steering)', async () => {
    const id = await newSession();
    const first = await send(id, 'SLOW 6');
    const queued = await send(id, 'steer me please');
    await waitRun(rt, first.id, ['running']);
    const guided = await rt.json(`/api/v1/runs/${queued.id}/guide`, { method: 'POST' });
    expect(guided).toMatchObject({ status: 200, body: { steered: true, run: { stop_reason: 'steered' } } });
    await waitRun(rt, first.id, ['completed'], 30_000);
    await waitFor(async () => fake.requests.some((r) => userTexts(r).includes('steer me please')), 'the steered prompt to reach the model');
    const after = await send(id, 'after steering');
    await waitRun(rt, after.id, ['completed'], 30_000);
    const transcript = (await rt.json(`/api/v1/sessions/${id}/messages`)).body.messages;
    expect(transcript.map((m: { role: string; content: string }) => [m.role, m.content])).toEqual([
      ['user', 'SLOW 6'],
      ['assistant', 'tick tick tick tick tick tick echo: steer me please'],
      ['user', 'steer me please'],
      ['user', 'after steering'],
      ['assistant', 'echo: after steering'],
    ]);
  });

  it('interrupts a running turn on cancel; the session takes the next message', async () => {
    const id = await newSession();
    const run = await send(id, 'SLOW 40');
    await waitRun(rt, run.id, ['running']);
    await waitFor(async () => fake.requests.some((r) => userTexts(r).includes('SLOW 40')), 'the turn to reach the model');
    const agentSessionId = (await rt.json(`/api/v1/sessions/${id}`)).body.session.agent_session_id as string;
    const cli = await cliProcesses(agentSessionId);
    expect(cli.length).toBeGreaterThan(0);
    await rt.json(`/api/v1/runs/${run.id}/cancel`, { method: 'POST' });
    const cancelled = await waitRun(rt, run.id, ['cancelled']);
    expect(cancelled.stop_reason).toBe('cancelled');
    const next = await send(id, 'after interrupt');
    await waitRun(rt, next.id, ['completed']);
    // The interrupt worked: the same CLI process answered the next message (the fallback for an
    // agent that ignores it kills the process, and the next message would start a new one).
    expect(await cliProcesses(agentSessionId)).toEqual(cli);
  });

  it('after a runtime restart lists the session, fails the in-flight run with runtime_restarted and resumes the conversation', async () => {
    const id = await newSession();
    const first = await send(id, 'remember the word alpaca');
    await waitRun(rt, first.id, ['completed'], 30_000);
    const inflight = await send(id, 'SLOW 40');
    await waitRun(rt, inflight.id, ['running']);
    await rt.close();
    await start();
    const listed = (await rt.json('/api/v1/agent-sessions')).body.sessions;
    expect(listed.some((s: { id: string }) => s.id === id)).toBe(true);
    const failed = (await rt.json(`/api/v1/runs/${inflight.id}`)).body.run;
    expect(failed).toMatchObject({ status: 'failed', stop_reason: 'runtime_restarted', failure: { kind: 'runtime_restarted' } });
    const after = await send(id, 'what was the word?');
    await waitRun(rt, after.id, ['completed'], 30_000);
    const req = fake.requests.filter((r) => userTexts(r).includes('what was the word?')).pop()!;
    expect(userTexts(req)).toContain('remember the word alpaca');
    const { events } = await readAgentEvents(rt, `/api/v1/sessions/${id}/events`, (evs) => evs.some((e) => e.type === 'done' && e.run_id === after.id));

    const seqs = events.map((e) => e.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(events.some((e) => e.run_id === inflight.id && e.type === 'error' && String(e.error).includes('runtime_restarted'))).toBe(true);
  });

  it('fails the run with conversation_lost when the CLI cannot resume, and starts a fresh conversation next', async () => {
    const id = await newSession();
    const agentSessionId = (await rt.json(`/api/v1/sessions/${id}`)).body.session.agent_session_id;
    const first = await send(id, 'hello before');
    await waitRun(rt, first.id, ['completed'], 30_000);
    await rt.close();
    await rm(join(home, '.claude', 'projects'), { recursive: true, force: true });
    await start();
    const lost = await send(id, 'still there?');
    const lostRun = await waitRun(rt, lost.id, ['failed'], 30_000);
    expect(lostRun).toMatchObject({ stop_reason: 'conversation_lost', failure: { summary: expect.stringContaining('No conversation found') } });
    const fresh = await send(id, 'fresh start');
    await waitRun(rt, fresh.id, ['completed'], 30_000);
    expect((await rt.json(`/api/v1/sessions/${id}`)).body.session.agent_session_id).not.toBe(agentSessionId);
  });
});
