/**
 * The Support pages of the workspace, under /workspace/support: where an inclusion officer (or a
 * head, for their own school) reads the support record back — the week's team-around-the-school
 * list (who is on it and why, who is new or off it since last week, the actions agreed with their
 * owners and due dates), the nurture outreach caseload with its waiting list, and the support
 * figures. Everything comes from the workflows package (`teamAroundTheSchool`, `nurtureCaseload`,
 * `supportFiguresFor`), whose reads of cases are audited as lists of cases; this module reads the
 * query, arranges what they return and puts codes into words.
 *
 * A week that is not a date, or a school that is not one of the person's, is said under its field
 * (the same words whether the school exists or not), and nothing is read.
 */
import express, { type Request, type Response, type Router } from 'express';
import {
  CASELOAD_STATUS_WORDS,
  REFERRAL_ROUTE_WORDS,
  measureChangeWords,
  nurtureCaseload,
  publishedSupportFiguresFor,
  supportFiguresFor,
  tatsReasonTitle,
  teamAroundTheSchool,
  type Actor,
  type CaseloadStatus,
  type CaseStore,
  type TatsList,
} from '@before-exclusion/workflows';
import { addDays, defaultRulePack, isIsoDate, type RulePack } from '@before-exclusion/rules';
import type { Logger } from '../service/log.js';
import { one } from './caseList.js';
import type { Pages } from './views.js';
import { supportFigureTables } from './supportFiguresPage.js';
import { CASELOAD_STATUS_TAGS, TATS_CHANGE_TAGS } from './words.js';

/** What the Support pages need from the workspace around them. */
export interface SupportContext<Me extends { readonly actor: Actor; readonly who: (id: string) => string }> {
  readonly store: CaseStore;
  readonly log: Logger;
  /** The school date. */
  readonly today: () => string;
  readonly pages: Pages;
  /** The workspace's base path (/workspace). */
  readonly base: string;
  /** The pack in force (the service's RULES_FILE, else the default): the weekly list's triggers. */
  readonly rules?: RulePack | undefined;
  signedIn(req: Request, res: Response): Promise<Me | undefined>;
  layout(req: Request, res: Response, me?: Me): Record<string, unknown>;
}

/** The three pages, in the order of the area's own navigation. */
const PAGES = [
  { path: '', name: 'weekly-list', text: 'Weekly list' },
  { path: '/caseload', name: 'caseload', text: 'Caseload and waiting list' },
  { path: '/figures', name: 'figures', text: 'Support figures' },
] as const;
type PageName = (typeof PAGES)[number]['name'];

/** A problem with the query, said under its field. */
export interface SupportFieldError {
  readonly field: 'week' | 'school';
  readonly text: string;
}

/** What was asked: a school ('' = all one's schools) and the meeting's date. */
export interface SupportQuery {
  readonly school: string;
  readonly week: string;
}

/**
 * Reads `school` and `week` from a query, each checked; the week defaults to `today`.
 * @example readSupportQuery({ week: '2026-02-30' }, ['DEMO-SCH'], '2026-03-20').errors // [{ field: 'week', … }]
 */
export function readSupportQuery(query: Readonly<Record<string, unknown>>, schoolIds: readonly string[], today: string): { asked: SupportQuery; errors: SupportFieldError[] } {
  const errors: SupportFieldError[] = [];
  const school = one(query.school);
  // The same words for a school that does not exist and one that is not theirs: nothing is given away.
  if (school && !schoolIds.includes(school)) errors.push({ field: 'school', text: 'Choose one of your schools from the list, or all of them' });
  const week = one(query.week) || today;
  if (!isIsoDate(week)) errors.push({ field: 'week', text: `Enter the meeting's date as a real date written year-month-day, for example ${today}` });
  return { asked: { school, week }, errors };
}

