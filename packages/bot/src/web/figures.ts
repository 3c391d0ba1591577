/**
 * The figures pages of the workspace, under /workspace/figures: the figures for a year to the end
 * of a term or a quarter, for one school or all of one's schools, optionally as they would be
 * published (small figures withheld); the same as CSV and Excel; and the governing board's termly
 * pack for one school. Every figure comes from the workflows package's `buildReport`, which
 * decides whose schools may be read and records every read (page or download) in the audit trail.
 *
 * A school the person does not cover is "not found", as a case they may not see is.
 */
import express, { type Request, type Response, type Router } from 'express';
import { AccessDenied, assertCanRead, buildReport, reportToCsv, reportToXlsx, type Actor, type CaseStore, type Report, type ReportReadForm } from '@before-exclusion/workflows';
import { InputError } from '@before-exclusion/rules';
import type { Logger } from '../service/log.js';
import { figuresView } from './figuresPage.js';
import { PERIOD_NAMES, PERIOD_VALUES, figuresDefaults, periodValue, queryOf, readFiguresForm, type FiguresChoice, type FiguresField, type FiguresFieldError, type FiguresForm, type ReportTo } from './figuresForm.js';
import type { Pages } from './views.js';

/** What the figures pages need from the workspace around them. */
export interface FiguresContext<Me extends { readonly actor: Actor }> {
  readonly store: CaseStore;
  readonly log: Logger;
  /** The school date. */
  readonly today: () => string;
  readonly pages: Pages;
  /** The workspace's base path (/workspace). */
  readonly base: string;
  /** The person signed in, read afresh; otherwise they are sent to sign in, and undefined is returned. */
  signedIn(req: Request, res: Response): Promise<Me | undefined>;
  /** What every page needs drawn around it. */
  layout(req: Request, res: Response, me?: Me): Record<string, unknown>;
}

export const CSV_TYPE = 'text/csv; charset=utf-8';
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** A 404 the workspace answers with its one "Page not found" page, whatever was not found. */
class NotFound extends Error {
  readonly status = 404;
}

