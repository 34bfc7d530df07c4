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
  /**
   * Which proxies to believe about the client address (X-Forwarded-For): false (direct),
   * a hop count, or addresses/CIDRs. Behind a proxy this must be set, or every sign-in
   * attempt looks like it comes from the proxy and the per-address throttle hits everyone.
   */
  trustProxy: boolean | number | string[];
  /** Migrate on start (the embedded default); off for operators who run `pim migrate` themselves. */
  autoMigrate: boolean;
  /** Single sign-on with an OpenID Connect provider; null when not configured (password sign-in only). */
  oidc: OidcConfig | null;
  /** Mail and webhooks (the delivery worker). */
  delivery: DeliveryConfig;
}

export interface DeliveryConfig {
  /** smtp:// or smtps:// URL (credentials inside); null: no SMTP, mails are kept for admins to read. */
  smtpUrl: string | null;
  /** The From address of every mail. */
  mailFrom: string;
  /** Send mail and webhooks from this server (off for nodes that only serve requests). */
  worker: boolean;
  /** How often the worker looks for messages to send (ms). */
  intervalMs: number;
  /** Hours after its event a delivery is given up and raised as an alert. */
  giveUpHours: number;
  /** At most this many addresses are mailed for one event. */
  maxRecipients: number;
}

export interface OidcConfig {
  /** The issuer identifier (discovery at <issuer>/.well-known/openid-configuration). https, or http on a loopback host. */
  issuer: string;
  clientId: string;
  /** Sent with client_secret_basic; without it the client is public (PKCE alone). */
  clientSecret: string | undefined;
  /** Requested scopes; always includes openid. */
  scopes: string[];
  /** `acr` values that mean the provider did MFA (besides the `amr` rule); sent as acr_values on step-up. */
  mfaAcr: string[];
  /** Create a user on first sign-in when no one matches (upn = the verified email). */
  createUsers: boolean;
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

function trustProxyOf(raw: string | undefined, problems: string[]): boolean | number | string[] {
  if (raw === undefined || /^(false|0|no|off)$/i.test(raw)) return false;
  if (/^(true|yes|on)$/i.test(raw)) return true;
  if (/^\d+$/.test(raw)) return Number(raw);
  const list = raw.split(',').map((x) => x.trim()).filter((x) => x !== '');
  if (list.some((x) => !/^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(x))) problems.push(`PIM_TRUST_PROXY: expected false, true, a hop count or a comma list of addresses/CIDRs, got "${raw}"`);
  return list;
}

/** 32 bytes, as 64 hex digits or base64 / base64url. */
function secretKey(raw: string | undefined, problems: string[]): Buffer | undefined {
  if (raw === undefined) return undefined;
  const key = /^[0-9a-fA-F]{64}$/.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, raw.includes('-') || raw.includes('_') ? 'base64url' : 'base64');
  if (key.length !== 32) problems.push('PIM_SECRET_KEY: expected 32 bytes as 64 hex digits or base64 (e.g. `openssl rand -base64 32`)');
  return key;
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/** SSO settings: all or nothing. Issuer and client id switch it on; the others need both. */
function oidcConfig(env: Env, problems: string[]): OidcConfig | null {
  const issuer = read(env, 'PIM_OIDC_ISSUER', problems);
  const clientId = read(env, 'PIM_OIDC_CLIENT_ID', problems);
  const clientSecret = read(env, 'PIM_OIDC_CLIENT_SECRET', problems);
  const scopesRaw = read(env, 'PIM_OIDC_SCOPES', problems);
  const acrRaw = read(env, 'PIM_OIDC_MFA_ACR', problems);
  const createUsers = bool(env, 'PIM_OIDC_CREATE_USERS', true, problems);
  if (issuer === undefined && clientId === undefined) {
    const given = { PIM_OIDC_CLIENT_SECRET: clientSecret, PIM_OIDC_SCOPES: scopesRaw, PIM_OIDC_MFA_ACR: acrRaw, PIM_OIDC_CREATE_USERS: read(env, 'PIM_OIDC_CREATE_USERS', []) };
    const stray = Object.entries(given).filter(([, v]) => v !== undefined).map(([k]) => k);
    if (stray.length > 0) problems.push(`${stray.join(', ')}: set PIM_OIDC_ISSUER and PIM_OIDC_CLIENT_ID too (single sign-on is off without them)`);
    return null;
  }
  if (issuer === undefined) problems.push('PIM_OIDC_ISSUER: required when PIM_OIDC_CLIENT_ID is set');
  if (clientId === undefined) problems.push('PIM_OIDC_CLIENT_ID: required when PIM_OIDC_ISSUER is set');
  if (issuer !== undefined) {
    let u: URL | undefined;
    try { u = new URL(issuer); } catch { /* reported below */ }
    if (u === undefined || (u.protocol !== 'https:' && u.protocol !== 'http:')) problems.push(`PIM_OIDC_ISSUER: expected an https URL, got "${issuer}"`);
    else if (u.protocol === 'http:' && !LOOPBACK.test(u.hostname)) problems.push(`PIM_OIDC_ISSUER: plain http is allowed only on a loopback host (localhost, 127.x.x.x, [::1]), got "${issuer}"`);
    else if (u.search !== '' || u.hash !== '' || u.username !== '' || u.password !== '') problems.push(`PIM_OIDC_ISSUER: expected an issuer identifier without query, fragment or credentials, got "${issuer}"`);
  }
  const scopes = (scopesRaw ?? 'openid email profile').split(/[\s,]+/).filter((x) => x !== '');
  if (!scopes.includes('openid')) problems.push(`PIM_OIDC_SCOPES: must include openid, got "${scopesRaw ?? ''}"`);
  if (scopes.some((x) => !/^[\x21\x23-\x5B\x5D-\x7E]+$/.test(x))) problems.push(`PIM_OIDC_SCOPES: expected space-separated scope names, got "${scopesRaw ?? ''}"`);
  const mfaAcr = (acrRaw ?? '').split(',').map((x) => x.trim()).filter((x) => x !== '');
  if (issuer === undefined || clientId === undefined) return null;
  return { issuer, clientId, clientSecret, scopes, mfaAcr, createUsers };
}

function deliveryConfig(env: Env, problems: string[]): DeliveryConfig {
  const smtpUrl = read(env, 'PIM_SMTP_URL', problems) ?? null;
  if (smtpUrl !== null && !/^smtps?:\/\/[^/]/.test(smtpUrl)) problems.push('PIM_SMTP_URL: expected smtp://host:port or smtps://user:password@host:port');
  const mailFrom = read(env, 'PIM_MAIL_FROM', problems) ?? 'openpim <openpim@localhost>';
  // One line with an address in it: a From header must not be able to smuggle in another header.
  if (/[\r\n]/.test(mailFrom) || !/@/.test(mailFrom)) problems.push('PIM_MAIL_FROM: expected one address such as "openpim <pim@example.com>"');
  return {
    smtpUrl, mailFrom,
    worker: bool(env, 'PIM_DELIVERY_WORKER', true, problems),
    intervalMs: int(env, 'PIM_DELIVERY_INTERVAL_MS', 2000, 100, 600_000, problems),
    giveUpHours: int(env, 'PIM_DELIVERY_GIVE_UP_HOURS', 96, 1, 24 * 30, problems),
    maxRecipients: int(env, 'PIM_NOTIFY_MAX_RECIPIENTS', 1000, 1, 100_000, problems),
  };
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
    trustProxy: trustProxyOf(read(env, 'PIM_TRUST_PROXY', problems), problems),
    autoMigrate: bool(env, 'PIM_AUTO_MIGRATE', true, problems),
    oidc: oidcConfig(env, problems),
    delivery: deliveryConfig(env, problems),
  };

