/**
 * Git's failures as typed values: `GitError` carries a `kind` recognised from git's stderr (dugite's
 * patterns plus ours), and `toApiError` maps every kind to the wire's status and code. The switch is
 * exhaustive: a new kind does not compile until it has an HTTP meaning.
 */
import { GitError as DugiteError, parseError } from 'dugite';
import { ApiError } from '../contract/errors.js';

export type GitErrorKind =
  | 'git_unavailable'
  | 'not_a_repository'
  | 'unsafe_directory'
  | 'identity_missing'
  | 'nothing_to_commit'
  | 'no_remote'
  | 'no_upstream'
  | 'detached_head'
  | 'push_rejected'
  | 'auth_failed'
  | 'remote_not_found'
  | 'remote_unreachable'
  | 'transport_refused'
  | 'merge_conflicts'
  | 'rebase_conflicts'
  | 'unresolved_conflicts'
  | 'operation_in_progress'
  | 'local_changes_overwritten'
  | 'branch_exists'
  | 'invalid_branch_name'
  | 'ref_not_found'
  | 'path_not_found'
  | 'outside_repository'
  | 'index_locked'
  | 'unrelated_histories'
  | 'signing_failed'
  | 'hook_failed'
  | 'timeout'
  | 'unknown';

export class GitError extends Error {
  constructor(
    readonly kind: GitErrorKind,
    message: string,
    readonly info: { args?: string[]; exitCode?: number; stderr?: string; files?: string[]; hook?: string } = {},
  ) {
    super(message);
    this.name = 'GitError';
  }
}

/** dugite's recognised errors, folded into our kinds (null: not one we single out). */
function fromDugite(error: DugiteError): GitErrorKind | null {
  switch (error) {
    case DugiteError.SSHAuthenticationFailed:
    case DugiteError.SSHPermissionDenied:
    case DugiteError.HTTPSAuthenticationFailed:
    case DugiteError.SSHKeyAuditUnverified:
      return 'auth_failed';
    case DugiteError.HTTPSRepositoryNotFound:
    case DugiteError.SSHRepositoryNotFound:
      return 'remote_not_found';
    case DugiteError.RemoteDisconnection:
    case DugiteError.HostDown:
      return 'remote_unreachable';
    case DugiteError.RebaseConflicts:
      return 'rebase_conflicts';
    case DugiteError.MergeConflicts:
    case DugiteError.ConflictModifyDeletedInBranch:
      return 'merge_conflicts';
    case DugiteError.PushNotFastForward:
    case DugiteError.ForcePushRejected:
      return 'push_rejected';
    case DugiteError.NothingToCommit:
      return 'nothing_to_commit';
    case DugiteError.NotAGitRepository:
      return 'not_a_repository';
    case DugiteError.UnsafeDirectory:
      return 'unsafe_directory';
    case DugiteError.LocalChangesOverwritten:
    case DugiteError.MergeWithLocalChanges:
    case DugiteError.RebaseWithLocalChanges:
      return 'local_changes_overwritten';
    case DugiteError.BranchAlreadyExists:
      return 'branch_exists';
    case DugiteError.BadRevision:
    case DugiteError.InvalidObjectName:
    case DugiteError.InvalidMerge:
    case DugiteError.InvalidRebase:
    case DugiteError.NoMatchingRemoteBranch:
    case DugiteError.NoExistingRemoteBranch:
      return 'ref_not_found';
    case DugiteError.PathDoesNotExist:
    case DugiteError.PathExistsButNotInRef:
      return 'path_not_found';
    case DugiteError.OutsideRepository:
      return 'outside_repository';
    case DugiteError.LockFileAlreadyExists:
    case DugiteError.ConfigLockFileAlreadyExists:
      return 'index_locked';
    case DugiteError.UnresolvedConflicts:
      return 'unresolved_conflicts';
    case DugiteError.CannotMergeUnrelatedHistories:
      return 'unrelated_histories';
    case DugiteError.GPGFailedToSignData:
      return 'signing_failed';
    default:
      return null;
  }
}

