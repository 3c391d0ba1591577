/**
 * The inclusion officer's web workspace, a third channel beside Teams and Slack, served by the
 * same service under /workspace: sign in, the cases one may see (filtered, most urgent first),
 * and a case read back in full with its notes and, for a suspension, its letters (letters.ts).
 * Server-rendered GOV.UK Frontend pages; the only scripts are GOV.UK Frontend's own and, as a
 * Teams tab, the Teams JS SDK's (teamsSignIn.ts).
 *
 * Every request reads who is signed in afresh from the store (the session holds a staff id, how
 * and when they signed in: session.ts), every case is reached through the workflows package's
 * access rules (a case one may not see is "not found", like one that does not exist), every form
 * POST carries a CSRF token and comes from the workspace's own origin (csrf.ts), and logs carry
 * ids only.
 *
 * Pages that read pupils' data (cases, a case, figures, downloads) are not served to another
 * site's request (`Sec-Fetch-Site: cross-site`): a link, an image or a frame elsewhere cannot make
 * a signed-in browser read — and so audit a read — in its owner's name. A person who followed a
 * link from elsewhere (a case's link in a Teams or Slack chat in a browser) gets a page with a
 * link to go on, which is then the workspace's own. The Teams tab's page, which Teams frames, and
 * the sign-in pages are not data and are served.
 *
 * In a local trial (local sign-in: the staff list), the workspace answers only requests
 * addressed to this computer — localhost, 127.0.0.1 or [::1] — so that a page elsewhere cannot
 * reach it by DNS rebinding (a name of its own that it points at 127.0.0.1).
 */
import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import { AccessDenied, CASE_KINDS, CaseNotFound, EventRefused, LetterRefused, PupilDataErased, lettersFitting, makeLetter, mayWriteLetters, type Actor, type CaseStore, type CaseView, type MadeLetter } from '@before-exclusion/workflows';
import { isLoopbackHost } from '../service/config.js';
import { errorText, type Logger } from '../service/log.js';
import { assets } from './assets.js';
import { casePage, readNote, type CaseReading } from './casePage.js';
import { PAGE_SIZE, listCases, paginationItems, queryFor, readFilters, type CaseFilters, type CaseListPage, type FieldError } from './caseList.js';
import { csrf } from './csrf.js';
import { figuresRouter } from './figures.js';
import { whatIfRouter } from './whatIf.js';
import { supportRouter } from './support.js';
import { letterErrorSummary, letterFormValues, readLetterForm, type LetterFieldError } from './letters.js';
import { securityHeaders } from './headers.js';
import { cookiePolicy, endSession, sessionStaffId, sessionUser, sessions, startSession } from './session.js';
import type { SignIn, SignInContext } from './signIn.js';
import { pages } from './views.js';
import { kindName, roleName, sentence } from './words.js';

/** Where the service mounts the workspace. */
export const WORKSPACE_PATH = '/workspace';

export interface WorkspaceOptions extends CaseReading {
  readonly store: CaseStore;
  readonly log: Logger;
  /** Signs the session cookie (and, derived from it, the CSRF cookie). */
  readonly sessionSecret: string;
  /** Reached over HTTPS (production, or an https WORKSPACE_URL): secure cookies, HSTS, upgrade-insecure-requests. */
  readonly https: boolean;
  /**
   * The ways of signing in these settings allow; none, and nobody can sign in. With local
   * sign-in (a local trial), a banner on every page says anyone here can sign in as anyone, and
   * only requests addressed to this computer are answered.
   */
  readonly signIn: readonly SignIn[];
  /** WORKSPACE_URL, the workspace's public address: a form POST from its origin is the workspace's own (behind a proxy too). */
  readonly publicUrl?: string | undefined;
}

/** Who is signed in, as read from the store for this request. */
interface SignedIn {
  readonly actor: Actor;
  readonly name: string;
  readonly role: string;
  /** A staff id in words: their display name ("the service" for the system). */
  readonly who: (id: string) => string;
}

/** Case ids are short and plain (peap-1b281312fd); anything else is not a case. */
const CASE_ID = /^[A-Za-z0-9_-]{1,80}$/;

