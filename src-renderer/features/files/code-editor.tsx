/**
 * The CodeMirror 6 editor, loaded on demand (this module is only reached through React.lazy):
 * the basic setup (editor-setup.ts), the language for the file's extension (each one its own chunk), the OS theme,
 * and Mod-S bound to save. CodeMirror's own state is the source of truth while typing: the parent
 * hears each change as the document object (to decide dirty/clean) and reads the text only when it
 * saves. On unmount the editor hands back a snapshot (document, selection, undo history, scroll)
 * that a later mount resumes from, so switching tabs or views loses neither text nor undo.
 */
import { useEffect, useRef } from 'react';
import { EditorState, Compartment, type Extension, type Text } from '@codemirror/state';
import { EditorView, keymap } from '@codemirror/view';
import { historyField } from '@codemirror/commands';
import { editorSetup } from './editor-setup.js';
import type { EditorPosition, EditorSnapshot, LiveEditor } from '../../app/editor-session.js';

async function languageFor(path: string): Promise<Extension | null> {
  const ext = path.slice(path.lastIndexOf('.') + 1).toLowerCase();
  switch (ext) {
    case 'js':
    case 'mjs':
    case 'cjs':
    case 'jsx':
      return (await import('@codemirror/lang-javascript')).javascript({ jsx: true });
    case 'ts':
    case 'mts':
    case 'cts':
    case 'tsx':
      return (await import('@codemirror/lang-javascript')).javascript({ typescript: true, jsx: ext === 'tsx' });
    case 'json':
      return (await import('@codemirror/lang-json')).json();
    case 'md':
    case 'markdown':
      return (await import('@codemirror/lang-markdown')).markdown();
    case 'css':
      return (await import('@codemirror/lang-css')).css();
    case 'html':
    case 'htm':
      return (await import('@codemirror/lang-html')).html();
    case 'py':
      return (await import('@codemirror/lang-python')).python();
    default:
      return null;
  }
}

const darkQuery = typeof window !== 'undefined' ? window.matchMedia('(prefers-color-scheme: dark)') : undefined;

async function themeFor(dark: boolean): Promise<Extension> {
  return dark ? (await import('@codemirror/theme-one-dark')).oneDark : [];
}

export interface CodeEditorProps {
  path: string;
  /** The text to start with when there is no snapshot to resume. */
  text: string;
  /** A snapshot left by an earlier mount, or a remembered cursor and scroll position (after a reload). */
  start?: { snapshot?: EditorSnapshot; position?: EditorPosition };
  readOnly?: boolean;
  /** Put the cursor on this 1-based line when the editor opens (search results). */
  line?: number;
  onDocChanged?: (doc: Text) => void;
  onSave: () => void;
  onAttach?: (editor: LiveEditor) => void;
  onDetach?: (editor: LiveEditor, snapshot: EditorSnapshot) => void;
}

const stateFields = { history: historyField };

export default function CodeEditor({ path, text, start, readOnly, line, onDocChanged, onSave, onAttach, onDetach }: CodeEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const callbacks = useRef({ onDocChanged, onSave, onAttach, onDetach });
  callbacks.current = { onDocChanged, onSave, onAttach, onDetach };
  const language = useRef(new Compartment());
  const theme = useRef(new Compartment());
  const editable = useRef(new Compartment());
  const view = useRef<EditorView | null>(null);

  useEffect(() => {
    if (!host.current) return;
    const extensions = [
      keymap.of([
        {
          key: 'Mod-s',
          preventDefault: true,
          run: () => {
            callbacks.current.onSave();
            return true;
          },
        },
      ]),
      editorSetup(),
      language.current.of([]),
      theme.current.of([]),
      editable.current.of(EditorState.readOnly.of(!!readOnly)),
      EditorView.updateListener.of((update) => {
        if (update.docChanged) callbacks.current.onDocChanged?.(update.state.doc);
      }),
      EditorView.contentAttributes.of({ 'aria-label': `Editor: ${path}` }),
    ];
    const snapshot = start?.snapshot;
    let state: EditorState;
    try {
      state = snapshot ? EditorState.fromJSON(snapshot.json, { extensions }, stateFields) : EditorState.create({ doc: text, extensions });
    } catch {
      // A snapshot that does not fit (should not happen): start from its text, without undo history.
      state = EditorState.create({ doc: snapshot?.doc ?? text, extensions });
    }
    const v = new EditorView({ parent: host.current, state });
    view.current = v;
    const position = snapshot?.position ?? start?.position;
    const length = v.state.doc.length;
    if (line && line <= v.state.doc.lines) {
      const pos = v.state.doc.line(line).from;
      v.dispatch({ selection: { anchor: pos }, effects: EditorView.scrollIntoView(pos, { y: 'center' }) });
    } else if (position) {
      if (!snapshot) v.dispatch({ selection: { anchor: Math.min(position.anchor, length), head: Math.min(position.head, length) } });
      // Scroll once the editor has measured its content.
      v.requestMeasure({ read: () => null, write: () => void (v.scrollDOM.scrollTop = position.scrollTop) });
    }
    const live: LiveEditor = {
      text: () => v.state.doc.toString(),
      replace: (next) => {
        const head = Math.min(v.state.selection.main.head, next.length);
        v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: next }, selection: { anchor: head } });
      },
    };
    callbacks.current.onAttach?.(live);
    v.focus();
    let cancelled = false;
    void languageFor(path).then((lang) => !cancelled && lang && v.dispatch({ effects: language.current.reconfigure(lang) }));
    const applyTheme = () => void themeFor(!!darkQuery?.matches).then((t) => !cancelled && v.dispatch({ effects: theme.current.reconfigure(t) }));
    applyTheme();
    darkQuery?.addEventListener('change', applyTheme);
    return () => {
      cancelled = true;
      darkQuery?.removeEventListener('change', applyTheme);
      const sel = v.state.selection.main;
      callbacks.current.onDetach?.(live, {
        doc: v.state.doc.toString(),
        json: v.state.toJSON(stateFields),
        position: { anchor: sel.anchor, head: sel.head, scrollTop: v.scrollDOM.scrollTop },
      });
      v.destroy();
      view.current = null;
    };
    // The editor is created once per file; later text changes come through the LiveEditor handle.
  }, [path]);

  useEffect(() => {
    view.current?.dispatch({ effects: editable.current.reconfigure(EditorState.readOnly.of(!!readOnly)) });
  }, [readOnly]);

  return <div ref={host} className="editor-host" data-testid="code-editor" />;
}
