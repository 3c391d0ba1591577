/**
 * Signing in from a Teams personal tab, with Teams' single sign-on: the workspace opened inside
 * Teams knows who is there without asking.
 *
 * The tab opens `${WORKSPACE_URL}/sign-in/teams` (the app package's static tab). That page loads
 * the Microsoft Teams JS SDK (served from node_modules, never a CDN) and assets/teams-tab.mjs,
 * which calls `app.initialize()`, then `authentication.getAuthToken()`, and posts the token to
 * the same path in a form with the page's CSRF token. Here the token is checked by teamsToken.ts
 * (Microsoft's signature, audience `api://HOST/APP_ID` or the app id, the token's own tenant and
 * the allow-list, expiry, a user), its `oid` mapped to a member of staff with
 * `store.staff.byTeamsId` — as the bot maps the sender of a message — and the session started.
 *
 * Whatever goes wrong — a bad token or someone not on the staff list — the person sees one page
 * that says only that they cannot sign in, any session already in the browser is ended, and the
 * log gets the reason as a fixed phrase, never the token or what it says.
 *
 * The token's POST is protected like every other form (csrf.ts): by the CSRF token, bound to the
 * browser's own session id, and by its Origin, which must be the workspace's (WORKSPACE_URL's, or
 * the address the request was made to). Without them another site could sign a browser in as
 * *its* user (login CSRF) with a token of its own; with them, it would need the CSRF cookie and
 * the session cookie of the victim's browser, which it can neither read nor set, and a browser
 * that posts its form says where it came from.
 */
import type { Request, Response } from 'express';
import type { Config } from '../service/config.js';
import type { Logger } from '../service/log.js';
import { endSession } from './session.js';
import type { SignIn } from './signIn.js';
import { createTeamsTokenVerifier, type TeamsTokenSettings } from './teamsToken.js';

/** The tab's page, under the workspace: the Teams app package's static tab opens WORKSPACE_URL + this. */
export const TEAMS_TAB_PATH = '/sign-in/teams';

/**
 * Teams tab single sign-on, checking tokens with these settings.
 * @throws TypeError when the settings are unusable (teamsToken.ts says which).
 */
export function teamsSignIn(settings: TeamsTokenSettings): SignIn {
  const verify = createTeamsTokenVerifier(settings);
  return {
    method: 'teams-tab',
    framed: true,
    mount(router, context) {
      const { store, log, pages } = context;

      // The tab's page, and where anyone not signed in is sent: inside Teams it signs them in.
      const tabPage = (req: Request, res: Response) => pages.send(res, 'teams-sign-in', { ...context.layout(req, res), pageTitle: 'Signing you in' });
      router.get('/sign-in', tabPage);
      router.get(TEAMS_TAB_PATH, tabPage);

      router.post(TEAMS_TAB_PATH, async (req, res) => {
        const body: unknown = req.body;
        const token = body && typeof body === 'object' ? (body as Record<string, unknown>).token : undefined;
        const result = await verify(typeof token === 'string' ? token : '');
        const actor = result.ok ? await store.staff.byTeamsId(result.aadObjectId) : undefined;
        if (actor) {
          context.signedIn(req, res, actor.id);
          return;
        }

        // Nobody stays signed in on a refused token: not even whoever was signed in before in this browser.
        endSession(req);
        log.warn('workspace: Teams sign-in refused', { channel: 'web', verb: 'sign-in', status: 403, error: result.ok ? 'not on the staff list' : result.reason });
        pages.send(res, 'teams-sign-in-refused', { ...context.layout(req, res), pageTitle: 'You cannot sign in' }, 403);
      });
    },
  };
}

/**
 * Teams tab sign-in as the settings allow it: with a Microsoft app id, for the host of
 * WORKSPACE_URL (the tab's public address, as in its Application ID URI `api://HOST/APP_ID`),
 * tenants from TEAMS_ALLOWED_TENANTS. Without WORKSPACE_URL, or with settings the token check
 * cannot use, there is none — the log says why, once, at start; the service runs on without it.
 */
export function teamsSignInFor(config: Config, log: Logger, testing: { readonly jwksUrl?: string } = {}): SignIn | undefined {
  const appId = config.MicrosoftAppId;
  if (!appId) return undefined;
  const unavailable = (why: string) => {
    log.warn(`workspace: Teams tab sign-in is not available: ${why}`, { channel: 'web' });
    return undefined;
  };
  if (!config.WORKSPACE_URL) return unavailable('WORKSPACE_URL is not set (the tab\'s public address, https://HOST/workspace)');
  const url = new URL(config.WORKSPACE_URL);
  if (url.protocol !== 'https:') return unavailable('WORKSPACE_URL is not https (Teams opens tabs over https only)');
  try {
    const signIn = teamsSignIn({ appId, host: url.host, allowedTenants: config.TEAMS_ALLOWED_TENANTS, ...(testing.jwksUrl ? { jwksUrl: testing.jwksUrl } : {}) });
    log.info(`workspace: Teams tab sign-in on, for api://${url.host}/${appId}`, { channel: 'web', url: `${config.WORKSPACE_URL}${TEAMS_TAB_PATH}` });
    return signIn;
  } catch (error) {
    if (error instanceof TypeError) return unavailable(`MicrosoftAppId, WORKSPACE_URL's host or TEAMS_ALLOWED_TENANTS cannot be used: ${error.message.replace(/^teams token verifier: /, '')}`);
    throw error;
  }
}
