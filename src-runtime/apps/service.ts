/**
 * The apps domain: resolves the apps a workspace declares (manifests → stable `app_…` ids), owns
 * one supervisor per app, assigns ports, starts dependencies first, runs setup/build, publishes
 * status and log events. Its processes are owned (marked and recorded) by the runtime's process
 * registry, which ends what a killed runtime left behind.
 */
import { realpath } from 'node:fs/promises';
import { durationMs, type App, type BuildStatus, type ManifestApp } from '../contract/apps.js';
import { ApiError, conflict, notFound } from '../contract/errors.js';
import type { Workspace } from '../contract/workspaces.js';
import type { RuntimeContext } from '../feature.js';
import { stableId } from '../ids.js';
import { LineRing, splitOutputLines } from '../platform/line-splitter.js';
import { startShellGroup, type ProcessGroup } from '../platform/process.js';
import { appCwd, ManifestCache, type ManifestProblem, type ParsedAppEntry, type ParsedManifest } from './manifest.js';
import { findFreePort, portFree, preferredPort } from './ports.js';
import type { ReadinessSpec } from './readiness.js';
import { AppNotReadyError, AppSupervisor, type LaunchSpec } from './supervisor.js';

export const LOG_BACKLOG = 5000;
const BUILD_TAIL = 200;

export interface ResolvedApp {
  id: string;
  workspace: Workspace;
  manifest: ParsedManifest;
  entry: ParsedAppEntry;
  /** Position among the workspace's apps (port derivation). */
  index: number;
  app?: ManifestApp;
  errors: ManifestProblem[];
}

interface AppsSection {
  builds: Record<string, BuildStatus>;
}

