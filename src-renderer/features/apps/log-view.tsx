/**
 * A live log: follows an SSE stream of the runtime (app logs, script output), renders ANSI colours
 * with ansi_up (HTML-escaped), keeps the last lines only and sticks to the bottom while the user
 * has not scrolled up. Resumes with Last-Event-ID after a drop.
 */
import { AnsiUp } from 'ansi_up';
import { useEffect, useRef, useState } from 'react';
import { subscribeSse } from '../../../src-runtime/client/index.js';
import type { WireEvent } from '../../../src-runtime/contract/events.js';
import { currentConnection } from '../../api/client.js';

const MAX_LINES = 2000;

export interface LogLine {
  key: number;
  html: string;
  stream: string;
}

export function useSseLines(url: string | null, pick: (e: WireEvent) => { line: string; stream: string } | null, onEvent?: (e: WireEvent) => void) {
  const [lines, setLines] = useState<LogLine[]>([]);
  const pickRef = useRef(pick);
  pickRef.current = pick;
  const onEventRef = useRef(onEvent);
  onEventRef.current = onEvent;
  useEffect(() => {
    setLines([]);
    if (!url) return;
    const ansi = new AnsiUp();
    let key = 0;
    let pending: LogLine[] = [];
    let frame = 0;
    const flush = () => {
      frame = 0;
      const batch = pending;
      pending = [];
      setLines((old) => {
        const next = old.concat(batch);
        return next.length > MAX_LINES ? next.slice(next.length - MAX_LINES) : next;
      });
    };
    const sub = subscribeSse({
      url,
      token: currentConnection().token,
      onEvent: (e) => {
        onEventRef.current?.(e);
        const picked = pickRef.current(e);
        if (!picked) return;
        pending.push({ key: key++, html: ansi.ansi_to_html(picked.line), stream: picked.stream });
        // Many lines per frame: render once per animation frame.
        frame ||= requestAnimationFrame(flush);
      },
      onEnd: () => false,
    });
    return () => {
      sub.close();
      cancelAnimationFrame(frame);
    };
  }, [url]);
  return lines;
}

export function LogView({ lines, label, empty = 'No output yet.' }: { lines: LogLine[]; label: string; empty?: string }) {
  const ref = useRef<HTMLPreElement>(null);
  const stick = useRef(true);
  useEffect(() => {
    const el = ref.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [lines]);
  return (
    <pre
      ref={ref}
      className="log"
      role="log"
      aria-label={label}
      aria-live="off"
      tabIndex={0}
      onScroll={(e) => {
        const el = e.currentTarget;
        stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
      }}
    >
      {lines.length === 0 ? (
        <span style={{ opacity: 0.6 }}>{empty}</span>
      ) : (
        lines.map((l) => <div key={l.key} className={l.stream === 'stderr' ? 'log-stderr' : undefined} dangerouslySetInnerHTML={{ __html: l.html || ' ' }} />)
      )}
    </pre>
  );
}
