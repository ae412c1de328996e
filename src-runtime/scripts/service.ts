/**
 * Scripts of a workspace: package.json scripts (run with the package manager its lockfile
 * names), the manifests' `scripts:` and Makefile targets; and their executions, each a process
 * group whose output streams on `exec:<id>` with exit code, duration and cancel. The most recent
 * executions are kept in memory.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Execution, Script } from '../contract/apps.js';
import { notFound } from '../contract/errors.js';
import type { Workspace } from '../contract/workspaces.js';
import type { RuntimeContext } from '../feature.js';
import { newId } from '../ids.js';
import { LineRing, splitOutputLines } from '../platform/line-splitter.js';
import { startShellGroup, type ProcessGroup } from '../platform/process.js';

export type PackageManager = 'npm' | 'pnpm' | 'yarn' | 'bun';

const KEEP_EXECUTIONS = 50;
const EXEC_BACKLOG = 5000;
const TAIL = 100;

const exists = (p: string) => stat(p).then(() => true, () => false);

/** The package manager a folder's lockfile names (npm when none does). */
export async function detectPackageManager(dir: string): Promise<PackageManager> {
  if (await exists(join(dir, 'pnpm-lock.yaml'))) return 'pnpm';
  if (await exists(join(dir, 'yarn.lock'))) return 'yarn';
  if ((await exists(join(dir, 'bun.lockb'))) || (await exists(join(dir, 'bun.lock')))) return 'bun';
  return 'npm';
}

/** Targets of a Makefile: `name:` rules, not variables (`X := …`), patterns or special targets. */
export function parseMakeTargets(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z0-9][A-Za-z0-9_.\-/ ]*?)\s*::?(?!=)/.exec(line);
    if (!m || line.startsWith('\t')) continue;
    for (const name of m[1]!.split(/\s+/)) {
      if (name && !name.includes('%') && !name.startsWith('.') && !out.includes(name)) out.push(name);
    }
  }
  return out;
}

export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

interface LiveExecution {
  execution: Execution;
  group?: ProcessGroup;
  tail: LineRing<{ stream: 'stdout' | 'stderr'; line: string }>;
  cancelled: boolean;
  done: Promise<void>;
}

export class ScriptsService {
  private readonly executions = new Map<string, LiveExecution>();

  constructor(private readonly ctx: RuntimeContext) {}

  async list(workspace: Workspace): Promise<{ scripts: Script[]; package_manager: PackageManager | null }> {
    const root = workspace.root_dir;
    const scripts: Script[] = [];
    for (const { name, command, cwd } of (await this.ctx.services.apps?.manifestScripts(root)) ?? []) {
      scripts.push({ id: `manifest:${name}`, name, source: 'manifest', command, cwd, definition: command, package_manager: null });
    }
    let pm: PackageManager | null = null;
    try {
      const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { scripts?: Record<string, unknown> };
      pm = await detectPackageManager(root);
      for (const [name, body] of Object.entries(pkg.scripts ?? {})) {
        if (typeof body !== 'string') continue;
        scripts.push({ id: `package:${name}`, name, source: 'package', command: `${pm} run ${shellQuote(name)}`, cwd: root, definition: body, package_manager: pm });
      }
    } catch {
      // no (readable) package.json
    }
    for (const file of ['GNUmakefile', 'makefile', 'Makefile']) {
      const text = await readFile(join(root, file), 'utf8').catch(() => undefined);
      if (text === undefined) continue;
      for (const target of parseMakeTargets(text)) {
        scripts.push({ id: `make:${target}`, name: target, source: 'make', command: `make ${shellQuote(target)}`, cwd: root, definition: `${file}: ${target}`, package_manager: null });
      }
      break;
    }
    return { scripts, package_manager: pm };
  }

  /** By id (`package:test`) or plain name (manifest, then package.json, then make). */
  async find(workspace: Workspace, name: string): Promise<Script> {
    const { scripts } = await this.list(workspace);
    const hit = scripts.find((s) => s.id === name) ?? scripts.find((s) => s.name === name);
    if (!hit) throw notFound('script_not_found', `No script "${name}" in ${workspace.name}: GET /api/v1/scripts lists them`);
    return hit;
  }

