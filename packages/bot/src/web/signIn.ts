/**
 * How a member of staff proves who they are to the workspace. Each way is a `SignIn` that adds
 * its own routes under /workspace/sign-in… and ends by starting a session for a staff id.
 *
 * Only local sign-in exists so far: a list of the staff to choose from, for a trial on one's own
 * computer — offered only in local mode (no Microsoft app id) and never in production. Next to
 * plug in here: Teams tab single sign-on (the tab's token, checked by teamsToken.ts, its `oid`
 * mapped with `store.staff.byTeamsId`), and OpenID Connect for the browser outside Teams.
 * With no way to sign in, the sign-in page says so (403) and nothing else is reachable.
 */
import type { Request, Response, Router } from 'express';
import type { CaseStore } from '@before-exclusion/workflows';
import { isLocalMode, type Config } from '../service/config.js';
import type { Logger } from '../service/log.js';
import type { Pages } from './views.js';
import { roleName } from './words.js';

export interface SignInContext {
  readonly store: CaseStore;
  readonly log: Logger;
  readonly pages: Pages;
  /** What every page needs drawn around it (the CSRF token for its forms, the banner). */
  layout(req: Request, res: Response): Record<string, unknown>;
  /** Starts the session for a member of staff (the id only) and sends them to their cases. */
  signedIn(req: Request, res: Response, staffId: string): void;
}

export interface SignIn {
  /** For logs: "local"; later "teams-tab", "oidc". */
  readonly method: string;
  /** Adds this way's routes (its page, its callback or token exchange) to the workspace's router. */
  mount(router: Router, context: SignInContext): void;
}

/** The ways of signing in these settings allow. */
export function signInMethods(config: Config): SignIn[] {
  return isLocalMode(config) && config.NODE_ENV !== 'production' ? [localSignIn] : [];
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
