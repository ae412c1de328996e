/**
 * The Files view: tree (or content search) on the left, open files as tabs with the on-demand
 * CodeMirror editor on the right. The tabs, buffers, editor states and the tree's expansion live
 * in the window's editing session (app/editor-session.ts), not here, so this view can unmount (a
 * view switch) without losing anything. A buffer remembers the text and ETag it was loaded from,
 * so a save sends If-Match and a 412 (changed on disk meanwhile) becomes a clear choice instead of
 * a silent overwrite. Closing a tab with unsaved text asks Save / Don't save / Cancel. Ctrl/Cmd+S
 * saves, Ctrl/Cmd+P opens quick open.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Suspense, useCallback, useEffect, useRef, useState } from 'react';
import { lazyComponent, preloadWhenIdle } from '../../app/lazy-component.js';
import { editorSessions, useWorkspaceSession, type FileBuffer } from '../../app/editor-session.js';
import type { FileEntry } from '../../../src-runtime/contract/files.js';
import type { WorkspaceViewProps } from '../../app/views.js';
import { ConfirmDialog } from '../../ui/dialog.js';
import { EmptyState, ErrorState, Spinner } from '../../ui/states.js';
import { useToasts } from '../../ui/toasts.js';
import { FileTree } from './file-tree.js';
import { QuickOpen } from './file-dialogs.js';
import { NamePrompt } from '../../ui/name-prompt.js';
import { SearchPanel } from './search-panel.js';
import { UnsavedChangesDialog } from './unsaved-changes-dialog.js';
import { useSaveFile } from './save-file.js';
import { baseName, fileContentQuery, fileKeys, parentOf, useDeleteFile, useMkdir, useMoveFile, useUpload, useWriteFile } from './queries.js';

const editor = lazyComponent(() => import('./code-editor.js'));
const CodeEditor = editor.Component;

type Prompt = { kind: 'new-file' | 'new-folder'; dir: string } | { kind: 'rename'; entry: FileEntry } | null;

/** The part of a file name rename pre-selects: all but the extension (`.env` and `Makefile` whole). */
export function nameSelection(name: string): [number, number] {
  const dot = name.lastIndexOf('.');
  return [0, dot > 0 ? dot : name.length];
}

