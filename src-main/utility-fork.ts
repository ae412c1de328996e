/**
 * The `ForkRuntime` seam over Electron's `utilityProcess.fork`: the runtime runs as a Node utility
 * process (it sees `process.parentPort`), named in the OS task manager by `serviceName`.
 */
import { utilityProcess } from 'electron';
import type { ForkRuntime } from './runtime-host.js';

export const utilityForkRuntime: ForkRuntime = (entry, args, options) => {
  const child = utilityProcess.fork(entry, args, {
    serviceName: options.serviceName,
    env: options.env as Record<string, string>,
    stdio: 'pipe',
  });
  child.stdout?.resume();
  let exited = false;
  child.once('exit', () => (exited = true));
  return {
    get pid() {
      return child.pid;
    },
    postMessage: (message) => {
      if (!exited) child.postMessage(message);
    },
    onMessage: (listener) => void child.on('message', listener),
    onExit: (listener) => void child.once('exit', (code) => listener(code)),
    onStderr: (listener) => {
      child.stderr?.setEncoding('utf8');
      child.stderr?.on('data', listener);
    },
    kill: () => {
      // utilityProcess.kill() is a SIGTERM on POSIX, which a wedged runtime may never act on.
      const pid = child.pid;
      if (process.platform !== 'win32' && pid !== undefined) {
        try {
          process.kill(pid, 'SIGKILL');
          return;
        } catch {
          // already gone
        }
      }
      child.kill();
    },
  };
};
