/**
 * The composition root: prepares and locks the data dir, opens the store, builds the bus, the
 * WebSocket hub, the workspace service and every feature, assembles the HTTP app and listens.
 * `stop()` undoes it in reverse (features first, so apps and agents end before the store closes).
 * The process registry is opened right after the store: it ends what a killed runtime of the same
 * data dir left running before any feature starts a process, and ends stragglers at stop.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultRuntimeConfig } from './contract/runtime.js';
import { EventBus } from './events/bus.js';
import { setDefaultHeartbeatMs } from './events/sse.js';
import { attachGlobalHub, WsHub, type HubDemand } from './events/ws-hub.js';
import type { FeatureInstance, RuntimeContext, RuntimeFeature, RuntimeOptions } from './feature.js';
import { features as defaultFeatures } from './features.js';
import { createHttpApp } from './http/app.js';
import type { RouteBinding } from './http/bind.js';
import type { GuardConfig } from './http/guards.js';
import { guardedListener, onClientError } from './http/safety.js';
import { TicketStore, ticketRoutes } from './http/tickets.js';
import { ProcessRegistry } from './platform/process-registry.js';
import type { Services } from './services.js';
import { Store } from './store/db.js';
import { groupRecordStore } from './store/group-records.js';
import { lockDataDir, loadOrCreateToken, prepareDataDir, removeDiscovery, writeDiscovery } from './system/data-dir.js';
import { probeSystemGit } from './system/git-info.js';
import { systemRoutes } from './system/routes.js';
import { StatsSampler } from './system/stats.js';
import { VERSION } from './version.js';
import { WorkspaceService } from './workspaces/service.js';
import { workspaceRoutes } from './workspaces/routes.js';

export interface RunningRuntime {
  url: string;
  port: number;
  token: string;
  ctx: RuntimeContext;
  server: Server;
  stop(): Promise<void>;
}

export class StartError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function isLoopbackHost(host: string): boolean {
  return host === '127.0.0.1' || host === 'localhost' || host === '::1' || host.startsWith('127.');
}

export async function startRuntime(options: RuntimeOptions, featureList: RuntimeFeature[] = defaultFeatures): Promise<RunningRuntime> {
  await prepareDataDir(options.dataDir);
  const unlock = await lockDataDir(options.dataDir);
  const cleanups: Array<() => Promise<void> | void> = [unlock];
  try {
    return await startLocked(options, featureList, cleanups);
  } catch (error) {
    for (const fn of cleanups.reverse()) await fn();
    throw error;
  }
}

async function startLocked(options: RuntimeOptions, featureList: RuntimeFeature[], cleanups: Array<() => Promise<void> | void>): Promise<RunningRuntime> {
  const token = await loadOrCreateToken(options.dataDir, options.token);
  const store = await Store.open(options.dataDir, { recover: options.recoverStore });
  cleanups.push(() => store.close());
  const log = (message: string) => process.stderr.write(`[runtime] ${message}\n`);
  // Before any feature starts a process: end what a killed runtime of this data dir left running.
  const processes = await ProcessRegistry.open(options.dataDir, groupRecordStore(store), log);
  await processes.reapPrevious();
  // Runs after the features stopped (cleanups run in reverse): whatever they left is ended too.
  cleanups.push(() => processes.stop());
  if (options.fastTimers) setDefaultHeartbeatMs(500);

  let port = 0;
  const extraHosts = isLoopbackHost(options.host) || options.host === '0.0.0.0' || options.host === '::' ? [] : [options.host];
  const tickets = new TicketStore(options.now);
  const guard: GuardConfig = {
    token,
    port: () => port,
    allowedHosts: () => [...store.data.config.allowed_hosts, ...extraHosts],
    tickets,
  };
  const bus = new EventBus();
  const hub = new WsHub(guard, options.fastTimers ? 1000 : 30_000);
  cleanups.push(() => hub.close());
  const demand: HubDemand = attachGlobalHub(hub, bus);
  const workspaces = new WorkspaceService(store, bus);
  const services: Services = { workspaces, gitInfo: probeSystemGit };
  const urlHost = options.host.includes(':') ? `[${options.host}]` : options.host === '0.0.0.0' ? '127.0.0.1' : options.host;

  const ctx: RuntimeContext = {
    version: VERSION,
    options,
    dataDir: options.dataDir,
    token,
    startedAt: new Date(),
    store,
    bus,
    hub,
    demand,
    services,
    processes,
    url: () => `http://${urlHost}:${port}`,
    port: () => port,
    config: () => store.data.config ?? defaultRuntimeConfig,
    log,
  };

  if (options.workspace) {
    const { workspace } = await workspaces.create({ root_dir: options.workspace, trusted: true, make_default: true });
    if (!workspaces.ownTrust(workspace.id)) await workspaces.patch(workspace.id, { trusted: true });
  }

  const instances: Array<[string, FeatureInstance]> = [];
  for (const feature of featureList) {
    instances.push([feature.name, await feature.setup(ctx)]);
  }
  cleanups.push(async () => {
    for (const [name, instance] of [...instances].reverse()) {
      try {
        await instance.stop?.();
      } catch (error) {
        ctx.log(`feature ${name} failed to stop: ${(error as Error).message}`);
      }
    }
  });

  const bindings: RouteBinding[] = [];
  bindings.push(
    ...systemRoutes(ctx, () => instances, () => bindings),
    ...ticketRoutes(tickets),
    ...workspaceRoutes(workspaces, () => instances.map(([, f]) => f)),
  );
  for (const [, instance] of instances) bindings.push(...(instance.routes ?? []));

  const sampler = new StatsSampler(options.dataDir);
  let statsTimer: NodeJS.Timeout | undefined;
  demand.onChange((topic) => {
    if (topic !== 'system_stats' && topic !== '*') return;
    const wanted = demand.subscribers('system_stats') > 0;
    if (wanted && !statsTimer) {
      const tick = async () => bus.publish('global', 'system_stats', { stats: await sampler.sample() });
      void tick();
      statsTimer = setInterval(() => void tick(), options.fastTimers ? 250 : 2000);
      statsTimer.unref();
    } else if (!wanted && statsTimer) {
      clearInterval(statsTimer);
      statsTimer = undefined;
    }
  });
  cleanups.push(() => clearInterval(statsTimer));

  const app = createHttpApp({ guard, bindings, rendererDir: options.rendererDir });
  // One failing request ends that request only (see http/safety.ts); the WebSocket upgrade path
  // guards itself the same way (WsHub.handleUpgrade never throws).
  const server = createServer({ keepAliveTimeout: 65_000 }, guardedListener(app, ctx.log));
  server.on('clientError', onClientError);
  server.on('upgrade', hub.handleUpgrade);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') reject(new StartError('port_in_use', `Port ${options.port} on ${options.host} is already in use; pass --port 0 for any free port`));
      else if (error.code === 'EACCES') reject(new StartError('port_forbidden', `Not allowed to listen on ${options.host}:${options.port}`));
      else reject(error);
    });
    server.listen(options.port, options.host, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  // A server error after listening (rare: e.g. EMFILE on accept) is logged, not an uncaught throw.
  server.on('error', (error) => ctx.log(`http server error: ${(error as Error)?.stack ?? String(error)}`));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        // Upgraded WebSocket connections keep server.close() waiting: close them first, and do not
        // let a client that never answers the close frame hold the shutdown up.
        hub.close();
        setTimeout(resolve, 2000).unref();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );

  for (const [, instance] of instances) await instance.started?.();
  await writeDiscovery(options.dataDir, { url: ctx.url(), port, token, pid: process.pid, version: VERSION, started_at: ctx.startedAt.toISOString() });
  cleanups.push(() => removeDiscovery(options.dataDir));

  let stopping: Promise<void> | undefined;
  return {
    url: ctx.url(),
    port,
    token,
    ctx,
    server,
    stop: () =>
      (stopping ??= (async () => {
        for (const fn of [...cleanups].reverse()) {
          try {
            await fn();
          } catch (error) {
            ctx.log(`shutdown step failed: ${(error as Error).message}`);
          }
        }
      })()),
  };
}
