/**
 * Version control: the routes under /api/v1/workspaces/{id}/version-control/… (status, log, diff,
 * commit, stage, unstage, discard, branches, checkout, push, pull, init), their shapes and the git
 * events (`git_status_changed`, `git_progress`). Pure TS + zod.
 */
import { z } from 'zod';
import { commonErrors, defineRoute } from './route.js';
import { errorBodySchema } from './errors.js';
import { queryBool, queryInt, workspaceIdParams } from './common.js';
import { defineEvent } from './events.js';

const changeKind = z.enum(['added', 'modified', 'deleted', 'renamed', 'copied', 'type_changed']);

export const gitFileChangeSchema = z
  .object({
    path: z.string().describe('Relative to the repository root'),
    old_path: z.string().optional().describe('Previous path of a rename or copy'),
    status: changeKind,
    similarity: z.number().optional(),
  })
  .meta({ id: 'GitFileChange' });

export const gitStatusSchema = z
  .object({
    repo_root: z.string().describe('Absolute path of the repository work tree'),
    head_oid: z.string().nullable().describe('Commit HEAD points at; null on an unborn branch'),
    branch: z.string().nullable().describe('Current branch; null when HEAD is detached'),
    detached: z.boolean(),
    upstream: z.string().nullable(),
    ahead: z.number().int().nullable(),
    behind: z.number().int().nullable(),
    staged: z.array(gitFileChangeSchema),
    unstaged: z.array(gitFileChangeSchema),
    untracked: z.array(z.object({ path: z.string() })),
    conflicted: z.array(
      z.object({
        path: z.string(),
        conflict: z.enum(['both_modified', 'both_added', 'both_deleted', 'added_by_us', 'added_by_them', 'deleted_by_us', 'deleted_by_them']),
      }),
    ),
    operation: z.enum(['merge', 'rebase', 'cherry_pick', 'revert']).nullable().describe('An operation stopped half-way (conflicts)'),
    clean: z.boolean(),
  })
  .meta({ id: 'GitStatus' });

const person = z.object({ name: z.string(), email: z.string(), date: z.string() });

export const gitCommitSchema = z
  .object({
    hash: z.string(),
    short_hash: z.string(),
    parents: z.array(z.string()),
    author: person,
    committer: person,
    subject: z.string(),
    body: z.string(),
    files: z
      .array(z.object({ path: z.string(), old_path: z.string().optional(), status: z.enum(['added', 'modified', 'deleted', 'renamed', 'copied', 'type_changed', 'unmerged', 'unknown']) }))
      .optional()
      .describe('Changed files (with ?files=true)'),
  })
  .meta({ id: 'GitCommit' });

export const gitDiffFileSchema = z
  .object({
    path: z.string(),
    old_path: z.string().optional(),
    status: z.enum(['added', 'deleted', 'modified', 'renamed', 'copied', 'mode_changed']),
    binary: z.boolean(),
    old_mode: z.string().optional(),
    new_mode: z.string().optional(),
    additions: z.number().int(),
    deletions: z.number().int(),
    hunks: z.array(
      z.object({
        header: z.string(),
        old_start: z.number().int(),
        old_lines: z.number().int(),
        new_start: z.number().int(),
        new_lines: z.number().int(),
        lines: z.array(
          z.object({
            type: z.enum(['context', 'add', 'delete', 'no_newline']),
            content: z.string(),
            old_line: z.number().int().nullable(),
            new_line: z.number().int().nullable(),
          }),
        ),
      }),
    ),
  })
  .meta({ id: 'GitDiffFile' });

export const gitDiffSchema = z
  .object({
    mode: z.enum(['worktree', 'staged', 'commit']),
    commit: z.string().nullable(),
    path: z.string().nullable(),
    text: z.string().describe('Unified diff text'),
    files: z.array(gitDiffFileSchema),
    truncated: z.boolean().describe('The diff was larger than max_bytes and was cut'),
    bytes: z.number().int().describe('Bytes of diff text returned'),
  })
  .meta({ id: 'GitDiff' });

export const gitBranchSchema = z
  .object({
    name: z.string(),
    full_name: z.string(),
    type: z.enum(['local', 'remote']),
    remote: z.string().nullable(),
    current: z.boolean(),
    commit: z.string(),
    upstream: z.string().nullable(),
    ahead: z.number().int().nullable(),
    behind: z.number().int().nullable(),
    upstream_gone: z.boolean(),
    subject: z.string(),
    committed_at: z.string().nullable(),
  })
  .meta({ id: 'GitBranch' });

/** Paths relative to the repository root; pathspec magic is off (names are literal). */
const pathList = z.array(z.string().min(1).refine((p) => !p.includes('\0'), 'paths must not contain NUL')).min(1).max(10_000);

