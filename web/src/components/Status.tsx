import type { ReactNode } from 'react';

/** Loading, empty and error states, the same on every page. */
export function Loading({ what }: { what: string }) {
  return <p className="muted" role="status" aria-live="polite">Loading {what}…</p>;
}

export function ErrorMessage({ message, onRetry }: { message: string | null; onRetry?: () => void }) {
  if (message === null) return null;
  return (
    <div className="error" role="alert">
      <span>{message}</span>
      {onRetry !== undefined && <button type="button" className="link" onClick={onRetry}>Try again</button>}
    </div>
  );
}

export function Notice({ children }: { children: ReactNode }) {
  return <div className="notice" role="status" aria-live="polite">{children}</div>;
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}
