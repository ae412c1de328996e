/** Quick open (Ctrl/Cmd+P): fuzzy file-name search, arrow keys and Enter. */
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Dialog } from '../../ui/dialog.js';
import { Spinner } from '../../ui/states.js';
import { searchQuery } from './queries.js';

export function QuickOpen({ open, workspaceId, onPick, onClose }: { open: boolean; workspaceId: string; onPick: (path: string) => void; onClose: () => void }) {
  const [text, setText] = useState('');
  const [active, setActive] = useState(0);
  const query = text.trim();
  const results = useQuery({ ...searchQuery(workspaceId, { query, mode: 'name', limit: 50 }), enabled: open && query.length > 0 });
  const matches = query ? (results.data?.matches ?? []) : [];
  useEffect(() => setActive(0), [query]);
  useEffect(() => {
    if (!open) setText('');
  }, [open]);
  const pick = (path: string | undefined) => {
    if (!path) return;
    onPick(path);
    onClose();
  };
  return (
    <Dialog open={open} title="Quick open" onClose={onClose}>
      <input
        className="input mono"
        style={{ width: '100%' }}
        placeholder="Type part of a file name"
        aria-label="File name"
        aria-controls="quick-open-results"
        aria-activedescendant={matches[active] ? `qo-${active}` : undefined}
        role="combobox"
        aria-expanded={matches.length > 0}
        value={text}
        data-autofocus
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') {
            e.preventDefault();
            setActive((a) => Math.min(a + 1, matches.length - 1));
          } else if (e.key === 'ArrowUp') {
            e.preventDefault();
            setActive((a) => Math.max(a - 1, 0));
          } else if (e.key === 'Enter') {
            e.preventDefault();
            pick(matches[active]?.path);
          }
        }}
      />
      <ul className="list search-results" id="quick-open-results" role="listbox" aria-label="Matching files" style={{ marginTop: 8 }}>
        {results.isFetching && matches.length === 0 && <Spinner label="Searching" />}
        {query && !results.isFetching && matches.length === 0 && <li className="muted">No file matches “{query}”.</li>}
        {matches.map((m, i) => (
          <li key={m.path} id={`qo-${i}`} role="option" aria-selected={i === active} className={i === active ? 'list-item selected' : 'list-item'} onClick={() => pick(m.path)} onMouseEnter={() => setActive(i)}>
            <span className="grow mono">{m.path}</span>
          </li>
        ))}
      </ul>
    </Dialog>
  );
}