export function workspaceRouter(options: WorkspaceOptions): Router {
  const { store, log } = options;
  const base = WORKSPACE_PATH;
  const views = pages();
  // A local trial: anyone who reaches the workspace may sign in as anyone.
  const localMode = options.signIn.some((method) => method.method === 'local');
  // A session is good only from a way of signing in offered now.
  const methods = new Set(options.signIn.map((method) => method.method));
  // A Teams tab is the workspace in another site's frame: its cookies must be SameSite=None there.
  const teamsTab = options.signIn.some((method) => method.framed === true);
  const cookies = cookiePolicy({ https: options.https, framed: teamsTab });
  const forms = csrf({ secret: options.sessionSecret, cookies, publicUrl: options.publicUrl, https: options.https });
  // Ways of signing in that begin with a link (OpenID Connect): a button on every sign-in page, and a Sign out even in a Teams tab's workspace.
  const signInLinks = options.signIn.flatMap((method) => (method.link ? [{ text: method.link.text, href: `${base}${method.link.path}` }] : []));
  const router = express.Router();

  router.use(securityHeaders({ https: options.https, teamsTab }));
  if (localMode) router.use(thisComputerOnly(log));
  router.use('/assets', assets(base));
  router.use(sessions({ secret: options.sessionSecret, cookies }));
  router.use(express.urlencoded({ extended: false, limit: '32kb', parameterLimit: 20 }));
  router.use(forms.protect);

  const layout = (req: Request, res: Response, me?: SignedIn) => ({
    base,
    localMode,
    teamsTab,
    signInLinks,
    csrfToken: forms.token(req, res),
    ...(me ? { user: { name: me.name, role: me.role } } : {}),
  });

  /** The person signed in, read afresh; otherwise they are sent to sign in, and undefined is returned. */
  async function signedIn(req: Request, res: Response): Promise<SignedIn | undefined> {
    const id = sessionUser(req, methods)?.staffId;
    // A session too old, or from a way of signing in not offered now: ended, and sign in again.
    if (!id && sessionStaffId(req)) endSession(req);
    if (id) {
      try {
        const actor = await store.staff.actorFor(id);
        const staff = await store.staff.list();
        const names = new Map(staff.map((s) => [s.id, s.displayName]));
        const me = staff.find((s) => s.id === id);
        return { actor, name: me?.displayName ?? id, role: roleName(actor.role), who: (who) => (who === 'system' ? 'The service' : (names.get(who) ?? who)) };
      } catch (error) {
        if (!(error instanceof AccessDenied)) throw error;
        endSession(req); // taken off the staff list since signing in
      }
    }
    res.redirect(303, `${base}/sign-in`);
    return undefined;
  }

  const signInContext = (method: SignIn): SignInContext => ({
    store,
    log,
    pages: views,
    layout: (req, res) => ({ ...layout(req, res), pageTitle: 'Sign in' }),
    signedIn(req, res, staffId) {
      startSession(req, staffId, method.method);
      log.info('workspace: signed in', { staffId, channel: 'web', verb: 'sign-in', kind: method.method });
      // Back from another site (the OpenID provider): a redirect would carry its cross-site mark on
      // to the case list, which refuses it; a page of the workspace's own goes on instead.
      if (req.headers['sec-fetch-site'] === 'cross-site') {
        views.send(res, 'go-on', { ...layout(req, res), pageTitle: 'Signed in', heading: 'You are signed in', next: `${base}/cases`, nextText: 'Go to your cases', refresh: true });
        return;
      }
      res.redirect(303, `${base}/cases`);
    },
  });
  for (const method of options.signIn) method.mount(router, signInContext(method));
  // No way of signing in took the page: say so, and offer nothing.
  router.all('/sign-in', (req, res) => views.send(res, 'sign-in-unavailable', { ...layout(req, res), pageTitle: 'Signing in is not available' }, 403));

  router.post('/sign-out', (req, res) => {
    const staffId = sessionStaffId(req);
    endSession(req);
    if (staffId) log.info('workspace: signed out', { staffId, channel: 'web', verb: 'sign-out' });
    res.redirect(303, `${base}/sign-in`);
  });

  router.get('/', (_req, res) => res.redirect(303, `${base}/cases`));

  // Pages that read pupils' data: never for another site's request (see the top of this file).
  const notCrossSite: RequestHandler = (req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || req.headers['sec-fetch-site'] !== 'cross-site') return next();
    log.warn('workspace: refused a request from another site', { staffId: sessionStaffId(req) ?? '', channel: 'web', status: 403 });
    // A person who followed a link here from elsewhere: a link to go on, from the workspace's own page.
    if (req.headers['sec-fetch-mode'] === 'navigate' && (req.headers['sec-fetch-dest'] ?? 'document') === 'document') {
      views.send(res, 'go-on', { ...layout(req, res), pageTitle: 'Open this page', heading: 'Open this page from the workspace', lines: ['You followed a link to the workspace from another site. Pages about pupils open only from the workspace itself, so that another site cannot open them in your name.'], next: req.originalUrl, nextText: 'Open the page' }, 403);
      return;
    }
    res.status(403).set('Cache-Control', 'no-store').type('text/plain').send('Refused: this page is not served to another site.\n');
  };
  router.use(['/cases', '/figures', '/what-if', '/support'], notCrossSite);

  router.get('/cases', async (req, res) => {
    const me = await signedIn(req, res);
    if (!me) return;
    const today = options.today();
    const { filters, errors } = readFilters(req.query, me.actor.schoolIds);
    let list: CaseListPage | undefined;
    if (!errors.length) {
      list = await listCases(store, me.actor, filters, today);
      if (filters.page > list.pages) errors.push({ field: 'page', text: `There is no page ${filters.page}: there ${list.pages === 1 ? 'is 1 page' : `are ${list.pages} pages`} of cases` });
    }
    const schools = (await store.staff.schools()).filter((s) => me.actor.schoolIds.includes(s.id));
    views.send(
      res,
      'cases',
      { ...layout(req, res, me), pageTitle: 'Cases', today, ...caseListView(filters, errors, errors.length ? undefined : list, schools, base) },
      errors.length ? 400 : 200,
    );
  });

  router.get('/cases/:id', async (req, res) => {
    const me = await signedIn(req, res);
    if (!me) return;
    const id = caseIdOf(req);
    const made = typeof req.query.letter === 'string' ? req.query.letter : undefined;
    const page = await casePage(store, me.actor, id, options, me.who, { base, made });
    views.send(res, 'case', { ...layout(req, res, me), ...page, pageTitle: `Case ${id}`, noteAdded: req.query.note === 'added', errors: [] });
  });

  router.post('/cases/:id/notes', async (req, res) => {
    const me = await signedIn(req, res);
    if (!me) return;
    const id = caseIdOf(req);
    const note = readNote(req.body);
    const again = async (status: number, message: string) => {
      const page = await casePage(store, me.actor, id, options, me.who, { base });
      views.send(res, 'case', { ...layout(req, res, me), ...page, pageTitle: `Case ${id}`, errors: [{ text: message, href: '#note' }], noteError: message, noteText: note.text }, status);
    };
    if (!note.ok) return again(400, note.error);
    try {
      await store.cases.note(me.actor, id, note.text);
    } catch (error) {
      // The workflows policy's own words: who may add notes, or why this one was refused.
      if (error instanceof AccessDenied) return again(403, sentence(error.message));
      if (error instanceof EventRefused) return again(400, sentence(error.message));
      throw error;
    }
    log.info('workspace: note added', { caseId: id, staffId: me.actor.id, channel: 'web', verb: 'note' });
    res.redirect(303, `${base}/cases/${encodeURIComponent(id)}?note=added#notes`);
  });

  // A suspension case's letter, as it was made: the address the chat links to as well.
  router.get('/cases/:id/letters/:letterId', async (req, res) => {
    const me = await signedIn(req, res);
    if (!me) return;
    const id = caseIdOf(req);
    const letterId = req.params.letterId;
    if (typeof letterId !== 'string' || !CASE_ID.test(letterId)) throw new CaseNotFound('');
    // The read is audited (letter-read) by the store, and refused as "not found" out of reach.
    const letter = await store.letters.read(me.actor, letterId);
    // Another case's letter at this case's address: not found, as an unknown one is (the read
    // stays audited: the person may read that letter, under its own case).
    if (letter.caseId !== id) throw new CaseNotFound(letterId, 'letter');
    log.info('workspace: letter read', { caseId: id, staffId: me.actor.id, channel: 'web', verb: 'letter-read', kind: letter.kind });
    // The file name is makeLetter's (kind, case id, date: no name); kept to safe characters all the same, inside its quotes.
    const fileName = letter.fileName.replace(/[^A-Za-z0-9._-]/g, '_');
    res.status(200).set({ 'Cache-Control': 'no-store', 'Content-Disposition': `attachment; filename="${fileName}"` }).type(letter.mediaType).send(Buffer.from(letter.bytes));
  });

  router.post('/cases/:id/letters', async (req, res) => {
    const me = await signedIn(req, res);
    if (!me) return;
    const id = caseIdOf(req);
    const values = letterFormValues(req.body);
    const again = async (status: number, errors: readonly LetterFieldError[], message?: string) => {
      const page = await casePage(store, me.actor, id, options, me.who, { base, again: { values, errors } });
      const summary = [...(message ? [{ text: message, href: '#letters' }] : []), ...letterErrorSummary(errors)];
      views.send(res, 'case', { ...layout(req, res, me), ...page, pageTitle: `Case ${id}`, errors: summary }, status);
    };
    const view = await suspensionCase(me.actor, id);
    // As makeLetter checks: said here before the form is read.
    const may = mayWriteLetters(store, me.actor, view);
    if (!may.allowed) return again(403, [], sentence(may.reason));
    const form = readLetterForm(values, lettersFitting(view));
    if (!form.asked) return again(400, form.errors);
    let made: MadeLetter;
    try {
      made = await makeLetter(store, me.actor, { caseId: id, ...form.asked, today: options.today() });
    } catch (error) {
      // The workflows package's own words: why this letter does not fit, or who may write one.
      if (error instanceof LetterRefused) return again(400, [{ field: 'kind', text: sentence(error.message) }]);
      if (error instanceof AccessDenied) return again(403, [], sentence(error.message));
      throw error;
    }
    // The letter's kind and id only: the names typed for it stay in the letter.
    log.info('workspace: letter made', { caseId: id, staffId: me.actor.id, channel: 'web', verb: 'letter', kind: form.asked.kind });
    // To the top of the page, where the success banner is (GOV.UK Frontend moves focus to it).
    res.redirect(303, `${base}/cases/${encodeURIComponent(id)}?letter=${encodeURIComponent(made.letterId)}`);
  });

  router.use('/figures', figuresRouter({ store, log, today: options.today, pages: views, base, signedIn, layout }));
  router.use('/what-if', whatIfRouter({ store, log, today: options.today, pages: views, rules: options.evaluator?.rules, signedIn, layout }));
  router.use('/support', supportRouter({ store, log, today: options.today, pages: views, base, rules: options.evaluator?.rules, signedIn, layout }));

  router.use((req, res) => notFound(req, res));

  // Express 5 passes rejected promises here: every failure gets a page, never a stack trace.
  router.use((error: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(error);
    if (error === forms.refused || error === forms.crossOrigin) {
      log.warn(error === forms.refused ? 'workspace: form refused: no valid CSRF token' : 'workspace: form refused: sent from another origin', { staffId: sessionStaffId(req) ?? '', channel: 'web', status: 403 });
      return views.send(res, 'problem', { ...layout(req, res), pageTitle: 'Your form could not be sent', heading: 'Your form could not be sent', lines: ['The page it came from was out of date, or it did not come from this service. Nothing was saved.', 'Go back, reload the page, and try again.'] }, 403);
    }
    const status = statusOf(error);
    if (error instanceof CaseNotFound || status === 404) return notFound(req, res);
    if (error instanceof PupilDataErased) return views.send(res, 'problem', { ...layout(req, res), pageTitle: 'Erased', heading: 'This was erased', lines: ["It was erased with the pupil's data, on the school's instruction or at the end of the retention period.", 'The case and its audit trail remain.'] }, 410);
    if (status === 413) return views.send(res, 'problem', { ...layout(req, res), pageTitle: 'That was too long', heading: 'That was too long', lines: ['What you sent was too long to save. Nothing was saved.', 'Go back and shorten it.'] }, 413);
    if (status >= 400 && status < 500) return views.send(res, 'problem', { ...layout(req, res), pageTitle: 'That could not be read', heading: 'That could not be read', lines: ['What you sent could not be read. Nothing was saved.', 'Go back and try again.'] }, 400);
    log.error('workspace: request failed', { staffId: sessionStaffId(req) ?? '', channel: 'web', status: 500, error: errorText(error) });
    return views.send(res, 'problem', { ...layout(req, res), pageTitle: 'Sorry, there is a problem with the service', heading: 'Sorry, there is a problem with the service', lines: ['Try again later. Nothing you did was lost: every change is saved as it is made, or not at all.'] }, 500);
  });

  /** A suspension case the person may see; any other kind of case has no letters, and is "not found" here. */
  async function suspensionCase(actor: Actor, id: string): Promise<CaseView<'suspension'>> {
    try {
      return await store.cases.get(actor, id, 'suspension');
    } catch (error) {
      if (error instanceof EventRefused) throw new CaseNotFound(id);
      throw error;
    }
  }

  function notFound(req: Request, res: Response): void {
    views.send(res, 'not-found', { ...layout(req, res), pageTitle: 'Page not found' }, 404);
  }

  return router;
}

