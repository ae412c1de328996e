/**
 * The Git view: branch switcher and create, push/pull with progress, the changes grouped staged /
 * unstaged / untracked / conflicted with per-file stage, unstage and discard, the commit box, and
 * the history; the right side shows the selected diff (unified or side by side, loaded on demand).
 */
import { useQuery } from '@tanstack/react-query';
import { Suspense, useEffect, useState, useSyncExternalStore } from 'react';
import { undoEntries } from '../../app/undo-discard.js';
import { lazyComponent, preloadWhenIdle } from '../../app/lazy-component.js';
import { ApiError } from '../../../src-runtime/contract/errors.js';
import type { WorkspaceViewProps } from '../../app/views.js';
import { countChanges } from './status-item.js';
import { ConfirmDialog } from '../../ui/dialog.js';
import { NamePrompt } from '../../ui/name-prompt.js';
import { EmptyState, ErrorState, Spinner } from '../../ui/states.js';
import { Tabs } from '../../ui/tabs.js';
import { useToasts } from '../../ui/toasts.js';
import {
  gitBranchesQuery,
  gitDiffQuery,
  gitLogQuery,
  gitProgressQuery,
  gitStatusQuery,
  useCheckout,
  useCommit,
  useDiscard,
  useUndoDiscard,
  useInitRepo,
  usePull,
  usePush,
  useStage,
  useUnstage,
  type DiffTarget,
} from './queries.js';

const diffView = lazyComponent(() => import('./diff-view.js'));
const DiffView = diffView.Component;

const LETTER: Record<string, string> = { added: 'A', modified: 'M', deleted: 'D', renamed: 'R', copied: 'C', type_changed: 'T', untracked: 'U', conflicted: '!' };

export default function GitView({ workspace }: WorkspaceViewProps) {
  const ws = workspace.id;
  const status = useQuery(gitStatusQuery(ws));
  const [tab, setTab] = useState<'changes' | 'history'>('changes');
  const [target, setTarget] = useState<DiffTarget | null>(null);
  const [viewType, setViewType] = useState<'unified' | 'split'>('unified');
  const init = useInitRepo(ws);
  useEffect(() => preloadWhenIdle(diffView.preload), []);

  if (status.isPending) return <Spinner label="Reading the repository" />;
  if (status.error) {
    if (status.error instanceof ApiError && status.error.code === 'not_a_git_repository') {
      return (
        <EmptyState title="This folder is not a git repository">
          <button type="button" className="button button-primary" disabled={init.isPending} onClick={() => init.mutate()}>
            Initialize a repository
          </button>
          {init.error && <p className="invalid">{init.error.message}</p>}
        </EmptyState>
      );
    }
    return <ErrorState title="Cannot read the repository" error={status.error} onRetry={() => void status.refetch()} />;
  }

  return (
    <div className="split" style={{ gridTemplateColumns: 'minmax(280px, 340px) 1fr' }}>
      <aside className="sidebar" aria-label="Source control">
        <BranchBar workspaceId={ws} />
        <Tabs
          label="Source control sections"
          value={tab}
          onChange={setTab}
          items={[
            { key: 'changes', label: 'Changes', badge: countChanges(status.data.status) },
            { key: 'history', label: 'History' },
          ]}
        />
        {tab === 'changes' ? (
          <ChangesPanel workspaceId={ws} selected={target} onSelect={setTarget} />
        ) : (
          <HistoryPanel workspaceId={ws} selected={target?.commit} onSelect={(commit) => setTarget({ commit })} />
        )}
      </aside>
      <section className="panel" aria-label="Diff">
        <div className="editor-toolbar">
          <span className="mono" style={{ flex: 1 }}>
            {target ? (target.commit ? `Commit ${target.commit.slice(0, 10)}` : `${target.path ?? 'All changes'}${target.staged ? ' (staged)' : ''}`) : 'Select a change to see its diff'}
          </span>
          <div role="group" aria-label="Diff layout" className="row">
            <button type="button" className="button button-small" aria-pressed={viewType === 'unified'} onClick={() => setViewType('unified')}>
              Unified
            </button>
            <button type="button" className="button button-small" aria-pressed={viewType === 'split'} onClick={() => setViewType('split')}>
              Side by side
            </button>
          </div>
        </div>
        {target ? <DiffPane workspaceId={ws} target={target} viewType={viewType} /> : <EmptyState title="No change selected" />}
      </section>
    </div>
  );
}


