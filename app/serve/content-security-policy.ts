/**
 * The Content-Security-Policy of the app's page, in Electron (custom protocol) and in serve mode (HTTP header):
 * scripts, styles and connections only from the app's own origin (a Vite production build has no inline scripts),
 * images and fonts also as data: URIs (Vite inlines small assets), nothing else — no eval, no plugins, no frames,
 * no forms, no <base>.
 */
export function contentSecurityPolicy(options: { connect?: string[] } = {}): string {
  const connect = ["'self'", ...(options.connect ?? [])].join(' ');
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src ${connect}`,
    "worker-src 'self'",
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "object-src 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
