/**
 * The virtualized file tree: one listing query per expanded folder, flattened into rows that
 * @tanstack/react-virtual renders (a 50,000-entry folder scrolls without long tasks). Keyboard:
 * ↑/↓ move, →/← expand/collapse, Enter opens, F2 renames, Delete deletes. Files dropped on a
 * folder row (or on the empty area: the root) are uploaded there. Which folders are open is the
 * caller's (the window's editing session keeps it across view switches and reloads).
 */
import { useQueries } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent } from 'react';
import type { FileEntry } from '../../../src-runtime/contract/files.js';
import { ErrorState, Spinner } from '../../ui/states.js';
import { listDirQuery, parentOf, type DirectoryListing } from './queries.js';

export interface TreeRow {
  kind: 'entry' | 'loading' | 'error' | 'empty';
  key: string;
  depth: number;
  entry?: FileEntry;
  dir?: string;
  error?: unknown;
}

const ROW_HEIGHT = 22;
// Stable references: a new estimateSize on every render makes the virtualizer re-measure all rows.
const estimateRowSize = () => ROW_HEIGHT;

export function flattenTree(byDir: Map<string, { data?: DirectoryListing; error?: unknown }>, expanded: Set<string>): TreeRow[] {
  const rows: TreeRow[] = [];
  const walk = (dir: string, depth: number) => {
    const state = byDir.get(dir);
    if (!state?.data) {
      if (state?.error) rows.push({ kind: 'error', key: `error:${dir}`, depth, dir, error: state.error });
      else rows.push({ kind: 'loading', key: `loading:${dir}`, depth, dir });
      return;
    }
    if (state.data.entries.length === 0 && dir !== '') rows.push({ kind: 'empty', key: `empty:${dir}`, depth, dir });
    for (const entry of state.data.entries) {
      rows.push({ kind: 'entry', key: entry.path, depth, entry });
      if (entry.type === 'directory' && expanded.has(entry.path)) walk(entry.path, depth + 1);
    }
  };
  walk('', 0);
  return rows;
}

export interface FileTreeProps {
  workspaceId: string;
  selected: string | undefined;
  onSelect: (path: string | undefined) => void;
  onOpen: (path: string) => void;
  onRename: (entry: FileEntry) => void;
  onDelete: (entry: FileEntry) => void;
  onUpload: (dir: string, files: File[]) => void;
  /** Expand the folders leading to this path (after quick open). */
  reveal?: string;
  /** The open folders ('' is the root). */
  expanded: readonly string[];
  onExpand: (change: (prev: ReadonlySet<string>) => ReadonlySet<string>) => void;
}

