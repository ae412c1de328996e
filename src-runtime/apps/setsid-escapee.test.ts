import { describe, expect, it } from 'vitest';
import { mkdir, readFile, realpath, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, startTestRuntime } from '../../test-support/runtime-harness.js';
import { waitFor } from '../../test-support/wait.js';
import { readProc } from '../platform/process-group.js';
import { appsFeature } from './feature.js';
import { alive, readPid } from './test-fixtures.js';

/** A start command whose grandchild calls setsid (leaving the app's process group) and writes its pid to gc.pid. */
const ESCAPE = `setsid sh -c 'echo $$ > gc.pid.tmp && mv gc.pid.tmp gc.pid; exec sleep 1000' </dev/null >/dev/null 2>&1 &`;

describe('an app whose grandchild calls setsid', () => {
  it('takes the grandchild with it when stopped, and when it exits by itself', async () => {
    const root = await realpath(await makeTempDir('wr-setsid-'));
    await writeFile(
      join(root, 'app.runtime.yaml'),
      [
        'apps:',
        '  - id: stays',
        `    start: "${ESCAPE} exec sleep 1000"`,
        '    port: none',
        '    stop_timeout: 1s',
        '  - id: quits',
        '    cwd: ./quits',
        // The leader exits once its grandchild is up: nobody stops this app, it crashes.
        `    start: "${ESCAPE} while [ ! -s gc.pid ]; do sleep 0.05; done; exit 3"`,
        '    port: none',
      ].join('\n'),
    );
    await mkdir(join(root, 'quits'));
    const rt = await startTestRuntime({ workspace: root, features: [appsFeature] });
    try {
      const { body } = await rt.json('/api/v1/apps');
      const byName = (id: string) => body.apps.find((a: { manifest_id: string }) => a.manifest_id === id).id as string;

      const ensured = await rt.json(`/api/v1/apps/${byName('stays')}/ensure-running`, { method: 'POST' });
      expect(ensured.status).toBe(200);
      const leader = ensured.body.app.pid as number;
      const grandchild = await readPid(join(root, 'gc.pid'));
      // It really left the app's group: a group signal cannot reach it.
      expect((await readProc(grandchild))?.pgid).toBe(grandchild);
      expect(await readFile(`/proc/${grandchild}/environ`, 'latin1')).toContain(`WR_OWNER=${rt.ctx.processes.instanceId}:app:${byName('stays')}#`);

      const stopped = await rt.json(`/api/v1/apps/${byName('stays')}/stop`, { method: 'POST' });
      expect(stopped.body.app.status).toBe('stopped');
      expect(await alive(leader)).toBe(false);
      expect(await alive(grandchild)).toBe(false);

      await rt.json(`/api/v1/apps/${byName('quits')}/start`, { method: 'POST' });
      const orphan = await readPid(join(root, 'quits', 'gc.pid'));
      await waitFor(async () => (await rt.json(`/api/v1/apps/${byName('quits')}`)).body.app.status === 'crashed', 'the app to crash');
      await waitFor(async () => !(await alive(orphan)), 'the crashed app\'s setsid grandchild to be ended');
    } finally {
      await rt.close();
    }
  });
});
