/**
 * ACP harness: runs an Agent Client Protocol agent as a child process over stdio with the SDK 2.x
 * client (`acp.client()…connect(ndJsonStream(…))`). Initializes with fs and terminal capabilities
 * confined to the workspace, opens (or loads/resumes) the agent session with the workspace's MCP
 * servers, maps session/update notifications to our events and surfaces request_permission.
 */
import { readFile } from 'node:fs/promises';
import { Readable, Writable } from 'node:stream';
import * as acp from '@agentclientprotocol/sdk';
import { ApiError } from '../contract/errors.js';
import { writeFileConfined } from '../platform/confined-fs.js';
import { guardAbsolutePath } from '../platform/path-guard.js';
import { startGroup, startShellGroup, type ChildProcess, type ProcessGroup } from '../platform/process.js';
import { VERSION } from '../version.js';
import { HarnessError, TailBuffer, type Harness, type HarnessOptions, type StartResult, type TurnResult, type McpServerSpec, type PermissionAsk } from './harness.js';

type SessionUpdate = acp.SessionNotification['update'];

function toAcpMcp(servers: McpServerSpec[]): acp.McpServer[] {
  return servers.map((s): acp.McpServer => {
    if (s.transport === 'http' || s.transport === 'sse') {
      return { type: s.transport, name: s.name, url: s.url ?? '', headers: Object.entries(s.headers ?? {}).map(([name, value]) => ({ name, value })) };
    }
    return { name: s.name, command: s.command ?? '', args: s.args ?? [], env: Object.entries(s.env ?? {}).map(([name, value]) => ({ name, value })) };
  });
}

function parseSessionUpdate(params: unknown): acp.SessionNotification {
  const p = params as acp.SessionNotification | null;
  if (!p || typeof p !== 'object' || typeof p.sessionId !== 'string' || typeof p.update?.sessionUpdate !== 'string') {
    throw acp.RequestError.invalidParams(undefined, 'session/update needs sessionId and update.sessionUpdate');
  }
  return p;
}

function contentText(content: unknown): string | undefined {
  if (!content || typeof content !== 'object') return undefined;
  const c = content as { type?: string; text?: string; uri?: string };
  if (c.type === 'text') return c.text;
  if (c.type === 'resource_link') return c.uri;
  return undefined;
}

function toolContentText(content: acp.ToolCallContent[] | null | undefined): string | undefined {
  if (!content?.length) return undefined;
  const parts = content.map((c) => (c.type === 'content' ? (contentText(c.content) ?? '') : c.type === 'diff' ? `diff ${c.path}` : `terminal ${c.terminalId}`));
  return parts.join('\n');
}

interface Terminal {
  group: ProcessGroup;
  output: string;
  truncated: boolean;
  limit: number;
  exit: Promise<{ exitCode: number | null; signal: string | null }>;
}

export class AcpHarness implements Harness {
  private child?: ChildProcess;
  private group?: ProcessGroup;
  private connection?: acp.ClientConnection;
  private sessionId: string | null = null;
  private readonly stderr = new TailBuffer();
  private exitInfo: string | null = null;
  private exitWaiters = new Set<(detail: string) => void>();
  private inPrompt = false;
  private replaying = false;
  private stopping = false;
  private readonly toolTitles = new Map<string, string>();
  private readonly terminals = new Map<string, Terminal>();
  private terminalSeq = 0;

  constructor(private readonly options: HarnessOptions) {}

