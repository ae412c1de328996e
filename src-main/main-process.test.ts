// The bundled main process (main.cjs from scripts/build-main.mjs) run under Node with ELECTRON MAIN TEST DOUBLE
// (src-main/electron-main-double.cjs) standing in for electron: it starts the real runtime, opens
// a window on it, hands folders to the page, answers the bridge only for the runtime's origin,
// restarts a killed runtime and tells the page to reconnect, and on quit stops the runtime
// gracefully before exiting.
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMain } from '../scripts/build-main.mjs';

type Report = { event: string; [key: string]: unknown };

let work: string;
let main: ChildProcess;
const reports: Report[] = [];
const waiters: Array<{ match: (r: Report) => boolean; resolve: (r: Report) => void }> = [];

function next(match: (r: Report) => boolean, timeoutMs = 15_000, from = 0): Promise<Report> {
  const seen = reports.slice(from).find(match);
  if (seen) return Promise.resolve(seen);
  return new Promise((resolveReport, reject) => {
    const timer = setTimeout(() => reject(new Error(`no matching report; got ${JSON.stringify(reports.slice(-8))}`)), timeoutMs);
    waiters.push({ match, resolve: (r) => (clearTimeout(timer), resolveReport(r)) });
  });
}

let invokeId = 0;
async function invoke(channel: string, frameUrl: string, ...args: unknown[]): Promise<Report> {
  const id = ++invokeId;
  const answer = next((r) => r.event === 'invoke-result' && r.id === id);
  main.send({ cmd: 'invoke', id, channel, frameUrl, args });
  return answer;
}

let runtimeUrl: string;
let cliFolder: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'wr-main-'));
  // Its own build: the packaging test may be rebuilding dist/main at the same time.
  await buildMain({ quiet: true, outdir: join(work, 'main') });
  cliFolder = join(work, 'project');
  await mkdir(cliFolder);
  await mkdir(join(work, 'dialog-choice'));
  main = fork(join(work, 'main', 'main.cjs'), [cliFolder, join(work, 'not-a-folder')], {
    execArgv: ['-r', resolve('src-main/electron-main-double.cjs')],
    env: { ...process.env, WR_TEST_ROOT: work, WR_APP_PATH: resolve('.'), WR_DIALOG_FOLDER: join(work, 'dialog-choice') },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  main.stdout!.resume();
  main.stderr!.resume();
  main.on('message', (r: Report) => {
    reports.push(r);
    for (const w of [...waiters]) if (w.match(r)) waiters.splice(waiters.indexOf(w), 1) && w.resolve(r);
  });
  const loaded = await next((r) => r.event === 'loaded', 30_000);
  runtimeUrl = new URL(loaded.url as string).origin;
}, 60_000);

