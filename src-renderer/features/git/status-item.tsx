/** Branch, ahead/behind and the number of changes, for the always-visible status bar. */
import { useQuery } from '@tanstack/react-query';
import type { z } from 'zod';
import type { gitStatusSchema } from '../../../src-runtime/contract/git.js';
import type { WorkspaceViewProps } from '../../app/views.js';
import { gitStatusQuery } from './queries.js';

export type GitStatus = z.infer<typeof gitStatusSchema>;

export function countChanges(s: GitStatus): number {
  return s.staged.length + s.unstaged.length + s.untracked.length + s.conflicted.length;
}

/** Branch and ahead/behind for the status bar. */
export function GitStatusItem({ workspace }: WorkspaceViewProps) {
  const status = useQuery({ ...gitStatusQuery(workspace.id), retry: false }).data?.status;
  if (!status) return null;
  return (
    <span className="item" data-testid="git-status-item" title={status.upstream ? `Tracking ${status.upstream}` : 'No upstream branch'}>
      <span aria-hidden="true">⎇</span> <span aria-label="Branch">{status.branch ?? `detached ${status.head_oid?.slice(0, 7) ?? ''}`}</span>
      {status.upstream && (
        <span aria-label={`${status.ahead ?? 0} ahead, ${status.behind ?? 0} behind`}>
          {' '}
          ↑{status.ahead ?? 0} ↓{status.behind ?? 0}
        </span>
      )}
      {!status.clean && <span className="muted"> · {countChanges(status)} changed</span>}
    </span>
  );
}