function DiffPane({ workspaceId, target, viewType }: { workspaceId: string; target: DiffTarget; viewType: 'unified' | 'split' }) {
  const diff = useQuery(gitDiffQuery(workspaceId, target));
  if (diff.isPending) return <Spinner label="Loading the diff" />;
  if (diff.error) return <ErrorState title="Cannot show the diff" error={diff.error} onRetry={() => void diff.refetch()} />;
  return (
    <Suspense fallback={<Spinner label="Loading the diff view" />}>
      <DiffView text={diff.data.diff.text} viewType={viewType} truncated={diff.data.diff.truncated} />
    </Suspense>
  );
}

function BranchBar({ workspaceId }: { workspaceId: string }) {
  const branches = useQuery(gitBranchesQuery(workspaceId));
  const status = useQuery(gitStatusQuery(workspaceId)).data?.status;
  const progress = useQuery(gitProgressQuery(workspaceId)).data;
  const checkout = useCheckout(workspaceId);
  const push = usePush(workspaceId);
  const pull = usePull(workspaceId);
  const toasts = useToasts();
  const [creating, setCreating] = useState(false);
  const [createError, setCreateError] = useState<string | null>(null);
  const local = branches.data?.branches.filter((b) => b.type === 'local') ?? [];

  const switchTo = (branch: string, create = false) =>
    checkout.mutate(
      { branch, create },
      {
        onSuccess: () => {
          setCreating(false);
          toasts.show('success', create ? `Created and switched to ${branch}` : `Switched to ${branch}`);
        },
        onError: (e) => (create ? setCreateError(e.message) : toasts.error(`Could not switch to ${branch}`, e)),
      },
    );

  const remoteOp = (kind: 'push' | 'pull') => {
    const id = toasts.show('progress', kind === 'push' ? 'Pushing…' : 'Pulling…');
    (kind === 'push' ? push : pull).mutate(undefined, {
      onSuccess: () => toasts.update(id, 'success', kind === 'push' ? 'Pushed' : 'Pulled'),
      onError: (e) => toasts.update(id, 'error', kind === 'push' ? 'Push failed' : 'Pull failed', e.message),
    });
  };
  const busy = push.isPending || pull.isPending;

  return (
    <div className="commit-box" style={{ gap: 4 }}>
      <div className="row">
        <label htmlFor="branch-select" className="sr-only">
          Branch
        </label>
        <select
          id="branch-select"
          className="select"
          style={{ flex: 1 }}
          value={branches.data?.current ?? ''}
          disabled={checkout.isPending || !branches.data}
          onChange={(e) => e.target.value && switchTo(e.target.value)}
        >
          {branches.data?.detached && <option value="">(detached HEAD)</option>}
          {local.map((b) => (
            <option key={b.name} value={b.name}>
              {b.name}
            </option>
          ))}
        </select>
        <button type="button" className="button button-small" onClick={() => (setCreateError(null), setCreating(true))}>
          New branch
        </button>
      </div>
      <div className="row">
        <span className="muted" style={{ flex: 1, fontSize: 12 }}>
          {status?.upstream ? `${status.upstream} · ↑${status.ahead ?? 0} ↓${status.behind ?? 0}` : 'No upstream'}
        </span>
        <button type="button" className="button button-small" disabled={busy} onClick={() => remoteOp('pull')}>
          Pull
        </button>
        <button type="button" className="button button-small" disabled={busy} onClick={() => remoteOp('push')}>
          Push
        </button>
      </div>
      {busy && progress && !progress.done && (
        <div role="progressbar" aria-label={`${progress.operation} progress`} aria-valuenow={progress.percent ?? undefined} aria-valuemin={0} aria-valuemax={100} className="muted" style={{ fontSize: 12 }}>
          {progress.phase} {progress.percent !== null ? `${progress.percent}%` : ''}
          <progress max={100} value={progress.percent ?? undefined} style={{ width: '100%' }} />
        </div>
      )}
      <NamePrompt
        open={creating}
        title="New branch"
        label="Branch name (created from the current commit)"
        initial=""
        confirmLabel="Create and switch"
        error={createError}
        onSubmit={(name) => switchTo(name, true)}
        onClose={() => setCreating(false)}
      />
    </div>
  );
}

