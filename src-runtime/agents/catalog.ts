/**
 * Which agents exist: the ones configured in the runtime config (`agents`) and the well-known agent
 * CLIs detected on this machine (PATH, and the Claude Code CLI shipped in node_modules), each with
 * its protocol, version and whether it can run here; the providers that say which harness runs
 * which agent; and the Claude Code skills a workspace (and the user) has.
 */
import { access, readdir, readFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { agentDefinitionInput, type Agent, type AgentProtocol, type Provider } from '../contract/agents.js';
import type { RuntimeConfig } from '../contract/runtime.js';
import { runCommand, type ProcessOwner } from '../platform/process.js';

export type ResolvedAgent = Agent & { env: Record<string, string> };

interface KnownAgent {
  name: string;
  provider: string;
  protocol: AgentProtocol;
  bin: string;
  args: string[];
}

/** Agent CLIs we know how to drive, by the executable they install. */
const KNOWN: KnownAgent[] = [
  { name: 'claude', provider: 'anthropic', protocol: 'claude-code', bin: 'claude', args: [] },
  { name: 'claude-acp', provider: 'anthropic', protocol: 'acp', bin: 'claude-agent-acp', args: [] },
  { name: 'gemini', provider: 'google', protocol: 'acp', bin: 'gemini', args: ['--experimental-acp'] },
  { name: 'codex', provider: 'openai', protocol: 'acp', bin: 'codex-acp', args: [] },
  { name: 'opencode', provider: 'opencode', protocol: 'acp', bin: 'opencode', args: ['acp'] },
  { name: 'goose', provider: 'goose', protocol: 'acp', bin: 'goose', args: ['acp'] },
];

const BUILTIN_PROVIDERS: Provider[] = [
  { name: 'anthropic', display_name: 'Anthropic (Claude Code)', default_model: null, harness: 'claude-code', runtime_provider: null },
  { name: 'google', display_name: 'Google (Gemini CLI)', default_model: null, harness: 'acp', runtime_provider: null },
  { name: 'openai', display_name: 'OpenAI (Codex)', default_model: null, harness: 'acp', runtime_provider: null },
  { name: 'opencode', display_name: 'opencode', default_model: null, harness: 'acp', runtime_provider: null },
  { name: 'goose', display_name: 'goose', default_model: null, harness: 'acp', runtime_provider: null },
];

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * node_modules/.bin folders above this module (the bundled claude CLI). Never the working
 * directory: `serve` started inside a folder must not pick up (and probe) that folder's binaries.
 */
function localBinDirs(): string[] {
  const dirs = new Set<string>();
  for (let d = dirname(fileURLToPath(import.meta.url)); ; d = dirname(d)) {
    dirs.add(join(d, 'node_modules', '.bin'));
    if (dirname(d) === d) break;
  }
  return [...dirs];
}

export async function findExecutable(bin: string, extraDirs: string[] = []): Promise<string | null> {
  if (isAbsolute(bin)) return (await isExecutable(bin)) ? bin : null;
  // Relative PATH entries would resolve against whatever folder the process sits in: skipped.
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter((d) => isAbsolute(d)), ...extraDirs];
  for (const dir of dirs) {
    const candidate = join(dir, bin);
    if (await isExecutable(candidate)) return candidate;
  }
  return null;
}

