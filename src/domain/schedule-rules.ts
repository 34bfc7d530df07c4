import { DAY_MS, MINUTE_MS, parseDuration } from './duration.ts';
import { invalid } from './errors.ts';

export type ScheduleKind = 'eligible' | 'active';

/** PIM-REFERENCE §1.1: no assignment shorter than 5 minutes, no removal within 5 minutes of creation. */
export const MIN_ASSIGNMENT_MS = 5 * MINUTE_MS;
export const REMOVAL_LOCK_MS = 5 * MINUTE_MS;
/** A requested start this far in the past is taken as "now" (clock skew); earlier is refused. */
export const START_SKEW_MS = 5 * MINUTE_MS;

/** The assignment tab of role settings (PIM-REFERENCE §2.2), for one kind. */
export interface ExpirationRule {
  /** Entra's `isExpirationRequired = false`. */
  permanentAllowed: boolean;
  /** Entra's `maximumDuration`, enforced when expiration is required. */
  maximumDurationMs: number;
}

/** Entra's live default policy: permanent allowed; caps of 365 days (eligible) and 180 days (active). */
export const DEFAULT_EXPIRATION: Record<ScheduleKind, ExpirationRule> = {
  eligible: { permanentAllowed: true, maximumDurationMs: 365 * DAY_MS },
  active: { permanentAllowed: true, maximumDurationMs: 180 * DAY_MS },
};

export interface ScheduleInput {
  startAt?: string | undefined;
  duration?: string | undefined;
  endAt?: string | undefined;
  permanent?: boolean | undefined;
}

export interface Window {
  startAt: number;
  endAt: number | null;
}

function parseInstant(text: string, field: string): number {
  const ms = Date.parse(text);
  if (!Number.isFinite(ms) || !/^\d{4}-\d{2}-\d{2}T/.test(text)) throw invalid('schedule.invalid_time', `${field} must be an ISO-8601 date-time.`, { field });
  return ms;
}

/**
 * Turns a requested schedule into a concrete window `[startAt, endAt)` and checks it
 * against the expiration rule. Exactly one of duration, endAt or permanent must be given.
 */
export function resolveWindow(nowMs: number, input: ScheduleInput, rule: ExpirationRule): Window {
  let startAt = input.startAt === undefined ? nowMs : parseInstant(input.startAt, 'schedule.startAt');
  if (startAt < nowMs - START_SKEW_MS) throw invalid('schedule.start_in_past', 'The start time is in the past.', { startAt: input.startAt });
  startAt = Math.max(startAt, nowMs);

  const given = [input.duration !== undefined, input.endAt !== undefined, input.permanent === true].filter(Boolean).length;
  if (given !== 1) {
    throw invalid('schedule.expiration_ambiguous', 'Give exactly one of schedule.duration, schedule.endAt or schedule.permanent: true.');
  }
  if (input.permanent === true) {
    if (!rule.permanentAllowed) {
      throw invalid('schedule.permanent_not_allowed', 'This role requires assignments to expire.', { maximumDuration: rule.maximumDurationMs });
    }
    return { startAt, endAt: null };
  }
  const endAt = input.duration !== undefined ? startAt + parseDuration(input.duration) : parseInstant(input.endAt ?? '', 'schedule.endAt');
  checkLength(startAt, endAt, rule);
  return { startAt, endAt };
}

export function checkLength(startAt: number, endAt: number, rule: ExpirationRule): void {
  if (endAt - startAt < MIN_ASSIGNMENT_MS) {
    throw invalid('schedule.too_short', 'An assignment must last at least 5 minutes.', { minimumMinutes: 5 });
  }
  if (!rule.permanentAllowed && endAt - startAt > rule.maximumDurationMs) {
    throw invalid('schedule.too_long', 'The assignment is longer than this role allows.', { maximumDays: rule.maximumDurationMs / DAY_MS });
  }
}

/** Removal is refused within 5 minutes of creation (PIM-REFERENCE §1.1). */
export function checkRemovable(createdAt: number, nowMs: number): void {
  if (nowMs - createdAt < REMOVAL_LOCK_MS) {
    throw invalid('schedule.removal_too_soon', 'An assignment cannot be removed within 5 minutes of being created.', {
      removableAt: new Date(createdAt + REMOVAL_LOCK_MS).toISOString(),
    });
  }
}

/** A schedule is in force on the half-open interval [startAt, endAt), unless ended earlier. */
export function isInForce(s: { startAt: number; endAt: number | null; endedAt: number | null }, at: number): boolean {
  if (at < s.startAt) return false;
  if (s.endAt !== null && at >= s.endAt) return false;
  if (s.endedAt !== null && at >= s.endedAt) return false;
  return true;
}
