import { useId, useRef, type KeyboardEvent, type ReactNode } from 'react';

export interface TabDef<K extends string> { key: K; label: string }

/** WAI-ARIA tabs: arrow keys move between tabs, the panel is labelled by its tab. */
export function Tabs<K extends string>({ tabs, current, onChange, label, children }: { tabs: Array<TabDef<K>>; current: K; onChange: (k: K) => void; label: string; children: ReactNode }) {
  const base = useId();
  const refs = useRef<Array<HTMLButtonElement | null>>([]);
  const keyDown = (e: KeyboardEvent, i: number) => {
    const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (step === 0) return;
    e.preventDefault();
    const next = (i + step + tabs.length) % tabs.length;
    const t = tabs[next];
    if (t !== undefined) { onChange(t.key); refs.current[next]?.focus(); }
  };
  return (
    <div>
      <div role="tablist" aria-label={label} className="tabs">
        {tabs.map((t, i) => (
          <button key={t.key} ref={(el) => { refs.current[i] = el; }} type="button" role="tab" id={`${base}-${t.key}`} aria-selected={t.key === current}
            aria-controls={`${base}-panel`} tabIndex={t.key === current ? 0 : -1} onClick={() => onChange(t.key)} onKeyDown={(e) => keyDown(e, i)}>
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`${base}-panel`} aria-labelledby={`${base}-${current}`} tabIndex={0} className="tabpanel">
        {children}
      </div>
    </div>
  );
}
