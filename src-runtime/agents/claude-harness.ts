/**
 * Claude Code harness: one long-lived `claude -p --input-format stream-json --output-format
 * stream-json --verbose --permission-prompt-tool stdio` per session. User turns are written as
 * stream-json user messages; assistant/user/result messages become our events; `can_use_tool`
 * control requests become permission requests; cancel sends an `interrupt` control request. The
 * conversation id is a UUID passed as `--session-id` on the first spawn and `--resume` afterwards.
 */
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { startGroup, type ChildProcess, type ProcessGroup } from '../platform/process.js';
import { HarnessError, TailBuffer, type Harness, type HarnessOptions, type StartResult, type TurnResult } from './harness.js';

interface Turn {
  resolve(result: TurnResult): void;
  reject(error: Error): void;
  cancelled: boolean;
  /** Messages written while the turn ran (steering); the CLI may answer each with its own result. */
  steered: number;
  lastResult?: TurnResult;
  settleTimer?: NodeJS.Timeout;
}

type Json = Record<string, any>;

export class ClaudeHarness implements Harness {
  private child?: ChildProcess;
  private group?: ProcessGroup;
  private readonly stderr = new TailBuffer();
  private exitInfo: string | null = null;
  private turn: Turn | null = null;
  private stopping = false;
  private readonly conversationId: string;
  private readonly toolNames = new Map<string, string>();
  private readonly garbage = new TailBuffer(500);
  private interruptTimer?: NodeJS.Timeout;

  constructor(private readonly options: HarnessOptions) {
    this.conversationId = options.agentSessionId ?? randomUUID();
  }

