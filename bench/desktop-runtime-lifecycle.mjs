// What the desktop app waits for: the runtime bundle forked with an IPC channel (as the main
// process does) until its ready message, its graceful shutdown on {type:'shutdown'}, and a start
// after a SIGKILL (stale data-dir lock). Prints one JSON object with medians over RUNS runs.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const RUNS = Number(process.env.RUNS ?? 7);
const entry = resolve('dist/runtime/main.mjs');
if (!existsSync(entry)) {
  console.error('build the runtime first: npm run build:runtime');
  process.exit(1);
}

async function start(dataDir) {
  const t0 = performance.now();
  const child = fork(entry, ['serve', '--port', '0', '--data-dir', dataDir], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
  const [message] = await once(child, 'message');
  if (message.type !== 'ready') throw new Error(JSON.stringify(message));
  return { child, ms: performance.now() - t0, url: message.url };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x) => Math.round(x * 10) / 10;
const cold = [], shutdown = [], afterKill = [];
const dir = await mkdtemp(join(tmpdir(), 'wr-bench-desktop-'));
try {
  for (let i = 0; i < RUNS; i++) {
    const dataDir = join(dir, `d${i}`);
    const first = await start(dataDir);
    cold.push(first.ms);
    process.kill(first.child.pid, 'SIGKILL');
    await once(first.child, 'exit');
    const second = await start(dataDir);
    afterKill.push(second.ms);
    const t0 = performance.now();
    const exited = once(second.child, 'exit');
    second.child.send({ type: 'shutdown' });
    const [code] = await exited;
    if (code !== 0) throw new Error(`shutdown exit code ${code}`);
    shutdown.push(performance.now() - t0);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
console.log(JSON.stringify({
  bench: 'desktop-runtime-lifecycle',
  runs: RUNS,
  fork_to_ready_ms_median: round(median(cold)),
  fork_to_ready_after_sigkill_ms_median: round(median(afterKill)),
  graceful_shutdown_ms_median: round(median(shutdown)),
  fork_to_ready_ms_max: round(Math.max(...cold)),
}));