export function supportRouter<Me extends { readonly actor: Actor; readonly who: (id: string) => string }>(context: SupportContext<Me>): Router {
  const { store, log, base } = context;
  const rules = context.rules ?? defaultRulePack();
  const router = express.Router();

  /** The person, what they asked, their schools, and what every Support page draws around itself. */
  async function begin(req: Request, res: Response, page: PageName) {
    const me = await context.signedIn(req, res);
    if (!me) return undefined;
    const today = context.today();
    const { asked, errors } = readSupportQuery(req.query, me.actor.schoolIds, today);
    const schools = (await store.staff.schools()).filter((s) => me.actor.schoolIds.includes(s.id));
    const names = new Map(schools.map((s) => [s.id, s.name]));
    const query = (over: Partial<SupportQuery> = {}) => {
      const q = new URLSearchParams();
      const { school, week } = { ...asked, ...over };
      if (school) q.set('school', school);
      if (page === 'weekly-list' && week && week !== today) q.set('week', week);
      const text = q.toString();
      return text ? `?${text}` : '';
    };
    const shared = {
      ...context.layout(req, res, me),
      today,
      asked,
      errors: errors.map((e) => ({ text: e.text, href: `#${e.field}` })),
      fieldErrors: Object.fromEntries(errors.map((e) => [e.field, e.text])),
      schoolItems: [{ value: '', text: schools.length > 1 ? 'All your schools' : 'Your school' }, ...schools.map((s) => ({ value: s.id, text: s.name }))].map((i) => ({ ...i, selected: i.value === asked.school })),
      // The area's own navigation keeps the school chosen.
      supportNav: PAGES.map((p) => ({ href: `${base}/support${p.path}${asked.school && !errors.length ? `?school=${encodeURIComponent(asked.school)}` : ''}`, text: p.text, current: p.name === page })),
      casesOf: (pupilId: string, schoolId: string) => `${base}/cases?${new URLSearchParams({ school: schoolId, pupil: pupilId }).toString()}`,
      schoolName: (id: string) => names.get(id) ?? id,
      // One school: its name is in the School field already, not on every line.
      showSchool: schools.length > 1,
    };
    return { me, today, asked, errors, shared, query, pupilNames: (ids: readonly string[]) => store.displayNames.for(me.actor, ids) };
  }

  router.get('/', async (req, res) => {
    const at = await begin(req, res, 'weekly-list');
    if (!at) return;
    const { me, asked, errors, shared, query } = at;
    let list: TatsList | undefined;
    if (!errors.length && isIsoDate(asked.week)) {
      list = await teamAroundTheSchool(store, me.actor, { week: asked.week, rules, ...(asked.school ? { schoolId: asked.school } : {}) });
      log.info('workspace: weekly list read', { staffId: me.actor.id, channel: 'web', verb: 'tats-read', count: list.entries.length });
    }
    const names = list ? await at.pupilNames([...list.entries, ...list.steppedOff, ...(list.heldOff ?? [])].map((p) => p.pupilId)) : new Map<string, string>();
    const title = (reason: string) => (list ? tatsReasonTitle(list, reason, rules) : reason);
    context.pages.send(
      res,
      'support-weekly-list',
      {
        ...shared,
        pageTitle: 'Weekly list',
        week: asked.week,
        ...(list
          ? {
              list: {
                week: list.week,
                lastWeek: list.lastWeek,
                previousHref: `${base}/support${query({ week: addDays(list.week, -7) })}`,
                nextHref: `${base}/support${query({ week: addDays(list.week, 7) })}`,
                counts: {
                  on: list.entries.length,
                  new: list.entries.filter((e) => e.change === 'new').length,
                  changed: list.entries.filter((e) => e.change === 'changed').length,
                  off: list.steppedOff.length,
                  actions: list.entries.reduce((n, e) => n + e.actions.length, 0),
                },
                entries: list.entries.map((e) => {
                  return {
                    pupilId: e.pupilId,
                    pupilName: names.get(e.pupilId),
                    schoolId: e.schoolId,
                    tag: TATS_CHANGE_TAGS[e.change],
                    reasons: e.reasons.map((r) => ({ title: r.title, detail: r.detail, caseId: r.caseId, added: e.reasonsAdded.includes(r.reason) })),
                    gone: e.reasonsGone.map(title),
                    actions: e.actions.map((a) => ({ ...a, owner: me.who(a.owner) })),
                    steppedDown: e.steppedDown,
                  };
                }),
                steppedOff: list.steppedOff.map((s) => ({ ...s, pupilName: names.get(s.pupilId), reasons: s.reasons.map(title) })),
                heldOff: (list.heldOff ?? []).map((h) => ({ ...h, pupilName: names.get(h.pupilId) })),
                uncovered: list.uncovered ?? [],
              },
            }
          : {}),
      },
      errors.length ? 400 : 200,
    );
  });

  router.get('/caseload', async (req, res) => {
    const at = await begin(req, res, 'caseload');
    if (!at) return;
    const { me, asked, errors, shared, today } = at;
    const load = errors.length ? undefined : await nurtureCaseload(store, me.actor, asked.school ? { schoolId: asked.school } : {});
    if (load) log.info('workspace: caseload read', { staffId: me.actor.id, channel: 'web', verb: 'caseload-read', count: load.active.length + load.waiting.length + load.awaitingConsent.length });
    const names = load ? await at.pupilNames([...load.active, ...load.waiting, ...load.awaitingConsent].map((c) => c.pupilId)) : new Map<string, string>();
    const child = (c: { caseId: string; pupilId: string; schoolId: string; route: keyof typeof REFERRAL_ROUTE_WORDS; referredOn: string }) => ({ ...c, pupilName: names.get(c.pupilId), routeWords: REFERRAL_ROUTE_WORDS[c.route] });
    context.pages.send(
      res,
      'support-caseload',
      {
        ...shared,
        pageTitle: 'Caseload and waiting list',
        ...(load
          ? {
              load: {
                capacity: load.capacity,
                placesTaken: load.placesTaken,
                free: Math.max(0, load.capacity - load.placesTaken),
                active: load.active.map((a) => ({
                  ...child(a),
                  startedOn: a.startedOn,
                  status: a.status ? statusTag(a.status) : undefined,
                  followUpDue: a.followUpDue,
                  followUpOverdue: a.followUpDue !== undefined && a.followUpDue < today,
                  changes: a.changes.map(measureChangeWords),
                })),
                waiting: load.waiting.map((w) => ({ ...child(w), position: w.position })),
                awaitingConsent: load.awaitingConsent.map(child),
              },
            }
          : {}),
      },
      errors.length ? 400 : 200,
    );
  });

  router.get('/figures', async (req, res) => {
    const at = await begin(req, res, 'figures');
    if (!at) return;
    const { me, asked, errors, shared } = at;
    const publication = one(req.query.publication) === 'yes';
    const school = asked.school || undefined;
    // For publication, a school's figures are withheld together with the total beside them, so neither gives the other's small counts away.
    const figures = errors.length ? undefined : publication ? await publishedSupportFiguresFor(store, me.actor, school) : await supportFiguresFor(store, me.actor, school);
    if (figures) log.info('workspace: support figures read', { staffId: me.actor.id, channel: 'web', verb: 'support-figures-read', kind: publication ? 'publication' : 'internal' });
    context.pages.send(
      res,
      'support-figures',
      {
        ...shared,
        pageTitle: 'Support figures',
        publication,
        publicationItems: [{ value: 'yes', text: 'Figures for publication: withhold small figures', hint: { text: 'Counts of 1 or 2, and any figure that would give one away, are shown as c.' }, checked: publication }],
        ...(figures ? { tables: supportFigureTables(figures, store.settings.ehcLocalTargetWeeks) } : {}),
      },
      errors.length ? 400 : 200,
    );
  });

  return router;
}

/** A caseload status as a tag ("Amber") and its meaning beside it in words: the colour only repeats them. */
function statusTag(status: CaseloadStatus) {
  const tag = CASELOAD_STATUS_TAGS[status];
  const words = CASELOAD_STATUS_WORDS[status];
  return { ...tag, meaning: words.startsWith(`${tag.text} — `) ? words.slice(tag.text.length + 3) : words };
}
