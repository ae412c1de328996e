/**
 * Agent sessions and runs. A session is one agent conversation in one workspace (one harness, one
 * agent process while live); a run is one prompt turn. Runs of a session are strictly serial: a
 * message sent while a run is active waits as a `queued` run (or interrupts it on request). Every
 * event goes to the session's JSONL log with a monotonically increasing seq and out on the bus
 * stream `session:<id>` (durable replay from the log); lowdb keeps only session and run metadata.
 * Permission requests put the run in `requires_action` until answered over HTTP or timed out.
 */
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ApiError, badRequest, conflict, notFound } from '../contract/errors.js';
import type { Permission, Run, RunStatus, Session } from '../contract/agents.js';
import type { WireEvent } from '../contract/events.js';
import type { Workspace } from '../contract/workspaces.js';
import type { EventStream } from '../events/bus.js';
import type { RuntimeContext } from '../feature.js';
import { newId } from '../ids.js';
import { JsonlLog } from '../store/jsonl-log.js';
import { AcpHarness } from './acp-harness.js';
import { ClaudeHarness } from './claude-harness.js';
import type { AgentCatalog, ResolvedAgent } from './catalog.js';
import { HarnessError, type McpServerSpec, type Harness, type HarnessEvent, type PermissionAnswer, type PermissionAsk, type TurnUsage } from './harness.js';

type SessionState = Session['state'];

interface StoredSession {
  id: string;
  workspace_id: string;
  agent_name: string;
  provider: string;
  protocol: Session['protocol'];
  state: SessionState;
  stop_reason: string | null;
  stop_detail: string | null;
  failure: { kind: string; summary: string } | null;
  agent_session_id: string | null;
  /** The agent holds a conversation under agent_session_id that a restart can resume. */
  conversation_started: boolean;
  acp_caps: Session['acp_caps'];
  last_error: string | null;
  last_activity_at: string | null;
  created_at: string;
  updated_at: string;
}

interface StoredRun extends Run {
  queue_pos: number;
  permissions: Permission[];
}

interface Section {
  sessions: StoredSession[];
  runs: StoredRun[];
}

interface PendingPermission {
  permission: Permission;
  run: StoredRun;
  resolve(answer: PermissionAnswer): void;
  timer: NodeJS.Timeout;
}

/** In-memory state of a session whose agent may be running. */
interface Live {
  harness?: Harness;
  starting?: Promise<Harness>;
  activeRunId: string | null;
  pumping: boolean;
  currentTool: string | null;
  turnStartedAt: string | null;
}

const RECENT_EVENTS = 500;
const FINAL: RunStatus[] = ['completed', 'failed', 'cancelled'];
export const isFinal = (s: RunStatus) => FINAL.includes(s);

export interface SendOptions {
  behavior?: 'queue' | 'interrupt';
  source?: Run['source'];
  action?: string | null;
}

export class AgentService {
  private readonly section: Section;
  private readonly live = new Map<string, Live>();
  private readonly logs = new Map<string, JsonlLog<WireEvent>>();
  private readonly lastSeq = new Map<string, number>();
  private readonly pending = new Map<string, PendingPermission>();
  /** The last RECENT_EVENTS events of each session written since start, for cheap reconnects. */
  private readonly recent = new Map<string, WireEvent[]>();
  private stopping = false;

  constructor(
    private readonly ctx: RuntimeContext,
    readonly catalog: AgentCatalog,
  ) {
    this.section = ctx.store.section<Section>('agents', () => ({ sessions: [], runs: [] }));
    this.section.sessions ??= [];
    this.section.runs ??= [];
  }

  /** After a restart: find each log's last seq and fail the runs that were in flight. */
  async recover(): Promise<void> {
    for (const s of this.section.sessions) {
      this.lastSeq.set(s.id, await readLastSeq(this.logFile(s.id)));
    }
    const now = new Date().toISOString();
    for (const run of this.section.runs) {
      if (run.status === 'running' || run.status === 'requires_action') {
        run.status = 'failed';
        run.stop_reason = 'runtime_restarted';
        run.failure = { kind: 'runtime_restarted', summary: 'The runtime restarted while this run was in flight' };
        run.ended_at = now;
        for (const p of run.permissions) if (p.status === 'pending') Object.assign(p, { status: 'cancelled', resolved_at: now });
        this.emit(run.session_id, run.id, 'run_status', { status: 'failed', stop_reason: 'runtime_restarted' });
        this.emit(run.session_id, run.id, 'error', { error: 'runtime_restarted: the runtime restarted while this run was in flight' });
        this.emit(run.session_id, run.id, 'done', { status: 'failed', stop_reason: 'runtime_restarted' });
      } else if (run.status === 'queued') {
        run.status = 'cancelled';
        run.stop_reason = 'runtime_restarted';
        run.ended_at = now;
        this.emit(run.session_id, run.id, 'run_status', { status: 'cancelled', stop_reason: 'runtime_restarted' });
      }
    }
    for (const s of this.section.sessions) {
      if (s.state === 'starting' || s.state === 'running' || s.state === 'idle') {
        s.state = 'idle';
        s.stop_reason = null;
      }
    }
    this.ctx.store.touch();
  }