export default function FilesView({ workspace }: WorkspaceViewProps) {
  const ws = workspace.id;
  const toasts = useToasts();
  const queryClient = useQueryClient();
  const session = useWorkspaceSession(ws);
  const { tabs, active, selected, buffers } = session;
  const [gotoLine, setGotoLine] = useState<{ path: string; line: number } | undefined>();
  const [sidebar, setSidebar] = useState<'tree' | 'search'>('tree');
  const [quickOpen, setQuickOpen] = useState(false);
  const [prompt, setPrompt] = useState<Prompt>(null);
  const [promptError, setPromptError] = useState<string | null>(null);
  const [toDelete, setToDelete] = useState<FileEntry | null>(null);
  const [conflict, setConflict] = useState<string | null>(null);
  const [closing, setClosing] = useState<string | null>(null);
  const [uploading, setUploading] = useState(false);

  useEffect(() => preloadWhenIdle(editor.preload), []);
  const write = useWriteFile(ws);
  const { save: saveFile, saving } = useSaveFile(ws);
  const move = useMoveFile(ws);
  const mkdir = useMkdir(ws);
  const remove = useDeleteFile(ws);
  const upload = useUpload(ws);

  const openFile = useCallback(
    (path: string, line?: number) => {
      editorSessions.openTab(ws, path);
      if (line) setGotoLine({ path, line });
    },
    [ws],
  );
  const setSelected = useCallback((path: string | undefined) => editorSessions.setSelected(ws, path), [ws]);
  const setExpanded = useCallback((change: (prev: ReadonlySet<string>) => ReadonlySet<string>) => editorSessions.setExpanded(ws, change), [ws]);

  const isDirty = (path: string) => !!buffers[path]?.dirty;

  const closeTab = (path: string, force = false) => {
    if (!force && isDirty(path)) return setClosing(path);
    editorSessions.closeTab(ws, path);
  };

  const save = useCallback(
    (path: string, overwrite = false) => {
      void saveFile(path, { overwrite }).then((result) => {
        if (result.ok) toasts.show('success', `Saved ${baseName(path)}`);
        else if (result.conflict) setConflict(path);
        else toasts.error(`Could not save ${baseName(path)}`, result.error);
      });
    },
    [saveFile, toasts],
  );

  // Keyboard shortcuts anywhere in the view.
  const activeRef = useRef(active);
  activeRef.current = active;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const mod = e.ctrlKey || e.metaKey;
      // The editor handles its own Mod-S (and prevents the default): do not save twice.
      if (!mod || e.altKey || e.defaultPrevented) return;
      const key = e.key.toLowerCase();
      if (key === 'p') {
        e.preventDefault();
        setQuickOpen(true);
      } else if (key === 's' && activeRef.current) {
        e.preventDefault();
        save(activeRef.current);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [save]);

  const submitPrompt = (value: string) => {
    if (!prompt) return;
    setPromptError(null);
    const done = () => setPrompt(null);
    const fail = (e: Error) => setPromptError(e.message);
    if (prompt.kind === 'rename') {
      const to = parentOf(prompt.entry.path) ? `${parentOf(prompt.entry.path)}/${value}` : value;
      const from = prompt.entry.path;
      move.mutate(
        { from, to },
        {
          onSuccess: () => {
            editorSessions.rename(ws, from, to);
            setSelected(to);
            done();
          },
          onError: fail,
        },
      );
      return;
    }
    const path = prompt.dir ? `${prompt.dir}/${value}` : value;
    if (prompt.kind === 'new-folder') mkdir.mutate(path, { onSuccess: () => (setSelected(path), done()), onError: fail });
    else write.mutate({ path, content: '', create: true }, { onSuccess: () => (openFile(path), done()), onError: fail });
  };

  const doUpload = (dir: string, files: File[]) => {
    setUploading(true);
    const id = toasts.show('progress', `Uploading ${files.length} file${files.length === 1 ? '' : 's'}…`);
    upload.mutate(
      { dir, files },
      {
        onSuccess: (r) => toasts.update(id, 'success', `Uploaded ${r.files.length} file${r.files.length === 1 ? '' : 's'}${dir ? ` to ${dir}` : ''}`),
        onError: (e) => toasts.update(id, 'error', 'Upload failed', e.message),
        onSettled: () => setUploading(false),
      },
    );
  };

  return (
    <div className="split">
      <aside className="sidebar" aria-label="Explorer">
        <div className="sidebar-header">
          <h2>{sidebar === 'tree' ? 'Files' : 'Search'}</h2>
          <button type="button" className="icon-button" title="New file" aria-label="New file" onClick={() => (setPromptError(null), setPrompt({ kind: 'new-file', dir: selectedDir(selected, tabs) }))}>
            +
          </button>
          <button type="button" className="icon-button" title="New folder" aria-label="New folder" onClick={() => (setPromptError(null), setPrompt({ kind: 'new-folder', dir: selectedDir(selected, tabs) }))}>
            ⊞
          </button>
          <button type="button" className="icon-button" title="Quick open (Ctrl+P)" aria-label="Quick open" onClick={() => setQuickOpen(true)}>
            ⌕
          </button>
          <button
            type="button"
            className="icon-button"
            aria-pressed={sidebar === 'search'}
            title="Search in files"
            aria-label="Search in files"
            onClick={() => setSidebar((s) => (s === 'tree' ? 'search' : 'tree'))}
          >
            ≡
          </button>
        </div>
        {sidebar === 'tree' ? (
          <FileTree
            workspaceId={ws}
            selected={selected}
            expanded={session.expanded}
            onExpand={setExpanded}
            reveal={active}
            onSelect={setSelected}
            onOpen={openFile}
            onRename={(entry) => (setPromptError(null), setPrompt({ kind: 'rename', entry }))}
            onDelete={setToDelete}
            onUpload={doUpload}
          />
        ) : (
          <SearchPanel workspaceId={ws} onOpen={openFile} />
        )}
        <div className="sidebar-header" style={{ borderTop: '1px solid var(--border)', borderBottom: 0 }}>
          <span className="muted" style={{ flex: 1, fontSize: 12 }}>
            {uploading ? 'Uploading…' : 'Drop files on a folder to upload'}
          </span>
          {selected && (
            <>
              <button type="button" className="button button-small" onClick={() => setPrompt({ kind: 'rename', entry: entryFor(selected) })}>
                Rename
              </button>
              <button type="button" className="button button-small button-danger" onClick={() => setToDelete(entryFor(selected))}>
                Delete
              </button>
            </>
          )}
        </div>
      </aside>
      <section className="panel" aria-label="Editor">
        {tabs.length > 0 && (
          <div className="editor-tabs" role="tablist" aria-label="Open files">
            {tabs.map((path) => (
              <div key={path} className={path === active ? 'editor-tab active' : 'editor-tab'} role="tab" aria-selected={path === active} title={path}>
                <button type="button" className="icon-button" style={{ color: 'inherit', padding: 0 }} onClick={() => editorSessions.setActive(ws, path)}>
                  {baseName(path)}
                </button>
                {isDirty(path) && <span className="dirty-dot" aria-label="unsaved changes" role="img" data-testid="dirty-marker" />}
                <button type="button" className="icon-button" aria-label={`Close ${baseName(path)}`} onClick={() => closeTab(path)}>
                  ×
                </button>
              </div>
            ))}
          </div>
        )}
        {active ? (
          <EditorPane
            key={active}
            workspaceId={ws}
            path={active}
            buffer={buffers[active]}
            line={gotoLine?.path === active ? gotoLine.line : undefined}
            saving={saving}
            onSave={() => save(active)}
          />
        ) : (
          <EmptyState title="No file open">
            <p>Pick a file in the tree, or press Ctrl+P (⌘P) to find one by name.</p>
          </EmptyState>
        )}
      </section>

      <QuickOpen open={quickOpen} workspaceId={ws} onPick={(p) => openFile(p)} onClose={() => setQuickOpen(false)} />
      <NamePrompt
        open={prompt !== null}
        title={prompt?.kind === 'rename' ? `Rename ${prompt.entry.name}` : prompt?.kind === 'new-folder' ? 'New folder' : 'New file'}
        label={prompt?.kind === 'rename' ? 'New name' : `Name (in ${prompt && 'dir' in prompt && prompt.dir ? prompt.dir : 'the workspace root'})`}
        initial={prompt?.kind === 'rename' ? prompt.entry.name : ''}
        select={prompt?.kind === 'rename' && prompt.entry.type !== 'directory' ? nameSelection(prompt.entry.name) : undefined}
        confirmLabel={prompt?.kind === 'rename' ? 'Rename' : 'Create'}
        error={promptError}
        onSubmit={submitPrompt}
        onClose={() => setPrompt(null)}
      />
      <ConfirmDialog
        open={toDelete !== null}
        title={`Delete ${toDelete?.name ?? ''}?`}
        message={<p>{toDelete?.type === 'directory' ? `The folder ${toDelete.path} and everything in it will be deleted.` : `${toDelete?.path} will be deleted.`}</p>}
        confirmLabel="Delete"
        danger
        onCancel={() => setToDelete(null)}
        onConfirm={() => {
          const entry = toDelete;
          setToDelete(null);
          if (!entry) return;
          remove.mutate(
            { path: entry.path, recursive: entry.type === 'directory' },
            {
              onSuccess: () => {
                if (tabs.includes(entry.path)) closeTab(entry.path, true);
                setSelected(undefined);
                toasts.show('success', `Deleted ${entry.name}`);
              },
              onError: (e) => toasts.error(`Could not delete ${entry.name}`, e),
            },
          );
        }}
      />
      <ConfirmDialog
        open={conflict !== null}
        title="The file changed on disk"
        message={
          <p>
            <strong>{conflict}</strong> was changed by someone else (another editor, an agent, git) after you opened it. Overwrite it with your
            version, or reload it from disk and lose your changes?
          </p>
        }
        confirmLabel="Overwrite with my version"
        danger
        extra={
          <button
            type="button"
            className="button"
            onClick={() => {
              const path = conflict;
              setConflict(null);
              if (!path) return;
              editorSessions.dropBuffer(ws, path);
              void queryClient.invalidateQueries({ queryKey: fileKeys.content(ws, path) });
            }}
          >
            Reload from disk
          </button>
        }
        onCancel={() => setConflict(null)}
        onConfirm={() => {
          const path = conflict;
          setConflict(null);
          if (path) save(path, true);
        }}
      />
      {closing !== null && (
        <UnsavedChangesDialog
          workspaceId={ws}
          paths={[closing]}
          action="close it"
          onResolved={(choice) => {
            const path = closing;
            setClosing(null);
            if (choice !== 'cancelled') closeTab(path, true);
          }}
        />
      )}
    </div>
  );
}

