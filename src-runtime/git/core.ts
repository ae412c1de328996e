/**
 * The one wrapper around dugite. It picks the git binary (dugite's embedded git when the package
 * ships it, else the system git through LOCAL_GIT_DIRECTORY + GIT_EXEC_PATH), runs every command
 * with an environment that can never wait for input (no terminal prompts, an askpass helper that
 * answers nothing, ssh in batch mode), checks the exit code against the ones each call expects and
 * turns failures into typed GitErrors. Three ways to run: `run` (buffered), `runCapped` (stops
 * reading past a byte limit: large diffs) and `runWithProgress` (parses git's progress lines).
 *
 * Every git process of the runtime starts here. `git.restricted()` is the same git for a folder
 * the user has not trusted: each call first neutralises every program the repository's own
 * configuration names (restricted-config.ts), so opening a hostile folder runs none of its code.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { realpathSync } from 'node:fs';
import { exec, resolveEmbeddedGitDir, resolveGitBinary, spawn } from 'dugite';
import type { GitBinaryInfo } from '../services.js';
import { findOnPath } from '../platform/find-on-path.js';
import { classifyGitOutput, filesFromGitMessage, GitError, messageFor } from './errors.js';
import { parseProgressLine, type GitProgress } from './progress.js';
import { RestrictedConfigCache, restrictedArgs } from './restricted-config.js';

export interface RunOptions {
  /** Exit codes that mean success for this call (default: 0 only). */
  successExitCodes?: ReadonlySet<number>;
  stdin?: string;
  env?: Record<string, string>;
  /** Kill git after this long (default 60 s; network calls pass more). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

const ZERO = new Set([0]);

function execText(file: string, args: string[], env?: NodeJS.ProcessEnv): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: 5000, env: env ?? process.env }, (error, stdout) => resolve(error ? null : stdout.trim()));
  });
}

export interface LocateOptions {
  /** An explicit git binary; a path that does not exist means "no git" (tests, packaging checks). */
  gitPath?: string;
  /** Ignore dugite's embedded git even when present. */
  preferSystem?: boolean;
}

/**
 * Which git to use. Embedded: dugite's own folder with bin/git. System: the git on PATH (or the
 * given one), its install prefix as LOCAL_GIT_DIRECTORY and its exec path as GIT_EXEC_PATH (without
 * the latter some subcommands fail with "not a git command").
 */
export async function locateGit(options: LocateOptions = {}): Promise<Git | null> {
  const explicit = options.gitPath ?? process.env.WORKSPACE_RUNTIME_GIT;
  if (!explicit && !options.preferSystem) {
    try {
      const embeddedDir = resolveEmbeddedGitDir();
      const binary = resolveGitBinary(embeddedDir);
      if (existsSync(binary)) {
        const version = await execText(binary, ['--version'], { ...process.env, GIT_EXEC_PATH: join(embeddedDir, 'libexec', 'git-core') });
        if (version) return new Git({ source: 'embedded', path: binary, version: version.replace(/^git version /, ''), env: {} });
      }
    } catch {
      // Unsupported platform for the embedded git: fall through to the system one.
    }
  }
  const found = explicit ?? findOnPath('git');
  if (!found || !existsSync(found)) return null;
  const binary = realpathSync(found);
  const [version, execPath] = await Promise.all([execText(binary, ['--version']), execText(binary, ['--exec-path'])]);
  if (!version || !execPath) return null;
  // dugite runs <LOCAL_GIT_DIRECTORY>/bin/git: the prefix is two levels above the binary.
  const prefix = dirname(dirname(binary));
  if (!existsSync(resolveGitBinary(prefix))) return null;
  const env: Record<string, string> = { LOCAL_GIT_DIRECTORY: prefix, GIT_EXEC_PATH: execPath };
  // dugite points GIT_CONFIG_SYSTEM at <prefix>/etc/gitconfig (its own file); a distribution's git
  // reads /etc/gitconfig instead, and its settings (credential helpers, safe.directory) must apply.
  if (!process.env.GIT_CONFIG_SYSTEM) env.GIT_CONFIG_SYSTEM = await systemConfigPath(binary, prefix);
  return new Git({ source: 'system', path: binary, version: version.replace(/^git version /, ''), env });
}

