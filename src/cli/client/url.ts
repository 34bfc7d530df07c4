/** The server address: normalised once, joined with API paths, and judged for clear-text transport. */

export class UrlError extends Error {}

/**
 * `https://example.com/pim/` → `https://example.com/pim`. The path is kept: behind a reverse proxy
 * the server may live under a prefix. User info, query and fragment have no meaning here and are
 * refused rather than silently dropped (and a password in the URL would land in the shell history).
 */
export function serverUrl(text: string): string {
  let u: URL;
  try {
    u = new URL(text.trim());
  } catch {
    throw new UrlError(`"${text}" is not a server URL: use e.g. https://pim.example.com or https://example.com/pim.`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new UrlError(`${text}: the server URL must start with https:// (or http:// on this machine).`);
  if (u.username !== '' || u.password !== '') throw new UrlError(`${u.host}: leave the user name and password out of the URL; pim login asks for them.`);
  if (u.search !== '' || u.hash !== '') throw new UrlError(`${text}: the server URL takes no ?query or #fragment.`);
  return `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
}

/**
 * The URL of an API path (`/api/v1/…`, with its query) on this server. Not `new URL(path, base)`:
 * an absolute path replaces the base's own path, so `https://example.com/pim` would lose `/pim`
 * (and a path starting with `//` would even switch hosts).
 */
export function apiUrl(base: string, path: string): URL {
  if (!path.startsWith('/')) throw new Error(`API paths are absolute (got "${path}")`);
  const b = new URL(base);
  return new URL(`${b.origin}${b.pathname.replace(/\/+$/, '')}${path}`);
}

/**
 * Loopback: 127.0.0.0/8, ::1 and the name localhost. Judged on the parsed host, so
 * `http://127.0.0.1.evil.example` or `http://localhost@evil.example` are not loopback.
 */
export function isLoopback(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** True when passwords, codes and tokens sent to this URL would cross a network unencrypted. */
export function isClearText(url: string): boolean {
  return new URL(url).protocol === 'http:' && !isLoopback(url);
}