/**
 * A local trial answers only requests addressed to this computer: a Host of localhost, 127.0.0.1
 * (any 127.x.x.x) or [::1], on any port. Another name — a site's own, pointed at 127.0.0.1 by DNS
 * rebinding — gets 421 and a line of plain text (with the security headers), before any cookie is
 * read or set.
 */
function thisComputerOnly(log: Logger): RequestHandler {
  return (req, res, next) => {
    if (isLoopbackHostHeader(req.headers.host)) return next();
    log.warn('workspace: refused a request addressed to another host (a local trial answers localhost only)', { channel: 'web', status: 421 });
    res.status(421).set('Cache-Control', 'no-store').type('text/plain').send('This local trial of the workspace answers only at localhost, 127.0.0.1 or [::1].\n');
  };
}

/** `localhost:3978`, `127.0.0.1`, `[::1]:8080` → true; any other name, or no Host, → false. */
export function isLoopbackHostHeader(host: string | undefined): boolean {
  // Host characters only: nothing a URL would read as a user, a path or a query.
  if (!host || !/^[A-Za-z0-9.:[\]-]+$/.test(host)) return false;
  try {
    return isLoopbackHost(new URL(`http://${host}`).hostname);
  } catch {
    return false;
  }
}

/** The case id in the path; anything that cannot be one is "not found", without asking the store. */
function caseIdOf(req: Request): string {
  const id = req.params.id;
  if (typeof id !== 'string' || !CASE_ID.test(id)) throw new CaseNotFound('');
  return id;
}