/** Our own patterns, tried before dugite's (more specific, or absent from dugite). */
const patterns: Array<[RegExp, GitErrorKind]> = [
  [/Please tell me who you are|Author identity unknown|Committer identity unknown|no email was given and auto-detection is disabled|no name was given and auto-detection is disabled|empty ident name/, 'identity_missing'],
  [/could not read (Username|Password) for|terminal prompts disabled|Authentication failed|returned error: 40[13]|Permission denied \(publickey/, 'auth_failed'],
  [/\[rejected\][^\n]*\((fetch first|non-fast-forward|stale info)\)|Updates were rejected because/, 'push_rejected'],
  [/There is no tracking information for the current branch|has no upstream branch|no upstream configured for branch/, 'no_upstream'],
  [/No configured push destination|No remote repository specified|does not appear to be a git repository|'[^']*' does not appear to be a git repository/, 'no_remote'],
  [/You are not currently on a branch/, 'detached_head'],
  [/nothing to commit|no changes added to commit|nothing added to commit/, 'nothing_to_commit'],
  [/cannot do a partial commit during a merge|You have not concluded your merge|There is already a rebase-merge directory|already a rebase-apply directory|You are in the middle of|cherry-pick is already in progress/, 'operation_in_progress'],
  [/could not apply [0-9a-f]+|Resolve all conflicts manually/, 'rebase_conflicts'],
  [/CONFLICT \(|Automatic merge failed/, 'merge_conflicts'],
  [/would be overwritten by (checkout|merge|switch)|Please commit your changes or stash them|cannot (pull with rebase|rebase): You have unstaged changes/, 'local_changes_overwritten'],
  [/is not a valid branch name|not a valid branch name/, 'invalid_branch_name'],
  [/invalid reference: |unknown revision or path not in the working tree|bad revision|ambiguous argument|not a valid object name|couldn't find remote ref|Couldn't find remote ref|reference is not a tree|did not match any file\(s\) known to git|is not a commit and a branch/, 'ref_not_found'],
  // git cuts its messages at 4 KiB: a very long pathspec leaves "fatal: pathspec '<path…" unterminated.
  [/pathspec '.*' did not match any files|^fatal: pathspec '[^'\n]{3000,}$/m, 'path_not_found'],
  [/Unable to create '.*\.lock': File exists/, 'index_locked'],
  [/not a git repository/i, 'not_a_repository'],
  // ext::, fd:: and other transports git (or our restricted mode) does not allow: the URL is the problem.
  [/transport '[^']+' not allowed/, 'transport_refused'],
  [/Could not resolve host|Connection refused|Failed to connect to|unable to access/, 'remote_unreachable'],
];

/** Recognise what went wrong from git's output (stderr, and stdout where git reports conflicts). */
export function classifyGitOutput(stderr: string, stdout = ''): GitErrorKind {
  const text = `${stderr}\n${stdout}`;
  for (const [pattern, kind] of patterns) if (pattern.test(text)) return kind;
  const known = parseError(stderr) ?? parseError(stdout);
  return (known !== null && fromDugite(known)) || 'unknown';
}

/** The file list git prints under "would be overwritten" / conflict messages. */
export function filesFromGitMessage(text: string): string[] {
  const files = new Set<string>();
  const block = /(?:would be overwritten by [a-z]+|untracked working tree files would be removed by [a-z]+):\n((?:\t.*\n?)+)/g;
  for (const m of text.matchAll(block)) for (const line of (m[1] ?? '').split('\n')) if (line.startsWith('\t')) files.add(line.slice(1).trim());
  for (const m of text.matchAll(/CONFLICT \([^)]*\): (?:Merge conflict in (.+)|(.+?) deleted in)/g)) files.add((m[1] ?? m[2] ?? '').trim());
  return [...files].filter(Boolean);
}

/** Git's own words for `details`: the first lines, hints dropped, credentials in URLs masked. */
const firstLines = (text: string) =>
  text
    .replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, '$1***@')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('hint:'))
    .slice(0, 6)
    .join('\n');