  // ---------------------------------------------------------------- logs and streams

  private logFile(sessionId: string): string {
    return join(this.ctx.dataDir, 'sessions', `${sessionId}.jsonl`);
  }

  private log(sessionId: string): JsonlLog<WireEvent> {
    let log = this.logs.get(sessionId);
    if (!log) this.logs.set(sessionId, (log = new JsonlLog<WireEvent>(this.logFile(sessionId))));
    return log;
  }

  stream(sessionId: string): EventStream {
    return this.ctx.bus.stream(`session:${sessionId}`, {
      backlog: 0,
      startSeq: this.lastSeq.get(sessionId) ?? 0,
      replay: async (after) => {
        // Recent events come from memory; older cursors read the log.
        const recent = this.recent.get(sessionId);
        if (recent?.length && recent[0]!.seq <= after + 1) return recent.filter((e) => e.seq > after);
        return (await this.log(sessionId).readAll()).filter((e) => e.seq > after);
      },
    });
  }

  /** Publish on the session stream and append to its log (the log is the source of replay). */
  private emit(sessionId: string, runId: string | null, type: string, fields: Record<string, unknown> = {}): WireEvent {
    const event = this.stream(sessionId).publish(type, { ...fields, session_id: sessionId, run_id: runId });
    this.lastSeq.set(sessionId, event.seq);
    let recent = this.recent.get(sessionId);
    if (!recent) this.recent.set(sessionId, (recent = []));
    recent.push(event);
    if (recent.length > RECENT_EVENTS) recent.splice(0, recent.length - RECENT_EVENTS);
    void this.log(sessionId).append(event).catch((error: Error) => this.ctx.log(`session log ${sessionId}: ${error.message}`));
    return event;
  }

  async events(sessionId: string): Promise<WireEvent[]> {
    this.getStored(sessionId);
    return this.log(sessionId).readAll();
  }

  // ---------------------------------------------------------------- views

  private getStored(id: string): StoredSession {
    const s = this.section.sessions.find((x) => x.id === id);
    if (!s) throw notFound('session_not_found', `No agent session with id "${id}"`);
    return s;
  }

  private getRunStored(id: string): StoredRun {
    const r = this.section.runs.find((x) => x.id === id);
    if (!r) throw notFound('run_not_found', `No run with id "${id}"`);
    return r;
  }

  private queued(sessionId: string): StoredRun[] {
    return this.section.runs.filter((r) => r.session_id === sessionId && r.status === 'queued').sort((a, b) => a.queue_pos - b.queue_pos);
  }

  viewRun(run: StoredRun): Run {
    const { queue_pos: _q, permissions: _p, ...rest } = run;
    return rest;
  }

  view(s: StoredSession): Session {
    const live = this.live.get(s.id);
    const now = Date.now();
    const last = s.last_activity_at;
    const active = live?.activeRunId ? this.section.runs.find((r) => r.id === live.activeRunId) : undefined;
    const secondsSince = (t: string | null) => (t ? Math.max(0, Math.round((now - Date.parse(t)) / 1000)) : null);
    return {
      id: s.id,
      workspace_id: s.workspace_id,
      agent_name: s.agent_name,
      provider: s.provider,
      protocol: s.protocol,
      state: s.state,
      stop_reason: s.stop_reason,
      stop_detail: s.stop_detail,
      failure: s.failure,
      agent_session_id: s.agent_session_id,
      acp_caps: s.acp_caps,
      activity: {
        current_tool: live?.currentTool ?? null,
        turn_id: active?.id ?? null,
        turn_started_at: live?.turnStartedAt ?? null,
        last_activity_at: last,
        elapsed_seconds: live?.turnStartedAt ? secondsSince(live.turnStartedAt) : null,
        idle_seconds: active ? null : secondsSince(last),
      },
      health: {
        health: s.state === 'failed' ? 'down' : s.last_error ? 'degraded' : 'ok',
        state: s.state,
        active_prompt: active?.prompt.slice(0, 500) ?? null,
        last_error: s.last_error,
        last_activity_at: last,
      },
      active_run_id: live?.activeRunId ?? null,
      queued_runs: this.queued(s.id).length,
      last_seq: this.lastSeq.get(s.id) ?? 0,
      created_at: s.created_at,
      updated_at: s.updated_at,
    };
  }

