/**
 * Parser for `git for-each-ref` over refs/heads and refs/remotes with our NUL-separated format
 * (BRANCH_FORMAT): name, current marker, tip, upstream with ahead/behind, subject and date.
 * Pure: tested on fixture strings.
 */

export const BRANCH_FORMAT = ['%(refname)', '%(refname:short)', '%(HEAD)', '%(objectname)', '%(upstream:short)', '%(upstream:track,nobracket)', '%(symref)', '%(committerdate:iso-strict)', '%(contents:subject)'].join('%00');

export interface Branch {
  name: string;
  full_name: string;
  type: 'local' | 'remote';
  remote: string | null;
  current: boolean;
  commit: string;
  upstream: string | null;
  ahead: number | null;
  behind: number | null;
  upstream_gone: boolean;
  subject: string;
  committed_at: string | null;
}

/** "ahead 2, behind 1" | "ahead 2" | "behind 1" | "gone" | "" */
export function parseTrack(track: string): { ahead: number; behind: number; gone: boolean } {
  if (track === 'gone') return { ahead: 0, behind: 0, gone: true };
  const ahead = /ahead (\d+)/.exec(track);
  const behind = /behind (\d+)/.exec(track);
  return { ahead: ahead ? Number(ahead[1]) : 0, behind: behind ? Number(behind[1]) : 0, gone: false };
}

export function parseBranches(output: string, remotes: string[] = []): Branch[] {
  const branches: Branch[] = [];
  for (const line of output.split('\n')) {
    if (!line) continue;
    const [full, short, head, oid, upstream, track, symref, date, subject] = line.split('\0') as Array<string | undefined>;
    if (!full || !short || symref) continue; // refs/remotes/origin/HEAD is a pointer, not a branch
    const remoteRef = full.startsWith('refs/remotes/');
    let remote: string | null = null;
    if (remoteRef) {
      const rest = full.slice('refs/remotes/'.length);
      remote = remotes.filter((r) => rest.startsWith(`${r}/`)).sort((a, b) => b.length - a.length)[0] ?? rest.split('/')[0] ?? null;
    }
    const t = upstream ? parseTrack(track ?? '') : null;
    branches.push({
      name: short,
      full_name: full,
      type: remoteRef ? 'remote' : 'local',
      remote,
      current: head === '*',
      commit: oid ?? '',
      upstream: upstream || null,
      ahead: t && !t.gone ? t.ahead : null,
      behind: t && !t.gone ? t.behind : null,
      upstream_gone: t?.gone ?? false,
      subject: subject ?? '',
      committed_at: date || null,
    });
  }
  return branches;
}