export function FileTree({ workspaceId, selected, onSelect, onOpen, onRename, onDelete, onUpload, reveal, expanded: expandedList, onExpand: setExpanded }: FileTreeProps) {
  const expanded = useMemo(() => new Set(expandedList), [expandedList]);
  const [dropTarget, setDropTarget] = useState<string | null>(null);
  const scrollRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!reveal) return;
    setExpanded((prev) => {
      const next = new Set(prev);
      for (let dir = parentOf(reveal); dir; dir = parentOf(dir)) next.add(dir);
      return next.size === prev.size ? prev : next;
    });
  }, [reveal, setExpanded]);

  const dirs = expandedList;
  const results = useQueries({ queries: dirs.map((dir) => listDirQuery(workspaceId, dir)) });
  const byDir = new Map(dirs.map((dir, i) => [dir, { data: results[i]?.data, error: results[i]?.error }]));
  const dataStamp = results.map((r) => `${r.dataUpdatedAt}:${r.errorUpdatedAt}`).join(',');
  const rows = useMemo(() => flattenTree(byDir, expanded), [dataStamp, expanded]);
  const rootError = byDir.get('')?.error;

  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => scrollRef.current, estimateSize: estimateRowSize, overscan: 15 });

  const toggle = useCallback(
    (path: string, open?: boolean) => {
    setExpanded((prev) => {
      const next = new Set(prev);
      const willOpen = open ?? !prev.has(path);
      if (willOpen) next.add(path);
      else for (const p of prev) if (p === path || p.startsWith(`${path}/`)) next.delete(p);
      return next;
    });
    },
    [setExpanded],
  );

  // Not per scroll frame: a 50k-row scan on every virtualizer update adds up.
  const selectedIndex = useMemo(() => rows.findIndex((r) => r.kind === 'entry' && r.entry?.path === selected), [rows, selected]);
  useEffect(() => {
    if (selectedIndex >= 0) virtualizer.scrollToIndex(selectedIndex, { align: 'auto' });
  }, [selectedIndex, virtualizer]);

  const activate = (entry: FileEntry) => {
    onSelect(entry.path);
    if (entry.type === 'directory') toggle(entry.path);
    else onOpen(entry.path);
  };

  const onKeyDown = (e: React.KeyboardEvent) => {
    const current = rows[selectedIndex]?.entry;
    const moveTo = (index: number) => {
      for (let i = index; i >= 0 && i < rows.length; i += index > selectedIndex ? 1 : -1) {
        const row = rows[i];
        if (row?.kind === 'entry' && row.entry) return onSelect(row.entry.path);
      }
    };
    switch (e.key) {
      case 'ArrowDown':
        e.preventDefault();
        moveTo(selectedIndex < 0 ? 0 : selectedIndex + 1);
        break;
      case 'ArrowUp':
        e.preventDefault();
        moveTo(Math.max(0, selectedIndex - 1));
        break;
      case 'ArrowRight':
        if (current?.type === 'directory') {
          e.preventDefault();
          toggle(current.path, true);
        }
        break;
      case 'ArrowLeft':
        e.preventDefault();
        if (current?.type === 'directory' && expanded.has(current.path)) toggle(current.path, false);
        else if (current && parentOf(current.path)) onSelect(parentOf(current.path));
        break;
      case 'Enter':
        if (current) {
          e.preventDefault();
          activate(current);
        }
        break;
      case 'F2':
        if (current) {
          e.preventDefault();
          onRename(current);
        }
        break;
      case 'Delete':
        if (current) {
          e.preventDefault();
          onDelete(current);
        }
        break;
    }
  };

  const dropProps = (dir: string) => ({
    onDragOver: (e: DragEvent) => {
      if (!e.dataTransfer.types.includes('Files')) return;
      e.preventDefault();
      e.stopPropagation();
      setDropTarget(dir);
    },
    onDragLeave: () => setDropTarget((t) => (t === dir ? null : t)),
    onDrop: (e: DragEvent) => {
      e.preventDefault();
      e.stopPropagation();
      setDropTarget(null);
      const files = [...e.dataTransfer.files];
      if (files.length) onUpload(dir, files);
    },
  });

  if (rootError) return <ErrorState title="Cannot list the workspace" error={rootError} onRetry={() => void results[0]?.refetch()} />;
  if (!byDir.get('')?.data) return <Spinner label="Loading files" />;

  const activeId = selectedIndex >= 0 ? `tree-row-${selectedIndex}` : undefined;
  return (
    <div
      ref={scrollRef}
      className={dropTarget === '' ? 'tree dropzone-active' : 'tree'}
      role="tree"
      aria-label="Files"
      tabIndex={0}
      aria-activedescendant={activeId}
      onKeyDown={onKeyDown}
      data-testid="file-tree"
      {...dropProps('')}
    >
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualizer.getVirtualItems().map((item) => {
          const row = rows[item.index];
          if (!row) return null;
          const style = { transform: `translateY(${item.start}px)`, paddingLeft: 6 + row.depth * 14 };
          if (row.kind !== 'entry' || !row.entry) {
            return (
              <div key={row.key} className="tree-row muted" style={style} role="none">
                <span className="twisty" />
                {row.kind === 'loading' ? 'Loading…' : row.kind === 'empty' ? 'Empty folder' : 'Cannot list this folder'}
              </div>
            );
          }
          const entry = row.entry;
          const isDir = entry.type === 'directory';
          const open = isDir && expanded.has(entry.path);
          return (
            <div
              key={row.key}
              id={`tree-row-${item.index}`}
              className={`tree-row${entry.path === selected ? ' selected' : ''}${dropTarget === entry.path ? ' dropping' : ''}`}
              style={style}
              role="treeitem"
              aria-level={row.depth + 1}
              aria-expanded={isDir ? open : undefined}
              aria-selected={entry.path === selected}
              data-path={entry.path}
              title={entry.path}
              onClick={() => activate(entry)}
              {...(isDir ? dropProps(entry.path) : {})}
            >
              <span className="twisty" aria-hidden="true">
                {isDir ? (open ? '▾' : '▸') : ''}
              </span>
              <span className="name">{entry.name}</span>
              {entry.type === 'symlink' && <span className="muted"> ↪</span>}
            </div>
          );
        })}
      </div>
    </div>
  );
}