afterAll(async () => {
  if (main && main.exitCode === null) main.kill('SIGKILL');
  for (const r of reports) if (r.event === 'fork' && typeof r.pid === 'number') try { process.kill(r.pid, 'SIGKILL'); } catch { /* gone */ }
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the main process under an electron test double', () => {
  it('starts the runtime as a named utility process with its data under userData', () => {
    const forked = reports.find((r) => r.event === 'fork')!;
    expect(forked.modulePath).toBe(resolve('dist/runtime/main.mjs'));
    expect(forked.args).toEqual(['serve', '--port', '0', '--data-dir', join(work, 'userData', 'runtime')]);
    expect(forked.serviceName).toBe('Workspace Runtime (runtime)');
    expect(forked.desktopEnv).toBe('1');
    expect(reports.find((r) => r.event === 'single-instance-lock')!.data).toEqual({ folders: [cliFolder] });
  });

  it('opens a locked-down window on the runtime page, which is served with a CSP', () => {
    const window = reports.find((r) => r.event === 'window')!;
    const prefs = (window.options as { webPreferences: Record<string, unknown> }).webPreferences;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false });
    expect(prefs.preload).toBe(join(work, 'main', 'preload.cjs'));
    expect(reports.some((r) => r.event === 'enable-sandbox')).toBe(true);
    expect(existsSync(prefs.preload as string)).toBe(true);
    const loaded = reports.find((r) => r.event === 'loaded')!;
    expect(loaded.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(loaded.status).toBe(200);
    expect(loaded.csp).toContain("default-src 'self'");
    expect(reports.some((r) => r.event === 'show')).toBe(true);
    expect(reports.find((r) => r.event === 'menu')!.labels).toEqual(['File', 'Edit', 'View', 'help']);
    const permissions = Object.fromEntries(reports.filter((r) => r.event === 'permission').map((r) => [r.permission, r.allowed]));
    expect(permissions).toEqual({ media: false, geolocation: false, notifications: false, 'clipboard-sanitized-write': true });
  });

  it('hands the command-line folder to the page once it loaded, and remembers it', async () => {
    const sent = await next((r) => r.event === 'send' && r.channel === 'wr:open-folder');
    expect(sent.payload).toBe(cliFolder);
    expect(JSON.parse(readFileSync(join(work, 'userData', 'recent-folders.json'), 'utf8'))).toEqual([cliFolder]);
  });

  it('answers the bridge for the runtime origin only', async () => {
    const runtime = await invoke('wr:get-runtime', `${runtimeUrl}/workspaces`);
    expect(runtime.result).toMatchObject({ url: runtimeUrl });
    const token = (runtime.result as { token: string }).token;
    const status = await fetch(`${runtimeUrl}/api/v1/runtime/status`, { headers: { authorization: `Bearer ${token}` } });
    expect(status.status).toBe(200);
    expect((await invoke('wr:get-runtime', 'http://127.0.0.1:1/')).error).toMatch(/IPC refused/);
    expect((await invoke('wr:open-external', `${runtimeUrl}/`, 'file:///etc/passwd')).error).toMatch(/only http and https/);
    await invoke('wr:open-external', `${runtimeUrl}/`, 'https://example.com/');
    expect(reports.some((r) => r.event === 'open-external' && r.url === 'https://example.com/')).toBe(true);
    expect((await invoke('wr:open-folder-dialog', `${runtimeUrl}/`)).result).toBe(join(work, 'dialog-choice'));
  });

  it('keeps the window on the runtime origin', async () => {
    main.send({ cmd: 'navigate', url: 'https://github.com/' });
    expect((await next((r) => r.event === 'navigate-result' && r.url === 'https://github.com/')).prevented).toBe(true);
    main.send({ cmd: 'navigate', url: `${runtimeUrl}/settings` });
    expect((await next((r) => r.event === 'navigate-result' && r.url === `${runtimeUrl}/settings`)).prevented).toBe(false);
  });

  it('opens folders from a second launch and from drops, and File › Close Workspace reaches the page', async () => {
    const second = join(work, 'second');
    await mkdir(second);
    let from = reports.length;
    main.send({ cmd: 'second-instance', argv: ['/opt/wr/app', second], cwd: work, data: { folders: [second] } });
    expect((await next((r) => r.event === 'send' && r.payload === second, 5000, from)).channel).toBe('wr:open-folder');

    from = reports.length;
    main.send({ cmd: 'drop', frameUrl: `${runtimeUrl}/`, paths: [join(work, 'dialog-choice'), join(work, 'nope')] });
    expect((await next((r) => r.event === 'send' && r.channel === 'wr:open-folder', 5000, from)).payload).toBe(join(work, 'dialog-choice'));

    from = reports.length;
    main.send({ cmd: 'menu', path: ['File', 'Close Workspace'] });
    expect((await next((r) => r.event === 'send' && r.channel === 'wr:close-workspace', 5000, from)).payload).toBeNull();
    main.send({ cmd: 'menu', path: ['View', 'Toggle Developer Tools'] }); // a development build has it
    await next((r) => r.event === 'toggle-devtools', 5000, from);
  });

  it('restarts a killed runtime and tells the page to reconnect', async () => {
    const firstFork = reports.filter((r) => r.event === 'fork').at(-1)!;
    const from = reports.length;
    process.kill(firstFork.pid as number, 'SIGKILL');
    const reconnect = await next((r) => r.event === 'send' && r.channel === 'wr:runtime-reconnected', 15_000, from);
    expect((reconnect.payload as { url: string }).url).toBe(runtimeUrl);
    expect(reports.filter((r) => r.event === 'fork').length).toBe(2);
    expect((await fetch(`${runtimeUrl}/health`)).status).toBe(200);
  });

  it('on quit, stops the runtime gracefully first, then exits', async () => {
    const runtimePid = reports.filter((r) => r.event === 'fork').at(-1)!.pid;
    const exited = once(main, 'exit');
    const from = reports.length;
    main.send({ cmd: 'quit' });
    const [code] = await exited;
    expect(code).toBe(0);
    const after = reports.slice(from);
    expect(after.find((r) => r.event === 'quit-requested')!.prevented).toBe(true);
    expect(after.find((r) => r.event === 'runtime-exit' && r.pid === runtimePid)!.code).toBe(0);
    expect(after.at(-1)).toMatchObject({ event: 'quit-requested', prevented: false });
    expect(existsSync(join(work, 'userData', 'runtime', 'runtime.json'))).toBe(false);
    expect(JSON.parse(readFileSync(join(work, 'userData', 'window-state.json'), 'utf8'))).toMatchObject({ width: 1280, height: 820 });
  });
});

describe('the main process when the runtime cannot start', () => {
  it('shows the error with the runtime stderr, and Quit exits without a window', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wr-main-fail-'));
    try {
      await buildMain({ quiet: true, outdir: join(dir, 'main') });
      await mkdir(join(dir, 'app', 'dist', 'runtime'), { recursive: true });
      await writeFile(join(dir, 'app', 'dist', 'runtime', 'main.mjs'), "process.stderr.write('cannot open the store: disk full\\n'); process.exit(1);\n");
      const child = fork(join(dir, 'main', 'main.cjs'), [], {
        execArgv: ['-r', resolve('src-main/electron-main-double.cjs')],
        env: { ...process.env, WR_TEST_ROOT: dir, WR_APP_PATH: join(dir, 'app') },
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      });
      child.stdout!.resume();
      child.stderr!.resume();
      const seen: Report[] = [];
      child.on('message', (r: Report) => seen.push(r));
      const [code] = await once(child, 'exit');
      expect(code).toBe(0);
      const box = seen.find((r) => r.event === 'message-box')!;
      expect(box.message).toBe('The workspace runtime is not running.');
      expect(box.detail).toContain('exited with code 1 before it was ready');
      expect(box.detail).toContain('cannot open the store: disk full');
      expect(seen.some((r) => r.event === 'window')).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