function ChangesPanel({ workspaceId, selected, onSelect }: { workspaceId: string; selected: DiffTarget | null; onSelect: (t: DiffTarget) => void }) {
  const status = useQuery(gitStatusQuery(workspaceId)).data?.status;
  const stage = useStage(workspaceId);
  const unstage = useUnstage(workspaceId);
  const discard = useDiscard(workspaceId);
  const commit = useCommit(workspaceId);
  const toasts = useToasts();
  const [message, setMessage] = useState('');
  const [amend, setAmend] = useState(false);
  const [toDiscard, setToDiscard] = useState<{ paths: string[]; untracked: boolean } | null>(null);
  if (!status) return null;

  const fail = (what: string) => (e: Error) => toasts.error(what, e);
  const nothingStaged = status.staged.length === 0;
  const doCommit = () => {
    commit.mutate(
      { message, all: nothingStaged && !amend ? true : undefined, amend: amend || undefined },
      {
        onSuccess: ({ commit: c }) => {
          setMessage('');
          setAmend(false);
          toasts.show('success', `Committed ${c.short_hash}`, c.subject);
        },
        onError: fail('Commit failed'),
      },
    );
  };

  const row = (path: string, letter: string, staged: boolean, actions: React.ReactNode, key = path) => {
    const isSelected = selected?.path === path && !!selected.staged === staged && !selected.commit;
    return (
      <li key={key} className={isSelected ? 'change-row selected' : 'change-row'} data-testid="change-row" data-path={path} data-staged={staged}>
        <span className={`status-letter status-${letter === 'U' ? 'U' : letter}`} aria-label={letter}>
          {letter}
        </span>
        <button type="button" className="path mono" title={path} onClick={() => onSelect({ path, staged })}>
          {path}
        </button>
        <span className="actions">{actions}</span>
      </li>
    );
  };
  const btn = (label: string, glyph: string, onClick: () => void) => (
    <button type="button" className="icon-button" aria-label={label} title={label} onClick={onClick}>
      {glyph}
    </button>
  );

  return (
    <div className="content" style={{ flex: 1 }}>
      <form
        className="commit-box"
        onSubmit={(e) => {
          e.preventDefault();
          if (message.trim()) doCommit();
        }}
      >
        <label htmlFor="commit-message" className="sr-only">
          Commit message
        </label>
        <textarea
          id="commit-message"
          className="textarea"
          rows={3}
          placeholder={nothingStaged ? 'Message (commits all changes)' : 'Message (commits staged changes)'}
          value={message}
          onChange={(e) => setMessage(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && message.trim()) {
              e.preventDefault();
              doCommit();
            }
          }}
        />
        <div className="row">
          <label className="row" style={{ flex: 1 }}>
            <input type="checkbox" checked={amend} onChange={(e) => setAmend(e.target.checked)} /> Amend last commit
          </label>
          <button type="submit" className="button button-primary" disabled={!message.trim() || commit.isPending || (status.clean && !amend)}>
            {commit.isPending ? 'Committing…' : nothingStaged && !amend ? 'Commit all' : 'Commit'}
          </button>
        </div>
      </form>
      <UndoDiscards workspaceId={workspaceId} />
      {status.clean && <EmptyState title="No changes">The working tree matches the last commit.</EmptyState>}
      {status.conflicted.length > 0 && (
        <section className="change-group" aria-label="Conflicts">
          <h3>Conflicts <span className="badge">{status.conflicted.length}</span></h3>
          <ul className="list">{status.conflicted.map((c) => row(c.path, '!', false, btn(`Mark ${c.path} resolved`, '+', () => stage.mutate([c.path], { onError: fail('Could not stage') }))))}</ul>
        </section>
      )}
      {status.staged.length > 0 && (
        <section className="change-group" aria-label="Staged changes">
          <h3>
            Staged <span className="badge">{status.staged.length}</span>
            <span style={{ flex: 1 }} />
            {btn('Unstage all', '−', () => unstage.mutate(status.staged.map((c) => c.path), { onError: fail('Could not unstage') }))}
          </h3>
          <ul className="list">
            {status.staged.map((c) => row(c.path, LETTER[c.status] ?? '?', true, btn(`Unstage ${c.path}`, '−', () => unstage.mutate([c.path], { onError: fail('Could not unstage') })), `s:${c.path}`))}
          </ul>
        </section>
      )}
      {status.unstaged.length > 0 && (
        <section className="change-group" aria-label="Unstaged changes">
          <h3>
            Changes <span className="badge">{status.unstaged.length}</span>
            <span style={{ flex: 1 }} />
            {btn('Stage all changes', '+', () => stage.mutate(status.unstaged.map((c) => c.path), { onError: fail('Could not stage') }))}
          </h3>
          <ul className="list">
            {status.unstaged.map((c) =>
              row(
                c.path,
                LETTER[c.status] ?? '?',
                false,
                <>
                  {btn(`Discard changes to ${c.path}`, '↺', () => setToDiscard({ paths: [c.path], untracked: false }))}
                  {btn(`Stage ${c.path}`, '+', () => stage.mutate([c.path], { onError: fail('Could not stage') }))}
                </>,
                `u:${c.path}`,
              ),
            )}
          </ul>
        </section>
      )}
      {status.untracked.length > 0 && (
        <section className="change-group" aria-label="Untracked files">
          <h3>
            Untracked <span className="badge">{status.untracked.length}</span>
            <span style={{ flex: 1 }} />
            {btn('Stage all untracked files', '+', () => stage.mutate(status.untracked.map((c) => c.path), { onError: fail('Could not stage') }))}
          </h3>
          <ul className="list">
            {status.untracked.map((c) =>
              row(
                c.path,
                'U',
                false,
                <>
                  {btn(`Delete ${c.path}`, '↺', () => setToDiscard({ paths: [c.path], untracked: true }))}
                  {btn(`Stage ${c.path}`, '+', () => stage.mutate([c.path], { onError: fail('Could not stage') }))}
                </>,
                `n:${c.path}`,
              ),
            )}
          </ul>
        </section>
      )}
      <ConfirmDialog
        open={toDiscard !== null}
        title={toDiscard?.untracked ? 'Delete the untracked file?' : 'Discard changes?'}
        message={<p>{toDiscard?.untracked ? `${toDiscard.paths.join(', ')} is not in git and will be deleted.` : `Your changes to ${toDiscard?.paths.join(', ')} will be lost.`}</p>}
        confirmLabel={toDiscard?.untracked ? 'Delete file' : 'Discard changes'}
        danger
        onCancel={() => setToDiscard(null)}
        onConfirm={() => {
          const d = toDiscard;
          setToDiscard(null);
          if (d) discard.mutate({ paths: d.paths, deleting: d.untracked }, { onError: fail('Could not discard') });
        }}
      />
    </div>
  );
}

