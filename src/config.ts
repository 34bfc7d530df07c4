import { readFileSync } from 'node:fs';
import path from 'node:path';

/** One typed, validated config object, read once at start from the environment. */
export interface Config {
  databaseUrl: string;
  host: string;
  port: number;
  dataDir: string;
  publicUrl: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Cap on role-assignable groups (Entra: 500 per tenant). */
  maxRoleAssignableGroups: number;
  /** Days a soft-deleted object stays restorable. */
  softDeleteRetentionDays: number;
  /** Checks per minute per caller on the check API. */
  checkRateLimitPerMinute: number;
  /** How often a node picks up changes other nodes made (ms). */
  indexPollMs: number;
  /** Hours a request waits for approval before it is canceled (Entra: 24, fixed). */
  approvalTimeoutHours: number;
  /** Run the due-time jobs (expiries, starts, approval timeouts, reminders) in this server. */
  scheduler: boolean;
  /** How often the scheduler looks for due jobs (ms). */
  schedulerIntervalMs: number;
  /** Server key (32 bytes) sealing secrets such as TOTP seeds; when unset, a key file in the data directory. */
  secretKey: Buffer | undefined;
  /** A session ends after this long without use (minutes). */
  sessionIdleMinutes: number;
  /** …and this long after sign-in, however busy (hours). */
  sessionAbsoluteHours: number;
  /** Migrate on start (the embedded default); off for operators who run `pim migrate` themselves. */
  autoMigrate: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Secrets may come from FILE variants (PIM_DATABASE_URL_FILE) so they stay out of the environment. */
function read(env: Env, key: string, problems: string[]): string | undefined {
  const file = env[`${key}_FILE`];
  if (file !== undefined && file !== '') {
    try {
      return readFileSync(file, 'utf8').trim();
    } catch {
      problems.push(`${key}_FILE: cannot read ${file}`);
      return undefined;
    }
  }
  const v = env[key];
  return v === undefined || v === '' ? undefined : v;
}

function int(env: Env, key: string, def: number, min: number, max: number, problems: string[]): number {
  const raw = read(env, key, problems);
  if (raw === undefined) return def;
  if (!/^\d+$/.test(raw)) {
    problems.push(`${key}: expected an integer between ${min} and ${max}, got "${raw}"`);
    return def;
  }
  const n = Number(raw);
  if (n < min || n > max) problems.push(`${key}: expected an integer between ${min} and ${max}, got ${n}`);
  return n;
}

function bool(env: Env, key: string, def: boolean, problems: string[]): boolean {
  const raw = read(env, key, problems);
  if (raw === undefined) return def;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  problems.push(`${key}: expected true or false, got "${raw}"`);
  return def;
}

/** 32 bytes, as 64 hex digits or base64 / base64url. */
function secretKey(raw: string | undefined, problems: string[]): Buffer | undefined {
  if (raw === undefined) return undefined;
  const key = /^[0-9a-fA-F]{64}$/.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, raw.includes('-') || raw.includes('_') ? 'base64url' : 'base64');
  if (key.length !== 32) problems.push('PIM_SECRET_KEY: expected 32 bytes as 64 hex digits or base64 (e.g. `openssl rand -base64 32`)');
  return key;
}

