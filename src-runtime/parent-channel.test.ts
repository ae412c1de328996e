// The runtime's parent channel: Electron's parentPort (message events carry {data}), Node's
// process.send, or none — unit-tested with stand-ins, and end to end with the real runtime bundle
// running on its Electron path (a parentPort stand-in installed before the entry loads).
import { fork } from 'node:child_process';
import { EventEmitter, once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { detectParentChannel, type ParentMessageEvent, type ProcessLike } from './parent-channel.js';

/** What Electron gives a utility process: postMessage out, 'message' events with {data} in. */
class ParentPortStandIn extends EventEmitter {
  readonly posted: unknown[] = [];
  postMessage(message: unknown): void {
    this.posted.push(message);
  }
  deliver(data: unknown): void {
    this.emit('message', { data } satisfies ParentMessageEvent);
  }
}

describe('detectParentChannel', () => {
  it('prefers Electron parentPort and unwraps {data} from its message events', () => {
    const port = new ParentPortStandIn();
    const proc = Object.assign(new EventEmitter(), { parentPort: port, send: () => true }) as unknown as ProcessLike;
    const channel = detectParentChannel(proc);
    expect(channel.kind).toBe('electron');
    const received: unknown[] = [];
    channel.onMessage((m) => received.push(m));
    port.deliver({ type: 'shutdown' });
    channel.post({ type: 'stopped' });
    expect(received).toEqual([{ type: 'shutdown' }]);
    expect(port.posted).toEqual([{ type: 'stopped' }]);
  });

  it('uses process.send when forked with IPC, and stops posting once disconnected', () => {
    const sent: unknown[] = [];
    const proc = Object.assign(new EventEmitter(), { connected: true, send: (m: unknown) => sent.push(m) > 0 });
    const channel = detectParentChannel(proc as unknown as ProcessLike);
    expect(channel.kind).toBe('node-ipc');
    const received: unknown[] = [];
    channel.onMessage((m) => received.push(m));
    proc.emit('message', { type: 'shutdown' });
    channel.post({ type: 'ready' });
    proc.connected = false;
    channel.post({ type: 'stopped' });
    expect(received).toEqual([{ type: 'shutdown' }]);
    expect(sent).toEqual([{ type: 'ready' }]);
  });

  it('is a no-op channel when standalone', () => {
    const channel = detectParentChannel(new EventEmitter() as unknown as ProcessLike);
    expect(channel.kind).toBe('none');
    expect(() => channel.post({ type: 'ready' })).not.toThrow();
  });
});

describe('the runtime entry on its Electron path', () => {
  it('posts ready with the token through parentPort, and shuts down on a {data:{type:"shutdown"}} event', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wr-parentport-'));
    try {
      // The loader plays Electron: it installs process.parentPort (events carry {data}) relaying to
      // the test over Node IPC, then loads the real bundle, which must pick parentPort over process.send.
      const loader = join(dir, 'electron-like.mjs');
      await writeFile(
        loader,
        `import { EventEmitter } from 'node:events';
const port = new EventEmitter();
port.postMessage = (message) => process.send({ via: 'parentPort', message });
process.on('message', (data) => port.emit('message', { data }));
process.parentPort = port;
await import(${JSON.stringify(pathToFileURL(resolve('dist/runtime/main.mjs')).href)});
`,
      );
      const dataDir = join(dir, 'data');
      const child = fork(loader, ['serve', '--port', '0', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
      let stdout = '';
      child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr!.resume();
      const messages: Array<{ via: string; message: { type: string; url?: string; token?: string; port?: number } }> = [];
      const ready = new Promise<void>((res) => child.on('message', (m: (typeof messages)[number]) => (messages.push(m), m.message.type === 'ready' && res())));
      await ready;
      const readyMessage = messages[0]!;
      expect(readyMessage.via).toBe('parentPort');
      expect(readyMessage.message).toMatchObject({ type: 'ready', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) });
      const { url, token } = readyMessage.message;
      expect((await fetch(`${url}/api/v1/runtime/status`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      // The stdout line announces the runtime without the token.
      expect(stdout).toContain('"type":"ready"');
      expect(stdout).not.toContain(token!);

      const exited = once(child, 'exit');
      child.send({ type: 'shutdown' });
      const [code] = await exited;
      expect(code).toBe(0);
      expect(messages.map((m) => `${m.via}:${m.message.type}`)).toEqual(['parentPort:ready', 'parentPort:stopped']);
      expect(existsSync(join(dataDir, 'runtime.json'))).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
