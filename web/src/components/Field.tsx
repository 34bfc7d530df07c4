import { cloneElement, useId, type ReactElement, type ReactNode } from 'react';

type Control = ReactElement<{ id?: string; 'aria-describedby'?: string }>;

/** A labelled control with an optional hint that is described-by, not part of, its name. */
export function Field({ label, hint, children }: { label: string; hint?: ReactNode; children: Control }) {
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {cloneElement(children, { id, ...(hint !== undefined ? { 'aria-describedby': hintId } : {}) })}
      {hint !== undefined && <span id={hintId} className="hint">{hint}</span>}
    </div>
  );
}
