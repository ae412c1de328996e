/**
 * Parser for `git status --porcelain=v2 --branch -z`: branch headers, ordinary and renamed/copied
 * entries, unmerged (conflicted) entries and untracked files. NUL-separated, so names with spaces,
 * tabs, newlines or quotes arrive intact. Pure: tested on fixture strings.
 */

export type ChangeKind = 'added' | 'modified' | 'deleted' | 'renamed' | 'copied' | 'type_changed';

export interface FileChange {
  path: string;
  old_path?: string;
  status: ChangeKind;
  /** Rename/copy similarity (0–100) when git reported one. */
  similarity?: number;
}

export type ConflictKind =
  | 'both_modified'
  | 'both_added'
  | 'both_deleted'
  | 'added_by_us'
  | 'added_by_them'
  | 'deleted_by_us'
  | 'deleted_by_them';

export interface ConflictedFile {
  path: string;
  conflict: ConflictKind;
}

export interface ParsedStatus {
  head_oid: string | null;
  branch: string | null;
  detached: boolean;
  upstream: string | null;
  ahead: number | null;
  behind: number | null;
  staged: FileChange[];
  unstaged: FileChange[];
  untracked: string[];
  conflicted: ConflictedFile[];
}

const kindOf: Record<string, ChangeKind | undefined> = {
  A: 'added',
  M: 'modified',
  D: 'deleted',
  R: 'renamed',
  C: 'copied',
  T: 'type_changed',
};

const conflictOf: Record<string, ConflictKind> = {
  DD: 'both_deleted',
  AU: 'added_by_us',
  UD: 'deleted_by_them',
  UA: 'added_by_them',
  DU: 'deleted_by_us',
  AA: 'both_added',
  UU: 'both_modified',
};

/** Split "<n fields separated by single spaces> <rest>" where the rest (a path) may contain spaces. */
function fields(entry: string, count: number): { parts: string[]; rest: string } {
  const parts: string[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    const next = entry.indexOf(' ', at);
    if (next < 0) throw new Error(`malformed status entry: ${JSON.stringify(entry)}`);
    parts.push(entry.slice(at, next));
    at = next + 1;
  }
  return { parts, rest: entry.slice(at) };
}

export function parsePorcelainStatus(output: string): ParsedStatus {
  const status: ParsedStatus = {
    head_oid: null,
    branch: null,
    detached: false,
    upstream: null,
    ahead: null,
    behind: null,
    staged: [],
    unstaged: [],
    untracked: [],
    conflicted: [],
  };
  const tokens = output.split('\0');
  for (let i = 0; i < tokens.length; i++) {
    const entry = tokens[i]!;
    if (!entry) continue;
    const type = entry[0];
    if (type === '#') {
      const { parts, rest } = fields(entry, 2);
      const key = parts[1];
      if (key === 'branch.oid') status.head_oid = rest === '(initial)' ? null : rest;
      else if (key === 'branch.head') {
        status.detached = rest === '(detached)';
        status.branch = status.detached ? null : rest;
      } else if (key === 'branch.upstream') status.upstream = rest;
      else if (key === 'branch.ab') {
        const m = /^\+(\d+) -(\d+)$/.exec(rest);
        if (m) {
          status.ahead = Number(m[1]);
          status.behind = Number(m[2]);
        }
      }
    } else if (type === '1' || type === '2') {
      // 1 XY sub mH mI mW hH hI path   |   2 XY sub mH mI mW hH hI Xscore path \0 origPath
      const { parts, rest } = fields(entry, type === '1' ? 8 : 9);
      const xy = parts[1]!;
      let oldPath: string | undefined;
      let similarity: number | undefined;
      if (type === '2') {
        oldPath = tokens[++i];
        similarity = Number(parts[8]!.slice(1));
      }
      const x = kindOf[xy[0]!];
      const y = kindOf[xy[1]!];
      if (x) status.staged.push(change(rest, x, oldPath, similarity));
      // A worktree-side rename only exists for intent-to-add entries; the path pair belongs to the index side otherwise.
      if (y) status.unstaged.push(change(rest, y, x ? undefined : oldPath, x ? undefined : similarity));
    } else if (type === 'u') {
      const { parts, rest } = fields(entry, 10);
      status.conflicted.push({ path: rest, conflict: conflictOf[parts[1]!] ?? 'both_modified' });
    } else if (type === '?') {
      status.untracked.push(entry.slice(2));
    }
    // '!' (ignored) entries are not requested.
  }
  return status;
}

function change(path: string, kind: ChangeKind, oldPath?: string, similarity?: number): FileChange {
  const c: FileChange = { path, status: kind };
  if (oldPath !== undefined && (kind === 'renamed' || kind === 'copied')) {
    c.old_path = oldPath;
    if (similarity !== undefined && Number.isFinite(similarity)) c.similarity = similarity;
  }
  return c;
}