  list(workspaceId?: string): Session[] {
    return this.section.sessions
      .filter((s) => !workspaceId || s.workspace_id === workspaceId)
      .sort((a, b) => b.created_at.localeCompare(a.created_at))
      .map((s) => this.view(s));
  }

  get(id: string): Session {
    return this.view(this.getStored(id));
  }

  getRun(id: string): Run {
    return this.viewRun(this.getRunStored(id));
  }

  queue(sessionId: string): Run[] {
    this.getStored(sessionId);
    return this.queued(sessionId).map((r) => this.viewRun(r));
  }

  permissions(runId: string): Permission[] {
    return this.getRunStored(runId).permissions;
  }

  liveCount(): number {
    let n = 0;
    for (const live of this.live.values()) if (live.harness?.alive) n += 1;
    return n;
  }

  /** The transcript: each run's prompt and the assistant's reply, built from the log. */
  async transcript(sessionId: string) {
    const events = await this.events(sessionId);
    const runs = this.section.runs.filter((r) => r.session_id === sessionId && r.status !== 'queued').sort((a, b) => a.created_at.localeCompare(b.created_at));
    const byRun = new Map<string, WireEvent[]>();
    for (const e of events) if (typeof e.run_id === 'string') (byRun.get(e.run_id) ?? byRun.set(e.run_id, []).get(e.run_id)!).push(e);
    const messages = [];
    for (const run of runs) {
      messages.push({ role: 'user' as const, run_id: run.id, content: run.prompt, tools: [], status: run.status, ts: run.created_at });
      const evs = byRun.get(run.id) ?? [];
      const tools = new Map<string, { tool_call_id: string | null; tool: string; input: unknown; output: unknown; status: string | null }>();
      let text = '';
      let thinking = '';
      for (const e of evs) {
        if (e.type === 'text') text += String(e.content ?? '');
        else if (e.type === 'thinking') thinking += String(e.content ?? '');
        else if (e.type === 'tool_use') tools.set(String(e.tool_call_id ?? tools.size), { tool_call_id: (e.tool_call_id as string) ?? null, tool: String(e.tool), input: e.input, output: null, status: (e.status as string) ?? null });
        else if (e.type === 'tool_result') {
          const t = tools.get(String(e.tool_call_id));
          if (t) Object.assign(t, { output: e.output, status: e.status ?? null });
        }
      }
      if (text || thinking || tools.size) messages.push({ role: 'assistant' as const, run_id: run.id, content: text, ...(thinking ? { thinking } : {}), tools: [...tools.values()], status: run.status, ts: run.started_at ?? run.created_at });
    }
    return messages;
  }

  // ---------------------------------------------------------------- sessions

  async create(input: { workspace_id?: string; agent?: string }): Promise<Session> {
    const workspace = await this.ctx.services.workspaces.resolveOptional(input.workspace_id);
    this.ctx.services.workspaces.requireTrusted(workspace);
    const name = input.agent ?? workspace.default_agent ?? this.ctx.config().default_agent ?? 'claude';
    const agent = await this.catalog.find(name);
    if (!agent) {
      const names = (await this.catalog.list()).map((a) => a.name);
      throw badRequest('agent_not_found', `No agent named "${name}"; known agents: ${names.join(', ')}`, { agents: names });
    }
    if (!agent.available) throw new ApiError(409, 'agent_unavailable', `Agent "${name}" cannot run here: ${agent.unavailable_reason}`);
    const now = new Date().toISOString();
    const session: StoredSession = {
      id: newId('session'),
      workspace_id: workspace.id,
      agent_name: agent.name,
      provider: agent.provider,
      protocol: agent.protocol,
      state: 'starting',
      stop_reason: null,
      stop_detail: null,
      failure: null,
      agent_session_id: agent.protocol === 'claude-code' ? randomUUID() : null,
      conversation_started: false,
      acp_caps: { supported_models: [], supported_modes: [], supports_load_session: false },
      last_error: null,
      last_activity_at: now,
      created_at: now,
      updated_at: now,
    };
    this.section.sessions.push(session);
    this.ctx.store.touch();
    this.lastSeq.set(session.id, 0);
    this.live.set(session.id, { activeRunId: null, pumping: false, currentTool: null, turnStartedAt: null });
    this.publishStatus(session, null);
    // Start the agent now so its capabilities are known; a failure is recorded on the session.
    void this.ensureHarness(session).then(
      () => this.pump(session.id),
      () => undefined,
    );
    await this.ctx.store.flush(); // acknowledged means on disk
    return this.view(session);
  }

