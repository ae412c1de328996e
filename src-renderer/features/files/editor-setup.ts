/**
 * The editor's extension set. The installed `codemirror` package is CodeMirror 5 (its 6.65.x
 * versions are the legacy line), and @codemirror/commands and @codemirror/search are not
 * installed, so this assembles the basic setup from @codemirror/view, /state, /language and
 * /autocomplete, with a small undo/redo history of inverted change sets.
 */
import { EditorState, StateEffect, StateField, Transaction, type ChangeSet, type Extension } from '@codemirror/state';
import {
  EditorView,
  crosshairCursor,
  drawSelection,
  dropCursor,
  highlightActiveLine,
  highlightActiveLineGutter,
  highlightSpecialChars,
  keymap,
  lineNumbers,
  rectangularSelection,
} from '@codemirror/view';
import { bracketMatching, defaultHighlightStyle, foldGutter, indentOnInput, syntaxHighlighting } from '@codemirror/language';
import { autocompletion, closeBrackets } from '@codemirror/autocomplete';

interface HistoryState {
  done: ChangeSet[];
  undone: ChangeSet[];
}

const fromHistory = StateEffect.define<'undo' | 'redo'>();

const historyField = StateField.define<HistoryState>({
  create: () => ({ done: [], undone: [] }),
  update(value, tr: Transaction) {
    const effect = tr.effects.find((e) => e.is(fromHistory));
    if (!tr.docChanged) return value;
    const inverted = tr.changes.invert(tr.startState.doc);
    if (effect?.value === 'undo') return { done: value.done.slice(0, -1), undone: [...value.undone, inverted] };
    if (effect?.value === 'redo') return { done: [...value.done, inverted], undone: value.undone.slice(0, -1) };
    if (tr.annotation(Transaction.addToHistory) === false) return value;
    return { done: [...value.done.slice(-500), inverted], undone: [] };
  },
});

function step(view: EditorView, kind: 'undo' | 'redo'): boolean {
  const state = view.state.field(historyField);
  const changes = kind === 'undo' ? state.done.at(-1) : state.undone.at(-1);
  if (!changes) return false;
  view.dispatch({ changes, effects: fromHistory.of(kind), scrollIntoView: true, userEvent: kind });
  return true;
}

/** Insert a newline keeping the current line's indentation. */
function newlineKeepIndent(view: EditorView): boolean {
  const { state } = view;
  const range = state.selection.main;
  const line = state.doc.lineAt(range.from);
  const indent = /^\s*/.exec(line.text)?.[0] ?? '';
  view.dispatch(state.update(state.replaceSelection(`\n${indent}`), { scrollIntoView: true, userEvent: 'input' }));
  return true;
}

export function editorSetup(): Extension {
  return [
    lineNumbers(),
    highlightActiveLineGutter(),
    highlightSpecialChars(),
    historyField,
    foldGutter(),
    drawSelection(),
    dropCursor(),
    EditorState.allowMultipleSelections.of(true),
    indentOnInput(),
    syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
    bracketMatching(),
    closeBrackets(),
    autocompletion(),
    rectangularSelection(),
    crosshairCursor(),
    highlightActiveLine(),
    keymap.of([
      { key: 'Mod-z', run: (v) => step(v, 'undo'), preventDefault: true },
      { key: 'Mod-y', run: (v) => step(v, 'redo'), preventDefault: true },
      { key: 'Mod-Shift-z', run: (v) => step(v, 'redo'), preventDefault: true },
      { key: 'Enter', run: newlineKeepIndent },
    ]),
  ];
}