/** Where this git reads its system config: it says so in --show-origin output or in its error. */
function systemConfigPath(binary: string, prefix: string): Promise<string> {
  const fallback = prefix === '/usr' ? '/etc/gitconfig' : join(prefix, 'etc', 'gitconfig');
  const env = { ...process.env };
  delete env.GIT_CONFIG_SYSTEM;
  delete env.GIT_CONFIG_NOSYSTEM;
  return new Promise((resolve) => {
    execFile(binary, ['config', '--system', '--show-origin', '--list'], { timeout: 5000, env }, (_error, stdout, stderr) => {
      const origin = /^file:([^\t]+)\t/.exec(String(stdout));
      const missing = /unable to read config file '([^']+)'/.exec(String(stderr));
      resolve(origin?.[1] ?? missing?.[1] ?? fallback);
    });
  });
}

export interface GitBinary {
  source: 'embedded' | 'system';
  path: string;
  version: string;
  env: Record<string, string>;
}

let askpassPath: string | undefined;

/** A helper git and ssh call for credentials: it answers nothing, so a missing credential fails at once. */
export async function installAskpass(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, process.platform === 'win32' ? 'git-askpass.cmd' : 'git-askpass.sh');
  await writeFile(file, process.platform === 'win32' ? '@exit /b 0\r\n' : '#!/bin/sh\n# Workspace Runtime: git must never wait for a password here.\nexit 0\n');
  await chmod(file, 0o700);
  askpassPath = file;
  return file;
}

export class Git {
  private restrictedTwin?: Git;
  private readonly configCache: RestrictedConfigCache;

  constructor(
    readonly binary: GitBinary,
    /** Whether this instance runs in restricted mode (see `restricted()`). */
    readonly isRestricted = false,
    configCache?: RestrictedConfigCache,
  ) {
    this.configCache = configCache ?? new RestrictedConfigCache((cwd) => this.readConfig(cwd));
  }

  /**
   * The same git for a workspace that is not trusted: hooks, fsmonitor, filters, textconv,
   * external diff and merge drivers, signing programs, credential helpers, remote programs and
   * the ext/fd transports named by the repository are neutralised on every call.
   */
  restricted(): Git {
    if (this.isRestricted) return this;
    this.restrictedTwin ??= new Git(this.binary, true, this.configCache);
    return this.restrictedTwin;
  }

  /** `restricted()` unless the workspace is trusted. */
  forWorkspace(workspace: { trusted: boolean }): Git {
    return workspace.trusted ? this : this.restricted();
  }

  /** Reading configuration runs no program of the repository's; unreadable config fails closed. */
  private async readConfig(cwd: string): Promise<string> {
    const args = ['config', '--list', '--show-scope', '--show-origin', '--includes', '-z'];
    let result: RunResult;
    try {
      result = await exec(args, cwd, { env: this.env(), maxBuffer: 64 * 1024 * 1024 });
    } catch (error) {
      throw this.spawnFailure(args, error, false);
    }
    // Exit 1 is "nothing to list" (no config files at all).
    if (result.exitCode !== 0 && result.exitCode !== 1) throw this.fail(args, result);
    return result.stdout;
  }

  /** The arguments actually passed to git for this call. */
  private async argsFor(args: string[], cwd: string): Promise<string[]> {
    if (!this.isRestricted) return args;
    return restrictedArgs(args, await this.configCache.overrides(cwd));
  }

  info(): GitBinaryInfo {
    return { available: true, source: this.binary.source, version: this.binary.version, path: this.binary.path };
  }

  /** The environment of every call: non-interactive, English messages, no editors. */
  env(extra?: Record<string, string>): Record<string, string> {
    const ssh = process.env.GIT_SSH_COMMAND ? `${process.env.GIT_SSH_COMMAND} -o BatchMode=yes` : 'ssh -o BatchMode=yes';
    return {
      ...this.binary.env,
      GIT_TERMINAL_PROMPT: '0',
      ...(askpassPath ? { GIT_ASKPASS: askpassPath, SSH_ASKPASS: askpassPath } : {}),
      SSH_ASKPASS_REQUIRE: 'never',
      GIT_SSH_COMMAND: ssh,
      GCM_INTERACTIVE: 'never',
      GIT_EDITOR: 'true',
      GIT_SEQUENCE_EDITOR: 'true',
      GIT_MERGE_AUTOEDIT: 'no',
      // Paths from clients are file names, never pathspec magic (':(glob)*').
      GIT_LITERAL_PATHSPECS: '1',
      LC_ALL: 'C',
      LANGUAGE: 'C',
      ...extra,
    };
  }

