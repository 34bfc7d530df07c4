import { useState, type FormEvent } from 'react';
import { adminApi, type Role, type RoleInput } from '../../admin-api.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { Field } from '../../components/Field.tsx';
import { FormActions } from '../../components/FormActions.tsx';
import { ErrorMessage } from '../../components/Status.tsx';
import { useAction } from '../../hooks.ts';

/** "record:read\n db:* , x" → ["record:read", "db:*", "x"]: one action a line (commas too), blanks and repeats dropped. */
export function parsePermissions(text: string): string[] {
  return [...new Set(text.split(/[\n,]/).map((p) => p.trim()).filter((p) => p !== ''))];
}

/**
 * Creates a custom role, or edits one: name, description and the actions it grants
 * (resource:verb strings). The API checks them and its message is shown as is.
 */
export function RoleForm({ role, onSaved, onCancel }: { role?: Role; onSaved: (r: Role) => void; onCancel?: () => void }) {
  const [name, setName] = useState(role?.displayName ?? '');
  const [description, setDescription] = useState(role?.description ?? '');
  const [permissions, setPermissions] = useState((role?.permissions ?? []).join('\n'));
  const { busy, error, run } = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body: RoleInput = { displayName: name.trim(), description: description.trim() === '' ? null : description.trim(), permissions: parsePermissions(permissions) };
    await run(async () => {
      const saved = role === undefined ? await adminApi.createRole(body) : await adminApi.updateRole(role.id, body);
      if (role === undefined) { setName(''); setDescription(''); setPermissions(''); }
      onSaved(saved);
    });
  };
  const verb = role === undefined ? 'Create role' : 'Save role';
  return (
    // noValidate: the API's rules (and its message) decide, not the browser's.
    <form className="stack" noValidate aria-label={role === undefined ? 'New custom role' : `Edit ${role.displayName}`} onSubmit={(e) => void submit(e)}>
      <div className="grid2">
        <Field label="Role name"><input value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" /></Field>
        <Field label="Description (optional)"><input value={description} onChange={(e) => setDescription(e.target.value)} autoComplete="off" /></Field>
      </div>
      <Field label="Permissions" hint="One action a line, as resource:verb — for example record:read or db:admin; db:* is every db action and * is everything.">
        <textarea className="role-permissions" value={permissions} onChange={(e) => setPermissions(e.target.value)} rows={5} spellCheck={false} />
      </Field>
      <ErrorMessage message={error} />
      <FormActions busy={busy} label={verb} onCancel={onCancel} />
    </form>
  );
}

/** The edit dialog of a custom role's page. */
export function EditRoleDialog({ role, onClose, onSaved }: { role: Role; onClose: () => void; onSaved: (r: Role) => void }) {
  return (
    <Dialog title={`Edit ${role.displayName}`} onClose={onClose} wide>
      <RoleForm role={role} onSaved={onSaved} onCancel={onClose} />
    </Dialog>
  );
}
