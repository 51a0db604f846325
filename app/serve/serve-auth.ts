/**
 * Serve mode's gatekeeping, as pure functions of a request's headers: the random token (Bearer header, the page's
 * cookie, or `?token=` on a GET), compared in constant time; and the DNS-rebinding check that `Host` names the
 * loopback origin being served and that `Origin`, when a browser sends one, is that same origin.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** 256 random bits, URL-safe. */
export function createToken(): string {
  return randomBytes(32).toString('base64url');
}

export function tokenMatches(given: string | null | undefined, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The cookie that carries the token for the page (per port: cookies ignore ports, two servers must not clash). */
export function tokenCookieName(port: number): string {
  return `splade_token_${port}`;
}

export function tokenCookie(port: number, token: string): string {
  return `${tokenCookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}

/** The token a request carries: Bearer header first, then the cookie, then (GET only) `?token=`. */
export function requestToken(headers: IncomingHttpHeaders, url: URL, method: string, port: number): string | null {
  const auth = headers.authorization;
  if (typeof auth === 'string') {
    const match = /^Bearer\s+(\S+)$/i.exec(auth.trim());
    return match ? match[1]! : null;
  }
  const cookies = typeof headers.cookie === 'string' ? headers.cookie : '';
  const name = tokenCookieName(port);
  for (const part of cookies.split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  if (method === 'GET') return url.searchParams.get('token');
  return null;
}

/** The Host values that name this server (after DNS rebinding a browser sends the attacker's host name instead). */
export function allowedHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

/** Null when Host and Origin name this server, else why not (answered with 403). */
export function originProblem(headers: IncomingHttpHeaders, port: number): string | null {
  const host = headers.host?.toLowerCase();
  if (!host || !allowedHosts(port).includes(host)) return `Host ${JSON.stringify(headers.host ?? '')} is not this server`;
  const origin = headers.origin;
  if (origin !== undefined && origin !== `http://${host}`) return `Origin ${JSON.stringify(origin)} is not this server`;
  return null;
}