async function probeVersion(path: string, owner: ProcessOwner): Promise<string | null> {
  const r = await runCommand(path, ['--version'], { owner, timeoutMs: 5000, env: { CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1' } });
  if (r.exitCode !== 0) return null;
  const first = r.stdout.trim().split('\n')[0] ?? '';
  return /(\d+\.\d+[\w.+-]*)/.exec(first)?.[1] ?? (first || null);
}

export class AgentCatalog {
  private detected: { at: number; agents: Promise<ResolvedAgent[]> } | null = null;
  private readonly versions = new Map<string, Promise<string | null>>();

  constructor(
    private readonly config: () => RuntimeConfig,
    /** Owns the `--version` probes. */
    private readonly owner: ProcessOwner,
  ) {}

  private version(path: string): Promise<string | null> {
    let v = this.versions.get(path);
    if (!v) this.versions.set(path, (v = probeVersion(path, this.owner)));
    return v;
  }

  private base(name: string, provider: string, protocol: AgentProtocol): ResolvedAgent {
    return {
      name,
      provider,
      protocol,
      command: null,
      args: [],
      model: null,
      prompt: null,
      tools: [],
      deny_tools: [],
      toolsets: [],
      permissions: {},
      mcp_servers: [],
      silence_timeout_s: 600,
      source: 'detected',
      available: false,
      version: null,
      unavailable_reason: null,
      env: {},
    };
  }

  private detect(): Promise<ResolvedAgent[]> {
    if (this.detected && Date.now() - this.detected.at < 30_000) return this.detected.agents;
    const agents = Promise.all(
      KNOWN.map(async (k) => {
        const agent = this.base(k.name, k.provider, k.protocol);
        agent.args = k.args;
        const path = await findExecutable(k.bin, k.name === 'claude' ? localBinDirs() : []);
        if (!path) {
          agent.unavailable_reason = `${k.bin} was not found on PATH`;
          return agent;
        }
        agent.command = path;
        agent.version = await this.version(path);
        agent.available = true;
        return agent;
      }),
    );
    this.detected = { at: Date.now(), agents };
    return agents;
  }

  /** Configured agents first (they win over a detected one of the same name), then detected ones. */
  async list(): Promise<ResolvedAgent[]> {
    const out: ResolvedAgent[] = [];
    const detected = await this.detect();
    for (const raw of this.config().agents) {
      const parsed = agentDefinitionInput.safeParse(raw);
      const name = typeof (raw as { name?: unknown }).name === 'string' ? String((raw as { name: string }).name) : '(unnamed)';
      if (!parsed.success) {
        const bad = this.base(name, 'unknown', 'acp');
        bad.source = 'config';
        bad.unavailable_reason = `invalid definition: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`;
        out.push(bad);
        continue;
      }
      const def = parsed.data;
      const known = KNOWN.find((k) => k.name === def.name || k.provider === def.provider);
      const protocol = def.protocol ?? (def.provider === 'anthropic' && !def.command ? 'claude-code' : known && !def.command ? known.protocol : 'acp');
      const agent = this.base(def.name, def.provider ?? known?.provider ?? def.name, protocol);
      Object.assign(agent, {
        source: 'config',
        args: def.args ?? (def.command ? [] : (known?.args ?? [])),
        model: def.model ?? this.config().model ?? null,
        prompt: def.prompt ?? null,
        tools: def.tools ?? [],
        deny_tools: def.deny_tools ?? [],
        toolsets: def.toolsets ?? [],
        permissions: def.permissions ?? {},
        mcp_servers: def.mcp_servers ?? [],
        silence_timeout_s: def.silence_timeout_s ?? 600,
        env: def.env ?? {},
      });
      const bin = def.command ?? known?.bin;
      const path = bin ? await findExecutable(bin, protocol === 'claude-code' ? localBinDirs() : []) : null;
      if (!path) agent.unavailable_reason = bin ? `${bin} was not found (absolute path or on PATH)` : 'no command configured';
      else {
        agent.command = path;
        agent.available = true;
        agent.version = def.command ? null : await this.version(path);
      }
      out.push(agent);
    }
    for (const d of detected) if (!out.some((a) => a.name === d.name)) out.push(d);
    return out;
  }

  async find(name: string): Promise<ResolvedAgent | undefined> {
    return (await this.list()).find((a) => a.name === name);
  }

  providers(): Provider[] {
    const out = [...BUILTIN_PROVIDERS];
    for (const p of this.config().providers) {
      const harness: AgentProtocol = p.harness === 'claude-code' ? 'claude-code' : 'acp';
      const entry: Provider = { name: p.name, display_name: p.display_name ?? p.name, default_model: p.default_model ?? null, harness, runtime_provider: p.runtime_provider ?? null };
      const i = out.findIndex((x) => x.name === p.name);
      if (i >= 0) out[i] = entry;
      else out.push(entry);
    }
    return out;
  }
}

export interface Skill {
  name: string;
  description: string | null;
  path: string;
  scope: 'workspace' | 'user';
}

function frontmatter(text: string): Record<string, string> {
  const m = /^---\r?\n([\s\S]*?)\r?\n---/.exec(text);
  const out: Record<string, string> = {};
  if (!m?.[1]) return out;
  for (const line of m[1].split(/\r?\n/)) {
    const kv = /^([A-Za-z_-]+):\s*(.*)$/.exec(line);
    if (kv?.[1]) out[kv[1]] = (kv[2] ?? '').replace(/^["']|["']$/g, '');
  }
  return out;
}

/** Claude Code skills: `<dir>/.claude/skills/<name>/SKILL.md`, workspace and user level. */
export async function listSkills(workspaceRoot: string, home = homedir()): Promise<Skill[]> {
  const out: Skill[] = [];
  for (const [scope, base] of [['workspace', workspaceRoot], ['user', home]] as const) {
    const dir = join(base, '.claude', 'skills');
    let entries: string[];
    try {
      entries = await readdir(dir);
    } catch {
      continue;
    }
    for (const entry of entries.sort()) {
      const path = join(dir, entry, 'SKILL.md');
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch {
        continue;
      }
      const fm = frontmatter(text);
      out.push({ name: fm.name ?? entry, description: fm.description ?? null, path, scope });
    }
  }
  return out;
}
