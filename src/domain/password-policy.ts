import { invalid } from './errors.ts';

/**
 * The password rule (NIST SP 800-63B): length matters, composition rules do not. At least 12
 * characters (at most 256), not a well-known password, not the account's own name, not one
 * character repeated. Long passphrases are welcome; MFA is what really protects an account.
 */
export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 256;

const COMMON = new Set([
  'password', 'password1', 'password123', 'passw0rd', '123456789012', '1234567890123', 'qwertyuiop', 'qwertyuiopas', 'qwerty123456',
  'iloveyou', 'letmein', 'welcome', 'welcome123', 'admin', 'administrator', 'changeme', 'changeme123', 'trustno1', 'monkey',
  'dragon', 'football', 'baseball', 'sunshine', 'princess', 'superman', 'starwars', 'whatever', 'michael', 'shadow',
  'master', 'abc123', 'abcdefghijkl', 'correcthorsebatterystaple', 'passwordpassword', 'p@ssw0rd', 'p@ssword', 'summer2024',
  'winter2024', 'spring2025', 'autumn2025', 'summer2025', 'winter2025', 'summer2026', 'winter2026', 'openpim', 'openpimadmin',
]);

export function checkPassword(password: string, userPrincipalName: string): void {
  const problems: string[] = [];
  if (password.length < PASSWORD_MIN) problems.push(`at least ${PASSWORD_MIN} characters`);
  if (password.length > PASSWORD_MAX) problems.push(`at most ${PASSWORD_MAX} characters`);
  const lower = password.toLowerCase();
  const local = userPrincipalName.toLowerCase().split('@')[0] ?? '';
  if (COMMON.has(lower) || COMMON.has(lower.replace(/[0-9!@#$%^&*]+$/, ''))) problems.push('not a well-known password');
  if (local.length >= 3 && lower.includes(local)) problems.push('not containing your user name');
  if (password.length > 0 && new Set(password).size <= 2) problems.push('more than one or two distinct characters');
  if (problems.length > 0) throw invalid('auth.password_weak', `Choose a password with ${problems.join(', ')}.`, { problems });
}
