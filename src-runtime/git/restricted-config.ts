/**
 * Restricted mode for git in a workspace the user has not trusted: git must never run a program
 * that the repository names. Reading the configuration runs nothing (`git config --list
 * --show-scope --show-origin --includes -z`), so we read it, find every key from the repository's
 * own scopes (`local`, `worktree`, and what they include) that names a program, and override it on
 * the command line (`-c key=value`, which beats every file) with what the user's own system/global
 * configuration says, or with a harmless value when it says nothing. On top, hooks, fsmonitor,
 * the ext/fd transports and submodule recursion are switched off on every call, and diff/log/show
 * get `--no-textconv --no-ext-diff`. The overrides are cached per folder and re-read when one of
 * the repository's config files changes (by mtime and size).
 *
 * Why not GIT_CONFIG_NOSYSTEM or a scrubbed HOME: the user's own programs (git-lfs, credential
 * helpers in ~/.gitconfig) are theirs and stay; only the folder's choices are neutralised.
 */
import { stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';

export interface ConfigEntry {
  scope: string;
  /** Absolute path of the file the entry came from, when it came from a file. */
  file: string | null;
  key: string;
  value: string | null;
}

/** Parse `git config --list --show-scope --show-origin -z` (keys are lower-cased by git except subsections). */
export function parseConfigList(output: string, cwd: string): ConfigEntry[] {
  const parts = output.split('\0');
  const entries: ConfigEntry[] = [];
  for (let i = 0; i + 2 < parts.length; i += 3) {
    const scope = parts[i]!;
    const origin = parts[i + 1]!;
    const keyValue = parts[i + 2]!;
    const newline = keyValue.indexOf('\n');
    const key = newline === -1 ? keyValue : keyValue.slice(0, newline);
    const value = newline === -1 ? null : keyValue.slice(newline + 1);
    let file: string | null = null;
    if (origin.startsWith('file:')) {
      const path = origin.slice(5);
      file = isAbsolute(path) ? path : resolve(cwd, path);
    }
    entries.push({ scope, file, key, value });
  }
  return entries;
}

const REPOSITORY_SCOPES = new Set(['local', 'worktree']);

/** A program-naming key and what to set when the user's own configuration says nothing. */
interface ProgramKey {
  pattern: RegExp;
  safe: string;
  /** The key is a list (credential helpers): an empty value resets it, then the user's own are re-added. */
  list?: boolean;
  /** Extra overrides that go with it (a neutralised filter must not be "required"). */
  also?: (key: string) => Array<[string, string]>;
}

// `git merge-file` is git's own three-way merge: a neutralised merge driver still merges.
const SAFE_MERGE = 'git merge-file --marker-size=%L %A %O %B';

/**
 * Every configuration key that names a program git (or git-lfs) may start. Documented with the
 * reasoning in docs/version-control.md; extend both together.
 */
export const PROGRAM_KEYS: readonly ProgramKey[] = [
  { pattern: /^core\.fsmonitor$/, safe: 'false' },
  { pattern: /^core\.hookspath$/, safe: '/dev/null' },
  { pattern: /^core\.sshcommand$/, safe: 'ssh -o BatchMode=yes' },
  { pattern: /^core\.gitproxy$/, safe: 'none' },
  { pattern: /^core\.askpass$/, safe: 'true' },
  { pattern: /^core\.editor$/, safe: 'true' },
  { pattern: /^core\.pager$/, safe: 'cat' },
  { pattern: /^core\.alternaterefscommand$/, safe: 'true' },
  { pattern: /^pager\..+$/, safe: 'false' },
  { pattern: /^sequence\.editor$/, safe: 'true' },
  { pattern: /^interactive\.difffilter$/, safe: 'cat' },
  { pattern: /^credential\.helper$/, safe: '', list: true },
  { pattern: /^credential\..+\.helper$/, safe: '', list: true },
  { pattern: /^filter\..+\.(clean|smudge|process)$/, safe: '', also: (key) => [[key.replace(/\.[^.]+$/, '.required'), 'false']] },
  { pattern: /^diff\..+\.textconv$/, safe: 'cat' },
  { pattern: /^diff\..+\.command$/, safe: '' },
  { pattern: /^diff\.external$/, safe: '' },
  { pattern: /^merge\..+\.driver$/, safe: SAFE_MERGE },
  { pattern: /^gpg\.program$/, safe: 'gpg' },
  { pattern: /^gpg\.openpgp\.program$/, safe: 'gpg' },
  { pattern: /^gpg\.x509\.program$/, safe: 'gpgsm' },
  { pattern: /^gpg\.ssh\.program$/, safe: 'ssh-keygen' },
  { pattern: /^gpg\.ssh\.defaultkeycommand$/, safe: '' },
  { pattern: /^commit\.gpgsign$/, safe: 'false' },
  { pattern: /^tag\.gpgsign$/, safe: 'false' },
  { pattern: /^push\.gpgsign$/, safe: 'false' },
  { pattern: /^remote\..+\.uploadpack$/, safe: 'git-upload-pack' },
  { pattern: /^remote\..+\.receivepack$/, safe: 'git-receive-pack' },
  { pattern: /^remote\..+\.vcs$/, safe: '' },
  { pattern: /^uploadpack\.packobjectshook$/, safe: '' },
  { pattern: /^submodule\..+\.update$/, safe: 'none' },
  { pattern: /^trailer\..+\.(command|cmd)$/, safe: '' },
  { pattern: /^lfs\.customtransfer\..+\.path$/, safe: '' },
  { pattern: /^lfs\.standalonetransferagent$/, safe: '' },
  { pattern: /^lfs\.extension\..+\.(clean|smudge)$/, safe: '' },
];

/** Set on every restricted call, whatever the configuration says. */
export const ALWAYS_RESTRICTED: ReadonlyArray<[string, string]> = [
  ['core.hooksPath', '/dev/null'],
  ['core.fsmonitor', 'false'],
  ['protocol.ext.allow', 'never'],
  ['protocol.fd.allow', 'never'],
  // A submodule's own .git/config is not read here: never step into submodules.
  ['submodule.recurse', 'false'],
  ['fetch.recurseSubmodules', 'false'],
  ['push.recurseSubmodules', 'no'],
  ['diff.ignoreSubmodules', 'all'],
  ['status.submoduleSummary', 'false'],
  // Showing signatures runs the signing program.
  ['log.showSignature', 'false'],
];

/** Subcommands that take diff options: textconv and external diff drivers stay off. */
const DIFF_COMMANDS = new Set(['diff', 'log', 'show']);
/**
 * remote.<name>.uploadpack/receivepack take the FIRST value when given twice, so a `-c` override
 * cannot beat the repository's: these subcommands name git's own programs on the command line.
 */
const REMOTE_PROGRAM_ARGS: Record<string, string[]> = {
  fetch: ['--upload-pack=git-upload-pack'],
  pull: ['--upload-pack=git-upload-pack'],
  'ls-remote': ['--upload-pack=git-upload-pack'],
  clone: ['--upload-pack=git-upload-pack'],
  push: ['--receive-pack=git-receive-pack'],
};
/** Subcommands that look into submodules unless told not to. */
const SUBMODULE_AWARE = new Set(['status', 'diff']);

/** The `-c key=value` pairs that neutralise what the repository's own scopes name. */
export function overridesFor(entries: readonly ConfigEntry[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const handled = new Set<string>();
  for (const entry of entries) {
    if (!REPOSITORY_SCOPES.has(entry.scope) || handled.has(entry.key)) continue;
    const lower = lowerKey(entry.key);
    const rule = PROGRAM_KEYS.find((r) => r.pattern.test(lower));
    if (!rule) continue;
    handled.add(entry.key);
    const users = entries.filter((e) => e.key === entry.key && !REPOSITORY_SCOPES.has(e.scope) && e.scope !== 'command');
    if (rule.list) {
      out.push([entry.key, '']);
      for (const e of users) if (e.value) out.push([entry.key, e.value]);
    } else {
      const own = users.at(-1);
      out.push([entry.key, own?.value ?? rule.safe]);
    }
    if (rule.also) out.push(...rule.also(entry.key));
  }
  return out;
}

/** Section and key lower-cased, the subsection as written (how git compares them). */
function lowerKey(key: string): string {
  const first = key.indexOf('.');
  const last = key.lastIndexOf('.');
  if (first === last) return key.toLowerCase();
  return `${key.slice(0, first).toLowerCase()}${key.slice(first, last)}${key.slice(last).toLowerCase()}`;
}

/** The arguments of one restricted git call: overrides first, then the call with diff drivers off. */
export function restrictedArgs(args: readonly string[], overrides: ReadonlyArray<[string, string]>): string[] {
  const pairs = [...ALWAYS_RESTRICTED, ...overrides].flatMap(([k, v]) => ['-c', `${k}=${v}`]);
  const call = [...args];
  // The subcommand is the first argument that is not a global option (`-c k=v` takes a value).
  let index = 0;
  while (index < call.length && call[index]!.startsWith('-')) index += call[index] === '-c' ? 2 : 1;
  const sub = call[index];
  if (sub !== undefined) {
    const extra: string[] = [];
    if (DIFF_COMMANDS.has(sub)) extra.push('--no-textconv', '--no-ext-diff');
    if (SUBMODULE_AWARE.has(sub)) extra.push('--ignore-submodules=all');
    extra.push(...(REMOTE_PROGRAM_ARGS[sub] ?? []));
    call.splice(index + 1, 0, ...extra);
  }
  return [...pairs, ...call];
}

interface CacheEntry {
  stamp: string;
  files: string[];
  overrides: Array<[string, string]>;
}

/** Reads a folder's configuration through `read` and caches the overrides by the config files' mtimes. */
export class RestrictedConfigCache {
  private readonly entries = new Map<string, CacheEntry>();

  constructor(private readonly read: (cwd: string) => Promise<string>) {}

  async overrides(cwd: string): Promise<Array<[string, string]>> {
    const hit = this.entries.get(cwd);
    if (hit && (await stampOf(hit.files)) === hit.stamp) return hit.overrides;
    const entries = parseConfigList(await this.read(cwd), cwd);
    const files = repositoryFiles(entries);
    // Stamp before using what was read: a change in between is caught by the next call.
    const stamp = await stampOf(files);
    const overrides = overridesFor(entries);
    if (files.length) this.entries.set(cwd, { stamp, files, overrides });
    else this.entries.delete(cwd);
    return overrides;
  }
}

/** The repository's own config files (and the config.worktree that may appear beside them). */
function repositoryFiles(entries: readonly ConfigEntry[]): string[] {
  const files = new Set<string>();
  for (const e of entries) {
    if (!REPOSITORY_SCOPES.has(e.scope) || !e.file) continue;
    files.add(e.file);
    if (e.scope === 'local') files.add(join(dirname(e.file), 'config.worktree'));
  }
  return [...files].sort();
}

async function stampOf(files: readonly string[]): Promise<string> {
  const parts = await Promise.all(
    files.map((f) =>
      stat(f, { bigint: true }).then(
        (s) => `${s.mtimeNs}:${s.size}:${s.ino}`,
        () => '-',
      ),
    ),
  );
  return parts.join('|');
}
