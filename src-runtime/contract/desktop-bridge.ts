/**
 * The API the desktop app's preload exposes to the renderer through `contextBridge`, as
 * `window.workspaceRuntimeDesktop`. Type-only for src-main and src-renderer: the bridge is absent in a
 * plain browser (standalone runtime), so the renderer must treat it as optional.
 */

/** Where the window's runtime listens and the bearer token for its API (same origin as the page). */
export interface RuntimeConnection {
  url: string;
  token: string;
}

export interface DesktopVersions {
  app: string;
  electron: string;
  chrome: string;
  node: string;
}

export type Unsubscribe = () => void;

export interface DesktopBridge {
  readonly platform: 'darwin' | 'win32' | 'linux' | string;
  readonly versions: DesktopVersions;
  /**
   * The runtime URL and token; only a page served by the runtime itself gets an answer. Rejects
   * while the runtime is restarting after a crash: `onReconnect` tells when it is back.
   */
  getRuntime(): Promise<RuntimeConnection>;
  /** Shows the system folder picker; resolves to the chosen absolute path, or null when cancelled. */
  openFolderDialog(): Promise<string | null>;
  /** Shows an absolute path in the system file manager. */
  revealPath(path: string): Promise<void>;
  /** Opens an http(s) URL in the system browser; any other scheme is refused. */
  openExternal(url: string): Promise<void>;
  /**
   * The runtime process restarted on the same origin (after a crash): re-open sockets, refetch.
   * When it had to move to another port, the window is reloaded from the new origin instead.
   */
  onReconnect(listener: (runtime: RuntimeConnection) => void): Unsubscribe;
  /**
   * A folder to open as a workspace: from the command line, a second launch, Open Folder/Open
   * Recent in the menu, or a folder dropped on the window. Folders that arrived before the first
   * listener subscribed are delivered to it.
   */
  onOpenFolder(listener: (path: string) => void): Unsubscribe;
  /** File › Close Workspace was chosen. */
  onCloseWorkspace(listener: () => void): Unsubscribe;
  /**
   * The window is being closed while the page holds unsaved edits (its `beforeunload` objected):
   * ask Save / Don't save / Cancel, then call `closeWindow()` unless the user cancelled.
   */
  onCloseRequested(listener: () => void): Unsubscribe;
  /** Close this window (its `beforeunload` must no longer object, or the close is cancelled again). */
  closeWindow(): void;
}

/** What the renderer's `window` looks like in the desktop app: the bridge's global name is this key. */
export interface DesktopWindow {
  workspaceRuntimeDesktop?: DesktopBridge;
}