/** A branch or ref name as a client may pass it: no option-looking or control characters. */
const refName = z
  .string()
  .min(1)
  .max(250)
  .refine((v) => !v.startsWith('-'), 'must not start with "-"')
  .refine((v) => ![...v].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f), 'must not contain control characters');

export const commitBody = z
  .object({
    message: z.string().refine((m) => m.trim().length > 0, 'commit message must not be empty'),
    paths: pathList.optional().describe('Commit only these paths (staged first; others stay as they are)'),
    all: z.boolean().optional().describe('Stage every change, including untracked files, then commit'),
    amend: z.boolean().optional().describe('Replace the last commit'),
  })
  .strict();

export const checkoutBody = z
  .object({
    branch: refName.optional().describe('Branch to switch to (a remote branch name creates a tracking branch)'),
    create: z.boolean().optional().describe('Create `branch` (from start_point, default HEAD)'),
    start_point: refName.optional(),
    commit: refName.optional().describe('Detach HEAD at this commit instead of switching branch'),
  })
  .strict()
  .refine((b) => (b.branch ? !b.commit : !!b.commit), 'pass either "branch" or "commit"')
  .refine((b) => !b.start_point || b.create, '"start_point" needs "create": true');

export const pushBody = z
  .object({
    remote: refName.optional().describe('Default: the branch upstream remote, else the only remote or origin'),
    branch: refName.optional().describe('Local branch to push (default: current)'),
    set_upstream: z.boolean().optional().describe('Record the pushed branch as upstream (done automatically on a first push)'),
    force_with_lease: z.boolean().optional(),
  })
  .strict();

export const pullBody = z
  .object({
    remote: refName.optional(),
    branch: refName.optional().describe('Remote branch to pull (default: the upstream)'),
    rebase: z.boolean().optional().describe('Rebase instead of merge (default merge)'),
  })
  .strict();

export const initBody = z.object({ initial_branch: refName.optional() }).strict();

const gitErrors = {
  ...commonErrors,
  409: errorBodySchema,
  413: errorBodySchema,
  500: errorBodySchema,
  502: errorBodySchema,
  503: errorBodySchema,
  504: errorBodySchema,
} as const;

const base = '/api/v1/workspaces/{id}/version-control';
const tags = ['version-control'];
const statusOut = z.object({ status: gitStatusSchema });