  async remove(id: string): Promise<Session> {
    const s = this.getStored(id);
    for (const run of this.queued(id)) this.finishRun(s, run, 'cancelled', 'session_stopped');
    const live = this.live.get(id);
    if (live?.activeRunId) {
      const run = this.section.runs.find((r) => r.id === live.activeRunId);
      if (run && !isFinal(run.status)) {
        this.cancelPermissions(run);
        this.finishRun(s, run, 'cancelled', 'session_stopped');
      }
      live.activeRunId = null;
    }
    await this.stopHarness(id);
    this.setState(s, 'stopped', { stop_reason: 'deleted', stop_detail: 'Stopped with DELETE; the transcript is kept' });
    await this.ctx.store.flush();
    return this.view(s);
  }

  private setState(s: StoredSession, state: SessionState, extra: Partial<StoredSession> = {}): void {
    const changed = s.state !== state;
    Object.assign(s, extra, { state, updated_at: new Date().toISOString() });
    this.ctx.store.touch();
    if (changed) this.publishStatus(s, null);
  }

  private publishStatus(s: StoredSession, run: StoredRun | null): void {
    this.ctx.bus.publishWorkspace(s.workspace_id, 'session_status', { session_id: s.id, state: s.state, run_id: run?.id ?? null, run_status: run?.status ?? null });
  }

  private async workspaceOf(s: StoredSession): Promise<Workspace> {
    return this.ctx.services.workspaces.get(s.workspace_id);
  }

  private ensureHarness(s: StoredSession): Promise<Harness> {
    const live = this.liveOf(s.id);
    if (live.harness?.alive) return Promise.resolve(live.harness);
    if (live.starting) return live.starting;
    live.starting = (async () => {
      this.setState(s, 'starting', { stop_reason: null, stop_detail: null });
      const agent = await this.catalog.find(s.agent_name);
      if (!agent?.available) throw new HarnessError('agent_unavailable', `Agent "${s.agent_name}" cannot run here: ${agent?.unavailable_reason ?? 'it is no longer configured'}`);
      const workspace = await this.workspaceOf(s);
      const harness = this.makeHarness(s, agent, workspace, mergeMcp((await this.ctx.services.settings?.mcpServersFor(workspace.root_dir)) ?? [], agent));
      try {
        // An agent that never answers its handshake fails the start instead of hanging the session.
        // Starting launches a CLI: allow at least 10 s even when the silence limit is shorter.
        const startLimitMs = Math.min(Math.max(agent.silence_timeout_s, 10), 60) * 1000;
        let startTimer: NodeJS.Timeout | undefined;
        const started = await Promise.race([
          harness.start(),
          new Promise<never>((_, reject) => {
            startTimer = setTimeout(() => reject(new HarnessError('agent_start_timeout', `The agent did not finish starting within ${startLimitMs / 1000} s`)), startLimitMs);
          }),
        ]).finally(() => clearTimeout(startTimer));
        Object.assign(s, { agent_session_id: started.agent_session_id ?? s.agent_session_id, acp_caps: started.acp_caps, failure: null, last_error: null });
        if (s.protocol === 'acp' && started.agent_session_id) s.conversation_started = true;
        live.harness = harness;
        this.setState(s, live.activeRunId ? 'running' : 'idle');
        return harness;
      } catch (error) {
        await harness.stop().catch(() => undefined);
        throw error;
      }
    })();
    live.starting.then(
      () => (live.starting = undefined),
      (error: Error) => {
        live.starting = undefined;
        const kind = error instanceof HarnessError ? error.kind : 'agent_start_failed';
        this.setState(s, 'failed', { failure: { kind, summary: error.message }, last_error: error.message, stop_reason: kind });
      },
    );
    return live.starting;
  }

