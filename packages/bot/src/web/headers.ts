/**
 * The workspace's security headers (helmet): a content security policy allowing nothing inline
 * and nothing from elsewhere — scripts, styles, fonts and images come from the workspace's own
 * assets — and framing only by the workspace itself, and by Microsoft Teams only where the
 * workspace is a Teams tab (Teams tab sign-in is on).
 */
import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * Teams' web, desktop and new (cloud.microsoft) clients frame a personal tab from these origins.
 * Microsoft's tab requirements (learn.microsoft.com/microsoftteams/platform/tabs/how-to/tab-requirements)
 * list `teams.microsoft.com` and `*.teams.microsoft.com` for Teams, and for the clients moving to the
 * unified domain only the wildcard `*.cloud.microsoft` ("All hosts (New)"): no narrower Teams host
 * under cloud.microsoft is documented as a frame ancestor, so the wildcard stays — a narrower
 * guess could leave the tab blank in Teams. The Microsoft 365 app's and Outlook's hosts are not
 * listed: the tab is for Teams only.
 */
export const TEAMS_FRAME_ANCESTORS = ['https://teams.microsoft.com', 'https://*.teams.microsoft.com', 'https://*.cloud.microsoft'];

export interface SecurityHeaderOptions {
  /** Reached over HTTPS: HSTS and upgrade-insecure-requests. */
  readonly https: boolean;
  /** The workspace is a Teams tab (Teams tab sign-in is on): Teams may frame it. Otherwise only the workspace itself may. */
  readonly teamsTab: boolean;
}

export function securityHeaders(options: SecurityHeaderOptions): RequestHandler {
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
        frameAncestors: options.teamsTab ? ["'self'", ...TEAMS_FRAME_ANCESTORS] : ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        // Only over HTTPS: on http://127.0.0.1 (local mode) it would send the browser to an https that is not there.
        ...(options.https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    // X-Frame-Options cannot name Teams; frame-ancestors above does, and browsers obey it first.
    // (Without a Teams tab, frame-ancestors 'self' alone is what SAMEORIGIN would say.)
    xFrameOptions: false,
    strictTransportSecurity: options.https ? { maxAge: 31_536_000 } : false,
    referrerPolicy: { policy: 'same-origin' },
  });
}
