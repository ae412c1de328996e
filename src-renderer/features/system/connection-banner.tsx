/**
 * The banner that says the runtime is unreachable: shown while the event socket is down (the
 * runtime stopped, crashed or is restarting), with what still works and a "Retry now". The layout
 * disables the actions that need the runtime for as long as it shows (`useOffline`).
 */
import { useSyncExternalStore } from 'react';
import { connectionStore, isOffline, retryConnectionNow } from '../../api/event-socket.js';

/** Whether the runtime is unreachable; re-renders when that changes. */
export function useOffline(): boolean {
  return isOffline(useSyncExternalStore(connectionStore.subscribe, connectionStore.get));
}

export function ConnectionBanner() {
  const offline = useOffline();
  if (!offline) return null;
  return (
    <div className="offline-banner" role="alert" data-testid="runtime-unreachable">
      <span>
        <strong>The workspace runtime is unreachable.</strong> Reconnecting… Open editors keep your text; saving and other actions
        wait until it is back.
      </span>
      <button type="button" onClick={retryConnectionNow}>
        Retry now
      </button>
    </div>
  );
}
