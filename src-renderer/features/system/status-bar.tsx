/** The always-visible status bar: branch and ahead/behind, runtime connection, host stats, version. */
import { useQuery } from '@tanstack/react-query';
import { useSyncExternalStore, type ReactNode } from 'react';
import { connectionStore } from '../../api/event-socket.js';
import { runtimeStatusQuery, systemStatsQuery } from './queries.js';

const STATE_TEXT = { connecting: 'Connecting…', open: 'Connected', reconnecting: 'Reconnecting…', closed: 'Disconnected' } as const;

export function ConnectionIndicator() {
  const state = useSyncExternalStore(connectionStore.subscribe, connectionStore.get);
  return (
    <span className="item" data-testid="connection-state" data-state={state} title="Connection to the runtime's event socket">
      <span className={`dot dot-${state}`} aria-hidden="true" />
      {STATE_TEXT[state]}
    </span>
  );
}

export function StatusBar({ left }: { left?: ReactNode }) {
  const stats = useQuery(systemStatsQuery()).data;
  const status = useQuery(runtimeStatusQuery()).data?.runtime;
  return (
    <footer className="statusbar" aria-label="Status bar">
      {left}
      <span className="spacer" />
      {stats && (
        <span className="item" aria-label="System load" data-testid="system-stats">
          CPU {Math.round(stats.cpu_percent)}% · Mem {Math.round(stats.memory_percent)}% · Disk {Math.round(stats.disk_percent)}%
        </span>
      )}
      {status && !status.git.available && <span className="item pill pill-warn">git not found</span>}
      <ConnectionIndicator />
      {status && <span className="item">v{status.version}</span>}
    </footer>
  );
}
