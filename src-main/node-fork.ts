/**
 * The `ForkRuntime` seam over Node's `child_process.fork` (IPC channel = the runtime's
 * `process.send` path). Used by the tests in place of Electron's utilityProcess, and usable by any
 * Node parent that wants to supervise a runtime.
 */
import { fork } from 'node:child_process';
import type { ForkRuntime } from './runtime-host.js';

export const nodeForkRuntime: ForkRuntime = (entry, args, options) => {
  const child = fork(entry, args, {
    env: options.env as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    serialization: 'json',
  });
  child.stdout?.resume();
  // An 'error' on a closed channel (posting during exit) must not crash the parent.
  child.on('error', () => undefined);
  return {
    pid: child.pid,
    postMessage: (message) => {
      if (child.connected) child.send(message);
    },
    onMessage: (listener) => void child.on('message', listener),
    onExit: (listener) => void child.once('exit', (code) => listener(code)),
    onStderr: (listener) => {
      child.stderr?.setEncoding('utf8');
      child.stderr?.on('data', listener);
    },
    kill: () => void child.kill('SIGKILL'),
  };
};
