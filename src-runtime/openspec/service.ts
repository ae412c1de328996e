/**
 * OpenSpec state of a workspace, read from `openspec/` on disk: specs with their requirement
 * counts, active changes (title from proposal.md, task progress from tasks.md checkboxes, the
 * capabilities they touch, validation problems), archived changes, and which workflow actions
 * (initialize, propose, apply, archive) make sense now. The `openspec` CLI is detected
 * (node_modules/.bin or PATH) and named in the actions when present; reading never needs it.
 */
import { access, readdir, readFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import type { OpenSpecState } from '../contract/apps.js';
import { ApiError } from '../contract/errors.js';
import type { Workspace } from '../contract/workspaces.js';
import { isInsideFolder } from '../platform/paths.js';
import { runCommand, type ProcessOwner } from '../platform/process.js';
import type { WorkspaceAction } from '../services.js';

type Change = OpenSpecState['changes'][number];
type Action = OpenSpecState['actions'][number];

const read = (p: string) => readFile(p, 'utf8').catch(() => undefined);

async function dirs(p: string): Promise<string[]> {
  try {
    return (await readdir(p, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  } catch {
    return [];
  }
}

/** Requirement blocks of a spec or delta: `### Requirement: name` with their text and scenarios. */
export function parseRequirements(markdown: string): Array<{ name: string; section: string | null; hasScenario: boolean; normative: boolean }> {
  const out: Array<{ name: string; section: string | null; hasScenario: boolean; normative: boolean }> = [];
  let section: string | null = null;
  let current: (typeof out)[number] | undefined;
  let inFence = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*```/.test(line)) inFence = !inFence;
    if (inFence) continue;
    const h2 = /^##\s+(.+?)\s*$/.exec(line);
    if (h2 && !line.startsWith('###')) {
      section = h2[1]!;
      current = undefined;
      continue;
    }
    const req = /^###\s+Requirement:\s*(.+?)\s*$/.exec(line);
    if (req) {
      current = { name: req[1]!, section, hasScenario: false, normative: false };
      out.push(current);
      continue;
    }
    if (!current) continue;
    if (/^####\s+Scenario:/.test(line)) current.hasScenario = true;
    else if (/\b(SHALL|MUST)\b/.test(line)) current.normative = true;
  }
  return out;
}

/** `- [x] 1.1 …` checkboxes. */
export function taskProgress(markdown: string): { total: number; done: number } {
  let total = 0;
  let done = 0;
  for (const line of markdown.split('\n')) {
    const m = /^\s*[-*]\s+\[([ xX])\]/.exec(line);
    if (!m) continue;
    total += 1;
    if (m[1] !== ' ') done += 1;
  }
  return { total, done };
}

export function proposalTitle(markdown: string): string | null {
  const h1 = /^#\s+(.+?)\s*$/m.exec(markdown);
  return h1 ? h1[1]!.replace(/^(Change|Proposal)\s*:\s*/i, '') : null;
}

const DELTA_SECTIONS = /^(ADDED|MODIFIED|REMOVED|RENAMED) Requirements$/;

async function readChange(root: string, dir: string, id: string, archived: boolean): Promise<Change> {
  const path = join(dir, id);
  const problems: string[] = [];
  const proposal = await read(join(path, 'proposal.md'));
  if (proposal === undefined) problems.push('proposal.md is missing');
  else {
    if (!/^##\s+Why\b/m.test(proposal)) problems.push('proposal.md has no "## Why" section');
    if (!/^##\s+What Changes\b/m.test(proposal)) problems.push('proposal.md has no "## What Changes" section');
  }
  const tasksMd = await read(join(path, 'tasks.md'));
  const tasks = tasksMd ? taskProgress(tasksMd) : { total: 0, done: 0 };
  if (tasksMd === undefined && !archived) problems.push('tasks.md is missing');
  const deltaSpecs = await dirs(join(path, 'specs'));
  let deltas = 0;
  for (const cap of deltaSpecs) {
    const md = await read(join(path, 'specs', cap, 'spec.md'));
    if (md === undefined) {
      problems.push(`specs/${cap}/spec.md is missing`);
      continue;
    }
    const reqs = parseRequirements(md);
    const sections = reqs.filter((r) => r.section && DELTA_SECTIONS.test(r.section));
    if (!sections.length && !/^##\s+(ADDED|MODIFIED|REMOVED|RENAMED) Requirements/m.test(md)) {
      problems.push(`specs/${cap}/spec.md has no ADDED/MODIFIED/REMOVED/RENAMED Requirements section`);
    }
    deltas += sections.length;
    for (const r of sections) {
      if (/^(ADDED|MODIFIED)/.test(r.section ?? '') && !r.hasScenario) problems.push(`specs/${cap}: requirement "${r.name}" has no "#### Scenario:"`);
      if (/^(ADDED|MODIFIED)/.test(r.section ?? '') && !r.normative) problems.push(`specs/${cap}: requirement "${r.name}" has no SHALL or MUST`);
    }
  }
  if (!archived && deltas === 0 && !problems.some((p) => p.startsWith('specs/'))) problems.push('the change has no spec deltas (specs/<capability>/spec.md)');
  const date = archived ? (/^(\d{4}-\d{2}-\d{2})-/.exec(id)?.[1] ?? null) : null;
  return { id, title: proposal ? proposalTitle(proposal) : null, path: path.slice(root.length + 1), tasks, delta_specs: deltaSpecs, problems, archived_at: date };
}

let ownCli: Promise<OpenSpecState['cli']> | undefined;
const trustedCliByRoot = new Map<string, Promise<OpenSpecState['cli']>>();

async function executable(p: string): Promise<boolean> {
  return access(p, constants.X_OK).then(() => true, () => false);
}

/**
 * The openspec CLI for a workspace. An untrusted workspace never has anything looked up inside it:
 * only the runtime's own install and absolute PATH folders outside the workspace. A trusted
 * workspace's own pinned copy (node_modules/.bin) is preferred when it has one.
 */
export function detectCli(workspace: { root_dir: string; trusted: boolean }, owner: ProcessOwner): Promise<OpenSpecState['cli']> {
  if (!workspace.trusted) return runtimeCli(workspace.root_dir, owner);
  const root = workspace.root_dir;
  let hit = trustedCliByRoot.get(root);
  if (!hit) {
    hit = (async () => {
      const own = join(root, 'node_modules', '.bin', 'openspec');
      if (await executable(own)) return { available: true, path: own, version: await version(own, owner) };
      return runtimeCli(root, owner);
    })();
    trustedCliByRoot.set(root, hit);
  }
  return hit;
}

/** The runtime's own openspec (its dependency), else the first on PATH that is not inside `workspaceRoot`. */
async function runtimeCli(workspaceRoot: string, owner: ProcessOwner): Promise<OpenSpecState['cli']> {
  ownCli ??= (async () => {
    for (const p of ownInstalls()) if (await executable(p)) return { available: true, path: p, version: await version(p, owner) };
    return null;
  })().then((found) => found ?? { available: false, path: null, version: null });
  const own = await ownCli;
  if (own.available) return own;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!isAbsolute(dir) || isInsideFolder(resolve(dir), workspaceRoot)) continue;
    const p = join(dir, 'openspec');
    if (await executable(p)) return { available: true, path: p, version: await version(p, owner) };
  }
  return own;
}

/** The node_modules/.bin folders above the runtime's own code (its installed dependency). */
function ownInstalls(): string[] {
  const paths = createRequire(import.meta.url).resolve.paths('@fission-ai/openspec') ?? [];
  return paths.map((p) => join(p, '.bin', 'openspec'));
}

async function version(path: string, owner: ProcessOwner): Promise<string | null> {
  const r = await runCommand(path, ['--version'], { owner, timeoutMs: 10_000 });
  return r.exitCode === 0 ? r.stdout.trim() || null : null;
}

const PROMPTS = {
  initialize: 'Initialize OpenSpec in this workspace: run `openspec init` (non-interactive, with --tools none if asked), then fill openspec/project.md (or config) with the project purpose, tech stack and conventions you can infer from the code.',
  propose: 'Propose an OpenSpec change for: {{request}}. Create openspec/changes/<change-id>/ with proposal.md (## Why, ## What Changes, ## Impact), tasks.md (numbered - [ ] checkboxes) and spec deltas under specs/<capability>/spec.md (## ADDED/MODIFIED/REMOVED Requirements, each ### Requirement: with SHALL/MUST and at least one #### Scenario:). Validate with `openspec validate <change-id> --strict` when the CLI is available.',
  apply: 'Apply the OpenSpec change "{{change}}": read openspec/changes/{{change}}/proposal.md, design.md (if any) and tasks.md, implement the tasks in order, and tick each checkbox in tasks.md as it is done.',
  archive: 'Archive the OpenSpec change "{{change}}": check every task in tasks.md is done, then run `openspec archive {{change}} --yes` (or move the folder to openspec/changes/archive/<YYYY-MM-DD>-{{change}}/ and merge its deltas into openspec/specs/).',
};

/** `owner` owns the `openspec --version` probe. */
export async function readOpenSpec(workspace: Workspace, owner: ProcessOwner): Promise<OpenSpecState> {
  const root = join(workspace.root_dir, 'openspec');
  const exists = (await dirs(workspace.root_dir)).includes('openspec');
  const cli = await detectCli(workspace, owner);
  const specs: OpenSpecState['specs'] = [];
  const changes: Change[] = [];
  const archived: Change[] = [];
  if (exists) {
    for (const cap of await dirs(join(root, 'specs'))) {
      const md = await read(join(root, 'specs', cap, 'spec.md'));
      const problems: string[] = [];
      const reqs = md ? parseRequirements(md) : [];
      if (md === undefined) problems.push('spec.md is missing');
      else {
        if (!/^##\s+Purpose\b/m.test(md)) problems.push('no "## Purpose" section');
        if (!/^##\s+Requirements\b/m.test(md)) problems.push('no "## Requirements" section');
        for (const r of reqs) if (!r.hasScenario) problems.push(`requirement "${r.name}" has no "#### Scenario:"`);
      }
      specs.push({ capability: cap, path: `openspec/specs/${cap}/spec.md`, requirements: reqs.length, problems });
    }
    const changesDir = join(root, 'changes');
    for (const id of await dirs(changesDir)) if (id !== 'archive') changes.push(await readChange(workspace.root_dir, changesDir, id, false));
    for (const id of await dirs(join(changesDir, 'archive'))) archived.push(await readChange(workspace.root_dir, join(changesDir, 'archive'), id, true));
  }
  return { workspace_id: workspace.id, exists, root, specs, changes, archived, actions: workflowActions(exists, changes, cli.available), cli };
}

export function workflowActions(exists: boolean, changes: Change[], cli: boolean): Action[] {
  const actions: Action[] = [
    {
      name: 'initialize',
      title: 'Initialize OpenSpec',
      description: 'Create openspec/ (project context, specs/ and changes/) and the agent instruction files, so changes are proposed as specs before code.',
      available: !exists,
      reason: exists ? 'openspec/ already exists' : null,
      change_id: null,
      cli_command: cli ? 'openspec init --tools none' : null,
      prompt: PROMPTS.initialize,
    },
    {
      name: 'propose',
      title: 'Propose a change',
      description: 'Write a change proposal: why, what changes, the tasks, and spec deltas (ADDED/MODIFIED/REMOVED requirements with scenarios) for review before any code is written.',
      available: exists,
      reason: exists ? null : 'initialize OpenSpec first',
      change_id: null,
      cli_command: null,
      prompt: PROMPTS.propose,
    },
  ];
  for (const c of changes) {
    const complete = c.tasks.total > 0 && c.tasks.done === c.tasks.total;
    actions.push({
      name: 'apply',
      title: `Apply ${c.id}`,
      description: `Implement the tasks of "${c.title ?? c.id}" (${c.tasks.done}/${c.tasks.total} done), ticking tasks.md as they are done.`,
      available: !complete,
      reason: complete ? 'every task is done; archive it' : null,
      change_id: c.id,
      cli_command: cli ? `openspec instructions apply --change ${c.id}` : null,
      prompt: PROMPTS.apply.replaceAll('{{change}}', c.id),
    });
    actions.push({
      name: 'archive',
      title: `Archive ${c.id}`,
      description: `Move "${c.title ?? c.id}" to changes/archive/ and merge its spec deltas into openspec/specs/.`,
      available: complete && c.problems.length === 0,
      reason: complete ? (c.problems.length ? `fix the validation problems first: ${c.problems[0]}` : null) : `${c.tasks.total - c.tasks.done} of ${c.tasks.total} tasks are open`,
      change_id: c.id,
      cli_command: cli ? `openspec archive ${c.id} --yes` : null,
      prompt: PROMPTS.archive.replaceAll('{{change}}', c.id),
    });
  }
  return actions;
}

/** The OpenSpec actions as session actions (services.apps.listActions). */
export function openspecSessionActions(state: OpenSpecState): WorkspaceAction[] {
  return state.actions
    .filter((a) => a.available)
    .map((a) => ({ name: a.change_id ? `openspec-${a.name}-${a.change_id}` : `openspec-${a.name}`, description: a.description, prompt: a.prompt, source: 'openspec' as const }));
}

/**
 * The CLI command line for an action that the CLI performs by itself, or an ApiError saying why
 * not (not available now, needs an agent, no CLI).
 */
export function cliActionCommand(state: OpenSpecState, action: Action['name'], changeId: string | undefined): { command: string; title: string } {
  const candidates = state.actions.filter((a) => a.name === action && (action === 'archive' || action === 'apply' ? a.change_id === changeId : true));
  const chosen = candidates[0];
  if ((action === 'archive' || action === 'apply') && !changeId) throw new ApiError(400, 'change_id_required', `${action} needs {"change_id": "<id>"}; GET …/openspec lists the changes`);
  if (!chosen) throw new ApiError(404, 'change_not_found', `No active change "${changeId}" in openspec/changes/`);
  if (action === 'propose' || action === 'apply') {
    throw new ApiError(409, 'needs_agent', `"${chosen.title}" is agent work: run its prompt in an agent session`, { prompt: chosen.prompt });
  }
  if (!chosen.available) throw new ApiError(409, 'action_unavailable', `${chosen.title} is not available now: ${chosen.reason}`);
  if (!state.cli.available || !state.cli.path) throw new ApiError(503, 'openspec_cli_missing', 'The openspec CLI is not installed (npm i -D @fission-ai/openspec in the workspace, or put openspec on PATH)');
  const bin = state.cli.path.includes("'") ? 'openspec' : `'${state.cli.path}'`;
  const command = action === 'initialize' ? `${bin} init --tools none --no-animation .` : `${bin} archive ${changeId} --yes`;
  return { command, title: chosen.title };
}
