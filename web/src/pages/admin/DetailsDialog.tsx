import { useState, type FormEvent } from 'react';
import type { Details } from '../../admin-api.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { Field } from '../../components/Field.tsx';
import { FormActions } from '../../components/FormActions.tsx';
import { ErrorMessage } from '../../components/Status.tsx';
import { useAction } from '../../hooks.ts';

/** Renames a group or administrative unit and edits its description (PATCH); the API checks the values. */
export function DetailsDialog({ title, nameLabel, initial, onSave, onClose, onSaved }: {
  title: string; nameLabel: string; initial: Details;
  onSave: (d: Details) => Promise<unknown>; onClose: () => void; onSaved: (d: Details) => void;
}) {
  const [name, setName] = useState(initial.displayName);
  const [description, setDescription] = useState(initial.description ?? '');
  const { busy, error, run } = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const d: Details = { displayName: name.trim(), description: description.trim() === '' ? null : description.trim() };
    await run(async () => { await onSave(d); onSaved(d); });
  };
  return (
    <Dialog title={title} onClose={onClose}>
      {/* noValidate: the API's rules (and its message) decide, not the browser's. */}
      <form className="stack" noValidate onSubmit={(e) => void submit(e)}>
        <Field label={nameLabel}><input value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" /></Field>
        <Field label="Description" hint="Empty removes it."><textarea value={description} onChange={(e) => setDescription(e.target.value)} rows={3} /></Field>
        <ErrorMessage message={error} />
        <FormActions busy={busy} label="Save" onCancel={onClose} />
      </form>
    </Dialog>
  );
}
