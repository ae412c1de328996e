/** Version-control routes: thin bindings of contract/git.ts onto the VersionControlService. */
import { gitApi } from '../contract/git.js';
import { bind, reply, type RouteBinding } from '../http/bind.js';
import type { VersionControlService } from './service.js';

export function versionControlRoutes(vc: VersionControlService): RouteBinding[] {
  return [
    bind(gitApi.status, async ({ params, query }) => ({ status: await vc.status(params.id, query.untracked) })),
    bind(gitApi.log, async ({ params, query }) => {
      const skip = query.cursor ? Number(query.cursor) : 0;
      const { commits, more } = await vc.log(params.id, { ref: query.ref, path: query.path, limit: query.limit, skip, files: query.files });
      return more ? { commits, next_cursor: String(skip + commits.length) } : { commits };
    }),
    bind(gitApi.diff, async ({ params, query }) => ({
      diff: await vc.diff(params.id, { staged: query.staged, commit: query.commit, path: query.path, context: query.context, maxBytes: query.max_bytes }),
    })),
    bind(gitApi.commit, async ({ params, body }) => reply(201, { commit: await vc.commit(params.id, body) })),
    bind(gitApi.stage, async ({ params, body }) => ({ status: await vc.stage(params.id, body.paths) })),
    bind(gitApi.unstage, async ({ params, body }) => ({ status: await vc.unstage(params.id, body.paths) })),
    bind(gitApi.discard, async ({ params, body }) => ({ status: await vc.discard(params.id, body.paths, body.include_staged ?? false) })),
    bind(gitApi.branches, async ({ params }) => vc.branches(params.id)),
    bind(gitApi.checkout, async ({ params, body }) => ({ status: await vc.checkout(params.id, body) })),
    bind(gitApi.push, async ({ params, body }) => vc.push(params.id, body)),
    bind(gitApi.pull, async ({ params, body }) => ({ status: await vc.pull(params.id, body) })),
    bind(gitApi.init, async ({ params, body }) => reply(201, { status: await vc.init(params.id, body.initial_branch) })),
  ];
}