  private fail(args: string[], result: RunResult): GitError {
    const kind = classifyGitOutput(result.stderr, result.stdout);
    const files = filesFromGitMessage(`${result.stderr}\n${result.stdout}`);
    return new GitError(kind, messageFor(kind, args, result.stderr), { args, exitCode: result.exitCode, stderr: result.stderr, files });
  }

  async run(args: string[], cwd: string, options: RunOptions = {}): Promise<RunResult> {
    const timeout = AbortSignal.timeout(options.timeoutMs ?? 60_000);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    const argv = await this.argsFor(args, cwd);
    let result: RunResult;
    try {
      result = await exec(argv, cwd, { env: this.env(options.env), stdin: options.stdin ?? '', signal, maxBuffer: 512 * 1024 * 1024 });
    } catch (error) {
      throw this.spawnFailure(args, error, timeout.aborted, options.timeoutMs);
    }
    if (!(options.successExitCodes ?? ZERO).has(result.exitCode)) throw this.fail(args, result);
    return result;
  }

  private spawnFailure(args: string[], error: unknown, timedOut: boolean, timeoutMs = 60_000): GitError {
    if (timedOut) return new GitError('timeout', `git ${args[0]} took longer than ${Math.round(timeoutMs / 1000)} s and was stopped`, { args });
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT') return new GitError('git_unavailable', `git could not be started (${this.binary.path})`, { args });
    return new GitError('unknown', `git ${args[0]} could not run: ${(error as Error).message}`, { args });
  }

  /** Like run, but stops reading stdout after `maxBytes` (and stops git); `truncated` says so. */
  runCapped(args: string[], cwd: string, maxBytes: number, options: RunOptions = {}): Promise<RunResult & { truncated: boolean }> {
    return this.streamed(args, cwd, options, { maxBytes });
  }

  /** Network calls: `--progress` output parsed into events while git runs. */
  runWithProgress(args: string[], cwd: string, onProgress: (p: GitProgress) => void, options: RunOptions = {}): Promise<RunResult> {
    return this.streamed(args, cwd, { timeoutMs: 10 * 60_000, ...options }, { onProgress });
  }

  private async streamed(
    args: string[],
    cwd: string,
    options: RunOptions,
    how: { maxBytes?: number; onProgress?: (p: GitProgress) => void },
  ): Promise<RunResult & { truncated: boolean }> {
    const argv = await this.argsFor(args, cwd);
    return new Promise((resolve, reject) => {
      let child: ReturnType<typeof spawn>;
      try {
        child = spawn(argv, cwd, { env: this.env(options.env) });
      } catch (error) {
        return reject(this.spawnFailure(args, error, false));
      }
      const timeoutMs = options.timeoutMs ?? 60_000;
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGTERM');
      }, timeoutMs);
      const onAbort = () => child.kill('SIGTERM');
      options.signal?.addEventListener('abort', onAbort, { once: true });
      const out: Buffer[] = [];
      let outBytes = 0;
      let truncated = false;
      let stderr = '';
      let pending = '';
      child.stdout.on('data', (chunk: Buffer) => {
        if (truncated) return;
        if (how.maxBytes !== undefined && outBytes + chunk.length > how.maxBytes) {
          out.push(chunk.subarray(0, how.maxBytes - outBytes));
          outBytes = how.maxBytes;
          truncated = true;
          child.stdout.destroy();
          child.kill('SIGTERM');
          return;
        }
        out.push(chunk);
        outBytes += chunk.length;
      });
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (text: string) => {
        stderr += text;
        if (!how.onProgress) return;
        pending += text;
        const parts = pending.split(/[\r\n]/);
        pending = parts.pop() ?? '';
        for (const line of parts) {
          const p = parseProgressLine(line);
          if (p) how.onProgress(p);
        }
      });
      child.stdin.end(options.stdin ?? '');
      child.on('error', (error) => {
        clearTimeout(timer);
        reject(this.spawnFailure(args, error, false));
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        if (timedOut) return reject(this.spawnFailure(args, new Error('timeout'), true, timeoutMs));
        const result = { stdout: Buffer.concat(out).toString('utf8'), stderr, exitCode: code ?? -1, truncated };
        if (truncated) return resolve(result);
        if (!(options.successExitCodes ?? ZERO).has(result.exitCode)) return reject(this.fail(args, result));
        resolve(result);
      });
    });
  }
}

/** The runtime-status view when no git was found. */
export const noGit: GitBinaryInfo = { available: false, source: 'none', version: null, path: null };