/** The wire form of a git failure: every kind has its status and code. */
export function toApiError(error: GitError): ApiError {
  const detail = error.info.stderr ? firstLines(error.info.stderr) : undefined;
  const details = { ...(error.info.files?.length ? { files: error.info.files } : {}), ...(detail ? { git_output: detail } : {}) };
  const d = Object.keys(details).length ? details : undefined;
  const kind: GitErrorKind = error.kind;
  switch (kind) {
    case 'git_unavailable':
      return new ApiError(503, 'git_unavailable', error.message, d);
    case 'not_a_repository':
      return new ApiError(409, 'not_a_git_repository', error.message || 'This workspace is not a git repository; POST …/version-control/init creates one', d);
    case 'unsafe_directory':
      return new ApiError(409, 'git_unsafe_directory', `${error.message} (git refuses repositories owned by another user; add it to safe.directory)`, d);
    case 'identity_missing':
      return new ApiError(409, 'git_identity_missing', 'Git does not know who you are: set user.name and user.email (git config --global user.name "Your Name"; git config --global user.email you@example.com)', d);
    case 'nothing_to_commit':
      return new ApiError(409, 'git_nothing_to_commit', 'Nothing to commit: stage changes first, or pass "all": true or "paths"', d);
    case 'no_remote':
      return new ApiError(409, 'git_no_remote', error.message || 'The repository has no remote to push to or pull from', d);
    case 'no_upstream':
      return new ApiError(409, 'git_no_upstream', 'The current branch has no upstream: pass "remote" and "branch", or push with set_upstream first', d);
    case 'detached_head':
      return new ApiError(409, 'git_detached_head', 'HEAD is detached: check out a branch or pass "branch"', d);
    case 'push_rejected':
      return new ApiError(409, 'git_push_rejected', 'The remote has commits you do not have (non-fast-forward): pull, then push again', d);
    case 'auth_failed':
      return new ApiError(502, 'git_auth_failed', 'The remote refused the credentials, or none were available (git never prompts here): configure a credential helper or SSH key', d);
    case 'remote_not_found':
      return new ApiError(502, 'git_remote_not_found', 'The remote repository does not exist or you have no access to it', d);
    case 'remote_unreachable':
      return new ApiError(502, 'git_remote_unreachable', 'The remote could not be reached', d);
    case 'transport_refused':
      return new ApiError(409, 'git_transport_refused', "The remote's URL uses a transport git does not allow here (ext::, fd:: and similar run programs or read files; use https://, ssh:// or a path)", d);
    case 'merge_conflicts':
      return new ApiError(409, 'git_merge_conflict', 'The merge stopped on conflicts: resolve the conflicted files, stage them and commit', d);
    case 'rebase_conflicts':
      return new ApiError(409, 'git_rebase_conflict', 'The rebase stopped on conflicts: resolve them, stage, and continue (git rebase --continue) or abort', d);
    case 'unresolved_conflicts':
      return new ApiError(409, 'git_unresolved_conflicts', 'The repository has unresolved conflicts: resolve and stage them first', d);
    case 'operation_in_progress':
      return new ApiError(409, 'git_operation_in_progress', 'A merge, rebase or cherry-pick is in progress: finish it (resolve, stage, commit) or abort it first', d);
    case 'local_changes_overwritten':
      return new ApiError(409, 'git_local_changes', `Your uncommitted changes would be overwritten${error.info.files?.length ? `: ${error.info.files.join(', ')}` : ''}. Commit, stash or discard them first`, d);
    case 'branch_exists':
      return new ApiError(409, 'git_branch_exists', error.message || 'A branch with that name already exists', d);
    case 'invalid_branch_name':
      return new ApiError(400, 'git_invalid_branch_name', error.message || 'Not a valid branch name', d);
    case 'ref_not_found':
      return new ApiError(404, 'git_ref_not_found', error.message || 'No such branch, commit or ref', d);
    case 'path_not_found':
      return new ApiError(404, 'git_path_not_found', error.message || 'No such path in the repository', d);
    case 'outside_repository':
      return new ApiError(400, 'git_path_outside_repository', error.message || 'The path is outside the repository', d);
    case 'index_locked':
      return new ApiError(409, 'git_locked', 'Another git process is working in this repository (index.lock exists); retry when it is done', d);
    case 'unrelated_histories':
      return new ApiError(409, 'git_unrelated_histories', 'The branches have no common history', d);
    case 'signing_failed':
      return new ApiError(409, 'git_signing_failed', 'Git could not sign the commit (gpg/ssh signing failed)', d);
    case 'hook_failed':
      // The hook's own words are the point: all of its output (bounded), not git's first lines.
      return new ApiError(409, 'git_hook_failed', error.message, { hook: error.info.hook ?? null, output: (error.info.stderr ?? '').trim().slice(-8000), ...(error.info.files?.length ? { files: error.info.files } : {}) });
    case 'timeout':
      return new ApiError(504, 'git_timeout', error.message, d);
    case 'unknown':
      return new ApiError(500, 'git_failed', error.message, d);
    default: {
      const never: never = kind;
      throw new Error(`unmapped git error kind ${String(never)}`);
    }
  }
}

/** Default messages per kind when git's own text is not for people. */
export function messageFor(kind: GitErrorKind, args: string[], stderr: string): string {
  const first = firstLines(stderr).split('\n')[0] ?? '';
  const clean = first.replace(/^(fatal|error): /, '');
  switch (kind) {
    case 'not_a_repository':
      return 'This workspace is not a git repository; POST …/version-control/init creates one';
    case 'unknown':
      return `git ${args[0] ?? ''} failed: ${clean || 'no output'}`;
    default:
      return clean;
  }
}
