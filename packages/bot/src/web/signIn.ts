/**
 * How a member of staff proves who they are to the workspace. Each way is a `SignIn` that adds
 * its own routes under /workspace/sign-in… and ends by starting a session for a staff id.
 *
 * - Local sign-in: a list of the staff to choose from, for a trial on one's own computer —
 *   offered only with no credentials for any channel (no Microsoft app id, no Slack secrets, no
 *   OIDC_… setting), with HOST a loopback address, and never in production
 *   (`localSignInRefusal` in config.ts). The workspace then answers only requests addressed to
 *   localhost, 127.0.0.1 or [::1] (workspace.ts), so that another site cannot reach it through
 *   DNS rebinding.
 * - Teams tab single sign-on (teamsSignIn.ts): with a Microsoft app id and WORKSPACE_URL, the
 *   workspace as a personal tab in Teams; the tab's token, checked by teamsToken.ts, its `oid`
 *   mapped with `store.staff.byTeamsId`.
 * - OpenID Connect (oidcSignIn.ts): in a browser outside Teams, with Microsoft Entra ID (the same
 *   app registration by default) — the authorization code flow with PKCE, the ID token's `oid`
 *   mapped the same way. A link on the sign-in page: beside the Teams tab's sign-in where both
 *   are on, alone otherwise (never beside the local list: OIDC settings end the local trial).
 *
 * With no way to sign in, the sign-in page says so (403) and nothing else is reachable.
 */
import type { Request, Response, Router } from 'express';
import type { CaseStore } from '@before-exclusion/workflows';
import { localSignInRefusal, type Config } from '../service/config.js';
import type { Logger } from '../service/log.js';
import { oidcSignInFor } from './oidcSignIn.js';
import { teamsSignInFor } from './teamsSignIn.js';
import type { Pages } from './views.js';
import { roleName } from './words.js';

export interface SignInContext {
  readonly store: CaseStore;
  readonly log: Logger;
  readonly pages: Pages;
  /** What every page needs drawn around it (the CSRF token for its forms, the banner). */
  layout(req: Request, res: Response): Record<string, unknown>;
  /**
   * Starts the session for a member of staff — their id, this way of signing in, the time — with a
   * fresh session id (and so fresh CSRF tokens), and sends them to their cases.
   */
  signedIn(req: Request, res: Response, staffId: string): void;
}

export interface SignIn {
  /** For logs: "local", "teams-tab", "oidc". */
  readonly method: string;
  /**
   * A way that begins with a link (OpenID Connect: to the provider): every sign-in page shows it
   * as a button, whichever way's page it is. `path` is under the workspace.
   */
  readonly link?: { readonly text: string; readonly path: string };
  /**
   * Signs people in inside another site's frame (a Teams tab). The workspace's cookies are then
   * `SameSite=None; Secure; Partitioned` so that the framed pages get them (session.ts), and every
   * page loads the Teams JS SDK to follow Teams' theme.
   */
  readonly framed?: boolean;
  /** Adds this way's routes (its page, its callback or token exchange) to the workspace's router. */
  mount(router: Router, context: SignInContext): void;
}

export interface SignInOptions {
  /** Says at start why a way of signing in the settings ask for is not available. */
  readonly log?: Logger;
  /** Tests only: where the Teams tab's token signing keys are published (a local server), instead of Microsoft's. */
  readonly teamsJwksUrl?: string;
}

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * The ways of signing in these settings allow: local sign-in in a local trial (no credentials at
 * all, a loopback HOST, not production), Teams tab sign-in with a Microsoft app id, and after
 * either OpenID Connect where its settings are complete. The first takes the sign-in page;
 * OpenID Connect's button shows on it.
 */
export function signInMethods(config: Config, options: SignInOptions = {}): SignIn[] {
  const log = options.log ?? quiet;
  const refusal = localSignInRefusal(config);
  // Without a Microsoft app id someone may have expected the staff list: say once why it is not there.
  if (refusal && !config.MicrosoftAppId && config.NODE_ENV !== 'production') log.info(`workspace: local sign-in (the staff list) is not offered: ${refusal}`, { channel: 'web' });
  const first = refusal === undefined ? localSignIn : teamsSignInFor(config, log, options.teamsJwksUrl ? { jwksUrl: options.teamsJwksUrl } : {});
  const oidc = oidcSignInFor(config, log);
  return [first, oidc].filter((method): method is SignIn => method !== undefined);
}

/** Choose yourself from the staff list. Local trials only: it proves nothing about who is at the keyboard. */
export const localSignIn: SignIn = {
  method: 'local',
  mount(router, context) {
    const { store, pages } = context;
    const staffItems = async (chosen?: string) =>
      (await store.staff.list()).map((s) => ({ value: s.id, text: s.displayName, hint: { text: roleName(s.role) }, checked: s.id === chosen }));

    router.get('/sign-in', async (req, res) => {
      pages.send(res, 'sign-in', { ...context.layout(req, res), pageTitle: 'Sign in', staffItems: await staffItems(), errors: [] });
    });

    router.post('/sign-in', async (req, res) => {
      const body: unknown = req.body;
      const chosen = body && typeof body === 'object' ? (body as Record<string, unknown>).staffId : undefined;
      const staff = await store.staff.list();
      const member = typeof chosen === 'string' ? staff.find((s) => s.id === chosen) : undefined;
      if (!member) {
        const message = 'Choose who you are signing in as';
        pages.send(res, 'sign-in', { ...context.layout(req, res), pageTitle: 'Sign in', staffItems: await staffItems(), errors: [{ text: message, href: '#staffId' }], staffError: message }, 400);
        return;
      }
      context.signedIn(req, res, member.id);
    });
  },
};
