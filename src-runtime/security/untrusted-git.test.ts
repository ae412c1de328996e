/**
 * Opening a hostile folder runs none of its code. One real repository per vector class (each names
 * a program that would leave a marker file if git ran it; it reads no input, so a vector that
 * runs is reported, not hung), every git-touching route called on
 * it while the workspace is untrusted, then the markers checked. Trusting the folder gives its
 * hooks back (the pre-commit hook runs). Prints `vectors tried / programs run`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { chmod, mkdir, readdir, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { makeTempDir, startTestRuntime, type TestRuntime } from '../../test-support/runtime-harness.js';
import { features } from '../features.js';

const HOOKS = ['pre-commit', 'prepare-commit-msg', 'commit-msg', 'post-commit', 'post-checkout', 'post-merge', 'pre-push', 'pre-rebase', 'post-rewrite', 'reference-transaction', 'pre-auto-gc', 'post-index-change', 'pre-merge-commit'];

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1' } });
}

interface Vector {
  name: string;
  /** Makes the repository hostile; `script` is an executable inside the repo that leaves a marker and passes stdin through. */
  arm(repo: string, script: string, ctx: { http: string }): Promise<void> | void;
}

const VECTORS: Vector[] = [
  { name: 'core.fsmonitor', arm: (r, s) => void git(r, 'config', 'core.fsmonitor', s) },
  {
    name: 'filter clean/smudge via .gitattributes',
    arm: async (r, s) => {
      await writeFile(join(r, '.gitattributes'), '*.txt filter=evil\n');
      git(r, 'config', 'filter.evil.clean', s);
      git(r, 'config', 'filter.evil.smudge', s);
      git(r, 'config', 'filter.evil.required', 'true');
    },
  },
  {
    name: 'filter via .git/info/attributes',
    arm: async (r, s) => {
      await writeFile(join(r, '.git', 'info', 'attributes'), '* filter=evil2\n');
      git(r, 'config', 'filter.evil2.clean', s);
      git(r, 'config', 'filter.evil2.smudge', s);
    },
  },
  {
    name: 'filter process',
    arm: async (r, s) => {
      await writeFile(join(r, '.gitattributes'), '*.txt filter=evilp\n');
      git(r, 'config', 'filter.evilp.process', s);
    },
  },
  {
    name: 'diff textconv',
    arm: async (r, s) => {
      await writeFile(join(r, '.gitattributes'), '*.txt diff=evil\n');
      git(r, 'config', 'diff.evil.textconv', s);
    },
  },
  {
    name: 'diff.external and diff driver command',
    arm: async (r, s) => {
      await writeFile(join(r, '.gitattributes'), '*.txt diff=evild\n');
      git(r, 'config', 'diff.external', s);
      git(r, 'config', 'diff.evild.command', s);
    },
  },
  {
    name: '.git/hooks',
    arm: async (r, s) => {
      for (const hook of HOOKS) await writeFile(join(r, '.git', 'hooks', hook), `#!/bin/sh\nexec "${s}" "$@" </dev/null\n`, { mode: 0o755 });
    },
  },
  {
    name: 'core.hooksPath',
    arm: async (r, s) => {
      await mkdir(join(r, '.githooks'));
      for (const hook of HOOKS) await writeFile(join(r, '.githooks', hook), `#!/bin/sh\nexec "${s}" "$@" </dev/null\n`, { mode: 0o755 });
      git(r, 'config', 'core.hooksPath', '.githooks');
    },
  },
  {
    name: 'remote uploadpack/receivepack',
    arm: (r, s) => {
      git(r, 'config', 'remote.origin.uploadpack', s);
      git(r, 'config', 'remote.origin.receivepack', s);
    },
  },
  { name: 'ext:: remote', arm: (r, s) => void git(r, 'remote', 'set-url', 'origin', `ext::sh -c ${s.replace(/ /g, '% ')}`) },
  {
    name: 'merge driver',
    arm: async (r, s) => {
      await writeFile(join(r, '.gitattributes'), '*.txt merge=evil\n');
      git(r, 'config', 'merge.evil.driver', `${s} %O %A %B`);
    },
  },
  {
    name: 'signing program inside the repo',
    arm: (r, s) => {
      git(r, 'config', 'gpg.program', s);
      git(r, 'config', 'gpg.ssh.program', s);
      git(r, 'config', 'commit.gpgSign', 'true');
      git(r, 'config', 'tag.gpgSign', 'true');
      git(r, 'config', 'log.showSignature', 'true');
      git(r, 'config', 'user.signingKey', 'ABCDEF');
    },
  },
  {
    name: 'core.sshCommand, core.gitProxy',
    arm: (r, s) => {
      git(r, 'remote', 'set-url', 'origin', 'ssh://git@127.0.0.1:9/nowhere.git');
      git(r, 'config', 'core.sshCommand', s);
      git(r, 'config', 'core.gitProxy', s);
    },
  },
  {
    name: 'credential helper',
    arm: (r, s, ctx) => {
      git(r, 'remote', 'set-url', 'origin', ctx.http);
      git(r, 'config', 'credential.helper', s);
      git(r, 'config', `credential.${ctx.http}.helper`, `!${s}`);
      git(r, 'config', 'core.askPass', s);
    },
  },
  {
    name: 'editors, pagers, alternateRefsCommand',
    arm: (r, s) => {
      for (const key of ['core.editor', 'core.pager', 'pager.log', 'pager.diff', 'sequence.editor', 'core.alternateRefsCommand', 'uploadpack.packObjectsHook', 'interactive.diffFilter']) git(r, 'config', key, s);
    },
  },
];