/** The folder new files go to: the selected folder, or the selected file's folder. */
function selectedDir(selected: string | undefined, tabs: string[]): string {
  if (!selected) return '';
  const row = document.querySelector(`[data-path="${CSS.escape(selected)}"]`);
  if (row?.hasAttribute('aria-expanded')) return selected;
  return tabs.includes(selected) || row ? parentOf(selected) : '';
}

function entryFor(path: string): FileEntry {
  const row = document.querySelector(`[data-path="${CSS.escape(path)}"]`);
  const isDir = !!row && row.hasAttribute('aria-expanded');
  return { name: baseName(path), path, type: isDir ? 'directory' : 'file', size: 0, mtime: '' };
}

function EditorPane({
  workspaceId,
  path,
  buffer,
  line,
  saving,
  onSave,
}: {
  workspaceId: string;
  path: string;
  buffer: FileBuffer | undefined;
  line?: number;
  saving: boolean;
  onSave: () => void;
}) {
  const query = useQuery(fileContentQuery(workspaceId, path));
  const data = query.data;
  const dirty = !!buffer?.dirty;
  const changedOnDisk = !!buffer && !!data && data.etag !== buffer.etag && data.content !== buffer.base;

  // First load, or the file changed on disk while the buffer is clean: take the disk version.
  useEffect(() => {
    if (!data || data.encoding !== 'utf-8') return;
    if (!buffer || (!buffer.dirty && data.etag !== buffer.etag)) editorSessions.loaded(workspaceId, path, data.content, data.etag);
  }, [data, buffer, workspaceId, path]);

  if (query.isPending) return <Spinner label={`Opening ${baseName(path)}`} />;
  if (query.error) return <ErrorState title={`Cannot open ${path}`} error={query.error} onRetry={() => void query.refetch()} />;
  if (data?.encoding === 'base64') {
    return <EmptyState title={`${baseName(path)} is a binary file`}>{data.size.toLocaleString()} bytes; it cannot be edited as text.</EmptyState>;
  }
  if (!buffer) return <Spinner />;
  return (
    <div className="panel" style={{ minHeight: 0 }}>
      <div className="editor-toolbar">
        <span className="mono" style={{ flex: 1 }}>
          {path}
        </span>
        {changedOnDisk && dirty && (
          <span className="pill pill-warn" role="status">
            Changed on disk —{' '}
            <button type="button" className="icon-button" style={{ padding: 0 }} onClick={() => data && editorSessions.loaded(workspaceId, path, data.content, data.etag)}>
              reload
            </button>
          </span>
        )}
        <span>{saving ? 'Saving…' : dirty ? 'Unsaved changes' : 'Saved'}</span>
        <button type="button" className="button button-small" disabled={!dirty || saving} onClick={onSave}>
          Save
        </button>
      </div>
      <Suspense fallback={<Spinner label="Loading the editor" />}>
        <CodeEditor
          path={path}
          text={buffer.base}
          start={editorSessions.editorStart(workspaceId, path)}
          line={line}
          onDocChanged={(doc) => editorSessions.docChanged(workspaceId, path, doc)}
          onAttach={(live) => editorSessions.attach(workspaceId, path, live)}
          onDetach={(live, snapshot) => editorSessions.detach(workspaceId, path, live, snapshot)}
          onSave={onSave}
        />
      </Suspense>
    </div>
  );
}
