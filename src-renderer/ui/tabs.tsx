/** Accessible tabs (roving focus with arrow keys), used for panel sections. */
import { useRef } from 'react';

export interface TabItem<K extends string> {
  key: K;
  label: string;
  badge?: string | number;
}

export function Tabs<K extends string>({ items, value, onChange, label }: { items: TabItem<K>[]; value: K; onChange: (key: K) => void; label: string }) {
  const refs = useRef<Array<HTMLButtonElement | null>>([]);
  const move = (index: number) => {
    const next = (index + items.length) % items.length;
    const item = items[next];
    if (!item) return;
    onChange(item.key);
    refs.current[next]?.focus();
  };
  return (
    <div className="tabs" role="tablist" aria-label={label}>
      {items.map((item, i) => (
        <button
          key={item.key}
          ref={(el) => {
            refs.current[i] = el;
          }}
          type="button"
          role="tab"
          aria-selected={item.key === value}
          tabIndex={item.key === value ? 0 : -1}
          className={item.key === value ? 'tab tab-active' : 'tab'}
          onClick={() => onChange(item.key)}
          onKeyDown={(e) => {
            if (e.key === 'ArrowRight') move(i + 1);
            if (e.key === 'ArrowLeft') move(i - 1);
          }}
        >
          {item.label}
          {item.badge !== undefined && item.badge !== 0 && <span className="badge">{item.badge}</span>}
        </button>
      ))}
    </div>
  );
}
