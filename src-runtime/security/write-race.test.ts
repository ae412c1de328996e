// The symlink-swap race against every writing route: a child process swaps folders inside the
// workspace between a real folder and a symlink to a folder outside it, in a tight loop, while the
// test fires writes, creates, moves, mkdirs, deletes, uploads, sandbox writes, template applies,
// settings writes and snapshot restores at paths below them. Nothing outside may change, no temp
// file may be left anywhere, and the runtime must still answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { lstat, mkdir, readdir, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, startTestRuntime, type TestRuntime } from '../../test-support/runtime-harness.js';
import { waitFor } from '../../test-support/wait.js';
import { filesFeature } from '../files/feature.js';
import { versionControlFeature } from '../git/feature.js';
import { settingsFeature } from '../settings/feature.js';

// Each swapped folder `p` has a twin `p.dir` (its real contents while swapped out) and `p.link`
// (a symlink to the outside folder). A round: p → p.dir, p.link → p (now the link), p → p.link,
// p.dir → p (real again). rename(2) cannot put a link over a folder, hence the four steps. A
// folder the runtime creates at `p` in the instant it is missing (mkdir -p) is cleared away.
const SWAPPER = String.raw`
const fs = require('fs');
const paths = JSON.parse(process.argv[1]);
let swaps = 0, stop = false;
process.stdin.on('data', () => { stop = true; });
process.stdin.on('end', () => { stop = true; });
const clear = (p) => { try { const s = fs.lstatSync(p); if (s.isDirectory()) fs.rmSync(p, { recursive: true, force: true }); else fs.unlinkSync(p); } catch {} };
const put = (from, to) => { for (let i = 0; i < 50; i++) { try { fs.renameSync(from, to); return; } catch (e) { if (e.code === 'ENOENT') return; clear(to); } } };
function round() {
  for (const p of paths) {
    put(p, p + '.dir');
    put(p + '.link', p);
    put(p, p + '.link');
    put(p + '.dir', p);
  }
  swaps++;
}
function loop() {
  for (let i = 0; i < 100 && !stop; i++) round();
  if (swaps === 100) process.stdout.write('swapping\n');
  if (stop) { process.stdout.write(JSON.stringify({ swaps }) + '\n'); process.exit(0); }
  setImmediate(loop);
}
loop();
`;

/** Every entry below `dir` with its type and content (files), for a before/after comparison. */
async function tree(dir: string, prefix = ''): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await readdir(join(dir, prefix))).sort()) {
    const rel = prefix ? `${prefix}/${name}` : name;
    const info = await lstat(join(dir, rel));
    if (info.isDirectory()) {
      out[rel] = 'dir';
      Object.assign(out, await tree(dir, rel));
    } else if (info.isSymbolicLink()) out[rel] = 'link';
    else out[rel] = `file:${(await readFile(join(dir, rel))).toString('base64')}:${info.mode}`;
  }
  return out;
}

async function tempFiles(dir: string): Promise<string[]> {
  const names = (await readdir(dir, { recursive: true })).map(String);
  return names.filter((n) => n.includes('.wr-tmp-') || /\.tmp-\d+-\d+$/.test(n));
}

function multipart(files: Record<string, string>): { body: Buffer; type: string } {
  const boundary = `----race${Math.random().toString(16).slice(2)}`;
  const parts = Object.entries(files).map(
    ([name, content]) => `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: text/plain\r\n\r\n${content}\r\n`,
  );
  return { body: Buffer.from(`${parts.join('')}--${boundary}--\r\n`), type: `multipart/form-data; boundary=${boundary}` };
}