  const known = new Set(['PIM_DATA_DIR', 'PIM_HOST', 'PIM_PORT', 'PIM_DATABASE_URL', 'PIM_PUBLIC_URL', 'PIM_LOG_LEVEL',
    'PIM_MAX_ROLE_ASSIGNABLE_GROUPS', 'PIM_SOFT_DELETE_RETENTION_DAYS', 'PIM_CHECK_RATE_LIMIT_PER_MINUTE',
    'PIM_INDEX_POLL_MS', 'PIM_APPROVAL_TIMEOUT_HOURS', 'PIM_SCHEDULER', 'PIM_SCHEDULER_INTERVAL_MS', 'PIM_SECRET_KEY', 'PIM_TRUST_PROXY', 'PIM_SESSION_IDLE_MINUTES', 'PIM_SESSION_ABSOLUTE_HOURS', 'PIM_AUTO_MIGRATE',
    'PIM_OIDC_ISSUER', 'PIM_OIDC_CLIENT_ID', 'PIM_OIDC_CLIENT_SECRET', 'PIM_OIDC_SCOPES', 'PIM_OIDC_MFA_ACR', 'PIM_OIDC_CREATE_USERS', 'PIM_SMTP_URL', 'PIM_MAIL_FROM', 'PIM_DELIVERY_WORKER', 'PIM_DELIVERY_INTERVAL_MS', 'PIM_DELIVERY_GIVE_UP_HOURS', 'PIM_NOTIFY_MAX_RECIPIENTS',
    'PIM_TEST_DATABASE_URL', 'PIM_URL', 'PIM_TOKEN', 'PIM_CONFIG_DIR']);
  for (const key of Object.keys(env)) {
    const base = key.endsWith('_FILE') ? key.slice(0, -5) : key;
    // A typo such as PIM_PROT would otherwise be ignored silently.
    if (key.startsWith('PIM_') && !known.has(base)) problems.push(`${key}: unknown setting`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** The file of a `sqlite:<path>` database URL (undefined for PostgreSQL and for `sqlite::memory:`). */
export function sqliteFileOf(databaseUrl: string): string | undefined {
  if (!databaseUrl.startsWith('sqlite:')) return undefined;
  const file = databaseUrl.slice('sqlite:'.length);
  return file === ':memory:' ? undefined : file;
}
