import { adminApi } from '../../admin-api.ts';
import { Field } from '../../components/Field.tsx';
import { useLoad } from '../../hooks.ts';

const OTHER = '__other__';

/** The scope of an assignment: the directory, one administrative unit, or a scope path typed in. */
export function ScopeField({ value, onChange }: { value: string; onChange: (scope: string) => void }) {
  const units = useLoad(() => adminApi.units({ limit: 200 }), 'units');
  const known = ['/', ...(units.data?.items.map((u) => u.scope) ?? [])];
  const other = !known.includes(value);
  return (
    <>
      <Field label="Scope" hint={units.error !== null ? `Administrative units could not be listed: ${units.error}` : 'Directory: everywhere; an administrative unit: only there.'}>
        <select value={other ? OTHER : value} onChange={(e) => onChange(e.target.value === OTHER ? '/resources/' : e.target.value)}>
          <option value="/">Directory (/)</option>
          {(units.data?.items ?? []).map((u) => <option key={u.id} value={u.scope}>Administrative unit: {u.displayName}</option>)}
          <option value={OTHER}>Another scope…</option>
        </select>
      </Field>
      {other && (
        <Field label="Scope path" hint="For example /resources/db/prod.">
          <input value={value} onChange={(e) => onChange(e.target.value)} spellCheck={false} />
        </Field>
      )}
    </>
  );
}