  private makeHarness(s: StoredSession, agent: ResolvedAgent, workspace: Workspace, mcpServers: McpServerSpec[]): Harness {
    const host = {
      emit: (e: HarnessEvent) => this.onHarnessEvent(s, e),
      askPermission: (ask: PermissionAsk) => this.askPermission(s, ask),
      exited: (detail: string) => {
        const live = this.live.get(s.id);
        if (live) live.harness = undefined;
        if (s.state !== 'stopped') this.setState(s, 'failed', { failure: { kind: 'agent_exited', summary: detail }, last_error: detail, stop_reason: 'agent_exited' });
      },
      conversationStarted: (id: string) => {
        if (!s.conversation_started || s.agent_session_id !== id) {
          Object.assign(s, { conversation_started: true, agent_session_id: id });
          this.ctx.store.touch();
        }
      },
    };
    // The runtime's own token never reaches an agent.
    const { WORKSPACE_RUNTIME_TOKEN: _token, ...inherited } = process.env;
    const env = { ...inherited, ...agent.env };
    const options = { agent, workspace, host, agentSessionId: s.agent_session_id, resume: s.conversation_started, mcpServers, env, owner: (label: string) => this.ctx.processes.owner(`${label}:${s.id}`) };
    return agent.protocol === 'claude-code' ? new ClaudeHarness(options) : new AcpHarness(options);
  }

  private async stopHarness(id: string): Promise<void> {
    const live = this.live.get(id);
    if (!live) return;
    const harness = live.harness ?? (await live.starting?.catch(() => undefined));
    live.harness = undefined;
    await harness?.stop();
  }

  private liveOf(id: string): Live {
    let live = this.live.get(id);
    if (!live) this.live.set(id, (live = { activeRunId: null, pumping: false, currentTool: null, turnStartedAt: null }));
    return live;
  }

  // ---------------------------------------------------------------- runs

  async send(sessionId: string, content: string, options: SendOptions = {}): Promise<Run> {
    const s = this.getStored(sessionId);
    if (s.state === 'stopped') throw conflict('session_stopped', `Session ${s.id} was stopped; start a new session`);
    this.ctx.services.workspaces.requireTrusted(await this.workspaceOf(s));
    const live = this.liveOf(s.id);
    const queue = this.queued(s.id);
    const interrupt = options.behavior === 'interrupt';
    const now = new Date().toISOString();
    const run: StoredRun = {
      id: newId('run'),
      session_id: s.id,
      workspace_id: s.workspace_id,
      status: 'queued',
      prompt: content,
      source: options.source ?? 'message',
      action: options.action ?? null,
      stop_reason: null,
      failure: null,
      usage: null,
      created_at: now,
      started_at: null,
      ended_at: null,
      queue_pos: interrupt ? (queue[0]?.queue_pos ?? 0) - 1 : (queue[queue.length - 1]?.queue_pos ?? 0) + 1,
      permissions: [],
    };
    this.section.runs.push(run);
    this.ctx.store.touch();
    this.emit(s.id, run.id, 'run_status', { status: 'queued', prompt: content });
    if (interrupt && live.activeRunId) await this.cancel(live.activeRunId);
    void this.pump(s.id);
    await this.ctx.store.flush(); // acknowledged means on disk
    return this.viewRun(run);
  }

