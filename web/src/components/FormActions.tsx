/** A form's footer: the submit button, relabelled and disabled while busy, and Cancel when it can be cancelled. */
export function FormActions({ busy, label, busyLabel = 'Saving…', disabled = false, className, onCancel }: {
  busy: boolean; label: string; busyLabel?: string;
  /** Disabled for another reason than being busy. */
  disabled?: boolean;
  /** The submit button's class, e.g. "danger". */
  className?: string;
  onCancel?: () => void;
}) {
  return (
    <div className="actions">
      <button type="submit" className={className} disabled={busy || disabled}>{busy ? busyLabel : label}</button>
      {onCancel !== undefined && <button type="button" className="secondary" onClick={onCancel}>Cancel</button>}
    </div>
  );
}
