import type { Response } from 'express';

/**
 * Content Security Policy of every page and asset: only the service's own origin. Inline styles
 * are allowed because ECharts and GraphiQL set style attributes; fonts and images may be `data:`
 * URIs bundled into the CSS (GraphiQL's icon font). No script, connection, frame or form may
 * reach another origin, so a page can never call out of the intranet.
 */
export const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Sets the CSP and the other browser hardening headers on a response. */
export function setPageSecurityHeaders(res: Response): void {
  res.setHeader('Content-Security-Policy', PAGE_CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
}
