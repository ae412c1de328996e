/**
 * Git's `--progress` lines ("Receiving objects:  45% (9/20)", "remote: Counting objects: 3, done.")
 * parsed into phase / percent / counts, for the `git_progress` event.
 */
export interface GitProgress {
  phase: string;
  percent: number | null;
  current: number | null;
  total: number | null;
  done: boolean;
  text: string;
}

const withPercent = /^(?:remote: )?([A-Za-z][A-Za-z ]+?):\s+(\d{1,3})% \((\d+)\/(\d+)\)(.*)$/;
const withCount = /^(?:remote: )?([A-Za-z][A-Za-z ]+?):\s+(\d+)(?:,|$)(.*)$/;

export function parseProgressLine(raw: string): GitProgress | null {
  const text = raw.trim();
  if (!text) return null;
  let m = withPercent.exec(text);
  if (m) {
    return {
      phase: m[1]!.trim(),
      percent: Number(m[2]),
      current: Number(m[3]),
      total: Number(m[4]),
      done: /done\.?\s*$/.test(m[5] ?? ''),
      text,
    };
  }
  m = withCount.exec(text);
  if (m && /objects|deltas/i.test(m[1]!)) {
    return { phase: m[1]!.trim(), percent: null, current: Number(m[2]), total: null, done: /done\.?\s*$/.test(m[3] ?? ''), text };
  }
  return null;
}