export const gitApi = {
  status: defineRoute({
    operationId: 'git.status',
    method: 'get',
    path: `${base}/status`,
    summary: 'Branch, upstream, ahead/behind and staged, unstaged, untracked and conflicted files',
    description: 'Answers 409 not_a_git_repository for a folder that is not a repository, 503 git_unavailable when no git is installed.',
    tags,
    access: 'token',
    params: workspaceIdParams,
    query: z.object({ untracked: z.enum(['all', 'normal', 'no']).default('all').describe('How untracked files are listed (git -u)') }),
    responses: { 200: statusOut, ...gitErrors },
  }),
  log: defineRoute({
    operationId: 'git.log',
    method: 'get',
    path: `${base}/log`,
    summary: 'Commits, newest first, paged; optionally for one ref and/or path, with changed files',
    tags,
    access: 'token',
    params: workspaceIdParams,
    query: z.object({
      ref: refName.optional().describe('Branch, tag or commit (default HEAD)'),
      path: z.string().min(1).optional().describe('Only commits touching this path'),
      limit: queryInt(1, 1000).default(100),
      cursor: z.string().regex(/^\d+$/).optional().describe('next_cursor of the previous page'),
      files: queryBool.optional().describe('Include each commit changed files'),
    }),
    responses: { 200: z.object({ commits: z.array(gitCommitSchema), next_cursor: z.string().optional() }), ...gitErrors },
  }),
  diff: defineRoute({
    operationId: 'git.diff',
    method: 'get',
    path: `${base}/diff`,
    summary: 'Unified diff plus parsed hunks: working tree vs index, index vs HEAD (staged), or one commit',
    tags,
    access: 'token',
    params: workspaceIdParams,
    query: z.object({
      staged: queryBool.optional().describe('Index vs HEAD instead of working tree vs index'),
      commit: refName.optional().describe('Show this commit against its first parent'),
      path: z.string().min(1).optional().describe('One file (an untracked file diffs against empty)'),
      context: queryInt(0, 1000).optional().describe('Context lines (default 3)'),
      max_bytes: queryInt(1024, 64 * 1024 * 1024).default(2 * 1024 * 1024).describe('Cut the diff text after this many bytes'),
    }),
    responses: { 200: z.object({ diff: gitDiffSchema }), ...gitErrors },
  }),
  commit: defineRoute({
    operationId: 'git.commit',
    method: 'post',
    path: `${base}/commit`,
    summary: 'Commit staged changes, selected paths or everything; optionally amend',
    description: 'The author is the user git identity (user.name/user.email); without one the answer is 409 git_identity_missing.',
    tags,
    access: 'token',
    params: workspaceIdParams,
    body: commitBody,
    responses: { 201: z.object({ commit: gitCommitSchema }), ...gitErrors },
  }),
  stage: defineRoute({
    operationId: 'git.stage',
    method: 'post',
    path: `${base}/stage`,
    summary: 'Stage paths (new, modified and deleted files)',
    tags,
    access: 'token',
    params: workspaceIdParams,
    body: z.object({ paths: pathList }).strict(),
    responses: { 200: statusOut, ...gitErrors },
  }),
  unstage: defineRoute({
    operationId: 'git.unstage',
    method: 'post',
    path: `${base}/unstage`,
    summary: 'Unstage paths (the working tree keeps the changes)',
    tags,
    access: 'token',
    params: workspaceIdParams,
    body: z.object({ paths: pathList }).strict(),
    responses: { 200: statusOut, ...gitErrors },
  }),
  discard: defineRoute({
    operationId: 'git.discard',
    method: 'post',
    path: `${base}/discard`,
    summary: 'Throw away working-tree changes of paths (untracked ones are deleted); with include_staged, also their staged changes',
    tags,
    access: 'token',
    params: workspaceIdParams,
    body: z.object({ paths: pathList, include_staged: z.boolean().optional() }).strict(),
    responses: { 200: statusOut, ...gitErrors },
  }),
  branches: defineRoute({
    operationId: 'git.branches',
    method: 'get',
    path: `${base}/branches`,
    summary: 'Local and remote branches with the current one, upstreams and ahead/behind',
    tags,
    access: 'token',
    params: workspaceIdParams,
    responses: { 200: z.object({ branches: z.array(gitBranchSchema), current: z.string().nullable(), detached: z.boolean() }), ...gitErrors },
  }),
  checkout: defineRoute({
    operationId: 'git.checkout',
    method: 'post',
    path: `${base}/checkout`,
    summary: 'Switch to a branch, create one from a start point, or detach at a commit',
    description: 'Uncommitted changes that would be overwritten: 409 git_local_changes with details.files.',
    tags,
    access: 'token',
    params: workspaceIdParams,
    body: checkoutBody,
    responses: { 200: statusOut, ...gitErrors },
  }),
  push: defineRoute({
    operationId: 'git.push',
    method: 'post',
    path: `${base}/push`,
    summary: 'Push a branch (set-upstream on the first push); progress as git_progress events',
    description: 'Errors: git_no_remote, git_push_rejected (non-fast-forward), git_auth_failed, git_remote_unreachable, git_transport_refused (ext::, fd:: remotes), git_detached_head.',
    tags,
    access: 'token',
    params: workspaceIdParams,
    body: pushBody,
    responses: { 200: z.object({ remote: z.string(), branch: z.string(), upstream: z.string().nullable(), status: gitStatusSchema }), ...gitErrors },
  }),
  pull: defineRoute({
    operationId: 'git.pull',
    method: 'post',
    path: `${base}/pull`,
    summary: 'Fetch and merge (or rebase) the upstream; progress as git_progress events',
    description: 'Errors: git_no_remote, git_no_upstream, git_merge_conflict / git_rebase_conflict (details.files), git_local_changes, git_auth_failed, git_transport_refused (ext::, fd:: remotes).',
    tags,
    access: 'token',
    params: workspaceIdParams,
    body: pullBody,
    responses: { 200: statusOut, ...gitErrors },
  }),
  init: defineRoute({
    operationId: 'git.init',
    method: 'post',
    path: `${base}/init`,
    summary: 'Make the workspace folder a git repository',
    description: '409 git_already_initialized when the folder already is one.',
    tags,
    access: 'token',
    params: workspaceIdParams,
    body: initBody,
    responses: { 201: statusOut, ...gitErrors },
  }),
};

export const gitStatusChangedEvent = defineEvent({
  type: 'git_status_changed',
  description: 'HEAD, the index or working-tree files of a workspace repository changed (debounced); refetch status',
  global: true,
  payload: z.object({ workspace_id: z.string() }),
});

export const gitProgressEvent = defineEvent({
  type: 'git_progress',
  description: 'Progress of a push, pull or clone',
  global: true,
  payload: z.object({
    workspace_id: z.string(),
    operation: z.enum(['push', 'pull', 'clone', 'fetch']),
    phase: z.string(),
    percent: z.number().nullable(),
    current: z.number().nullable(),
    total: z.number().nullable(),
    done: z.boolean(),
    text: z.string(),
  }),
});

export const gitEvents = [gitStatusChangedEvent, gitProgressEvent];