describe('writes under a folder that is being swapped for a symlink', { timeout: 120_000 }, () => {
  let rt: TestRuntime;
  let base: string;
  let root: string;
  let outside: string;
  let id: string;
  let swapper: ChildProcess | undefined;
  const swapped = ['race', '.claude'];

  beforeAll(async () => {
    base = await realpath(await makeTempDir('wr-race-'));
    root = join(base, 'ws');
    outside = join(base, 'outside');
    const templates = join(base, 'templates');
    // The outside folder mirrors the names the requests use, so a delete or move that escaped
    // would change something there too.
    for (const dir of [root, outside]) {
      await mkdir(join(dir === root ? join(root, 'race') : outside, 'sub'), { recursive: true });
      for (let i = 0; i < 200; i++) await writeFile(join(dir === root ? join(root, 'race') : outside, 'sub', `f${i}.txt`), `original ${i}\n`);
      await mkdir(join(dir === root ? join(root, 'race') : outside, 'trees', 't0', 'deep'), { recursive: true });
      await writeFile(join(dir === root ? join(root, 'race') : outside, 'trees', 't0', 'deep', 'x.txt'), 'x');
      await writeFile(join(dir === root ? join(root, 'race') : outside, 'settings.json'), '{"outside":true}\n');
    }
    // Snapshots leave the swap machinery alone.
    await writeFile(join(root, '.gitignore'), '*.link\n*.dir/\n');
    await mkdir(join(root, '.claude'));
    await writeFile(join(root, '.claude', 'settings.json'), '{}\n');
    for (const p of swapped) await symlink(outside, join(root, `${p}.link`));
    await mkdir(join(templates, 'race-template', 'race', 'tpl'), { recursive: true });
    for (let i = 0; i < 5; i++) await writeFile(join(templates, 'race-template', 'race', 'tpl', `t${i}.txt`), `template ${i}\n`);
    process.env.WR_TEMPLATES_DIR = templates;
    rt = await startTestRuntime({ workspace: root, features: [filesFeature, versionControlFeature, settingsFeature] });
    id = (await rt.json('/api/v1/workspaces')).body.workspaces[0].id;
  });

  afterAll(async () => {
    swapper?.kill('SIGKILL');
    delete process.env.WR_TEMPLATES_DIR;
    await rt?.close();
    await rm(base, { recursive: true, force: true });
  });

  it('changes nothing outside the workspace and leaves no temp file', async () => {
    const ws = `/api/v1/workspaces/${id}`;
    const snapshot = await rt.json(`${ws}/snapshots`, { method: 'POST', json: { label: 'before the race' } });
    expect(snapshot.status).toBe(201);
    const before = await tree(outside);

    swapper = spawn(process.execPath, ['-e', SWAPPER, JSON.stringify(swapped.map((p) => join(root, p)))], { stdio: ['pipe', 'pipe', 'inherit'] });
    let output = '';
    swapper.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<void>((resolve) => swapper!.once('exit', () => resolve()));
    await waitFor(() => output.includes('swapping'), 'the swap loop to start');

    const counts = new Map<string, number>();
    const statuses = new Map<number, number>();
    const violations: string[] = [];
    const fire = async (route: string, path: string, init: RequestInit & { json?: unknown } = {}) => {
      counts.set(route, (counts.get(route) ?? 0) + 1);
      try {
        const res = await rt.api(path, init);
        await res.arrayBuffer();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status >= 500) violations.push(`${route} ${path}: ${res.status}`);
      } catch (error) {
        violations.push(`${route} ${path}: ${(error as Error).message.slice(0, 300)}`);
      }
    };
    const text = (body: string) => ({ method: 'PUT', body, headers: { 'content-type': 'application/octet-stream' } });
    const rounds = 40;
    const round = async (i: number) => {
      const upload = multipart({ [`u${i}.txt`]: `upload ${i}`, [`nested/u${i}.txt`]: `nested ${i}` });
      await Promise.all([
        fire('PUT files', `${ws}/files/race/sub/f${i}.txt`, text(`overwritten ${i}`)),
        fire('PUT files (new, mkdir)', `${ws}/files/race/new${i}/deep/n.txt?mkdir=true`, text(`new ${i}`)),
        fire('PUT /api/v1/files', `/api/v1/files/race/sub/g${i}.txt?workspace_id=${id}`, text(`default form ${i}`)),
        fire('DELETE files', `${ws}/files/race/sub/f${100 + i}.txt`, { method: 'DELETE' }),
        fire('DELETE files (recursive)', `${ws}/files/race/trees?recursive=true`, { method: 'DELETE' }),
        fire('move', `${ws}/file-ops/move`, { method: 'POST', json: { from: `race/sub/f${50 + i}.txt`, to: `race/moved/f${50 + i}.txt`, overwrite: true } }),
        fire('move (into)', `${ws}/file-ops/move`, { method: 'POST', json: { from: `race/sub/f${150 + i}.txt`, to: `race/sub/f${150 + i}.moved`, overwrite: true } }),
        fire('mkdir', `${ws}/file-ops/mkdir`, { method: 'POST', json: { path: `race/made${i}/a/b` } }),
        fire('upload', `${ws}/file-ops/upload?path=race/up`, { method: 'POST', body: upload.body, headers: { 'content-type': upload.type } }),
        fire('sandbox PUT', `/api/v1/sandboxes/${id}/files?path=/workspace/race/sb${i}/s.txt`, text(`sandbox ${i}`)),
        fire('sandbox DELETE', `/api/v1/sandboxes/${id}/files?path=/workspace/race/sub/f${190 + (i % 10)}.txt`, { method: 'DELETE' }),
        fire('template apply', `${ws}/template`, { method: 'POST', json: { template: 'race-template' } }),
        fire('settings PUT', `/api/v1/settings?workspace_id=${id}`, { method: 'PUT', json: { env: { ROUND: String(i) } } }),
        fire('settings/hooks PUT', `/api/v1/settings/hooks?workspace_id=${id}`, { method: 'PUT', json: {} }),
        ...(i % 8 === 0 ? [fire('snapshot restore', `${ws}/snapshots/${snapshot.body.snapshot.id}/restore`, { method: 'POST' })] : []),
      ]);
    };
    for (let i = 0; i < rounds; i++) await round(i);

    swapper.stdin!.end();
    await exited;
    const swaps = (JSON.parse(output.trim().split('\n').pop()!) as { swaps: number }).swaps;

    const after = await tree(outside);
    const changed = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => before[k] !== after[k]);
    const temps = [...(await tempFiles(outside)).map((t) => `outside/${t}`), ...(await tempFiles(root)).map((t) => `ws/${t}`)];
    const requests = [...counts.values()].reduce((a, b) => a + b, 0);
    console.log(
      `write race: ${counts.size} routes, ${requests} requests, ${swaps} swap rounds, ${changed.length} escapes, ${temps.length} temp files; statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
    );
    for (const k of changed) console.log(`outside changed: ${k}: ${before[k]?.slice(0, 60) ?? 'absent'} -> ${after[k]?.slice(0, 60) ?? 'absent'}`);
    expect(swaps).toBeGreaterThan(0);
    expect(changed).toEqual([]);
    expect(temps).toEqual([]);
    expect(violations).toEqual([]);
    // The runtime still answers, and the swapped folders are real folders again.
    expect((await lstat(join(root, 'race'))).isDirectory()).toBe(true);
    const health = await rt.json('/health');
    expect(health.status).toBe(200);
    const listed = await rt.json(`${ws}/files/race`);
    expect(listed.status).toBe(200);
  });
});
