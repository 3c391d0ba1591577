/**
 * The workspace's security headers (helmet): a content security policy allowing nothing inline
 * and nothing from elsewhere — scripts, styles, fonts and images come from the workspace's own
 * assets — and framing only by the workspace itself and Microsoft Teams, where it will be a tab.
 */
import type { RequestHandler } from 'express';
import helmet from 'helmet';

/** Teams' web, desktop and new (cloud.microsoft) clients frame a personal tab from these origins. */
export const TEAMS_FRAME_ANCESTORS = ['https://teams.microsoft.com', 'https://*.teams.microsoft.com', 'https://*.cloud.microsoft'];

export function securityHeaders(options: { readonly https: boolean }): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'"],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'self'", ...TEAMS_FRAME_ANCESTORS],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        // Only over HTTPS: on http://127.0.0.1 (local mode) it would send the browser to an https that is not there.
        ...(options.https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    // X-Frame-Options cannot name Teams; frame-ancestors above does, and browsers obey it first.
    xFrameOptions: false,
    strictTransportSecurity: options.https ? { maxAge: 31_536_000 } : false,
    referrerPolicy: { policy: 'same-origin' },
  });
}
