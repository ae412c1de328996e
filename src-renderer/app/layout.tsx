/**
 * The window layout: top bar (workspace controls), activity bar (one button per view), the view,
 * and the status bar; above them the banner that says the runtime is unreachable. Views other than
 * the visible one are unmounted; their queries stay cached.
 */
import { lazy, Suspense, useEffect, type ReactNode } from 'react';
import { useAppState, VIEWS, type View } from './app-state.js';
import { StatusBar } from '../features/system/status-bar.js';
import { ConnectionBanner, useOffline } from '../features/system/connection-banner.js';
import { useCurrentWorkspace, Welcome, WorkspaceSwitcher } from '../features/workspaces/workspace-switcher.js';
import { RestrictedBanner, TrustPromptProvider } from '../features/workspaces/trust-prompt.js';
import { Spinner, ErrorState } from '../ui/states.js';
import { viewRegistry } from './views.js';

const LABELS: Record<View, { label: string; glyph: string; key: string }> = {
  files: { label: 'Files', glyph: '☰', key: '1' },
  git: { label: 'Git', glyph: '⎇', key: '2' },
  agents: { label: 'Agents', glyph: '✦', key: '3' },
  apps: { label: 'Apps', glyph: '▶', key: '4' },
  settings: { label: 'Settings', glyph: '⚙', key: '5' },
};

const SettingsView = lazy(() => import('../features/settings/settings-view.js'));

export function Layout() {
  const { view, setView } = useAppState();
  const { workspace, list } = useCurrentWorkspace();
  // While the runtime is unreachable every control that would call it is disabled (a disabled
  // fieldset disables the buttons and fields inside it); editors keep taking text.
  const offline = useOffline();

  // Alt+1…5 switches views from anywhere.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!e.altKey || e.ctrlKey || e.metaKey) return;
      const target = VIEWS.find((v) => LABELS[v].key === e.key);
      if (target) {
        e.preventDefault();
        setView(target);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [setView]);

  let body: ReactNode;
  if (list.isPending) body = <Spinner label="Connecting to the runtime" />;
  else if (list.error) body = <ErrorState title="Cannot reach the runtime" error={list.error} onRetry={() => void list.refetch()} />;
  else if (view === 'settings') body = <SettingsView workspace={workspace} />;
  else if (!workspace) body = <Welcome />;
  else {
    const Component = viewRegistry[view];
    body = <Component key={workspace.id} workspace={workspace} />;
  }

  const StatusLeft = viewRegistry.statusLeft;
  return (
    <TrustPromptProvider workspace={workspace}>
      <div className="app">
        <header className="topbar">
          <span className="brand">Workspace Runtime</span>
          <fieldset className="offline-guard" disabled={offline}>
            <WorkspaceSwitcher />
          </fieldset>
          <span className="spacer" />
        </header>
        <div>
          <ConnectionBanner />
        </div>
        <div className="body">
          <nav className="activity" aria-label="Views">
            {VIEWS.map((v) => (
              <button key={v} type="button" aria-current={v === view ? 'page' : undefined} onClick={() => setView(v)} title={`${LABELS[v].label} (Alt+${LABELS[v].key})`}>
                <span className="glyph" aria-hidden="true">
                  {LABELS[v].glyph}
                </span>
                {LABELS[v].label}
              </button>
            ))}
          </nav>
          <main className="main" aria-label={LABELS[view].label}>
            {workspace && !workspace.trusted && <RestrictedBanner />}
            <fieldset className="offline-guard" disabled={offline}>
              <Suspense fallback={<Spinner />}>{body}</Suspense>
            </fieldset>
          </main>
        </div>
        <StatusBar left={workspace ? <StatusLeft workspace={workspace} /> : null} />
      </div>
    </TrustPromptProvider>
  );
}