function envName(manifestId: string): string {
  return manifestId.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

export class AppsService {
  readonly manifests: ManifestCache;
  private readonly supervisors = new Map<string, AppSupervisor>();
  private readonly known = new Map<string, ResolvedApp>();
  private readonly ensuring = new Map<string, Promise<void>>();
  private readonly builds = new Map<string, { group?: ProcessGroup; promise: Promise<void> }>();
  private readonly section: AppsSection;
  private readonly reserved = new Map<string, number>();
  private closed = false;

  constructor(private readonly ctx: RuntimeContext) {
    this.manifests = new ManifestCache(undefined, ctx.options.now);
    this.section = ctx.store.section<AppsSection>('apps', () => ({ builds: {} }));
    this.section.builds ??= {};
  }

  // ---- resolution -----------------------------------------------------------------------------

  async resolveWorkspace(workspace: Workspace): Promise<ResolvedApp[]> {
    const root = await realpath(workspace.root_dir).catch(() => workspace.root_dir);
    const manifests = await this.manifests.load(root);
    const out: ResolvedApp[] = [];
    let index = 0;
    for (const manifest of manifests) {
      if (manifest.errors.length) {
        const id = await stableId('app', `${workspace.id}\0${manifest.relPath}\0#file`);
        out.push({ id, workspace, manifest, entry: { manifestId: manifest.relPath, index: -1, errors: manifest.errors }, index: index++, errors: manifest.errors });
      }
      for (const entry of manifest.apps) {
        const id = await stableId('app', `${workspace.id}\0${manifest.relPath}\0${entry.manifestId}`);
        const errors = [...entry.errors];
        if (entry.app?.port === 'none' && (entry.app.readiness?.http || entry.app.readiness?.tcp)) {
          errors.push({ file: manifest.relPath, line: null, column: null, field: 'readiness', message: 'tcp and http readiness need a port; use log readiness with port: none' });
        }
        if (entry.app) {
          try {
            appCwd(manifest, entry.app, root);
          } catch (error) {
            errors.push({ file: manifest.relPath, line: null, column: null, field: 'cwd', message: (error as Error).message });
          }
        }
        out.push({ id, workspace, manifest, entry, index: index++, app: errors.length ? undefined : entry.app, errors });
      }
    }
    // Dependencies must name valid apps of the same workspace; duplicates across files are refused.
    const byManifestId = new Map<string, ResolvedApp>();
    for (const r of out) {
      if (!r.app) continue;
      const other = byManifestId.get(r.app.id);
      if (other) {
        r.errors.push({ file: r.manifest.relPath, line: null, column: null, field: 'id', message: `app id "${r.app.id}" is already declared in ${other.manifest.relPath}` });
        r.app = undefined;
      } else byManifestId.set(r.app.id, r);
    }
    for (const r of out) {
      for (const dep of r.app?.depends_on ?? []) {
        if (!byManifestId.has(dep)) {
          r.errors.push({ file: r.manifest.relPath, line: null, column: null, field: 'depends_on', message: `depends_on names "${dep}", which is not a valid app of this workspace` });
        }
      }
      if (r.errors.length) r.app = undefined;
    }
    for (const r of out) this.known.set(r.id, r);
    return out;
  }

  async find(appId: string): Promise<ResolvedApp> {
    const cached = this.known.get(appId);
    // The workspace is re-read: its trust or root may have changed since.
    const workspace = cached && this.ctx.services.workspaces.findById(cached.workspace.id);
    if (workspace) {
      const fresh = (await this.resolveWorkspace(workspace).catch(() => [])).find((r) => r.id === appId);
      if (fresh) return fresh;
    }
    for (const workspace of this.ctx.services.workspaces.list()) {
      const hit = (await this.resolveWorkspace(workspace)).find((r) => r.id === appId);
      if (hit) return hit;
    }
    throw notFound('app_not_found', `No app with id "${appId}" in any workspace's app.runtime.yaml`);
  }

  private supervisor(r: ResolvedApp): AppSupervisor {
    let sup = this.supervisors.get(r.id);
    if (!sup) {
      sup = new AppSupervisor(r.id, r.workspace.id, r.entry.manifestId, {
        status: (s) => this.publishStatus(s),
        log: (s, stream, line) => this.publishLog(s.appId, s.workspaceId, stream, line),
        owner: (s, kind) => this.ctx.processes.owner(`${kind}:${s.appId}`),
        relaunch: async (s, reason) => {
          const latest = await this.find(s.appId).catch(() => undefined);
          if (!latest?.app) return undefined;
          return this.launchSpec(latest, reason === 'port_in_use' ? new Set([s.port ?? -1]) : new Set());
        },
      });
      this.supervisors.set(r.id, sup);
    }
    return sup;
  }

  appStream(appId: string) {
    return this.ctx.bus.stream(`app:${appId}`, { backlog: LOG_BACKLOG });
  }

  private publishStatus(s: AppSupervisor): void {
    const payload = { app_id: s.appId, workspace_id: s.workspaceId, manifest_id: s.manifestId, status: s.status, pid: s.pid, port: s.port, exit_code: s.exitCode, restarts: s.restarts };
    this.appStream(s.appId).publish('app_status_changed', payload);
    this.ctx.bus.publishWorkspace(s.workspaceId, 'app_status_changed', payload);
  }

  publishLog(appId: string, workspaceId: string, stream: 'stdout' | 'stderr' | 'system', line: string): void {
    const payload = { app_id: appId, workspace_id: workspaceId, stream, line };
    this.appStream(appId).publish('app_log', payload);
    // The global hub copies log lines only while someone listens for them.
    if (this.ctx.demand.subscribers('app_log', workspaceId) > 0) this.ctx.bus.publish('global', 'app_log', payload);
  }

  view(r: ResolvedApp): App {
    const sup = this.supervisors.get(r.id);
    const app = r.app;
    const portMode = app?.port === 'none' ? 'none' : typeof app?.port === 'number' ? 'fixed' : 'auto';
    const status = !app ? 'invalid' : (sup?.status ?? 'stopped');
    const port = sup?.active ? sup.port : null;
    const root = r.workspace.root_dir;
    let cwd: string | null = null;
    if (app) {
      try {
        cwd = appCwd(r.manifest, app, root);
      } catch {
        cwd = null;
      }
    }
    return {
      id: r.id,
      manifest_id: r.entry.manifestId,
      name: app?.name ?? r.entry.manifestId,
      workspace_id: r.workspace.id,
      manifest_path: r.manifest.relPath,
      cwd,
      status: status === 'invalid' || !sup || !app ? status : sup.status,
      pid: sup?.pid ?? null,
      port,
      port_mode: portMode,
      url: port !== null && sup?.active ? `http://127.0.0.1:${port}` : null,
      restarts: sup?.restarts ?? 0,
      restart: app?.restart ?? 'never',
      depends_on: app?.depends_on ?? [],
      started_at: sup?.active && sup.startedAt ? sup.startedAt.toISOString() : null,
      uptime_s: sup?.active && sup.startedAt ? Math.round((Date.now() - sup.startedAt.getTime()) / 100) / 10 : null,
      exit_code: sup?.exitCode ?? null,
      exit_signal: sup?.exitSignal ?? null,
      last_error: !app ? r.errors.map((e) => `${e.file}${e.line ? `:${e.line}` : ''}${e.field ? ` ${e.field}` : ''}: ${e.message}`).join('; ') : (sup?.lastError ?? null),
      has_setup: !!(app?.setup || app?.build),
      errors: r.errors,
    };
  }

  async list(workspace: Workspace): Promise<App[]> {
    const declared = await this.resolveWorkspace(workspace);
    const ids = new Set(declared.map((r) => r.id));
    // An app removed from its manifest while it runs stays listed (and stoppable) until it stops.
    const orphans = [...this.supervisors.values()].filter((s) => s.workspaceId === workspace.id && s.active && !ids.has(s.appId));
    return [...declared, ...orphans.map((s) => this.known.get(s.appId)).filter((r): r is ResolvedApp => !!r)].map((r) => this.view(r));
  }

  async get(appId: string): Promise<App> {
    return this.view(await this.findOrRunning(appId));
  }

  countRunning(): number {
    return [...this.supervisors.values()].filter((s) => s.active).length;
  }

  // ---- ports ----------------------------------------------------------------------------------

  private takenPorts(exceptAppId: string): Set<number> {
    const taken = new Set<number>();
    for (const [id, s] of this.supervisors) if (id !== exceptAppId && s.active && s.port !== null) taken.add(s.port);
    for (const [id, port] of this.reserved) if (id !== exceptAppId) taken.add(port);
    return taken;
  }

  private workspaceIndex(workspaceId: string): number {
    return Math.max(0, this.ctx.services.workspaces.list().findIndex((w) => w.id === workspaceId));
  }

  /** The port a start would use now (auto: derived slot, then the next free one). */
  async assignPort(r: ResolvedApp, avoid: Set<number> = new Set()): Promise<number | null> {
    const app = r.app!;
    if (app.port === 'none') return null;
    if (typeof app.port === 'number') return app.port;
    const range = this.ctx.config().app_port_range;
    const taken = new Set([...this.takenPorts(r.id), ...avoid]);
    const previous = this.supervisors.get(r.id)?.port;
    if (previous && !taken.has(previous) && previous >= range.start && previous <= range.end && (await portFree(previous))) return previous;
    const port = await findFreePort(range, preferredPort(range, this.workspaceIndex(r.workspace.id), r.index), taken);
    if (port === undefined) throw new ApiError(503, 'no_free_port', `No free port in app_port_range ${range.start}-${range.end}`);
    return port;
  }

  async ports(workspaceId?: string): Promise<Array<{ app_id: string; manifest_id: string; workspace_id: string; status: App['status']; port: number | null; source: 'running' | 'assigned' | 'fixed' | 'none' }>> {
    const workspaces = workspaceId ? [await this.ctx.services.workspaces.get(workspaceId)] : this.ctx.services.workspaces.list();
    const out = [];
    const planned = new Map<string, number>();
    for (const workspace of workspaces) {
      for (const r of await this.resolveWorkspace(workspace)) {
        const view = this.view(r);
        if (!r.app) {
          out.push({ app_id: r.id, manifest_id: view.manifest_id, workspace_id: workspace.id, status: view.status, port: null, source: 'none' as const });
        } else if (view.port !== null) {
          out.push({ app_id: r.id, manifest_id: view.manifest_id, workspace_id: workspace.id, status: view.status, port: view.port, source: 'running' as const });
        } else {
          const port = await this.assignPort(r, new Set(planned.values())).catch(() => null);
          if (port !== null && r.app.port === 'auto') planned.set(r.id, port);
          const source = r.app.port === 'none' ? 'none' : typeof r.app.port === 'number' ? 'fixed' : 'assigned';
          out.push({ app_id: r.id, manifest_id: view.manifest_id, workspace_id: workspace.id, status: view.status, port, source: source as 'none' | 'fixed' | 'assigned' });
        }
      }
    }
    return out;
  }

  // ---- start / ensure / stop ------------------------------------------------------------------

  private async launchSpec(r: ResolvedApp, avoid: Set<number>): Promise<LaunchSpec> {
    const app = r.app!;
    const root = r.workspace.root_dir;
    const cwd = appCwd(r.manifest, app, root);
    const port = await this.assignPort(r, avoid);
    if (port !== null) this.reserved.set(r.id, port);
    const env: Record<string, string> = { HOST: '127.0.0.1', WORKSPACE_ROOT: root, WORKSPACE_ID: r.workspace.id, APP_ID: app.id, FORCE_COLOR: process.env.FORCE_COLOR ?? '1' };
    for (const [k, v] of Object.entries(app.env ?? {})) env[k] = String(v);
    if (port !== null) env.PORT = String(port);
    const all = await this.resolveWorkspace(r.workspace);
    for (const depId of app.depends_on ?? []) {
      const dep = all.find((x) => x.app?.id === depId);
      const depPort = dep ? this.supervisors.get(dep.id)?.port : null;
      if (depPort) {
        env[`${envName(depId)}_PORT`] = String(depPort);
        env[`${envName(depId)}_URL`] = `http://127.0.0.1:${depPort}`;
      }
    }
    const timeout = durationMs(app.readiness?.timeout, 30_000);
    let readiness: ReadinessSpec;
    if (app.readiness?.log) readiness = { kind: 'log', pattern: app.readiness.log };
    else if (app.readiness?.http && port !== null) readiness = { kind: 'http', port, path: app.readiness.http };
    else if (port !== null) readiness = { kind: 'tcp', port };
    else readiness = { kind: 'none' };
    return {
      command: app.start,
      cwd,
      env,
      port,
      portMode: app.port === 'none' ? 'none' : typeof app.port === 'number' ? 'fixed' : 'auto',
      readiness,
      readinessTimeoutMs: timeout,
      restart: app.restart ?? 'never',
      stopCommand: app.stop || undefined,
      stopTimeoutMs: durationMs(app.stop_timeout, 5000),
    };
  }

  private requireValid(r: ResolvedApp): ManifestApp {
    if (!r.app) throw conflict('app_invalid', `App "${r.entry.manifestId}" has manifest errors: ${this.view(r).last_error}`, { errors: r.errors });
    return r.app;
  }

  /** Dependencies first (depth-first), refusing cycles. */
  private async dependencyOrder(r: ResolvedApp): Promise<ResolvedApp[]> {
    const all = await this.resolveWorkspace(r.workspace);
    const byId = new Map(all.filter((x) => x.app).map((x) => [x.app!.id, x]));
    const order: ResolvedApp[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (x: ResolvedApp, path: string[]) => {
      const id = x.app!.id;
      if (state.get(id) === 'done') return;
      if (state.get(id) === 'visiting') throw conflict('dependency_cycle', `depends_on forms a cycle: ${[...path, id].join(' → ')}`);
      state.set(id, 'visiting');
      for (const dep of x.app!.depends_on ?? []) {
        const d = byId.get(dep);
        if (!d) throw conflict('app_invalid', `depends_on names "${dep}", which is not a valid app`);
        visit(d, [...path, id]);
      }
      state.set(id, 'done');
      order.push(x);
    };
    visit(r, []);
    return order;
  }

  /**
   * Start unless running and wait for readiness; concurrent calls share one start. Dependencies
   * are ensured first so their ports reach the app's env.
   */
  async ensureRunning(r: ResolvedApp): Promise<void> {
    this.requireValid(r);
    this.ctx.services.workspaces.requireTrusted(r.workspace);
    for (const dep of await this.dependencyOrder(r)) await this.ensureOne(dep);
  }

  private ensureOne(r: ResolvedApp): Promise<void> {
    const sup = this.supervisor(r);
    if (sup.settled) return Promise.resolve();
    if (sup.status === 'starting') return sup.whenReady();
    let pending = this.ensuring.get(r.id);
    if (!pending) {
      pending = (async () => {
        if (this.closed) throw new ApiError(503, 'runtime_stopping', 'The runtime is stopping');
        const epoch = sup.stopEpoch;
        const spec = await this.launchSpec(r, new Set());
        if (sup.stopEpoch !== epoch || this.closed) throw new AppNotReadyError('stopped before it started', []);
        if (spec.portMode === 'fixed' && spec.port !== null && !(await portFree(spec.port))) {
          sup.lastError = `port ${spec.port} (fixed in the manifest) is already in use`;
          throw conflict('port_in_use', `App "${r.app!.id}": ${sup.lastError}`);
        }
        sup.lastError = null;
        sup.launch(spec);
        this.reserved.delete(r.id);
        await sup.whenReady();
      })().finally(() => {
        this.ensuring.delete(r.id);
        this.reserved.delete(r.id);
      });
      this.ensuring.set(r.id, pending);
    }
    return pending;
  }

  async ensureRunningById(appId: string): Promise<App> {
    const r = await this.find(appId);
    try {
      await this.ensureRunning(r);
    } catch (error) {
      if (error instanceof AppNotReadyError) {
        throw new ApiError(503, 'app_not_ready', `App "${r.entry.manifestId}" did not become ready: ${error.message}`, { log_tail: error.logTail });
      }
      throw error;
    }
    return this.view(r);
  }

  /** Start in the background; answers with the app starting. */
  async start(appId: string): Promise<App> {
    const r = await this.find(appId);
    this.requireValid(r);
    this.ctx.services.workspaces.requireTrusted(r.workspace);
    await this.dependencyOrder(r); // cycles answer 409 now rather than later
    const started = this.ensureRunning(r);
    started.catch(() => undefined);
    // Give the spawn a moment to happen so the answer shows pid and port.
    await Promise.race([started, new Promise((res) => setTimeout(res, 25))]).catch(() => undefined);
    return this.view(r);
  }

  /** find(), or an app no longer declared (the manifest changed) that still runs: it stays visible and stoppable. */
  private async findOrRunning(appId: string): Promise<ResolvedApp> {
    return this.find(appId).catch((error) => {
      const known = this.known.get(appId);
      if (known && this.supervisors.get(appId)?.active) return known;
      throw error;
    });
  }

  async stop(appId: string): Promise<App> {
    const r = await this.findOrRunning(appId);
    const sup = this.supervisors.get(r.id);
    await sup?.stop();
    return this.view(r);
  }

  async startWorkspace(workspace: Workspace, wait: boolean): Promise<{ apps: App[]; failed: Array<{ app_id: string; manifest_id: string; error: string }> }> {
    this.ctx.services.workspaces.requireTrusted(workspace);
    const all = await this.resolveWorkspace(workspace);
    const failed: Array<{ app_id: string; manifest_id: string; error: string }> = [];
    const runs = all.filter((r) => r.app).map(async (r) => {
      try {
        const p = this.ensureRunning(r);
        if (wait) await p;
        else p.catch(() => undefined);
      } catch (error) {
        failed.push({ app_id: r.id, manifest_id: r.entry.manifestId, error: (error as Error).message });
      }
    });
    await Promise.all(runs);
    for (const r of all.filter((x) => !x.app)) failed.push({ app_id: r.id, manifest_id: r.entry.manifestId, error: this.view(r).last_error ?? 'invalid' });
    return { apps: all.map((r) => this.view(r)), failed };
  }

  async stopWorkspaceApps(workspaceId: string): Promise<void> {
    const sups = [...this.supervisors.values()].filter((s) => s.workspaceId === workspaceId);
    await Promise.all(sups.map((s) => s.stop()));
    await Promise.all([...this.builds.entries()].filter(([id]) => this.known.get(id)?.workspace.id === workspaceId).map(([, b]) => b.group?.terminate()));
  }

  async stopAll(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.supervisors.values()].map((s) => s.stop()));
    await Promise.all([...this.builds.values()].map((b) => b.group?.terminate()));
  }

  // ---- setup / build --------------------------------------------------------------------------

  buildStatus(appId: string): BuildStatus {
    return this.section.builds[appId] ?? { app_id: appId, state: 'never', steps: [], exit_code: null, started_at: null, ended_at: null, duration_ms: null, log_tail: [] };
  }

  async setup(appId: string): Promise<BuildStatus> {
    const r = await this.find(appId);
    const app = this.requireValid(r);
    this.ctx.services.workspaces.requireTrusted(r.workspace);
    if (this.builds.has(r.id)) throw conflict('build_running', `Setup of "${app.id}" is already running`);
    const steps = (['setup', 'build'] as const).filter((s) => app[s]).map((s) => ({ step: s, command: app[s]!, exit_code: null as number | null, duration_ms: null as number | null }));
    if (!steps.length) throw conflict('nothing_to_run', `App "${app.id}" declares neither setup nor build`);
    const cwd = appCwd(r.manifest, app, r.workspace.root_dir);
    const env: Record<string, string> = { WORKSPACE_ROOT: r.workspace.root_dir, WORKSPACE_ID: r.workspace.id, APP_ID: app.id };
    for (const [k, v] of Object.entries(app.env ?? {})) env[k] = String(v);
    const started = new Date();
    const tail = new LineRing<string>(BUILD_TAIL);
    const status: BuildStatus = { app_id: r.id, state: 'running', steps, exit_code: null, started_at: started.toISOString(), ended_at: null, duration_ms: null, log_tail: [] };
    this.section.builds[r.id] = status;
    this.ctx.store.touch();
    const slot: { group?: ProcessGroup; promise: Promise<void> } = { promise: Promise.resolve() };
    this.builds.set(r.id, slot);
    slot.promise = (async () => {
      let code: number | null = 0;
      for (const step of steps) {
        const t0 = Date.now();
        this.publishLog(r.id, r.workspace.id, 'system', `$ ${step.command}   (${step.step})`);
        const group = startShellGroup(step.command, { owner: this.ctx.processes.owner(`build:${r.id}`), cwd, env });
        slot.group = group;
        const lines = splitOutputLines(group, (stream, line) => {
          tail.push(line);
          this.publishLog(r.id, r.workspace.id, stream, line);
        });
        const result = await group.done;
        lines.end();
        // A background grandchild of a step does not outlive it.
        await group.terminate();
        if (result.spawnError) tail.push(result.spawnError);
        code = result.exitCode ?? null;
        step.exit_code = code;
        step.duration_ms = Date.now() - t0;
        status.log_tail = tail.toArray();
        this.ctx.store.touch();
        if (code !== 0) {
          if (result.signal) tail.push(`[${step.step} ended by ${result.signal}]`);
          break;
        }
      }
      const ended = new Date();
      Object.assign(status, {
        state: code === 0 ? 'succeeded' : this.closed ? 'cancelled' : 'failed',
        exit_code: code,
        ended_at: ended.toISOString(),
        duration_ms: ended.getTime() - started.getTime(),
        log_tail: tail.toArray(),
      });
      this.ctx.store.touch();
      this.publishLog(r.id, r.workspace.id, 'system', `setup ${status.state} (exit ${code ?? 'signal'}) in ${status.duration_ms} ms`);
    })().finally(() => this.builds.delete(r.id));
    return status;
  }
}