export function figuresRouter<Me extends { readonly actor: Actor }>(context: FiguresContext<Me>): Router {
  const { store, log, base } = context;
  const router = express.Router();

  /** The form read and the school checked: a school not covered is not found (the workflows' rule, asked before anything is built). */
  async function asked(req: Request, me: Me): Promise<FiguresForm> {
    const form = readFiguresForm(req.query, await figuresDefaults(store, me.actor, context.today()));
    if (form.entered.school) {
      try {
        assertCanRead(me.actor, form.entered.school);
      } catch (error) {
        if (error instanceof AccessDenied) throw new NotFound();
        throw error;
      }
    }
    return form;
  }

  /** The report for a choice, its read audited in `form`; or why it cannot be counted, in words for the period field. */
  async function report(me: Me, choice: FiguresChoice, form: ReportReadForm): Promise<Report | FiguresFieldError> {
    try {
      return await buildReport(store, me.actor, {
        academicYear: choice.academicYear,
        ...('term' in choice.to ? { term: choice.to.term } : { quarter: choice.to.quarter }),
        ...(choice.school ? { schoolId: choice.school } : {}),
        forPublication: choice.forPublication,
        auditAs: form,
      });
    } catch (error) {
      if (error instanceof AccessDenied) throw new NotFound();
      if (error instanceof InputError) return { field: 'period', text: await cannotCount(error, choice) };
      if (error instanceof RangeError) return { field: 'period', text: 'Choose a term or a quarter from the list' };
      throw error;
    }
  }

  /** Why the period cannot be counted, naming the schools without term dates (and no pupil). */
  async function cannotCount(error: InputError, choice: FiguresChoice): Promise<string> {
    const names = new Map((await store.staff.schools()).map((s) => [s.id, s.name]));
    const schools = error.problems.flatMap((p) => (p.location?.startsWith('school ') ? [names.get(p.location.slice('school '.length)) ?? p.location.slice('school '.length)] : []));
    if (schools.length > 0) return `There are no ${choice.academicYear} term dates for ${schools.join(', ')}: choose a quarter, or import the school's calendar for that year`;
    if ('term' in choice.to) return `There are no ${choice.academicYear} term dates to count the ${choice.to.term} term on: choose a quarter, or import the schools' calendars for that year`;
    return `Some exclusions in ${choice.academicYear} fall on no school calendar held: import the schools' calendars for that year`;
  }

  /** Draws the page: the form (with any errors), and the figures when there are any. */
  async function draw(req: Request, res: Response, me: Me, form: FiguresForm, errors: readonly FiguresFieldError[], built?: Report): Promise<void> {
    const schools = (await store.staff.schools()).filter((s) => me.actor.schoolIds.includes(s.id));
    const names = new Map(schools.map((s) => [s.id, s.name]));
    const choice = form.choice;
    const error = (field: FiguresField) => errors.find((e) => e.field === field)?.text;
    const view = built ? await figuresView(built, (id) => names.get(id) ?? id) : undefined;
    const term = choice && 'term' in choice.to ? choice.to.term : undefined;
    context.pages.send(
      res,
      'figures',
      {
        ...context.layout(req, res, me),
        pageTitle: 'Figures',
        today: context.today(),
        errors: errors.map((e) => ({ text: e.text, href: `#${e.field}` })),
        fieldErrors: { year: error('year'), period: error('period'), school: error('school'), publication: error('publication') },
        year: form.entered.year,
        periodItems: PERIOD_VALUES.map((v) => ({ value: v, text: PERIOD_NAMES[v], selected: v === form.entered.period })),
        schoolItems: [{ value: '', text: schools.length > 1 ? 'All your schools' : 'Your school' }, ...schools.map((s) => ({ value: s.id, text: s.name }))].map((i) => ({
          ...i,
          selected: i.value === form.entered.school,
        })),
        publicationItems: [{ value: 'yes', text: 'Figures for publication: withhold small figures', hint: { text: 'Counts of 1 or 2, and any figure that would give one away, are shown as c.' }, checked: form.entered.publication }],
        ...(built && view && choice
          ? {
              report: built,
              view,
              heading: headingOf(choice.to, built.academicYear),
              csvHref: `${base}/figures/download.csv${queryOf(choice)}`,
              xlsxHref: `${base}/figures/download.xlsx${queryOf(choice)}`,
              boardPacks: term
                ? built.schools.map((id) => ({ href: `${base}/figures/board-pack.xlsx${queryOf({ academicYear: built.academicYear, to: { term }, school: id, forPublication: true })}`, name: names.get(id) ?? id }))
                : [],
              term,
            }
          : {}),
      },
      errors.length ? 400 : 200,
    );
  }

  router.get('/', async (req, res) => {
    const me = await context.signedIn(req, res);
    if (!me) return;
    const form = await asked(req, me);
    if (!form.choice) return draw(req, res, me, form, form.errors);
    const built = await report(me, form.choice, 'page');
    if (!isReport(built)) return draw(req, res, me, form, [built]);
    log.info('workspace: figures read', { staffId: me.actor.id, channel: 'web', verb: 'figures', count: built.schools.length });
    return draw(req, res, me, form, [], built);
  });

  /** A download of what the page shows, or the page with what is wrong. */
  async function download(req: Request, res: Response, kind: 'csv' | 'xlsx' | 'board-pack'): Promise<void> {
    const me = await context.signedIn(req, res);
    if (!me) return;
    const form = await asked(req, me);
    let choice = form.choice;
    const errors = [...form.errors];
    if (choice && kind === 'board-pack') {
      // The governing board's pack: one school, one term, as it may be published.
      if (!choice.school) errors.push({ field: 'school', text: "Choose the school whose governing board the pack is for" });
      if (!('term' in choice.to)) errors.push({ field: 'period', text: "Choose a term: the governing board's pack is for a term" });
      choice = { ...choice, forPublication: true };
    }
    if (!choice || errors.length) return draw(req, res, me, form, errors);
    const built = await report(me, choice, kind);
    if (!isReport(built)) return draw(req, res, me, form, [built]);
    const name = fileName(choice, kind);
    log.info('workspace: figures downloaded', { staffId: me.actor.id, channel: 'web', verb: kind, count: built.schools.length });
    // Figures about pupils: not to be kept by the browser's cache or anything between.
    res.set('Cache-Control', 'no-store');
    res.attachment(name);
    if (kind === 'csv') {
      // A byte-order mark, so Excel opening the file reads its dashes and accents as UTF-8.
      res.type(CSV_TYPE).send(`\uFEFF${reportToCsv(built)}\r\n`);
    } else {
      res.type(XLSX_TYPE).send(await reportToXlsx(built));
    }
  }

  router.get('/download.csv', (req, res) => download(req, res, 'csv'));
  router.get('/download.xlsx', (req, res) => download(req, res, 'xlsx'));
  router.get('/board-pack.xlsx', (req, res) => download(req, res, 'board-pack'));

  return router;
}

function isReport(built: Report | FiguresFieldError): built is Report {
  return 'rows' in built;
}

/** "Figures for 2025/26 to the end of the spring term" */
function headingOf(to: ReportTo, academicYear: string): string {
  return `${academicYear}, year to date to the end of ${PERIOD_NAMES[periodValue(to)]}`;
}

/** figures-2025-26-spring-term-all-schools.csv; governing-board-pack-2025-26-spring-term-DEMO-SCH.xlsx */
export function fileName(choice: FiguresChoice, kind: 'csv' | 'xlsx' | 'board-pack'): string {
  const period = 'term' in choice.to ? `${choice.to.term}-term` : `quarter-${choice.to.quarter}`;
  const school = choice.school ? choice.school.replace(/[^A-Za-z0-9_-]+/g, '-') : 'all-schools';
  const parts = [kind === 'board-pack' ? 'governing-board-pack' : 'figures', choice.academicYear.replace('/', '-'), period, school, ...(choice.forPublication && kind !== 'board-pack' ? ['for-publication'] : [])];
  return `${parts.join('-')}.${kind === 'csv' ? 'csv' : 'xlsx'}`;
}
