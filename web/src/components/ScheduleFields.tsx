import { useId } from 'react';
import { localInputToIso } from '../format.ts';
import type { CreateRequest } from '../requests.ts';

export type ScheduleInput = NonNullable<CreateRequest['schedule']>;
export interface ScheduleChoice { mode: 'permanent' | 'days' | 'until'; days: string; until: string; start: string }
export const EMPTY_CHOICE: ScheduleChoice = { mode: 'permanent', days: '30', until: '', start: '' };

/** The schedule the API takes: permanent, a duration in days from the start, or an end. The API checks the rules. */
export function scheduleInput(c: ScheduleChoice, withStart: boolean): ScheduleInput {
  const startAt = withStart ? localInputToIso(c.start) : undefined;
  const start = startAt !== undefined ? { startAt } : {};
  if (c.mode === 'permanent') return { ...start, permanent: true };
  if (c.mode === 'days') return { ...start, duration: `P${c.days.trim() === '' ? '0' : c.days.trim()}D` };
  const endAt = localInputToIso(c.until);
  return { ...start, ...(endAt !== undefined ? { endAt } : {}) };
}

export function describeChoice(c: ScheduleChoice): string {
  if (c.mode === 'permanent') return 'permanent';
  if (c.mode === 'days') return `for ${c.days} days`;
  return `until ${c.until.replace('T', ' ')}`;
}

/**
 * Permanent, a number of days, or an end date (and optionally a start): PIM-REFERENCE §1.6's
 * "Permanent checkbox or start/end". No browser limits: the role's rules come from the API.
 */
export function ScheduleFields({ value, onChange, withStart, permanentLabel = 'Permanent' }: { value: ScheduleChoice; onChange: (c: ScheduleChoice) => void; withStart: boolean; permanentLabel?: string }) {
  const id = useId();
  const set = (patch: Partial<ScheduleChoice>) => onChange({ ...value, ...patch });
  return (
    <fieldset className="stack">
      <legend>Duration</legend>
      <label className="check"><input type="radio" name={`${id}-mode`} checked={value.mode === 'permanent'} onChange={() => set({ mode: 'permanent' })} /> {permanentLabel}</label>
      <label className="check"><input type="radio" name={`${id}-mode`} checked={value.mode === 'days'} onChange={() => set({ mode: 'days' })} /> For a number of days</label>
      {value.mode === 'days' && (
        <label>Number of days
          <input type="number" inputMode="numeric" value={value.days} onChange={(e) => set({ days: e.target.value })} />
        </label>
      )}
      <label className="check"><input type="radio" name={`${id}-mode`} checked={value.mode === 'until'} onChange={() => set({ mode: 'until' })} /> Until a date</label>
      {value.mode === 'until' && (
        <label>End date and time
          <input type="datetime-local" value={value.until} onChange={(e) => set({ until: e.target.value })} />
        </label>
      )}
      {withStart && (
        <label>Start (optional: empty starts now)
          <input type="datetime-local" value={value.start} onChange={(e) => set({ start: e.target.value })} />
        </label>
      )}
    </fieldset>
  );
}