  /** Start the next queued run when none is active. */
  private async pump(sessionId: string): Promise<void> {
    const live = this.liveOf(sessionId);
    if (live.pumping || live.activeRunId || this.stopping) return;
    const s = this.section.sessions.find((x) => x.id === sessionId);
    if (!s || s.state === 'stopped') return;
    const run = this.queued(sessionId)[0];
    if (!run) return;
    live.pumping = true;
    live.activeRunId = run.id;
    this.setRunStatus(s, run, 'running');
    run.started_at = new Date().toISOString();
    s.last_activity_at = run.started_at;
    live.turnStartedAt = run.started_at;
    live.pumping = false;
    this.emit(s.id, run.id, 'user', { content: run.prompt });
    let harness: Harness;
    try {
      harness = await this.ensureHarness(s);
    } catch (error) {
      const e = error as Error;
      this.finishRun(s, run, 'failed', error instanceof HarnessError ? error.kind : 'agent_start_failed', e.message);
      return this.afterRun(s);
    }
    if (isFinal(run.status)) {
      // Cancelled while the agent started.
      this.finishRun(s, run, 'cancelled', 'cancelled');
      return this.afterRun(s);
    }
    this.setState(s, 'running');
    try {
      const result = await this.watchSilence(s, run, harness, harness.prompt(run.prompt));
      if (this.stopping || live.activeRunId !== run.id) return; // shutdown (the next start records runtime_restarted) or DELETE
      const cancelled = result.stop_reason === 'cancelled' || run.status === 'cancelled';
      if (result.usage) run.usage = cleanUsage(result.usage);
      this.finishRun(s, run, cancelled ? 'cancelled' : 'completed', result.stop_reason);
    } catch (error) {
      // Shutdown, or the session was stopped under the run (DELETE): nothing more to record.
      if (this.stopping || live.activeRunId !== run.id) return;
      const e = error as Error;
      const kind = error instanceof HarnessError ? error.kind : 'agent_error';
      if (run.status === 'cancelled') this.finishRun(s, run, 'cancelled', 'cancelled');
      else this.finishRun(s, run, 'failed', kind, e.message);
      if (kind === 'conversation_lost') {
        // The agent cannot resume its conversation: the next message starts a fresh one.
        Object.assign(s, { conversation_started: false, agent_session_id: s.protocol === 'claude-code' ? randomUUID() : null });
        live.harness = undefined;
        void harness.stop();
      }
      if (!harness.alive || kind === 'agent_hung') {
        live.harness = undefined;
        if (kind === 'agent_crashed' || kind === 'agent_error' || kind === 'agent_hung') this.setState(s, 'failed', { failure: { kind, summary: e.message }, last_error: e.message, stop_reason: kind });
      }
    }
    this.afterRun(s);
  }

  /**
   * A hung agent: no output for the agent's silence_timeout_s while the run is not waiting on a
   * permission answer. The turn fails with agent_hung and the process is stopped; the next message
   * starts it again (resuming the conversation where the agent can).
   */
  private async watchSilence<T>(s: StoredSession, run: StoredRun, harness: Harness, turn: Promise<T>): Promise<T> {
    turn.catch(() => undefined); // handled by the race below; never an unhandled rejection meanwhile
    const agent = await this.catalog.find(s.agent_name);
    const limitMs = (agent?.silence_timeout_s ?? 600) * 1000;
    let timer: NodeJS.Timeout | undefined;
    const hung = new Promise<never>((_, reject) => {
      const check = () => {
        const last = Date.parse(s.last_activity_at ?? run.started_at ?? new Date().toISOString());
        const waiting = run.status === 'requires_action';
        if (!waiting && Date.now() - last >= limitMs) {
          void harness.stop();
          reject(new HarnessError('agent_hung', `The agent said nothing for ${limitMs / 1000} s; it was stopped`));
          return;
        }
        timer = setTimeout(check, Math.min(1000, limitMs / 4));
      };
      timer = setTimeout(check, Math.min(1000, limitMs / 4));
    });
    try {
      return await Promise.race([turn, hung]);
    } finally {
      clearTimeout(timer);
    }
  }

  private afterRun(s: StoredSession): void {
    const live = this.liveOf(s.id);
    live.activeRunId = null;
    live.currentTool = null;
    live.turnStartedAt = null;
    if (s.state === 'running') this.setState(s, live.harness?.alive ? 'idle' : 'failed');
    void this.pump(s.id);
  }

  private setRunStatus(s: StoredSession, run: StoredRun, status: RunStatus, extra: Record<string, unknown> = {}): void {
    if (run.status === status) return;
    run.status = status;
    this.ctx.store.touch();
    this.emit(s.id, run.id, 'run_status', { status, ...extra });
    this.publishStatus(s, run);
  }

  private finishRun(s: StoredSession, run: StoredRun, status: 'completed' | 'failed' | 'cancelled', stopReason: string, error?: string): void {
    if (isFinal(run.status) && run.ended_at) return;
    run.stop_reason = stopReason;
    run.ended_at = new Date().toISOString();
    if (status === 'failed') run.failure = { kind: stopReason, summary: error ?? stopReason };
    this.ctx.store.touch();
    this.setRunStatus(s, run, status, { stop_reason: stopReason });
    if (status === 'failed') this.emit(s.id, run.id, 'error', { error: `${stopReason}: ${error ?? ''}`.trim() });
    this.emit(s.id, run.id, 'done', { status, stop_reason: stopReason, ...(run.usage ? { usage: run.usage } : {}) });
    s.last_activity_at = run.ended_at;
  }

