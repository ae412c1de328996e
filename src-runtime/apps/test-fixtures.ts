/**
 * Test fixtures for the apps feature: a small Node HTTP app that forks a grandchild which ignores
 * SIGTERM (so only a group SIGKILL ends it), process probes, and an SSE reader.
 */
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';

export const SERVER_JS = `
const http = require('node:http');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const gc = spawn(process.execPath, ['-e', "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)"], { stdio: 'ignore' });
fs.writeFileSync(process.env.GC_FILE || 'grandchild.pid', String(gc.pid));
const server = http.createServer((req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ port: process.env.PORT, host: process.env.HOST, api_port: process.env.API_PORT || null, pid: process.pid }));
});
server.listen(Number(process.env.PORT), process.env.HOST, () => {
  console.log('\\u001b[32mlistening\\u001b[0m on ' + process.env.PORT);
  console.error('a line on stderr');
});
`;

export async function writeServer(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'server.js'), SERVER_JS);
}

/** Alive and not a zombie. */
export async function alive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  return !!stat && state !== 'Z';
}

export async function waitFor<T>(fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function readPid(file: string): Promise<number> {
  return waitFor(async () => Number(await readFile(file, 'utf8').catch(() => '')) || undefined, 10_000, `pid file ${file}`);
}

export interface SseEvent {
  event: string;
  id?: string;
  data: any;
}

/** Read SSE events until `until` returns true (or the stream ends / times out). */
export async function readSse(url: string, token: string, until: (events: SseEvent[]) => boolean, timeoutMs = 10_000): Promise<SseEvent[]> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), timeoutMs);
  const events: SseEvent[] = [];
  try {
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: ac.signal });
    if (!res.ok || !res.body) throw new Error(`SSE ${url} answered ${res.status}`);
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let idx;
      while ((idx = buffer.indexOf('\n\n')) !== -1) {
        const block = buffer.slice(0, idx);
        buffer = buffer.slice(idx + 2);
        const ev: SseEvent = { event: 'message', data: undefined };
        for (const line of block.split('\n')) {
          if (line.startsWith('event: ')) ev.event = line.slice(7);
          else if (line.startsWith('id: ')) ev.id = line.slice(4);
          else if (line.startsWith('data: ')) ev.data = JSON.parse(line.slice(6));
        }
        events.push(ev);
      }
      if (until(events)) break;
    }
  } catch (error) {
    if (!ac.signal.aborted) throw error;
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
  return events;
}