export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): Config {
  const problems: string[] = [];
  const dataDir = path.resolve(cwd, read(env, 'PIM_DATA_DIR', problems) ?? 'data');
  const host = read(env, 'PIM_HOST', problems) ?? '127.0.0.1';
  const port = int(env, 'PIM_PORT', 8080, 0, 65535, problems);

  const databaseUrl = read(env, 'PIM_DATABASE_URL', problems) ?? `sqlite:${path.join(dataDir, 'openpim.db')}`;
  if (!/^(sqlite:|postgres(ql)?:\/\/)/.test(databaseUrl)) {
    problems.push(`PIM_DATABASE_URL: expected sqlite:<path> or postgres://…, got "${databaseUrl.replace(/:[^:@/]*@/, ':***@')}"`);
  }

  const urlHost = host.includes(':') ? `[${host}]` : host;
  const publicUrl = (read(env, 'PIM_PUBLIC_URL', problems) ?? `http://${urlHost}:${port}`).replace(/\/+$/, '');
  try {
    const u = new URL(publicUrl);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') problems.push(`PIM_PUBLIC_URL: expected an http(s) URL, got "${publicUrl}"`);
  } catch {
    problems.push(`PIM_PUBLIC_URL: expected an http(s) URL, got "${publicUrl}"`);
  }

  const logLevelRaw = read(env, 'PIM_LOG_LEVEL', problems) ?? 'info';
  const logLevel = (LOG_LEVELS as readonly string[]).includes(logLevelRaw) ? (logLevelRaw as Config['logLevel']) : 'info';
  if (logLevel !== logLevelRaw) problems.push(`PIM_LOG_LEVEL: expected one of ${LOG_LEVELS.join(', ')}, got "${logLevelRaw}"`);

  const config: Config = {
    databaseUrl,
    host,
    port,
    dataDir,
    publicUrl,
    logLevel,
    maxRoleAssignableGroups: int(env, 'PIM_MAX_ROLE_ASSIGNABLE_GROUPS', 500, 1, 100_000, problems),
    softDeleteRetentionDays: int(env, 'PIM_SOFT_DELETE_RETENTION_DAYS', 30, 1, 3650, problems),
    checkRateLimitPerMinute: int(env, 'PIM_CHECK_RATE_LIMIT_PER_MINUTE', 600_000, 1, 100_000_000, problems),
    indexPollMs: int(env, 'PIM_INDEX_POLL_MS', 1000, 50, 3_600_000, problems),
    approvalTimeoutHours: int(env, 'PIM_APPROVAL_TIMEOUT_HOURS', 24, 1, 720, problems),
    scheduler: bool(env, 'PIM_SCHEDULER', true, problems),
    schedulerIntervalMs: int(env, 'PIM_SCHEDULER_INTERVAL_MS', 1000, 100, 600_000, problems),
    secretKey: secretKey(read(env, 'PIM_SECRET_KEY', problems), problems),
    sessionIdleMinutes: int(env, 'PIM_SESSION_IDLE_MINUTES', 30, 1, 1440, problems),
    sessionAbsoluteHours: int(env, 'PIM_SESSION_ABSOLUTE_HOURS', 12, 1, 720, problems),
    autoMigrate: bool(env, 'PIM_AUTO_MIGRATE', true, problems),
  };

  const known = new Set(['PIM_DATA_DIR', 'PIM_HOST', 'PIM_PORT', 'PIM_DATABASE_URL', 'PIM_PUBLIC_URL', 'PIM_LOG_LEVEL',
    'PIM_MAX_ROLE_ASSIGNABLE_GROUPS', 'PIM_SOFT_DELETE_RETENTION_DAYS', 'PIM_CHECK_RATE_LIMIT_PER_MINUTE',
    'PIM_INDEX_POLL_MS', 'PIM_APPROVAL_TIMEOUT_HOURS', 'PIM_SCHEDULER', 'PIM_SCHEDULER_INTERVAL_MS', 'PIM_SECRET_KEY', 'PIM_SESSION_IDLE_MINUTES', 'PIM_SESSION_ABSOLUTE_HOURS', 'PIM_AUTO_MIGRATE', 'PIM_TEST_DATABASE_URL', 'PIM_URL', 'PIM_TOKEN', 'PIM_CONFIG_DIR']);
  for (const key of Object.keys(env)) {
    const base = key.endsWith('_FILE') ? key.slice(0, -5) : key;
    // A typo such as PIM_PROT would otherwise be ignored silently.
    if (key.startsWith('PIM_') && !known.has(base)) problems.push(`${key}: unknown setting`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
