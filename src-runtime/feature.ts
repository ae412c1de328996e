/**
 * What a feature plugs into: the runtime context it receives (store, bus, WebSocket hub, the
 * workspace service and the other features' services) and what it gives back (route bindings,
 * status, counts, its part of the workspace detail, cleanup). The composition root lists features
 * in src-runtime/features.ts; features reach each other only through `ctx.services`.
 */
import type { RuntimeConfig } from './contract/runtime.js';
import type { Workspace, WorkspaceDetail } from './contract/workspaces.js';
import type { EventBus } from './events/bus.js';
import type { HubDemand, WsHub } from './events/ws-hub.js';
import type { RouteBinding } from './http/bind.js';
import type { ProcessRegistry } from './platform/process-registry.js';
import type { Services } from './services.js';
import type { Store } from './store/db.js';

export interface RuntimeOptions {
  port: number;
  host: string;
  dataDir: string;
  token?: string;
  workspace?: string;
  rendererDir?: string;
  /** db.json is unreadable: keep it aside and start from db.json.prev (or empty). */
  recoverStore?: boolean;
  /** Shorter timers for tests (heartbeats, stats interval). */
  fastTimers?: boolean;
  /** The runtime's clock (ms since the epoch, default Date.now): cache lifetimes and ticket expiry. Tests advance it instead of sleeping. */
  now?: () => number;
}

export interface RuntimeContext {
  readonly version: string;
  readonly options: RuntimeOptions;
  readonly dataDir: string;
  readonly token: string;
  readonly startedAt: Date;
  readonly store: Store;
  readonly bus: EventBus;
  readonly hub: WsHub;
  /** Who subscribes to which topics on WS /api/v1/ws (start watchers and samplers lazily). */
  readonly demand: HubDemand;
  readonly services: Services;
  /** The owner of every child process: pass `processes.owner(label)` to startGroup and friends. */
  readonly processes: ProcessRegistry;
  /** The address the server listens on, once it does. */
  url(): string;
  port(): number;
  config(): RuntimeConfig;
  log(message: string): void;
}

export interface FeatureInstance {
  routes?: RouteBinding[];
  /** Included in GET /api/v1/runtime/status under features.<name>. */
  status?(): Record<string, unknown>;
  counts?(): Partial<{ live_sessions: number; running_apps: number }>;
  /** This feature's part of GET /api/v1/workspaces/:id. */
  workspaceDetail?(workspace: Workspace): Promise<Partial<WorkspaceDetail>>;
  onWorkspaceRemoved?(workspaceId: string): Promise<void>;
  /** Called after the server listens (port known). */
  started?(): Promise<void> | void;
  stop?(): Promise<void>;
}

export interface RuntimeFeature {
  name: string;
  setup(ctx: RuntimeContext): FeatureInstance | Promise<FeatureInstance>;
}