  async cancel(runId: string): Promise<Run> {
    const run = this.getRunStored(runId);
    const s = this.getStored(run.session_id);
    if (isFinal(run.status)) throw conflict('run_finished', `Run ${run.id} already ended (${run.status})`);
    if (run.status === 'queued') {
      this.finishRun(s, run, 'cancelled', 'cancelled');
      await this.ctx.store.flush();
      return this.viewRun(run);
    }
    run.status = 'cancelled';
    run.stop_reason = 'cancelled';
    this.cancelPermissions(run);
    const live = this.liveOf(s.id);
    const harness = live.harness;
    const wait = new Promise<void>((resolve) => {
      const check = () => (live.activeRunId !== run.id ? resolve() : setTimeout(check, 20));
      check();
    });
    // Emit the status now; finishRun (on the prompt's end) writes the rest.
    this.emit(s.id, run.id, 'run_status', { status: 'cancelled', stop_reason: 'cancelled' });
    this.publishStatus(s, run);
    await harness?.cancel();
    await Promise.race([wait, new Promise((r) => setTimeout(r, 8000))]);
    await this.ctx.store.flush();
    return this.viewRun(run);
  }

  async dequeue(sessionId: string, runId: string): Promise<Run> {
    const run = this.getRunStored(runId);
    if (run.session_id !== sessionId) throw notFound('run_not_found', `Run ${runId} is not in session ${sessionId}`);
    if (run.status !== 'queued') throw conflict('run_not_queued', `Run ${runId} is ${run.status}, not queued`);
    return this.cancel(runId);
  }

  async guide(runId: string): Promise<{ run: Run; steered: boolean }> {
    const run = this.getRunStored(runId);
    const s = this.getStored(run.session_id);
    if (run.status !== 'queued') throw conflict('run_not_queued', `Only a queued run can be promoted; run ${runId} is ${run.status}`);
    const live = this.liveOf(s.id);
    if (live.harness?.steer && live.activeRunId && live.harness.steer(run.prompt)) {
      run.status = 'completed';
      run.stop_reason = 'steered';
      run.ended_at = new Date().toISOString();
      this.emit(s.id, run.id, 'run_status', { status: 'completed', stop_reason: 'steered', steered_into: live.activeRunId });
      this.emit(s.id, live.activeRunId, 'user', { content: run.prompt, steered_from: run.id });
      this.ctx.store.touch();
      await this.ctx.store.flush();
      return { run: this.viewRun(run), steered: true };
    }
    const first = this.queued(s.id)[0];
    if (first && first.id !== run.id) run.queue_pos = first.queue_pos - 1;
    this.ctx.store.touch();
    this.emit(s.id, run.id, 'run_status', { status: 'queued', promoted: true });
    await this.ctx.store.flush();
    return { run: this.viewRun(run), steered: false };
  }

  // ---------------------------------------------------------------- events from the harness

  private onHarnessEvent(s: StoredSession, e: HarnessEvent): void {
    const live = this.liveOf(s.id);
    if (e.type === 'tool_use') live.currentTool = e.tool ?? null;
    else if (e.type === 'tool_result') live.currentTool = null;
    s.last_activity_at = new Date().toISOString();
    this.emit(s.id, live.activeRunId, e.type, e);
  }

  // ---------------------------------------------------------------- permissions

  private askPermission(s: StoredSession, ask: PermissionAsk): Promise<PermissionAnswer> {
    const live = this.liveOf(s.id);
    const run = live.activeRunId ? this.section.runs.find((r) => r.id === live.activeRunId) : undefined;
    if (!run || isFinal(run.status)) return Promise.resolve({ outcome: 'cancelled', option_id: null });
    const permission: Permission = {
      id: newId('permission'),
      run_id: run.id,
      session_id: s.id,
      tool: ask.tool,
      tool_call_id: ask.tool_call_id,
      input: ask.input,
      options: ask.options,
      status: 'pending',
      option_id: null,
      created_at: new Date().toISOString(),
      resolved_at: null,
    };
    run.permissions.push(permission);
    this.setRunStatus(s, run, 'requires_action');
    this.emit(s.id, run.id, 'permission_request', { request_id: permission.id, tool: ask.tool, tool_call_id: ask.tool_call_id ?? undefined, input: ask.input, options: ask.options });
    return new Promise<PermissionAnswer>((resolve) => {
      const timeoutMs = this.ctx.config().permission_timeout_s * 1000;
      const timer = setTimeout(() => {
        // Unanswered: deny when the agent offers a reject option, else cancel the tool call.
        const reject = ask.options.find((o) => o.kind === 'reject_once') ?? ask.options.find((o) => o.kind === 'reject_always');
        this.settlePermission(permission.id, 'timed_out', reject?.option_id ?? null);
      }, timeoutMs);
      timer.unref();
      this.pending.set(permission.id, { permission, run, resolve, timer });
    });
  }