/** An HTTP status an error carries (body-parser's, say), or 500. */
function statusOf(error: unknown): number {
  const status = error && typeof error === 'object' ? ((error as { status?: unknown }).status ?? (error as { statusCode?: unknown }).statusCode) : undefined;
  return typeof status === 'number' ? status : 500;
}

/** The list page's form, table and pagination, ready for GOV.UK's macros. */
function caseListView(filters: CaseFilters, errors: readonly FieldError[], list: CaseListPage | undefined, schools: readonly { id: string; name: string }[], base: string) {
  const error = (field: keyof CaseFilters) => errors.find((e) => e.field === field)?.text;
  const stages = [...new Set([...(list?.stages ?? []), ...(filters.state.startsWith('stage:') ? [filters.state.slice(6)] : [])])];
  const pick = <T extends { value: string }>(items: readonly T[], chosen: string) => items.map((i) => ({ ...i, selected: i.value === chosen }));
  const href = (page: number) => `${base}/cases${queryFor(filters, page)}`;
  return {
    filters,
    errors: errors.map((e) => ({ text: e.text, href: e.field === 'page' ? '#cases-heading' : `#${e.field}` })),
    fieldErrors: { school: error('school'), kind: error('kind'), state: error('state'), pupil: error('pupil'), page: error('page') },
    schoolItems: pick([{ value: '', text: schools.length > 1 ? 'All your schools' : 'Your school' }, ...schools.map((s) => ({ value: s.id, text: s.name }))], filters.school),
    kindItems: pick([{ value: '', text: 'All kinds' }, ...CASE_KINDS.map((k) => ({ value: k, text: kindName(k) }))], filters.kind),
    stateItems: pick(
      [{ value: '', text: 'Any state' }, { value: 'open', text: 'Open' }, { value: 'closed', text: 'Closed' }, ...stages.map((s) => ({ value: `stage:${s}`, text: `At the stage "${s.replace(/-/g, ' ')}"` }))],
      filters.state,
    ),
    overdueItems: [{ value: 'yes', text: 'Only open cases with an overdue duty', checked: filters.overdue }],
    showSchool: schools.length > 1,
    ...(list
      ? {
          list,
          from: list.total ? (list.page - 1) * PAGE_SIZE + 1 : 0,
          to: (list.page - 1) * PAGE_SIZE + list.rows.length,
          pagination:
            list.pages > 1
              ? {
                  items: paginationItems(list.page, list.pages, href),
                  ...(list.page > 1 ? { previous: { href: href(list.page - 1) } } : {}),
                  ...(list.page < list.pages ? { next: { href: href(list.page + 1) } } : {}),
                  landmarkLabel: 'Pages of cases',
                }
              : undefined,
        }
      : {}),
    firstPage: href(1),
  };
}
