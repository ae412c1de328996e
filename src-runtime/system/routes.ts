/**
 * Runtime routes: /health, status, config, and the API's own description (OpenAPI JSON/YAML and the
 * reference page), generated lazily from every mounted route declaration.
 */
import { stringify } from 'yaml';
import { defaultRuntimeConfig, runtimeApi, runtimeConfigSchema, type RuntimeConfig } from '../contract/runtime.js';
import { badRequest } from '../contract/errors.js';
import { bind, type RouteBinding } from '../http/bind.js';
import { buildOpenApi } from '../http/openapi.js';
import { eventCatalog } from '../contract/event-catalog.js';
import { renderDocsPage } from '../http/docs-page.js';
import type { FeatureInstance, RuntimeContext } from '../feature.js';
import { formatIssues } from '../http/mount.js';
import { folderRoutes } from './folders.js';
import { realFolders } from '../platform/paths.js';

export function systemRoutes(ctx: RuntimeContext, features: () => Array<[string, FeatureInstance]>, allRoutes: () => RouteBinding[]): RouteBinding[] {
  let openapi: Record<string, unknown> | undefined;
  const doc = () => (openapi ??= buildOpenApi(allRoutes().map((b) => b.def), { version: ctx.version, serverUrl: ctx.url() }, eventCatalog));
  let docsHtml: string | undefined;
  let yamlText: string | undefined;
  // process.memoryUsage() walks every heap space; status is polled often, so sample it at most once a second.
  let memory = { at: 0, rss_bytes: 0, heap_used_bytes: 0 };
  const memoryNow = () => {
    if (Date.now() - memory.at > 1000) {
      const m = process.memoryUsage();
      memory = { at: Date.now(), rss_bytes: m.rss, heap_used_bytes: m.heapUsed };
    }
    return { rss_bytes: memory.rss_bytes, heap_used_bytes: memory.heap_used_bytes };
  };
  const uptime = () => Math.round((Date.now() - ctx.startedAt.getTime()) / 100) / 10;

  const saveConfig = async (next: Record<string, unknown>) => {
    const parsed = runtimeConfigSchema.safeParse(next);
    if (!parsed.success) {
      const { message, details } = formatIssues('body', parsed.error.issues);
      throw badRequest('invalid_config', `Invalid runtime config: ${message}`, details);
    }
    const config: RuntimeConfig = { ...parsed.data, trusted_folders: await realFolders(parsed.data.trusted_folders) };
    if (config.default_workspace_id && !ctx.services.workspaces.findById(config.default_workspace_id)) {
      throw badRequest('workspace_not_found', `default_workspace_id "${config.default_workspace_id}" is not a registered workspace`);
    }
    const trustBefore = ctx.services.workspaces.trustSnapshot();
    await ctx.store.commit((d) => (d.config = config));
    ctx.services.workspaces.announceTrustChanges(trustBefore);
    return { config };
  };

  return [
    bind(runtimeApi.health, () => ({ status: 'ok' as const, version: ctx.version, uptime_s: uptime() })),
    bind(runtimeApi.status, async () => {
      // Features probe in the background at start-up (git): wait for that before reading them.
      const git = await ctx.services.gitInfo();
      const counts = { workspaces: ctx.services.workspaces.count(), live_sessions: 0, running_apps: 0 };
      // The process registry is no feature but reports beside them: what the start-up reaped.
      const featureStatus: Record<string, unknown> = { processes: ctx.processes.status() };
      for (const [name, f] of features()) {
        const c = f.counts?.();
        if (c?.live_sessions) counts.live_sessions += c.live_sessions;
        if (c?.running_apps) counts.running_apps += c.running_apps;
        const s = f.status?.();
        if (s) featureStatus[name] = s;
      }
      return {
        runtime: {
          version: ctx.version,
          pid: process.pid,
          node_version: process.version,
          platform: `${process.platform}-${process.arch}`,
          started_at: ctx.startedAt.toISOString(),
          uptime_s: uptime(),
          data_dir: ctx.dataDir,
          url: ctx.url(),
          git,
          counts,
          memory: memoryNow(),
          features: featureStatus,
        },
      };
    }),
    bind(runtimeApi.getConfig, () => ({ config: ctx.config() })),
    // PUT replaces the config (defaults for what is missing) but keeps the default workspace.
    bind(runtimeApi.putConfig, ({ body }) => saveConfig({ ...structuredClone(defaultRuntimeConfig), default_workspace_id: ctx.config().default_workspace_id, ...body })),
    bind(runtimeApi.patchConfig, ({ body }) => saveConfig({ ...ctx.config(), ...body })),
    bind(runtimeApi.openapiJson, ({ res }) => {
      res.json(doc());
    }),
    bind(runtimeApi.openapiYaml, ({ res }) => {
      res.type('application/yaml').send((yamlText ??= stringify(doc(), { aliasDuplicateObjects: false })));
    }),
    bind(runtimeApi.docs, ({ res }) => {
      res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
      res.type('html').send((docsHtml ??= renderDocsPage(doc())));
    }),
    ...folderRoutes(),
  ];
}

