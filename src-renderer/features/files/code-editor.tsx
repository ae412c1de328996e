/**
 * The CodeMirror 6 editor, loaded on demand (this module is only reached through React.lazy):
 * the basic setup (editor-setup.ts), the language for the file's extension (each one its own chunk), the OS theme,
 * and Mod-S bound to save. The parent owns the text; the editor reports every change.
 */
import { useEffect, useRef } from 'react';
import { EditorState, Compartment, type Extension } from '@codemirror/state';
import { EditorView, keymap } from '@codemirror/view';
import { editorSetup } from './editor-setup.js';

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
  text: string;
  readOnly?: boolean;
  /** Put the cursor on this 1-based line when the editor opens (search results). */
  line?: number;
  onChange: (text: string) => void;
  onSave: () => void;
}

export default function CodeEditor({ path, text, readOnly, line, onChange, onSave }: CodeEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const callbacks = useRef({ onChange, onSave });
  callbacks.current = { onChange, onSave };
  const language = useRef(new Compartment());
  const theme = useRef(new Compartment());
  const editable = useRef(new Compartment());

  useEffect(() => {
    if (!host.current) return;
    const v = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: text,
        extensions: [
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
            if (update.docChanged) callbacks.current.onChange(update.state.doc.toString());
          }),
          EditorView.contentAttributes.of({ 'aria-label': `Editor: ${path}` }),
        ],
      }),
    });
    view.current = v;
    if (line && line <= v.state.doc.lines) {
      const pos = v.state.doc.line(line).from;
      v.dispatch({ selection: { anchor: pos }, effects: EditorView.scrollIntoView(pos, { y: 'center' }) });
    }
    v.focus();
    let cancelled = false;
    void languageFor(path).then((lang) => !cancelled && lang && v.dispatch({ effects: language.current.reconfigure(lang) }));
    const applyTheme = () => void themeFor(!!darkQuery?.matches).then((t) => !cancelled && v.dispatch({ effects: theme.current.reconfigure(t) }));
    applyTheme();
    darkQuery?.addEventListener('change', applyTheme);
    return () => {
      cancelled = true;
      darkQuery?.removeEventListener('change', applyTheme);
      v.destroy();
      view.current = null;
    };
    // The editor is created once per file; text changes from outside are applied below.
  }, [path]);

  // Text replaced from outside (reload from disk): swap the document, keep the cursor in range.
  useEffect(() => {
    const v = view.current;
    if (!v) return;
    const current = v.state.doc.toString();
    if (current === text) return;
    const head = Math.min(v.state.selection.main.head, text.length);
    v.dispatch({ changes: { from: 0, to: current.length, insert: text }, selection: { anchor: head } });
  }, [text]);

  useEffect(() => {
    view.current?.dispatch({ effects: editable.current.reconfigure(EditorState.readOnly.of(!!readOnly)) });
  }, [readOnly]);

  return <div ref={host} className="editor-host" data-testid="code-editor" />;
}