  get alive(): boolean {
    return !!this.child && this.exitInfo === null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  private args(): string[] {
    const { agent, workspace } = this.options;
    const args = ['-p', '--input-format', 'stream-json', '--output-format', 'stream-json', '--verbose', '--permission-prompt-tool', 'stdio'];
    // The CLI refuses --session-id together with --resume: create once, resume afterwards.
    args.push(...(this.options.resume ? ['--resume', this.conversationId] : ['--session-id', this.conversationId]));
    if (agent.model) args.push('--model', agent.model);
    if (agent.prompt) args.push('--append-system-prompt', agent.prompt);
    if (agent.tools.length) args.push('--allowedTools', agent.tools.join(','));
    if (agent.deny_tools.length) args.push('--disallowedTools', agent.deny_tools.join(','));
    for (const dir of workspace.add_dirs) args.push('--add-dir', dir);
    if (this.options.mcpServers.length) {
      const mcpServers = Object.fromEntries(
        this.options.mcpServers.map((s) => [s.name, s.transport === 'stdio' ? { type: 'stdio', command: s.command, args: s.args ?? [], env: s.env ?? {} } : { type: s.transport, url: s.url, headers: s.headers ?? {} }]),
      );
      args.push('--mcp-config', JSON.stringify({ mcpServers }));
    }
    return [...args, ...agent.args];
  }

  async start(): Promise<StartResult> {
    const { agent, workspace } = this.options;
    if (!agent.command) throw new HarnessError('agent_unavailable', `Agent "${agent.name}" has no command`);
    // Its own process group: stopping claude also ends the tools and MCP servers it started.
    const group = startGroup(agent.command, this.args(), { owner: this.options.owner('agent'), cwd: workspace.root_dir, env: this.options.env, extendEnv: false, stdin: 'pipe' });
    const child = group.child;
    this.child = child;
    this.group = group;
    child.stderr?.on('data', (d: Buffer) => this.stderr.push(d));
    child.stdin?.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', (error) => reject(new HarnessError('agent_spawn_failed', `Could not start ${agent.command}: ${error.message}`)));
    });
    child.on('exit', (code, signal) => {
      const tail = this.stderr.toString() || this.garbage.toString();
      this.exitInfo = `claude exited (${signal ? `signal ${signal}` : `code ${code}`})${tail ? `: ${tail.slice(-500)}` : ''}`;
      clearTimeout(this.interruptTimer);
      // What claude left running (a background tool) does not outlive it.
      void group.terminate();
      const turn = this.turn;
      this.turn = null;
      if (turn) {
        if (turn.cancelled) turn.resolve({ stop_reason: 'cancelled' });
        else turn.reject(new HarnessError('agent_crashed', this.exitInfo));
      } else if (!this.stopping) this.options.host.exited(this.exitInfo);
    });
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => this.onLine(line));
    return {
      agent_session_id: this.conversationId,
      resumed: this.options.resume,
      acp_caps: { supported_models: [], supported_modes: ['default', 'acceptEdits', 'plan', 'bypassPermissions'], supports_load_session: true },
    };
  }

  private write(message: Json): void {
    if (this.alive) this.child?.stdin?.write(`${JSON.stringify(message)}\n`);
  }

  prompt(text: string): Promise<TurnResult> {
    if (!this.alive) return Promise.reject(new HarnessError('agent_crashed', this.exitInfo ?? 'claude is not running'));
    if (this.turn) return Promise.reject(new HarnessError('agent_busy', 'A turn is already running'));
    return new Promise<TurnResult>((resolve, reject) => {
      this.turn = { resolve, reject, cancelled: false, steered: 0 };
      this.write({ type: 'user', message: { role: 'user', content: [{ type: 'text', text }] }, parent_tool_use_id: null, session_id: this.conversationId });
    });
  }

  steer(text: string): boolean {
    // Claude Code reads further user messages while a turn runs and folds them into it.
    if (!this.turn || !this.alive) return false;
    this.turn.steered += 1;
    this.write({ type: 'user', message: { role: 'user', content: [{ type: 'text', text }] }, parent_tool_use_id: null, session_id: this.conversationId });
    return true;
  }

  async cancel(): Promise<void> {
    if (!this.turn || !this.alive) return;
    this.turn.cancelled = true;
    this.write({ type: 'control_request', request_id: randomUUID(), request: { subtype: 'interrupt' } });
    // An agent that ignores the interrupt is stopped; the next turn resumes the conversation.
    clearTimeout(this.interruptTimer);
    const group = this.group;
    this.interruptTimer = setTimeout(() => void group?.terminate(), 5000);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (!child || this.exitInfo !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    // End of input lets claude finish writing its session; then the termination policy.
    child.stdin?.end();
    await Promise.race([exited, new Promise((r) => setTimeout(r, 1500).unref())]);
    await this.group?.terminate();
    await exited;
  }

  private onLine(line: string): void {
    if (!line.trim()) return;
    let msg: Json;
    try {
      msg = JSON.parse(line) as Json;
    } catch {
      this.garbage.push(`${line}\n`);
      return;
    }
    const emit = this.options.host.emit;
    switch (msg.type) {
      case 'system':
        if (msg.subtype === 'init' && typeof msg.session_id === 'string') this.options.host.conversationStarted?.(msg.session_id);
        // A steered message being answered as a follow-up turn: keep the run open for it.
        if (msg.subtype === 'init' && this.turn?.settleTimer) {
          clearTimeout(this.turn.settleTimer);
          this.turn.settleTimer = undefined;
        }
        return;
      case 'assistant':
        for (const block of (msg.message?.content ?? []) as Json[]) {
          if (block.type === 'text') emit({ type: 'text', content: String(block.text ?? '') });
          else if (block.type === 'thinking') emit({ type: 'thinking', content: String(block.thinking ?? '') });
          else if (block.type === 'tool_use') {
            this.toolNames.set(block.id, block.name);
            emit({ type: 'tool_use', tool: block.name, tool_call_id: block.id, input: block.input, status: 'pending' });
          }
        }
        return;
      case 'user': {
        const content = msg.message?.content;
        if (!Array.isArray(content)) return;
        for (const block of content as Json[]) {
          if (block.type !== 'tool_result') continue;
          const output = typeof block.content === 'string' ? block.content : Array.isArray(block.content) ? block.content.map((c: Json) => c.text ?? '').join('') : block.content;
          emit({
            type: 'tool_result',
            tool: this.toolNames.get(block.tool_use_id) ?? 'tool',
            tool_call_id: block.tool_use_id,
            output,
            status: block.is_error ? 'failed' : 'completed',
            ...(block.is_error ? { error: typeof output === 'string' ? output : 'tool failed' } : {}),
          });
        }
        return;
      }
      case 'result': {
        clearTimeout(this.interruptTimer);
        const u = (msg.usage ?? {}) as Json;
        const usage = {
          input_tokens: u.input_tokens,
          output_tokens: u.output_tokens,
          cache_read_input_tokens: u.cache_read_input_tokens,
          cache_creation_input_tokens: u.cache_creation_input_tokens,
          cost_usd: msg.total_cost_usd,
          duration_ms: msg.duration_ms,
        };
        emit({ type: 'usage', usage, cost_usd: msg.total_cost_usd, num_turns: msg.num_turns });
        const turn = this.turn;
        if (!turn) return;
        const finish = () => {
          if (this.turn === turn) this.turn = null;
          if (turn.cancelled) turn.resolve({ stop_reason: 'cancelled', usage });
          else if (msg.subtype === 'success' && !msg.is_error) turn.resolve({ stop_reason: msg.stop_reason ?? 'end_turn', usage });
          else {
            const detail = String(msg.result ?? msg.errors?.join?.('; ') ?? msg.subtype ?? 'the turn failed');
            // --resume of a conversation the CLI no longer has (another HOME, cleaned up).
            const kind = /no conversation found/i.test(detail) ? 'conversation_lost' : `agent_${msg.subtype ?? 'error'}`;
            turn.reject(new HarnessError(kind, detail));
          }
        };
        if (turn.steered > 0 && !turn.cancelled) {
          // The CLI either folded the steered message into this turn (no further result comes) or
          // answers it as a follow-up turn, which starts with a system init within moments.
          turn.steered -= 1;
          clearTimeout(turn.settleTimer);
          turn.settleTimer = setTimeout(finish, 1500);
          return;
        }
        clearTimeout(turn.settleTimer);
        finish();
        return;
      }
      case 'control_request':
        void this.onControlRequest(msg);
        return;
      default:
        return;
    }
  }

  private async onControlRequest(msg: Json): Promise<void> {
    const request = msg.request as Json;
    const respond = (response: Json) => this.write({ type: 'control_response', response: { subtype: 'success', request_id: msg.request_id, response } });
    if (request?.subtype !== 'can_use_tool') {
      this.write({ type: 'control_response', response: { subtype: 'error', request_id: msg.request_id, error: `unsupported control request ${request?.subtype}` } });
      return;
    }
    const answer = await this.options.host.askPermission({
      tool: String(request.tool_name),
      tool_call_id: request.tool_use_id ?? null,
      input: request.input,
      options: [
        { option_id: 'allow', name: 'Allow', kind: 'allow_once' },
        { option_id: 'allow_always', name: 'Always allow', kind: 'allow_always' },
        { option_id: 'deny', name: 'Deny', kind: 'reject_once' },
      ],
    });
    if (answer.outcome === 'selected' && (answer.option_id === 'allow' || answer.option_id === 'allow_always')) {
      respond({ behavior: 'allow', updatedInput: request.input, ...(answer.option_id === 'allow_always' && request.permission_suggestions ? { updatedPermissions: request.permission_suggestions } : {}) });
    } else {
      respond({ behavior: 'deny', message: answer.outcome === 'cancelled' ? 'The run was cancelled' : 'The user denied this tool use' });
    }
  }
}
