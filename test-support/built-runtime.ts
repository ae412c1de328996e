/**
 * Starts the built runtime (`dist/runtime/main.mjs serve`, run `npm run build:runtime` first) as
 * a real child process, for tests that must kill it (SIGKILL) the way a crash would. Resolves
 * once it printed its ready line, with its url and the token from its discovery file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const repo = new URL('../', import.meta.url).pathname;

export interface BuiltRuntime {
  child: ChildProcess;
  url: string;
  token: string;
  /** fetch + JSON with the bearer token; paths are relative to the runtime URL. */
  json<T = any>(path: string, init?: { method?: string; json?: unknown }): Promise<{ status: number; body: T }>;
}

export async function startBuiltRuntime(dataDir: string, workspace: string, env: NodeJS.ProcessEnv = process.env): Promise<BuiltRuntime> {
  const child = spawn(process.execPath, [join(repo, 'dist/runtime/main.mjs'), 'serve', '--port', '0', '--data-dir', dataDir, '--workspace', workspace], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  child.stderr!.resume();
  const lines = createInterface({ input: child.stdout! });
  const ready = await new Promise<{ url: string }>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`runtime exited with ${code}`)));
    lines.on('line', (line) => {
      try {
        const msg = JSON.parse(line);
        if (msg.type === 'ready') resolve(msg);
      } catch {
        // not JSON
      }
    });
  });
  const discovery = JSON.parse(await readFile(join(dataDir, 'runtime.json'), 'utf8'));
  const token = discovery.token as string;
  return {
    child,
    url: ready.url,
    token,
    async json(path, init = {}) {
      const headers: Record<string, string> = { authorization: `Bearer ${token}` };
      if (init.json !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${ready.url}${path}`, { method: init.method, headers, body: init.json === undefined ? undefined : JSON.stringify(init.json) });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
  };
}
