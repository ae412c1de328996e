/**
 * Parser for git's unified diff text (`git diff`, `git show`): one entry per file with its paths
 * (C-quoted names unquoted), change kind, binary flag, modes and hunks with numbered lines. A text
 * cut short by the caller's byte limit parses up to the cut. Pure: tested on fixture strings.
 */

export interface DiffLine {
  type: 'context' | 'add' | 'delete' | 'no_newline';
  content: string;
  old_line: number | null;
  new_line: number | null;
}

export interface DiffHunk {
  header: string;
  old_start: number;
  old_lines: number;
  new_start: number;
  new_lines: number;
  lines: DiffLine[];
}

export interface DiffFile {
  path: string;
  old_path?: string;
  status: 'added' | 'deleted' | 'modified' | 'renamed' | 'copied' | 'mode_changed';
  binary: boolean;
  old_mode?: string;
  new_mode?: string;
  additions: number;
  deletions: number;
  hunks: DiffHunk[];
}

const escapes: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, '\\': 92 };

/** Undo git's C-style quoting ("a\303\244\tb") of a path; unquoted input comes back unchanged. */
export function unquoteGitPath(value: string): string {
  if (!value.startsWith('"') || !value.endsWith('"') || value.length < 2) return value;
  const body = value.slice(1, -1);
  const bytes: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch !== '\\') {
      for (const b of Buffer.from(ch, 'utf8')) bytes.push(b);
      continue;
    }
    const next = body[i + 1] ?? '';
    if (/[0-7]/.test(next)) {
      bytes.push(parseInt(body.slice(i + 1, i + 4), 8));
      i += 3;
    } else {
      bytes.push(escapes[next] ?? next.charCodeAt(0));
      i += 1;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** The path of a `--- a/x` / `+++ b/x` line (null for /dev/null); drops git's trailing tab. */
function sidePath(rest: string): string | null {
  const value = rest.replace(/\t$/, '');
  if (value === '/dev/null') return null;
  const unquoted = unquoteGitPath(value);
  return unquoted.replace(/^[ab]\//, '');
}

/** `diff --git a/X b/Y` when both names are the same and unquoted (binary and mode-only changes). */
function headerPaths(line: string): { a: string; b: string } | null {
  const rest = line.slice('diff --git '.length);
  if (rest.startsWith('"')) {
    const m = /^("(?:[^"\\]|\\.)*") ("(?:[^"\\]|\\.)*"|\S.*)$/.exec(rest);
    if (m) return { a: unquoteGitPath(m[1]!).replace(/^a\//, ''), b: unquoteGitPath(m[2]!).replace(/^b\//, '') };
  }
  const quotedB = / ("b\/(?:[^"\\]|\\.)*")$/.exec(rest);
  if (quotedB) return { a: rest.slice(0, quotedB.index).replace(/^a\//, ''), b: unquoteGitPath(quotedB[1]!).replace(/^b\//, '') };
  // a/<p> b/<p>: same length on both sides.
  if ((rest.length - 1) % 2 === 0) {
    const half = (rest.length - 1) / 2;
    const a = rest.slice(0, half);
    const b = rest.slice(half + 1);
    if (a.startsWith('a/') && b.startsWith('b/') && a.slice(2) === b.slice(2)) return { a: a.slice(2), b: b.slice(2) };
  }
  const m = /^a\/(.*) b\/(.*)$/.exec(rest);
  return m ? { a: m[1]!, b: m[2]! } : null;
}

const hunkHeader = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

export function parseDiff(text: string): DiffFile[] {
  const files: DiffFile[] = [];
  let file: DiffFile | null = null;
  let hunk: DiffHunk | null = null;
  let oldLine = 0;
  let newLine = 0;
  let oldPath: string | null | undefined;
  let newPath: string | null | undefined;

  const finish = () => {
    if (!file) return;
    if (oldPath === null) file.status = 'added';
    else if (newPath === null) file.status = 'deleted';
    if (newPath) file.path = newPath;
    else if (newPath === null && oldPath) file.path = oldPath;
    if (file.status === 'renamed' || file.status === 'copied') {
      // keep old_path from the rename lines
    } else if (oldPath && newPath && oldPath !== newPath) {
      file.old_path = oldPath;
      file.status = 'renamed';
    }
    if (file.status === 'modified' && !file.hunks.length && !file.binary && file.old_mode && file.new_mode) file.status = 'mode_changed';
    files.push(file);
  };

  const lines = text.split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  for (const line of lines) {
    if (line.startsWith('diff --git ')) {
      finish();
      const paths = headerPaths(line);
      file = { path: paths?.b ?? paths?.a ?? '', status: 'modified', binary: false, additions: 0, deletions: 0, hunks: [] };
      hunk = null;
      oldPath = undefined;
      newPath = undefined;
      continue;
    }
    if (!file) continue;
    if (hunk) {
      const first = line[0];
      if (first === '+' ) {
        hunk.lines.push({ type: 'add', content: line.slice(1), old_line: null, new_line: newLine++ });
        file.additions++;
        continue;
      }
      if (first === '-') {
        hunk.lines.push({ type: 'delete', content: line.slice(1), old_line: oldLine++, new_line: null });
        file.deletions++;
        continue;
      }
      if (first === ' ' || line === '') {
        hunk.lines.push({ type: 'context', content: line.slice(1), old_line: oldLine++, new_line: newLine++ });
        continue;
      }
      if (first === '\\') {
        hunk.lines.push({ type: 'no_newline', content: line.slice(2), old_line: null, new_line: null });
        continue;
      }
    }
    const h = hunkHeader.exec(line);
    if (h) {
      oldLine = Number(h[1]);
      newLine = Number(h[3]);
      hunk = { header: line, old_start: oldLine, old_lines: h[2] === undefined ? 1 : Number(h[2]), new_start: newLine, new_lines: h[4] === undefined ? 1 : Number(h[4]), lines: [] };
      file.hunks.push(hunk);
      continue;
    }
    if (line.startsWith('--- ')) oldPath = sidePath(line.slice(4));
    else if (line.startsWith('+++ ')) newPath = sidePath(line.slice(4));
    else if (line.startsWith('rename from ') || line.startsWith('copy from ')) {
      file.old_path = unquoteGitPath(line.slice(line.indexOf(' from ') + 6));
      file.status = line.startsWith('rename') ? 'renamed' : 'copied';
    } else if (line.startsWith('rename to ') || line.startsWith('copy to ')) file.path = unquoteGitPath(line.slice(line.indexOf(' to ') + 4));
    else if (line.startsWith('new file mode ')) {
      file.status = 'added';
      file.new_mode = line.slice(14);
    } else if (line.startsWith('deleted file mode ')) {
      file.status = 'deleted';
      file.old_mode = line.slice(18);
    } else if (line.startsWith('old mode ')) file.old_mode = line.slice(9);
    else if (line.startsWith('new mode ')) file.new_mode = line.slice(9);
    else if (line.startsWith('Binary files ') || line === 'GIT binary patch') file.binary = true;
  }
  finish();
  return files;
}
