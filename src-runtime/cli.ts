/**
 * `workspace-runtime serve|status`: argument parsing, the ready announcement (stdout line without
 * the token when standalone; `{type:"ready", port, url, token}` to a parent process), signals and
 * the parent's shutdown request, and `status`, which reads runtime.json and asks the runtime.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { detectParentChannel, type ParentChannel } from './parent-channel.js';
import { STORE_UNREADABLE_EXIT_CODE, type RuntimeMessage, type StoreErrorMessage } from './contract/runtime-process.js';
import { StoreUnreadableError } from './store/db.js';
import { DataDirLockedError, defaultDataDir, readDiscovery } from './system/data-dir.js';
import { startRuntime, StartError, type RunningRuntime } from './runtime.js';
import { VERSION } from './version.js';

const USAGE = `Usage: workspace-runtime <command> [options]

Commands:
  serve     Start the runtime (default)
  status    Show the running runtime of a data dir

Options for serve:
  --port N          Port on --host (default 3002, 0 = any free port; env WORKSPACE_RUNTIME_PORT)
  --host H          Address to listen on (default 127.0.0.1)
  --data-dir DIR    Where metadata, logs, the token and runtime.json live
                    (default $XDG_DATA_HOME/workspace-runtime or ~/.local/share/workspace-runtime)
  --workspace PATH  Register PATH as a trusted workspace and make it the default
  --token T         Use this bearer token instead of the generated one (env WORKSPACE_RUNTIME_TOKEN)
  --renderer-dir D  Serve this renderer build at / (default: the bundled one)
  --recover-store   db.json is unreadable: keep it aside (db.json.corrupt-*) and start from
                    db.json.prev, or from an empty store when the backup is unusable too

Options for status:
  --data-dir DIR
`;

function fail(message: string, code = 2): never {
  process.stderr.write(`workspace-runtime: ${message}\n`);
  process.exit(code);
}

function defaultRendererDir(): string | undefined {
  // Bundled at dist/runtime/main.mjs, the renderer build sits at dist/renderer.
  const here = fileURLToPath(new URL('.', import.meta.url));
  const candidate = resolve(here, '..', 'renderer');
  return existsSync(resolve(candidate, 'index.html')) ? candidate : undefined;
}

export function parseServeArgs(argv: string[], env: NodeJS.ProcessEnv = process.env) {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'data-dir': { type: 'string' },
      workspace: { type: 'string' },
      token: { type: 'string' },
      'renderer-dir': { type: 'string' },
      'recover-store': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  const portText = values.port ?? env.WORKSPACE_RUNTIME_PORT ?? '3002';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a number from 0 to 65535, got "${portText}"`);
  const token = values.token ?? env.WORKSPACE_RUNTIME_TOKEN;
  if (token !== undefined && token.length < 16) throw new Error('--token must be at least 16 characters');
  return {
    help: values.help ?? false,
    port,
    host: values.host ?? '127.0.0.1',
    dataDir: resolve(values['data-dir'] ?? defaultDataDir(env)),
    workspace: values.workspace ? resolve(values.workspace) : undefined,
    token,
    rendererDir: values['renderer-dir'] ? resolve(values['renderer-dir']) : defaultRendererDir(),
    recoverStore: values['recover-store'] ?? false,
  };
}

async function serve(argv: string[]): Promise<void> {
  let options;
  try {
    options = parseServeArgs(argv);
  } catch (error) {
    fail(`${(error as Error).message}\n\n${USAGE}`);
  }
  if (options.help) {
    process.stdout.write(USAGE);
    return;
  }
  const channel = detectParentChannel();
  const post = (m: RuntimeMessage) => channel.post(m);
  let runtime: RunningRuntime;
  try {
    runtime = await startRuntime(options);
  } catch (error) {
    if (error instanceof StoreUnreadableError) {
      const message: StoreErrorMessage = { type: 'error', code: 'store_unreadable', file: error.file, backup: error.backup, hint: 'serve --recover-store' };
      post(message);
      process.stderr.write(`${JSON.stringify({ ...message, message: error.message })}\n`);
      process.exit(STORE_UNREADABLE_EXIT_CODE);
    }
    const code = error instanceof DataDirLockedError ? 'data_dir_locked' : error instanceof StartError ? error.code : 'start_failed';
    post({ type: 'start_failed', error: (error as Error).message, code });
    fail((error as Error).message, 1);
  }
  announce(channel, runtime, options.dataDir);

  let exiting = false;
  const shutdown = async (why: string) => {
    if (exiting) return;
    exiting = true;
    process.stderr.write(`workspace-runtime: shutting down (${why})\n`);
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    await runtime.stop();
    post({ type: 'stopped' });
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  channel.onMessage((message) => {
    if ((message as { type?: string })?.type === 'shutdown') void shutdown('parent asked');
  });
  if (channel.kind === 'node-ipc') process.on('disconnect', () => void shutdown('parent disconnected'));
  process.on('unhandledRejection', (reason) => process.stderr.write(`workspace-runtime: unhandled rejection: ${(reason as Error)?.stack ?? String(reason)}\n`));
}

function announce(channel: ParentChannel, runtime: RunningRuntime, dataDir: string): void {
  if (channel.kind !== 'none') {
    channel.post({ type: 'ready', port: runtime.port, url: runtime.url, token: runtime.token });
  }
  process.stdout.write(`${JSON.stringify({ type: 'ready', port: runtime.port, url: runtime.url })}\n`);
  process.stderr.write(`workspace-runtime ${VERSION} listening on ${runtime.url} (data dir ${dataDir}; token in ${resolve(dataDir, 'runtime.json')})\n`);
}

async function status(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { 'data-dir': { type: 'string' } }, strict: true });
  const dataDir = resolve(values['data-dir'] ?? defaultDataDir());
  let discovery;
  try {
    discovery = await readDiscovery(dataDir);
  } catch {
    fail(`no runtime is running for ${dataDir} (no runtime.json)`, 1);
  }
  try {
    const res = await fetch(`${discovery.url}/api/v1/runtime/status`, { headers: { authorization: `Bearer ${discovery.token}` }, signal: AbortSignal.timeout(5000) });
    const body = await res.json();
    if (!res.ok) fail(`the runtime at ${discovery.url} answered ${res.status}: ${JSON.stringify(body)}`, 1);
    process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
  } catch (error) {
    fail(`runtime.json names ${discovery.url} (pid ${discovery.pid}) but it does not answer: ${(error as Error).message}`, 1);
  }
}

export async function runCli(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(USAGE);
    return;
  }
  if (command === '--version' || command === 'version' || command === '-v') {
    process.stdout.write(`${VERSION}\n`);
    return;
  }
  if (command === undefined || command.startsWith('-')) return serve(argv);
  if (command === 'serve') return serve(rest);
  if (command === 'status') return status(rest);
  fail(`unknown command "${command}"\n\n${USAGE}`);
}
