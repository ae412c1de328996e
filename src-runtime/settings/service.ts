/**
 * Agent settings in Claude Code's own formats: `.claude/settings.json` (permissions, env, hooks …)
 * and `.mcp.json` ({mcpServers}) per workspace, and the user level under the home folder
 * (`~/.claude/settings.json`, and `mcpServers` inside `~/.claude.json`, whose other keys are kept).
 * Files are read leniently (missing = empty) and written whole, pretty-printed, after validation.
 */
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { tempName, writeFileConfined } from '../platform/confined-fs.js';
import { ApiError } from '../contract/errors.js';
import { claudeSettingsSchema, mcpConfigSchema } from '../contract/agents.js';
import { userHome } from '../platform/user-home.js';
import type { McpServerSpec } from '../services.js';

export type SettingsScope = 'workspace' | 'user';
type Json = Record<string, unknown>;

export function settingsPath(scope: SettingsScope, root: string | null): string {
  return scope === 'user' ? join(userHome(), '.claude', 'settings.json') : join(root!, '.claude', 'settings.json');
}

export function mcpPath(scope: SettingsScope, root: string | null): string {
  return scope === 'user' ? join(userHome(), '.claude.json') : join(root!, '.mcp.json');
}

async function readJson(path: string): Promise<Json> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  if (!text.trim()) return {};
  try {
    const value = JSON.parse(text) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Json;
  } catch {
    // fall through
  }
  throw new ApiError(422, 'settings_invalid', `${path} is not a JSON object; fix or replace it with PUT`);
}

/**
 * Written whole through a temp file. Inside a workspace (`root`) the write is confined to it
 * (platform/confined-fs): a `.claude` swapped for a symlink cannot send it elsewhere. At the user
 * level the home folder's own links (dotfile managers) are followed as before.
 */
async function writeJson(path: string, value: Json, root: string | null): Promise<void> {
  const text = `${JSON.stringify(value, null, 2)}\n`;
  if (root) return writeFileConfined([root], path, text, { what: `"${path}"` });
  await mkdir(dirname(path), { recursive: true });
  const tmp = join(dirname(path), tempName(basename(path)));
  try {
    await writeFile(tmp, text, { flag: 'wx' });
    await rename(tmp, path);
  } catch (error) {
    await unlink(tmp).catch(() => undefined);
    throw error;
  }
}

export async function readSettings(path: string): Promise<Json> {
  const raw = await readJson(path);
  const parsed = claudeSettingsSchema.safeParse(raw);
  if (!parsed.success) throw new ApiError(422, 'settings_invalid', `${path} does not follow the Claude Code settings format`, parsed.error.issues);
  return parsed.data;
}

export async function writeSettings(path: string, settings: Json, root: string | null): Promise<Json> {
  await writeJson(path, settings, root);
  return settings;
}

export async function readMcp(path: string): Promise<{ mcpServers: Record<string, Json> }> {
  const raw = await readJson(path);
  const parsed = mcpConfigSchema.safeParse({ mcpServers: raw.mcpServers ?? {} });
  if (!parsed.success) throw new ApiError(422, 'settings_invalid', `${path}: mcpServers does not follow the .mcp.json format`, parsed.error.issues);
  return parsed.data as { mcpServers: Record<string, Json> };
}

/** Replace mcpServers; in ~/.claude.json every other key is kept. */
export async function writeMcp(scope: SettingsScope, path: string, mcp: { mcpServers: Record<string, Json> }, root: string | null): Promise<void> {
  const base = scope === 'user' ? await readJson(path) : {};
  await writeJson(path, { ...base, mcpServers: mcp.mcpServers }, scope === 'user' ? null : root);
}

/** The MCP servers an agent session gets: user level, then the workspace's .mcp.json (wins by name). */
export async function mcpServersFor(root: string): Promise<McpServerSpec[]> {
  const merged: Record<string, Json> = {};
  for (const path of [mcpPath('user', null), mcpPath('workspace', root)]) {
    try {
      Object.assign(merged, (await readMcp(path)).mcpServers);
    } catch {
      // An unreadable file is reported by the settings routes; sessions still start without it.
    }
  }
  return Object.entries(merged).map(([name, s]) => {
    const transport = s.type === 'http' || s.type === 'sse' ? s.type : s.url && !s.command ? 'http' : 'stdio';
    return {
      name,
      transport,
      command: s.command as string | undefined,
      args: (s.args as string[] | undefined) ?? [],
      env: (s.env as Record<string, string> | undefined) ?? {},
      url: s.url as string | undefined,
      headers: (s.headers as Record<string, string> | undefined) ?? {},
    };
  });
}