  private settlePermission(id: string, status: 'resolved' | 'timed_out' | 'cancelled', optionId: string | null): Permission {
    const p = this.pending.get(id);
    if (!p) throw new Error('not pending');
    this.pending.delete(id);
    clearTimeout(p.timer);
    Object.assign(p.permission, { status, option_id: optionId, resolved_at: new Date().toISOString() });
    const s = this.getStored(p.run.session_id);
    s.last_activity_at = p.permission.resolved_at;
    this.emit(s.id, p.run.id, 'permission_resolved', { request_id: id, outcome: status, option_id: optionId });
    if (p.run.status === 'requires_action' && !p.run.permissions.some((x) => x.status === 'pending')) this.setRunStatus(s, p.run, 'running');
    this.ctx.store.touch();
    p.resolve(optionId && status !== 'cancelled' ? { outcome: 'selected', option_id: optionId } : { outcome: 'cancelled', option_id: null });
    return p.permission;
  }

  answerPermission(runId: string, requestId: string, optionId: string): Permission {
    const run = this.getRunStored(runId);
    const permission = run.permissions.find((p) => p.id === requestId);
    if (!permission) throw notFound('permission_not_found', `Run ${runId} has no permission request "${requestId}"`);
    if (permission.status !== 'pending' || !this.pending.has(requestId)) {
      throw conflict('permission_already_resolved', `Permission request ${requestId} was already ${permission.status === 'pending' ? 'closed' : permission.status}${permission.option_id ? ` (${permission.option_id})` : ''}`);
    }
    if (!permission.options.some((o) => o.option_id === optionId)) {
      throw badRequest('invalid_option', `"${optionId}" is not an option of this request; choose one of: ${permission.options.map((o) => o.option_id).join(', ')}`);
    }
    return this.settlePermission(requestId, 'resolved', optionId);
  }

  private cancelPermissions(run: StoredRun): void {
    for (const p of run.permissions) if (p.status === 'pending' && this.pending.has(p.id)) this.settlePermission(p.id, 'cancelled', null);
  }

  // ---------------------------------------------------------------- lifecycle

  async onWorkspaceRemoved(workspaceId: string): Promise<void> {
    for (const s of this.section.sessions.filter((x) => x.workspace_id === workspaceId && x.state !== 'stopped')) await this.remove(s.id);
  }

  /** Runtime shutdown: end agent processes; runs in flight are failed on the next start. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const p of this.pending.values()) clearTimeout(p.timer);
    await Promise.all([...this.live.keys()].map((id) => this.stopHarness(id).catch(() => undefined)));
    await Promise.all([...this.logs.values()].map((log) => log.close().catch(() => undefined)));
  }
}

/** Settings' MCP servers plus the agent definition's own (which win by name); secret_env names pass values from the runtime's environment. */
function mergeMcp(fromSettings: McpServerSpec[], agent: ResolvedAgent): McpServerSpec[] {
  const byName = new Map(fromSettings.map((s) => [s.name, s]));
  for (const m of agent.mcp_servers) {
    const secrets = Object.fromEntries((m.secret_env ?? []).filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]!]));
    byName.set(m.name, { name: m.name, transport: m.transport, command: m.command, args: m.args ?? [], env: { ...(m.env ?? {}), ...secrets }, url: m.url, headers: {} });
  }
  return [...byName.values()];
}

function cleanUsage(u: TurnUsage): Run['usage'] {
  return Object.fromEntries(Object.entries(u).filter(([, v]) => typeof v === 'number')) as Run['usage'];
}

async function readLastSeq(file: string): Promise<number> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return 0;
  }
  const lines = text.split('\n');
  for (let i = lines.length - 1; i >= 0; i -= 1) {
    const line = lines[i];
    if (!line) continue;
    try {
      const seq = (JSON.parse(line) as { seq?: unknown }).seq;
      if (typeof seq === 'number') return seq;
    } catch {
      // a torn last line
    }
  }
  return 0;
}