describe('an untrusted folder runs none of its own programs', () => {
  let rt: TestRuntime;
  let base: string;
  let http: Server;
  let httpUrl: string;

  beforeAll(async () => {
    base = await makeTempDir('wr-hostile-');
    // An http remote that asks for credentials: git would call the credential helper.
    http = createServer((_req, res) => res.writeHead(401, { 'www-authenticate': 'Basic realm="x"' }).end());
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    httpUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}/repo.git`;
    rt = await startTestRuntime({ features });
  });

  afterAll(async () => {
    await rt?.close();
    await new Promise((r) => http?.close(r));
  });

  /** A repository with a remote that moved on, local edits (tracked, staged, untracked) and an armed vector. */
  async function hostileRepo(index: number, vector: Vector) {
    const dir = join(base, `v${index}`);
    const repo = join(dir, 'repo');
    const markers = join(dir, 'markers');
    await mkdir(markers, { recursive: true });
    const seed = join(dir, 'seed');
    await mkdir(seed);
    git(seed, 'init', '-q', '-b', 'main');
    git(seed, 'config', 'user.email', 't@example.com');
    git(seed, 'config', 'user.name', 'T');
    await writeFile(join(seed, 'a.txt'), 'one\ntwo\nthree\nfour\nfive\nsix\n');
    await writeFile(join(seed, 'b.txt'), 'bee\n');
    git(seed, 'add', '.');
    git(seed, 'commit', '-q', '-m', 'seed');
    git(dir, 'clone', '-q', '--bare', seed, 'origin.git');
    git(dir, 'clone', '-q', 'origin.git', 'repo');
    git(repo, 'config', 'user.email', 't@example.com');
    git(repo, 'config', 'user.name', 'T');
    // The remote moves on (line 6 of a.txt), so pull merges a.txt three ways.
    await writeFile(join(seed, 'a.txt'), 'one\ntwo\nthree\nfour\nfive\nsix from the remote\n');
    git(seed, 'commit', '-q', '-am', 'remote change');
    git(seed, 'push', '-q', join(dir, 'origin.git'), 'main');
    const script = join(repo, 'evil.sh');
    await writeFile(script, `#!/bin/sh\necho "$0 $*" > "${markers}/ran-$$"\nexit 0\n`);
    await chmod(script, 0o755);
    await vector.arm(repo, script, { http: httpUrl });
    // Local edits: tracked (line 1 of a.txt), a new staged file, an untracked file.
    await writeFile(join(repo, 'a.txt'), 'ONE\ntwo\nthree\nfour\nfive\nsix\n');
    await writeFile(join(repo, 'c.txt'), 'sea\n');
    await writeFile(join(repo, 'd.txt'), 'dee\n');
    const ws = (await rt.json('/api/v1/workspaces', { method: 'POST', json: { root_dir: repo } })).body.workspace;
    expect(ws.trusted).toBe(false);
    return { repo, markers, ws };
  }

  /** Every git-touching route, in an order a user could take; failures are fine, runs are not. */
  async function touchEveryRoute(id: string, root: string) {
    const vc = `/api/v1/workspaces/${id}/version-control`;
    const post = (path: string, json: unknown) => rt.json(`${vc}/${path}`, { method: 'POST', json });
    const status = await rt.json(`${vc}/status`);
    expect(status.status).toBe(200);
    await rt.json(`${vc}/diff`);
    await rt.json(`${vc}/diff?path=a.txt`);
    await post('stage', { paths: ['c.txt', 'a.txt'] });
    await rt.json(`${vc}/diff?staged=true`);
    await post('unstage', { paths: ['a.txt'] });
    await post('stage', { paths: ['a.txt'] });
    await post('commit', { message: 'local change' });
    await rt.json(`${vc}/diff?commit=HEAD`);
    await rt.json(`${vc}/log?files=true`);
    await rt.json(`${vc}/branches`);
    await post('checkout', { branch: 'side', create: true });
    await post('checkout', { branch: 'main' });
    await writeFile(join(root, 'b.txt'), 'changed\n');
    await post('discard', { paths: ['b.txt'] });
    await post('pull', {});
    await post('pull', { rebase: true });
    await post('push', {});
    await post('commit', { message: 'amended', amend: true, all: true });
    const snap = await rt.json(`/api/v1/workspaces/${id}/snapshots`, { method: 'POST', json: { label: 'x' } });
    if (snap.status === 201) await rt.json(`/api/v1/workspaces/${id}/snapshots/${snap.body.snapshot.id}/restore`, { method: 'POST', json: {} });
    const exported = await rt.api(`/api/v1/workspaces/${id}/export?gitignore=true`);
    await exported.arrayBuffer();
    await rt.json(`/api/v1/workspaces/${id}/openspec`);
    await rt.json(`/api/v1/workspaces/${id}/files/?gitignore=true&depth=3`);
    await rt.json(`${vc}/status`);
  }

  it('runs no vector on any route while untrusted; trusted, its pre-commit hook runs', async () => {
    let ran = 0;
    const offenders: string[] = [];
    for (const [i, vector] of VECTORS.entries()) {
      const { repo, markers, ws } = await hostileRepo(i, vector);
      await touchEveryRoute(ws.id, repo);
      const found = await readdir(markers);
      if (found.length) offenders.push(`${vector.name} (${found.length})`);
      ran += found.length;
      // The runtime is still up after all that.
      expect((await rt.api('/health')).status).toBe(200);
    }
    console.log(`untrusted git: ${VECTORS.length} vectors tried / ${ran} programs run`);
    expect(offenders).toEqual([]);

    // Trusted, the same folder keeps its hooks: the pre-commit hook runs on commit.
    const hooks = VECTORS.find((v) => v.name === '.git/hooks')!;
    const { repo, markers, ws } = await hostileRepo(VECTORS.length, hooks);
    expect((await rt.json(`/api/v1/workspaces/${ws.id}`, { method: 'PATCH', json: { trusted: true } })).body.workspace.trusted).toBe(true);
    await writeFile(join(repo, 'e.txt'), 'e\n');
    const commit = await rt.json(`/api/v1/workspaces/${ws.id}/version-control/commit`, { method: 'POST', json: { message: 'trusted', all: true } });
    expect(commit.status).toBe(201);
    const ranTrusted = (await readdir(markers)).length;
    expect(ranTrusted).toBeGreaterThan(0);
  }, 240_000);

  it('refuses workspace-level MCP and settings writes while untrusted (403 workspace_untrusted)', async () => {
    const dir = await makeTempDir('wr-hostile-mcp-');
    const ws = (await rt.json('/api/v1/workspaces', { method: 'POST', json: { root_dir: dir } })).body.workspace;
    const mcp = await rt.json(`/api/v1/settings/mcp?workspace_id=${ws.id}`, { method: 'PUT', json: { mcpServers: { evil: { command: 'sh', args: ['-c', 'touch x'] } } } });
    expect(mcp).toMatchObject({ status: 403, body: { code: 'workspace_untrusted' } });
    const settings = await rt.json(`/api/v1/settings?workspace_id=${ws.id}`, { method: 'PUT', json: { apiKeyHelper: 'touch x' } });
    expect(settings).toMatchObject({ status: 403, body: { code: 'workspace_untrusted' } });
    expect(await readdir(dir)).toEqual([]);
    // Reading stays open, and the user's own level is theirs.
    expect((await rt.json(`/api/v1/settings/mcp?workspace_id=${ws.id}`)).status).toBe(200);
  });
});