/** What the window discarded or deleted this session, newest first, each with "Undo discard". */
function UndoDiscards({ workspaceId }: { workspaceId: string }) {
  const entries = useSyncExternalStore(undoEntries.subscribe, () => undoEntries.list(workspaceId));
  const undo = useUndoDiscard(workspaceId);
  const toasts = useToasts();
  if (entries.length === 0) return null;
  return (
    <section className="change-group" aria-label="Discarded this session">
      <h3>
        Discarded this session <span className="badge">{entries.length}</span>
      </h3>
      <ul className="list">
        {entries.map((e) => (
          <li key={e.id} className="change-row" data-testid="undo-entry">
            <span className="path mono" title={e.paths.join('\n')}>
              {e.what === 'deleted' ? 'Deleted' : 'Discarded'} {e.paths.length === 1 ? e.paths[0] : `${e.paths.length} paths`}{' '}
              <span className="muted">{new Date(e.at).toLocaleTimeString()}</span>
            </span>
            <span className="actions" style={{ opacity: 1 }}>
              <button
                type="button"
                className="button button-small"
                disabled={undo.isPending}
                onClick={() =>
                  undo.mutate(e, {
                    onSuccess: () => toasts.show('success', `Restored ${e.paths.length === 1 ? e.paths[0] : `${e.paths.length} paths`}`),
                    onError: (err) => toasts.error('Could not undo', err),
                  })
                }
              >
                Undo discard
              </button>
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

function HistoryPanel({ workspaceId, selected, onSelect }: { workspaceId: string; selected?: string; onSelect: (hash: string) => void }) {
  const log = useQuery(gitLogQuery(workspaceId));
  if (log.isPending) return <Spinner label="Loading history" />;
  if (log.error) return <ErrorState title="Cannot load the history" error={log.error} onRetry={() => void log.refetch()} />;
  if (log.data.commits.length === 0) return <EmptyState title="No commits yet" />;
  return (
    <ul className="list commit-list content" style={{ flex: 1 }} aria-label="Commits">
      {log.data.commits.map((c) => (
        <li key={c.hash}>
          <button type="button" className={c.hash === selected ? 'list-item selected' : 'list-item'} onClick={() => onSelect(c.hash)} aria-current={c.hash === selected ? 'true' : undefined}>
            <span className="grow" style={{ width: '100%' }}>
              {c.subject}
            </span>
            <span className="muted" style={{ fontSize: 11 }}>
              <span className="mono">{c.short_hash}</span> · {c.author.name} · {new Date(c.author.date).toLocaleString()}
              {c.files ? ` · ${c.files.length} file${c.files.length === 1 ? '' : 's'}` : ''}
            </span>
          </button>
        </li>
      ))}
    </ul>
  );
}

