/** Content search: text or regular expression across the workspace, results grouped by file. */
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { ErrorState, Spinner } from '../../ui/states.js';
import { searchQuery } from './queries.js';

export function SearchPanel({ workspaceId, onOpen }: { workspaceId: string; onOpen: (path: string, line?: number) => void }) {
  const [text, setText] = useState('');
  const [submitted, setSubmitted] = useState('');
  const [regex, setRegex] = useState(false);
  const [caseSensitive, setCaseSensitive] = useState(false);
  const results = useQuery({
    ...searchQuery(workspaceId, { query: submitted, mode: 'content', limit: 500, regex, case_sensitive: caseSensitive }),
    enabled: submitted.length > 0,
  });
  const groups = useMemo(() => {
    const map = new Map<string, Array<{ line?: number; text?: string }>>();
    for (const m of results.data?.matches ?? []) map.set(m.path, [...(map.get(m.path) ?? []), { line: m.line, text: m.text }]);
    return [...map.entries()];
  }, [results.data]);
  return (
    <div className="panel" style={{ minHeight: 0 }}>
      <form
        className="section"
        style={{ padding: 8 }}
        onSubmit={(e) => {
          e.preventDefault();
          setSubmitted(text.trim());
        }}
        role="search"
      >
        <input className="input" style={{ width: '100%' }} placeholder="Search in files" aria-label="Search in files" value={text} onChange={(e) => setText(e.target.value)} />
        <div className="row" style={{ marginTop: 4 }}>
          <label className="row">
            <input type="checkbox" checked={regex} onChange={(e) => setRegex(e.target.checked)} /> Regex
          </label>
          <label className="row">
            <input type="checkbox" checked={caseSensitive} onChange={(e) => setCaseSensitive(e.target.checked)} /> Match case
          </label>
          <button type="submit" className="button button-small">
            Search
          </button>
        </div>
      </form>
      <div className="search-results" style={{ flex: 1 }} aria-live="polite">
        {results.isFetching && <Spinner label="Searching" />}
        {results.error && <ErrorState error={results.error} title="Search failed" />}
        {results.data && groups.length === 0 && <p className="muted section">No matches.</p>}
        {results.data?.truncated && <p className="muted section">Showing the first 500 matches.</p>}
        {groups.map(([path, hits]) => (
          <div key={path}>
            <div className="list-item mono" style={{ fontWeight: 600 }} onClick={() => onOpen(path)}>
              <span className="grow">{path}</span>
              <span className="badge">{hits.length}</span>
            </div>
            {hits.slice(0, 50).map((h, i) => (
              <button key={i} type="button" className="list-item search-hit" style={{ paddingLeft: 22 }} onClick={() => onOpen(path, h.line)}>
                <span className="muted">{h.line}:</span> {h.text?.trim()}
              </button>
            ))}
          </div>
        ))}
      </div>
    </div>
  );
}