  private stream(id: string) {
    return this.ctx.bus.stream(`exec:${id}`, { backlog: EXEC_BACKLOG });
  }

  eventsStream(id: string) {
    this.get(id);
    return this.stream(id);
  }

  async run(workspace: Workspace, script: Script, args: string[]): Promise<Execution> {
    this.ctx.services.workspaces.requireTrusted(workspace);
    let command = script.command;
    if (args.length) {
      const quoted = args.map(shellQuote).join(' ');
      command += script.source === 'package' && script.package_manager === 'npm' ? ` -- ${quoted}` : ` ${quoted}`;
    }
    const id = newId('execution');
    const execution: Execution = {
      id,
      workspace_id: workspace.id,
      script_id: script.id,
      name: script.name,
      command,
      args,
      cwd: script.cwd,
      status: 'running',
      pid: null,
      exit_code: null,
      signal: null,
      started_at: new Date().toISOString(),
      ended_at: null,
      duration_ms: null,
      output_tail: [],
      events_url: `/api/v1/scripts/runs/${id}/events`,
    };
    const stream = this.stream(id);
    const live: LiveExecution = { execution, tail: new LineRing(TAIL), cancelled: false, done: Promise.resolve() };
    this.executions.set(id, live);
    this.prune();
    const t0 = Date.now();
    const group = startShellGroup(command, { owner: this.ctx.processes.owner(`exec:${id}`), cwd: script.cwd, env: { WORKSPACE_ROOT: workspace.root_dir, WORKSPACE_ID: workspace.id, FORCE_COLOR: process.env.FORCE_COLOR ?? '1' } });
    live.group = group;
    execution.pid = group.pid > 0 ? group.pid : null;
    const lines = splitOutputLines(group, (s, line) => {
      live.tail.push({ stream: s, line });
      stream.publish('script_output', { execution_id: id, stream: s, line });
    });
    live.done = group.done.then(async (result) => {
      lines.end();
      // A background grandchild must not outlive its script.
      await group.terminate().catch(() => undefined);
      execution.exit_code = result.exitCode;
      execution.signal = result.signal;
      execution.ended_at = new Date().toISOString();
      execution.duration_ms = Date.now() - t0;
      execution.status = live.cancelled ? 'cancelled' : result.exitCode === 0 ? 'succeeded' : 'failed';
      if (result.spawnError) live.tail.push({ stream: 'stderr', line: result.spawnError });
      execution.output_tail = live.tail.toArray();
      const view = this.view(live);
      stream.publish('script_finished', { execution: view });
      this.ctx.bus.publishWorkspace(workspace.id, 'script_finished', { execution: view });
    });
    return this.view(live);
  }

  private view(live: LiveExecution): Execution {
    const e = live.execution;
    return { ...e, output_tail: live.tail.toArray(), duration_ms: e.duration_ms ?? Date.now() - Date.parse(e.started_at) };
  }

  private prune(): void {
    const finished = [...this.executions.values()].filter((l) => l.execution.status !== 'running');
    const excess = this.executions.size - KEEP_EXECUTIONS;
    for (const l of finished.slice(0, Math.max(0, excess))) {
      this.executions.delete(l.execution.id);
      this.ctx.bus.drop(`exec:${l.execution.id}`);
    }
  }

  get(id: string): Execution {
    const live = this.executions.get(id);
    if (!live) throw notFound('execution_not_found', `No execution "${id}" (only the ${KEEP_EXECUTIONS} most recent are kept)`);
    return this.view(live);
  }

  recent(workspaceId?: string): Execution[] {
    return [...this.executions.values()]
      .filter((l) => !workspaceId || l.execution.workspace_id === workspaceId)
      .map((l) => this.view(l))
      .reverse();
  }

  async cancel(id: string): Promise<Execution> {
    const live = this.executions.get(id);
    if (!live) throw notFound('execution_not_found', `No execution "${id}"`);
    if (live.execution.status === 'running' && live.group) {
      live.cancelled = true;
      await live.group.terminate();
      await live.done;
    }
    return this.view(live);
  }

  /** Wait for an execution to end (tests, shutdown). */
  async settled(id: string): Promise<void> {
    await this.executions.get(id)?.done;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.executions.values()].filter((l) => l.execution.status === 'running').map((l) => this.cancel(l.execution.id)));
  }
}
