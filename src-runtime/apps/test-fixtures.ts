/**
 * Test fixtures for the apps feature: a small Node HTTP app that forks a grandchild which ignores
 * SIGTERM (so only a group SIGKILL ends it) and process probes.
 */
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { waitFor } from '../../test-support/wait.js';

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

export async function readPid(file: string): Promise<number> {
  return waitFor(async () => Number(await readFile(file, 'utf8').catch(() => '')) || undefined, `pid file ${file}`);
}
