/**
 * Parser for `git log -z` with our NUL-separated format (LOG_FORMAT): each commit starts with a
 * record separator (0x1e), then hash, parents, author, committer, subject and body separated by
 * NUL, optionally followed by `--name-status -z` entries. Pure: tested on fixture strings.
 */
import type { ChangeKind } from './parse-status.js';

/** Fields in order; `%x1e` opens a record so commits with and without file lists split the same way. */
export const LOG_FORMAT = '%x1e%H%x00%P%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI%x00%s%x00%b';
const FIELD_COUNT = 10;

export interface CommitFile {
  path: string;
  old_path?: string;
  status: ChangeKind | 'unmerged' | 'unknown';
}

export interface Commit {
  hash: string;
  short_hash: string;
  parents: string[];
  author: { name: string; email: string; date: string };
  committer: { name: string; email: string; date: string };
  subject: string;
  body: string;
  files?: CommitFile[];
}

const statusOf: Record<string, CommitFile['status']> = {
  A: 'added',
  M: 'modified',
  D: 'deleted',
  R: 'renamed',
  C: 'copied',
  T: 'type_changed',
  U: 'unmerged',
};

export function parseLog(output: string, withFiles = false): Commit[] {
  const commits: Commit[] = [];
  for (const record of output.split('\x1e')) {
    if (!record) continue;
    const tokens = record.split('\0');
    if (tokens.length < FIELD_COUNT) throw new Error(`malformed log record: ${JSON.stringify(record.slice(0, 80))}`);
    const [hash, parents, an, ae, ad, cn, ce, cd, subject, body] = tokens as [string, string, string, string, string, string, string, string, string, string];
    const commit: Commit = {
      hash,
      short_hash: hash.slice(0, 7),
      parents: parents ? parents.split(' ') : [],
      author: { name: an, email: ae, date: ad },
      committer: { name: cn, email: ce, date: cd },
      subject,
      body: body.replace(/\s+$/, ''),
    };
    if (withFiles) commit.files = parseNameStatus(tokens.slice(FIELD_COUNT));
    commits.push(commit);
  }
  return commits;
}

/** `--name-status -z` tokens: STATUS, path (or STATUS, old, new for renames and copies). */
export function parseNameStatus(tokens: string[]): CommitFile[] {
  const files: CommitFile[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const code = tokens[i]!.replace(/^\n+/, '');
    if (!code) continue;
    const status = statusOf[code[0]!] ?? 'unknown';
    if (code[0] === 'R' || code[0] === 'C') {
      const oldPath = tokens[++i] ?? '';
      const path = tokens[++i] ?? '';
      files.push({ path, old_path: oldPath, status });
    } else {
      files.push({ path: tokens[++i] ?? '', status });
    }
  }
  return files;
}
