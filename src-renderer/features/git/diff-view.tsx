/**
 * The diff view, loaded on demand: react-diff-view renders the unified diff text (parsed by its
 * gitdiff-parser) either unified or side by side. One file header per file; binary files and
 * truncated diffs say so.
 */
import { useMemo } from 'react';
import { Diff, Hunk, parseDiff } from 'react-diff-view';
import 'react-diff-view/style/index.css';

export interface DiffViewProps {
  text: string;
  viewType: 'unified' | 'split';
  truncated?: boolean;
}

export default function DiffView({ text, viewType, truncated }: DiffViewProps) {
  const files = useMemo(() => {
    try {
      return parseDiff(text, { nearbySequences: 'zip' });
    } catch {
      return null;
    }
  }, [text]);
  if (!text.trim()) return <p className="muted section">No differences.</p>;
  if (!files) return <pre className="section mono">{text}</pre>;
  return (
    <div className="diff-host" data-testid="diff-view">
      {truncated && <p className="pill pill-warn" style={{ margin: 8 }}>The diff is large and was cut short.</p>}
      {files.map((file) => {
        const name = file.type === 'delete' ? file.oldPath : file.newPath;
        return (
          <section key={`${file.oldPath}→${file.newPath}`} aria-label={`Diff of ${name}`}>
            <div className="diff-file-header">
              {file.type === 'rename' ? `${file.oldPath} → ${file.newPath}` : name}
              <span className="muted"> ({file.type})</span>
            </div>
            {file.hunks.length === 0 ? (
              <p className="muted section">Binary file or mode change only.</p>
            ) : (
              <Diff viewType={viewType} diffType={file.type} hunks={file.hunks}>
                {(hunks) => hunks.map((hunk) => <Hunk key={hunk.content} hunk={hunk} />)}
              </Diff>
            )}
          </section>
        );
      })}
    </div>
  );
}
