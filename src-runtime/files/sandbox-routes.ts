/**
 * The E2B-style sandbox view of a workspace: the workspace root appears as `/workspace`, files are
 * addressed with `?path=/workspace/…` (or relative to it), and commands run in the workspace
 * (trusted workspaces only) with streamed output, exit code and kill.
 */
import { badRequest } from '../contract/errors.js';
import { sandboxApi } from '../contract/files.js';
import { bind, reply, type RouteBinding } from '../http/bind.js';
import { streamSse } from '../events/sse.js';
import type { EventBus } from '../events/bus.js';
import type { WorkspacesServiceApi } from '../services.js';
import type { CommandRunner } from './commands.js';
import { writeSource } from './request-body.js';
import { serveGuardedPath } from './serve-file.js';
import type { FilesService } from './service.js';

export const SANDBOX_ROOT = '/workspace';

/** `/workspace/a/b` → `a/b`; relative paths are taken as relative to /workspace. */
export function sandboxToRelative(path: string): string {
  if (path === SANDBOX_ROOT || path === `${SANDBOX_ROOT}/`) return '';
  if (path.startsWith(`${SANDBOX_ROOT}/`)) return path.slice(SANDBOX_ROOT.length + 1);
  if (path.startsWith('/')) throw badRequest('path_outside_sandbox', `Sandbox paths live under ${SANDBOX_ROOT} (the workspace root), got "${path}"`);
  return path;
}

export function sandboxRoutes(deps: { workspaces: WorkspacesServiceApi; files: FilesService; commands: CommandRunner; bus: EventBus }): RouteBinding[] {
  const { workspaces, files, commands, bus } = deps;
  return [
    bind(sandboxApi.read, async ({ params, query, req, res }) => {
      const w = await workspaces.get(params.id);
      const g = await files.requireExisting(w.root_dir, sandboxToRelative(query.path));
      return serveGuardedPath(files, w.root_dir, g, query, req, res);
    }),
    bind(sandboxApi.write, async ({ params, query, req }) => {
      const w = await workspaces.get(params.id);
      const rel = sandboxToRelative(query.path);
      const { source } = await writeSource(req, query.format);
      const ifMatch = typeof req.headers['if-match'] === 'string' ? req.headers['if-match'] : undefined;
      const file = await files.write(w.root_dir, rel, source, { mkdir: query.mkdir ?? true, ifMatch });
      return reply(file.created ? 201 : 200, { file }, { ETag: file.etag });
    }),
    bind(sandboxApi.remove, async ({ params, query }) => {
      const w = await workspaces.get(params.id);
      await files.remove(w.root_dir, sandboxToRelative(query.path), true);
      return { ok: true as const };
    }),
    bind(sandboxApi.run, async ({ params, body }) => {
      const w = await workspaces.get(params.id);
      workspaces.requireTrusted(w);
      const cwd = (await files.requireExisting(w.root_dir, sandboxToRelative(body.cwd ?? SANDBOX_ROOT))).real;
      const command = commands.start(w, { cmd: body.cmd, cwd, envs: body.envs, timeoutMs: body.timeout_ms });
      if (!body.wait) return reply(201, { command: commands.view(command) });
      await command.done;
      return reply(200, { command: commands.view(command) });
    }),
    bind(sandboxApi.list, async ({ params }) => {
      const w = await workspaces.get(params.id);
      return { commands: commands.list(w.id).map((c) => commands.view(c)) };
    }),
    bind(sandboxApi.get, async ({ params }) => {
      const w = await workspaces.get(params.id);
      return { command: commands.view(commands.require(w.id, params.command_id)) };
    }),
    bind(sandboxApi.events, async ({ params, req, res }) => {
      const w = await workspaces.get(params.id);
      const c = commands.require(w.id, params.command_id);
      const stream = bus.stream(`exec:${c.id}`);
      const finished = c.status !== 'running';
      await streamSse(req, res, stream, { endAfter: (e) => e.type === 'command_exit' });
      // A finished command's stream has replayed its exit already; nothing more will come.
      if (finished && !res.writableEnded) res.end();
    }),
    bind(sandboxApi.kill, async ({ params }) => {
      const w = await workspaces.get(params.id);
      const c = commands.require(w.id, params.command_id);
      await commands.kill(c);
      return { command: commands.view(c) };
    }),
  ];
}
