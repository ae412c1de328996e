import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, readdir, readFile, realpath, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, startTestRuntime, type TestRuntime } from '../../test-support/runtime-harness.js';
import { appsFeature } from '../apps/feature.js';
import { scriptsFeature } from './feature.js';
import { readSse } from '../../test-support/sse.js';
import { waitFor } from '../../test-support/wait.js';
import { detectPackageManager, parseMakeTargets } from './service.js';

const MAKEFILE = ['VAR := 1', '.PHONY: build test', 'build:', '\t@echo built $(VAR)', 'test: build', '\t@echo tested', '%.o: %.c', '\tcc -c $<', ''].join('\n');

describe('scripts', () => {
  let rt: TestRuntime;
  let root: string;
  // The runtime's clock for cache lifetimes stands still unless the test moves it.
  let clock = Date.now();

  beforeAll(async () => {
    root = await realpath(await makeTempDir('wr-scripts-'));
    await writeFile(join(root, 'package.json'), JSON.stringify({ name: 'fixture', scripts: { greet: 'echo hi $npm_lifecycle_event', test: 'echo from-package' } }));
    await writeFile(join(root, 'Makefile'), MAKEFILE);
    await writeFile(
      join(root, 'app.runtime.yaml'),
      ['scripts:', '  test: echo from-manifest', '  fail: echo bad >&2; exit 4', '  slow: echo started; sleep 30 & sleep 31; echo never', '  colors: printf "\\033[31mred\\033[0m\\n"'].join('\n'),
    );
    rt = await startTestRuntime({ workspace: root, features: [appsFeature, scriptsFeature], now: () => clock });
  });
  afterAll(() => rt?.close());

  it('lists manifest scripts, package.json scripts with their package manager, and Makefile targets', async () => {
    const { status, body } = await rt.json('/api/v1/scripts');
    expect(status).toBe(200);
    expect(body.package_manager).toBe('npm');
    expect(body.scripts.map((s: any) => s.id)).toEqual(['manifest:test', 'manifest:fail', 'manifest:slow', 'manifest:colors', 'package:greet', 'package:test', 'make:build', 'make:test']);
    expect(body.scripts.find((s: any) => s.id === 'package:greet')).toMatchObject({ command: 'npm run greet', definition: 'echo hi $npm_lifecycle_event', package_manager: 'npm', cwd: root });
    expect(body.scripts.find((s: any) => s.id === 'make:build')).toMatchObject({ command: 'make build', source: 'make' });
  });

  it('detects the package manager from the lockfile', async () => {
    const dir = await makeTempDir('wr-pm-');
    expect(await detectPackageManager(dir)).toBe('npm');
    for (const [file, pm] of [['bun.lockb', 'bun'], ['yarn.lock', 'yarn'], ['pnpm-lock.yaml', 'pnpm']] as const) {
      await writeFile(join(dir, file), '');
      expect(await detectPackageManager(dir)).toBe(pm);
    }
    expect(parseMakeTargets(MAKEFILE)).toEqual(['build', 'test']);
  });

  it('runs a package.json script through npm with args: 202, live output, exit code and duration', async () => {
    const res = await rt.json('/api/v1/scripts/package:greet/run', { method: 'POST', json: { args: ['a b'] } });
    expect(res.status).toBe(202);
    const exec = res.body.execution;
    expect(exec).toMatchObject({ status: 'running', command: "npm run greet -- 'a b'", args: ['a b'] });
    expect(exec.id).toMatch(/^exec_/);
    const events = await readSse(`${rt.url}${exec.events_url}`, (evs) => evs.some((e) => e.event === 'script_finished'), { token: rt.token });
    const lines = events.filter((e) => e.event === 'script_output').map((e) => e.data.line);
    expect(lines).toContain('hi greet a b');
    const finished = events.find((e) => e.event === 'script_finished')!.data.execution;
    expect(finished).toMatchObject({ status: 'succeeded', exit_code: 0 });
    expect(finished.duration_ms).toBeGreaterThan(0);
    const got = await rt.json(`/api/v1/scripts/runs/${exec.id}`);
    expect(got.body.execution.output_tail.some((l: any) => l.line === 'hi greet a b')).toBe(true);
  });

  it('prefers the manifest script for a plain name, runs make targets, and keeps ANSI colour', async () => {
    const plain = await rt.json('/api/v1/scripts/test/run', { method: 'POST', json: {} });
    expect(plain.body.execution.script_id).toBe('manifest:test');
    const make = await rt.json('/api/v1/scripts/make:test/run', { method: 'POST', json: {} });
    const colors = await rt.json('/api/v1/scripts/colors/run', { method: 'POST', json: {} });
    const done = async (id: string) =>
      waitFor(async () => {
        const e = (await rt.json(`/api/v1/scripts/runs/${id}`)).body.execution;
        return e.status !== 'running' && e;
      }, `script run ${id} to end`);
    expect((await done(plain.body.execution.id)).output_tail.map((l: any) => l.line)).toEqual(['from-manifest']);
    expect((await done(make.body.execution.id)).output_tail.map((l: any) => l.line)).toEqual(['built 1', 'tested']);
    expect((await done(colors.body.execution.id)).output_tail[0].line).toBe('\u001b[31mred\u001b[0m');
  });

  it('reports a failing script with its exit code and stderr', async () => {
    const res = await rt.json('/api/v1/scripts/fail/run', { method: 'POST', json: {} });
    const events = await readSse(`${rt.url}${res.body.execution.events_url}`, (evs) => evs.some((e) => e.event === 'script_finished'), { token: rt.token });
    expect(events.find((e) => e.event === 'script_output')?.data).toMatchObject({ stream: 'stderr', line: 'bad' });
    expect(events.at(-1)?.data.execution).toMatchObject({ status: 'failed', exit_code: 4 });
  });

  it('cancels a running script, background children included', async () => {
    const res = await rt.json('/api/v1/scripts/slow/run', { method: 'POST', json: {} });
    const id = res.body.execution.id;
    await waitFor(async () => (await rt.json(`/api/v1/scripts/runs/${id}`)).body.execution.output_tail.length > 0, 'output');
    const cancelled = await rt.json(`/api/v1/scripts/runs/${id}/cancel`, { method: 'POST' });
    // SIGTERM ended it: the SIGKILL after the grace period was not needed.
    expect(cancelled.body.execution).toMatchObject({ status: 'cancelled', signal: 'SIGTERM' });
    const cmdlines = await Promise.all((await readdir('/proc')).filter((n) => /^\d+$/.test(n)).map((n) => readFile(`/proc/${n}/cmdline`, 'utf8').catch(() => '')));
    expect(cmdlines.map((c) => c.split('\0').join(' ').trim())).not.toContain('sleep 30');
    const recent = await rt.json('/api/v1/scripts/runs');
    expect(recent.body.executions[0].id).toBe(id);
  });

  it('answers 404 for unknown scripts and executions', async () => {
    expect((await rt.json('/api/v1/scripts/nope/run', { method: 'POST', json: {} })).body.code).toBe('script_not_found');
    expect((await rt.json('/api/v1/scripts/runs/exec_nope')).status).toBe(404);
  });

  it('runs manifest scripts of a sub-folder manifest in that folder', async () => {
    await mkdir(join(root, 'apps', 'sub'), { recursive: true });
    await writeFile(join(root, 'apps', 'sub', 'app.runtime.yaml'), 'scripts:\n  where: pwd\n');
    // The folder scan is reused for a while (2 s): a new manifest is found once it has expired.
    expect((await rt.json('/api/v1/scripts')).body.scripts.map((s: any) => s.id)).not.toContain('manifest:where');
    clock += 2001;
    expect((await rt.json('/api/v1/scripts')).body.scripts.map((s: any) => s.id)).toContain('manifest:where');
    const res = await rt.json('/api/v1/scripts/where/run', { method: 'POST', json: {} });
    const e = await waitFor(async () => {
      const x = (await rt.json(`/api/v1/scripts/runs/${res.body.execution.id}`)).body.execution;
      return x.status !== 'running' && x;
    }, 'the sub-folder script to end');
    expect(e.output_tail[0].line).toBe(join(root, 'apps', 'sub'));
  });
});