  get alive(): boolean {
    return !!this.child && this.exitInfo === null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  private roots(): string[] {
    return [this.options.workspace.root_dir, ...this.options.workspace.add_dirs];
  }

  /** Paths the agent reads/writes must sit inside the workspace (or its add_dirs), also after following symlinks. */
  private async confine(path: string): Promise<string> {
    try {
      return (await guardAbsolutePath(this.roots(), path)).real;
    } catch (error) {
      if (error instanceof ApiError) throw acp.RequestError.invalidParams(undefined, error.message);
      throw error;
    }
  }

  async start(): Promise<StartResult> {
    const { agent, workspace } = this.options;
    if (!agent.command) throw new HarnessError('agent_unavailable', `Agent "${agent.name}" has no command`);
    // Its own process group: stopping the agent also ends the tools and MCP servers it started.
    const group = startGroup(agent.command, agent.args, { owner: this.options.owner('agent'), cwd: workspace.root_dir, env: this.options.env, extendEnv: false, stdin: 'pipe' });
    const child = group.child;
    this.child = child;
    this.group = group;
    child.stderr?.on('data', (d: Buffer) => this.stderr.push(d));
    // Writing to an agent that just died raises EPIPE on stdin; its exit is handled below.
    child.stdin?.on('error', () => undefined);
    const spawned = new Promise<void>((resolveSpawn, reject) => {
      child.once('spawn', () => resolveSpawn());
      child.once('error', (error) => reject(new HarnessError('agent_spawn_failed', `Could not start ${agent.command}: ${error.message}`)));
    });
    child.on('exit', (code, signal) => {
      const tail = this.stderr.toString();
      this.exitInfo = `agent process exited (${signal ? `signal ${signal}` : `code ${code}`})${tail ? `: ${tail.slice(-500)}` : ''}`;
      for (const waiter of this.exitWaiters) waiter(this.exitInfo);
      this.exitWaiters.clear();
      // What the agent left running (its terminals, a background tool) does not outlive it.
      void group.terminate();
      for (const t of this.terminals.values()) void t.group.terminate();
      if (!this.inPrompt && !this.stopping) this.options.host.exited(this.exitInfo);
    });
    await spawned;

    const app = acp
      .client({ name: 'workspace-runtime' })
      // session/update is the hot path (thousands a second): a shape check instead of the SDK's
      // full schema parse; onUpdate reads every field defensively.
      .onNotification(acp.methods.client.session.update, parseSessionUpdate, ({ params }) => {
        if (!this.replaying) this.onUpdate(params.update);
      })
      .onRequest(acp.methods.client.session.requestPermission, async ({ params }) => this.onPermission(params))
      .onRequest(acp.methods.client.fs.readTextFile, async ({ params }) => {
        const text = await readFile(await this.confine(params.path), 'utf8');
        if (!params.line && !params.limit) return { content: text };
        const lines = text.split('\n');
        const start = Math.max(0, (params.line ?? 1) - 1);
        return { content: lines.slice(start, params.limit ? start + params.limit : undefined).join('\n') };
      })
      .onRequest(acp.methods.client.fs.writeTextFile, async ({ params }) => {
        // Confined through a verified folder handle: a symlink swapped in meanwhile cannot redirect it.
        await writeFileConfined(this.roots(), await this.confine(params.path), params.content, { what: "The agent's file" });
        return {};
      })
      .onRequest(acp.methods.client.terminal.create, async ({ params }) => this.createTerminal(params, await this.confine(params.cwd ?? this.options.workspace.root_dir)))
      .onRequest(acp.methods.client.terminal.output, async ({ params }) => {
        const t = this.terminal(params.terminalId);
        const exit = await Promise.race([t.exit, Promise.resolve(null)]);
        return { output: t.output, truncated: t.truncated, exitStatus: exit ?? undefined };
      })
      .onRequest(acp.methods.client.terminal.waitForExit, async ({ params }) => this.terminal(params.terminalId).exit)
      .onRequest(acp.methods.client.terminal.kill, async ({ params }) => {
        await this.terminal(params.terminalId).group.terminate();
        return {};
      })
      .onRequest(acp.methods.client.terminal.release, async ({ params }) => {
        const t = this.terminals.get(params.terminalId);
        this.terminals.delete(params.terminalId);
        await t?.group.terminate();
        return {};
      });

    const stream = acp.ndJsonStream(Writable.toWeb(child.stdin!) as WritableStream<Uint8Array>, Readable.toWeb(child.stdout!) as ReadableStream<Uint8Array>);
    this.connection = app.connect(stream);
    const agentCtx = this.connection.agent;

    const init = await this.guard(
      agentCtx.request(acp.methods.agent.initialize, {
        protocolVersion: acp.PROTOCOL_VERSION,
        clientCapabilities: { fs: { readTextFile: true, writeTextFile: true }, terminal: true },
        clientInfo: { name: 'workspace-runtime', version: VERSION },
      }),
      'initialize',
    );
    const caps = init.agentCapabilities ?? {};
    const mcpServers = toAcpMcp(this.options.mcpServers);
    const cwd = workspace.root_dir;
    const additionalDirectories = workspace.add_dirs.length ? workspace.add_dirs : undefined;
    let resumed = false;
    let modes: acp.SessionModeState | null | undefined;
    const resumeId = this.options.resume ? this.options.agentSessionId : null;
    if (resumeId && caps.loadSession) {
      this.replaying = true;
      try {
        const loaded = await this.guard(agentCtx.request(acp.methods.agent.session.load, { sessionId: resumeId, cwd, mcpServers, additionalDirectories }), 'session/load');
        modes = loaded?.modes;
        this.sessionId = resumeId;
        resumed = true;
      } catch (error) {
        if (error instanceof HarnessError) throw error;
      } finally {
        this.replaying = false;
      }
    } else if (resumeId && caps.sessionCapabilities?.resume) {
      try {
        const r = await this.guard(agentCtx.request(acp.methods.agent.session.resume, { sessionId: resumeId, cwd, mcpServers, additionalDirectories }), 'session/resume');
        modes = r.modes;
        this.sessionId = resumeId;
        resumed = true;
      } catch (error) {
        if (error instanceof HarnessError) throw error;
      }
    }
    if (!this.sessionId) {
      const created = await this.guard(agentCtx.request(acp.methods.agent.session.new, { cwd, mcpServers, additionalDirectories }), 'session/new');
      this.sessionId = created.sessionId;
      modes = created.modes;
    }
    return {
      agent_session_id: this.sessionId,
      resumed,
      acp_caps: {
        supported_models: [],
        supported_modes: modes?.availableModes.map((m) => m.id) ?? [],
        supports_load_session: !!caps.loadSession,
      },
    };
  }

  /** Race an ACP request against the process dying, so a crash fails fast with its reason. */
  private guard<T>(promise: Promise<T>, what: string): Promise<T> {
    return new Promise<T>((resolveGuard, reject) => {
      if (this.exitInfo) return reject(new HarnessError('agent_crashed', this.exitInfo));
      const onExit = (detail: string) => reject(new HarnessError('agent_crashed', detail));
      this.exitWaiters.add(onExit);
      promise.then(
        (value) => (this.exitWaiters.delete(onExit), resolveGuard(value)),
        async (error: unknown) => {
          this.exitWaiters.delete(onExit);
          // A closed connection usually means the process is dying: give its exit a moment to land.
          if (!this.exitInfo && this.child && this.child.exitCode === null && this.child.signalCode === null) {
            await new Promise<void>((r) => {
              const t = setTimeout(r, 1000);
              this.child!.once('exit', () => (clearTimeout(t), setImmediate(r)));
            });
          }
          if (this.exitInfo) return reject(new HarnessError('agent_crashed', this.exitInfo));
          const message = error instanceof Error ? error.message : JSON.stringify(error);
          reject(new HarnessError('agent_error', `${what} failed: ${message}`));
        },
      );
    });
  }

  async prompt(text: string): Promise<TurnResult> {
    if (!this.connection || !this.sessionId) throw new HarnessError('agent_not_started', 'The agent is not running');
    this.inPrompt = true;
    try {
      const response = await this.guard(this.connection.agent.request(acp.methods.agent.session.prompt, { sessionId: this.sessionId, prompt: [{ type: 'text', text }] }), 'session/prompt');
      const usage = (response as { usage?: { inputTokens?: number; outputTokens?: number } }).usage;
      return { stop_reason: response.stopReason, usage: usage ? { input_tokens: usage.inputTokens, output_tokens: usage.outputTokens } : undefined };
    } finally {
      this.inPrompt = false;
    }
  }

  async cancel(): Promise<void> {
    if (!this.connection || !this.sessionId || !this.alive) return;
    await this.connection.agent.notify(acp.methods.agent.session.cancel, { sessionId: this.sessionId }).catch(() => undefined);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (!child || this.exitInfo !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    this.connection?.close();
    child.stdin?.end();
    await this.group?.terminate();
    await exited;
    await Promise.all([...this.terminals.values()].map((t) => t.group.terminate()));
  }

  private onUpdate(update: SessionUpdate): void {
    const emit = this.options.host.emit;
    switch (update.sessionUpdate) {
      case 'agent_message_chunk': {
        const text = contentText(update.content);
        if (text !== undefined) emit({ type: 'text', content: text });
        return;
      }
      case 'agent_thought_chunk': {
        const text = contentText(update.content);
        if (text !== undefined) emit({ type: 'thinking', content: text });
        return;
      }
      case 'tool_call': {
        const tool = update.name ?? update.title;
        this.toolTitles.set(update.toolCallId, tool);
        emit({ type: 'tool_use', tool, tool_call_id: update.toolCallId, input: update.rawInput, status: update.status ?? 'pending', kind: update.kind, title: update.title });
        return;
      }
      case 'tool_call_update': {
        const tool = update.name ?? update.title ?? this.toolTitles.get(update.toolCallId) ?? 'tool';
        if (update.status === 'completed' || update.status === 'failed') {
          const output = update.rawOutput ?? toolContentText(update.content);
          emit({ type: 'tool_result', tool, tool_call_id: update.toolCallId, output, status: update.status, ...(update.status === 'failed' ? { error: typeof output === 'string' ? output : 'tool failed' } : {}) });
        } else {
          emit({ type: 'tool_update', tool, tool_call_id: update.toolCallId, status: update.status ?? undefined, input: update.rawInput, content: toolContentText(update.content) });
        }
        return;
      }
      case 'plan':
        emit({ type: 'plan', entries: update.entries });
        return;
      case 'usage_update':
        emit({ type: 'usage', used: update.used, size: update.size, cost: update.cost ?? undefined });
        return;
      default:
        return;
    }
  }

  private async onPermission(params: acp.RequestPermissionRequest): Promise<acp.RequestPermissionResponse> {
    const tc = params.toolCall;
    const ask: PermissionAsk = {
      tool: tc.name ?? tc.title ?? this.toolTitles.get(tc.toolCallId) ?? 'tool',
      tool_call_id: tc.toolCallId,
      input: tc.rawInput,
      options: params.options.map((o) => ({ option_id: o.optionId, name: o.name, kind: o.kind })),
    };
    const answer = await this.options.host.askPermission(ask);
    if (answer.outcome === 'cancelled' || !answer.option_id) return { outcome: { outcome: 'cancelled' } };
    return { outcome: { outcome: 'selected', optionId: answer.option_id } };
  }

  private terminal(id: string): Terminal {
    const t = this.terminals.get(id);
    if (!t) throw acp.RequestError.resourceNotFound(id);
    return t;
  }

  private createTerminal(params: acp.CreateTerminalRequest, cwd: string): acp.CreateTerminalResponse {
    const env = { ...this.options.env, ...Object.fromEntries((params.env ?? []).map((e) => [e.name, e.value])) };
    const id = `term_${++this.terminalSeq}`;
    const owner = this.options.owner(`terminal:${id}`);
    const group = params.args?.length ? startGroup(params.command, params.args, { owner, cwd, env, extendEnv: false }) : startShellGroup(params.command, { owner, cwd, env, extendEnv: false });
    const t: Terminal = {
      group,
      output: '',
      truncated: false,
      limit: params.outputByteLimit ?? 1024 * 1024,
      exit: new Promise((r) => {
        group.child.once('exit', (exitCode, signal) => r({ exitCode, signal }));
        void group.done.then(({ spawnError }) => spawnError && r({ exitCode: 127, signal: null }));
      }),
    };
    const onData = (d: Buffer) => {
      t.output += String(d);
      if (Buffer.byteLength(t.output) > t.limit) {
        t.output = t.output.slice(-t.limit);
        t.truncated = true;
      }
    };
    group.stdout.on('data', onData);
    group.stderr.on('data', onData);
    this.terminals.set(id, t);
    return { terminalId: id };
  }
}
