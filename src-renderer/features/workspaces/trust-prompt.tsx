/**
 * Workspace trust, VS Code style: the first time an untrusted workspace is open the user is asked
 * once (answer remembered per workspace id in localStorage) whether to trust it, trust its parent
 * folder (runtime config `trusted_folders`), or keep it in restricted mode; while it stays
 * untrusted a banner says what is off and reopens the question.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { Workspace } from '../../../src-runtime/contract/workspaces.js';
import { Dialog } from '../../ui/dialog.js';
import { readStoredStrings } from '../../ui/stored-list.js';
import { useToasts } from '../../ui/toasts.js';
import { useSetTrusted, useTrustFolder } from './queries.js';

const ANSWERED_KEY = 'workspace-runtime.trust-answered';

const answeredIds = () => readStoredStrings(ANSWERED_KEY);

function rememberAnswer(id: string): void {
  const ids = answeredIds();
  if (!ids.includes(id)) localStorage.setItem(ANSWERED_KEY, JSON.stringify([...ids, id].slice(-500)));
}

/** The folder containing `root` (POSIX or Windows), or null at a filesystem root. */
export function parentFolder(root: string): string | null {
  const trimmed = root.length > 1 ? root.replace(/[\\/]+$/, '') : root;
  const cut = Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\'));
  if (cut < 0 || trimmed === '/' || /^[A-Za-z]:\\?$/.test(trimmed)) return null;
  const parent = trimmed.slice(0, cut);
  if (parent === '') return '/';
  return /^[A-Za-z]:$/.test(parent) ? `${parent}\\` : parent;
}

const TrustPromptContext = createContext<{ ask(): void } | null>(null);

/** Opens the trust question for the current workspace (the banner's and the top bar's "Trust…"). */
export function useTrustPrompt(): { ask(): void } {
  const value = useContext(TrustPromptContext);
  if (!value) throw new Error('useTrustPrompt outside TrustPromptProvider');
  return value;
}

export function TrustPromptProvider({ workspace, children }: { workspace: Workspace | undefined; children: ReactNode }) {
  const [asked, setAsked] = useState<string | null>(null);
  // Bumped when an answer is stored so the render below re-reads localStorage.
  const [, setAnswers] = useState(0);
  const untrusted = workspace && !workspace.trusted ? workspace : undefined;
  const open = !!untrusted && (asked === untrusted.id || !answeredIds().includes(untrusted.id));

  const answer = useCallback((id: string) => {
    rememberAnswer(id);
    setAnswers((n) => n + 1);
    setAsked(null);
  }, []);
  const ask = useCallback(() => {
    if (workspace) setAsked(workspace.id);
  }, [workspace]);
  const value = useMemo(() => ({ ask }), [ask]);

  return (
    <TrustPromptContext.Provider value={value}>
      {children}
      {untrusted && <TrustDialog key={untrusted.id} open={open} workspace={untrusted} onAnswered={() => answer(untrusted.id)} />}
    </TrustPromptContext.Provider>
  );
}

function TrustDialog({ open, workspace, onAnswered }: { open: boolean; workspace: Workspace; onAnswered: () => void }) {
  const setTrusted = useSetTrusted();
  const trustFolder = useTrustFolder();
  const toasts = useToasts();
  const firstButton = useRef<HTMLButtonElement>(null);
  const parent = parentFolder(workspace.root_dir);
  const pending = setTrusted.isPending || trustFolder.isPending;

  // After the dialog's own showModal (child effects run first), so this wins over its default focus.
  useEffect(() => {
    if (open) firstButton.current?.focus();
  }, [open]);

  const trust = () =>
    setTrusted.mutate(
      { id: workspace.id, trusted: true },
      { onSuccess: onAnswered, onError: (e) => toasts.error('Could not trust the workspace', e) },
    );
  const trustParent = (folder: string) =>
    trustFolder.mutate(folder, { onSuccess: onAnswered, onError: (e) => toasts.error('Could not trust the folder', e) });

  return (
    <Dialog open={open} title="Trust the authors of this folder?" onClose={onAnswered} describedBy="trust-dialog-text">
      <div className="confirm-message" id="trust-dialog-text">
        <p>
          <strong>{workspace.name}</strong> <span className="muted">({workspace.root_dir})</span> is not trusted yet.
        </p>
        <p>
          In restricted mode you can browse and edit its files and use git, but its own code does not run: its apps, scripts,
          agents, git hooks and filters, and MCP servers stay off. Only trust folders whose contents you know.
        </p>
      </div>
      <div className="trust-actions">
        <button ref={firstButton} type="button" className="button button-primary" disabled={pending} onClick={trust}>
          Trust
        </button>
        <button type="button" className="button" disabled={pending} onClick={onAnswered}>
          Open in restricted mode
        </button>
        {parent && (
          <button type="button" className="button trust-parent" disabled={pending} onClick={() => trustParent(parent)}>
            Trust the parent folder
            <span className="trust-parent-path">
              {parent}
            </span>
          </button>
        )}
      </div>
    </Dialog>
  );
}

/** The slim strip above an untrusted workspace's view. */
export function RestrictedBanner() {
  const { ask } = useTrustPrompt();
  return (
    <div className="restricted-banner" role="status">
      <span>Restricted mode — apps, scripts, agents, git hooks and filters, and MCP servers are off for this folder.</span>
      <button type="button" className="button button-small" onClick={ask}>
        Trust…
      </button>
    </div>
  );
}
