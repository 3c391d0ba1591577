/**
 * What the figures page is asked for: an academic year, a term or a quarter to report to, a school
 * or all of one's schools, and whether the figures are for publication — a GET form, so a choice
 * can be bookmarked and the downloads are the same address with another ending. Each value is
 * checked, and what cannot be used is an error in words, never a guess. With nothing asked, the
 * page opens on the current academic year of the school date and the latest term begun.
 */
import { TERMS, type Term } from '@before-exclusion/rules';
import type { Actor, CaseStore } from '@before-exclusion/workflows';
import { one } from './caseList.js';

/** Year to date to the end of a term, or of a quarter (1 Sep to 31 Dec, 31 Mar, 30 Jun or 31 Aug). */
export type ReportTo = { readonly term: Term } | { readonly quarter: 1 | 2 | 3 | 4 };

export interface FiguresChoice {
  /** e.g. 2025/26. */
  readonly academicYear: string;
  readonly to: ReportTo;
  /** A school's id, or '' for all the schools the person covers. */
  readonly school: string;
  readonly forPublication: boolean;
}

/** The fields of the form, as the query names them. */
export type FiguresField = 'year' | 'period' | 'school' | 'publication';

export interface FiguresFieldError {
  readonly field: FiguresField;
  readonly text: string;
}

/** The form as it was filled in (for drawing it again with the errors), and the choice if it could be read. */
export interface FiguresForm {
  readonly entered: { readonly year: string; readonly period: string; readonly school: string; readonly publication: boolean };
  readonly choice?: FiguresChoice;
  readonly errors: readonly FiguresFieldError[];
}

/** The period select's values: a term by name, a quarter as `quarter-N`. */
export const PERIOD_VALUES = [...TERMS, 'quarter-1', 'quarter-2', 'quarter-3', 'quarter-4'] as const;

export type PeriodValue = (typeof PERIOD_VALUES)[number];

/** The period select's options in words. */
export const PERIOD_NAMES: Readonly<Record<PeriodValue, string>> = {
  autumn: 'the autumn term',
  spring: 'the spring term',
  summer: 'the summer term',
  'quarter-1': 'quarter 1 (31 December)',
  'quarter-2': 'quarter 2 (31 March)',
  'quarter-3': 'quarter 3 (30 June)',
  'quarter-4': 'quarter 4 (31 August)',
};

/** The value of `to` in the period select. */
export function periodValue(to: ReportTo): PeriodValue {
  return 'term' in to ? to.term : `quarter-${to.quarter}`;
}

/** What the form starts with when nothing is asked: this academic year, to the latest term begun. */
export interface FiguresDefaults {
  readonly academicYear: string;
  /** The latest term begun; or, where none of the person's schools holds a calendar to say when terms begin, the latest quarter begun. */
  readonly to: ReportTo;
}

/**
 * The current academic year on `today` (a school date) and the latest term begun, from the
 * calendar of the first of the person's schools to hold one for today. Without any, terms cannot
 * be counted (a term's figures run on each school's own calendar), so the year is read from the
 * date alone (it starts on 1 September) and the figures run to the latest quarter begun.
 */
export async function figuresDefaults(store: CaseStore, actor: Actor, today: string): Promise<FiguresDefaults> {
  for (const school of [...actor.schoolIds].sort()) {
    const calendar = await store.pupils.calendarFor(school, today);
    // In the summer holiday the last calendar begun is still the year just ended, as it should be.
    const begun = calendar?.halfTerms.filter((h) => h.start <= today).at(-1);
    if (calendar && begun) return { academicYear: calendar.academicYear, to: { term: begun.term } };
  }
  const year = Number(today.slice(0, 4));
  const month = Number(today.slice(5, 7));
  const quarter = month >= 9 ? 1 : month <= 3 ? 2 : month <= 6 ? 3 : 4;
  return { academicYear: academicYearOf(month >= 9 ? year : year - 1), to: { quarter } };
}

/** 2025 → "2025/26". */
export function academicYearOf(firstYear: number): string {
  return `${firstYear}/${String((firstYear + 1) % 100).padStart(2, '0')}`;
}

/**
 * Reads the form from a query. A school is only read here, not checked against the person's:
 * a school they do not cover is "not found", which the caller decides through the workflows' access rules.
 */
export function readFiguresForm(query: Readonly<Record<string, unknown>>, defaults: FiguresDefaults): FiguresForm {
  const errors: FiguresFieldError[] = [];
  const asked = ['year', 'period', 'school', 'publication'].some((k) => query[k] !== undefined);
  const yearText = one(query.year);
  const periodText = one(query.period);
  const school = one(query.school);
  const publicationText = one(query.publication);
  const entered = { year: yearText, period: periodText, school, publication: publicationText === 'yes' };

  // Nothing asked: the defaults, exactly (the page opens on figures, not on a form to fill in).
  if (!asked) {
    const choice: FiguresChoice = { academicYear: defaults.academicYear, to: defaults.to, school: '', forPublication: false };
    return { entered: { year: choice.academicYear, period: periodValue(defaults.to), school: '', publication: false }, choice, errors };
  }

  const academicYear = yearText === '' ? defaults.academicYear : readAcademicYear(yearText);
  if (typeof academicYear !== 'string') errors.push({ field: 'year', text: academicYear.error });
  const to = periodText === '' ? defaultPeriodFor(typeof academicYear === 'string' ? academicYear : defaults.academicYear, defaults) : readPeriod(periodText);
  if (!to) errors.push({ field: 'period', text: 'Choose a term or a quarter from the list' });
  if (publicationText !== '' && publicationText !== 'yes') errors.push({ field: 'publication', text: 'Tick the box for figures to publish, or leave it empty' });

  const filled = { ...entered, year: yearText === '' && typeof academicYear === 'string' ? academicYear : yearText, period: to ? periodValue(to) : periodText };
  if (errors.length > 0 || typeof academicYear !== 'string' || !to) return { entered: filled, errors };
  return { entered: filled, choice: { academicYear, to, school, forPublication: entered.publication }, errors };
}

/**
 * An academic year as people write it — 2025/26, 2025-26, 2025/2026 — as 2025/26; or what is wrong.
 */
export function readAcademicYear(text: string): string | { error: string } {
  const m = /^(\d{4})\s*[/-]\s*(\d{2}|\d{4})$/.exec(text);
  if (!m) return { error: 'Enter the academic year like 2025/26' };
  const first = Number(m[1]);
  const second = m[2]!.length === 4 ? Number(m[2]) : Math.floor(first / 100) * 100 + Number(m[2]) + (Number(m[2]) < first % 100 ? 100 : 0);
  if (second !== first + 1) return { error: 'The academic year must be two years in a row, like 2025/26' };
  if (first < 2000 || first > 2098) return { error: 'Enter an academic year from 2000/01 to 2098/99' };
  return academicYearOf(first);
}

function readPeriod(text: string): ReportTo | undefined {
  const term = TERMS.find((t) => t === text);
  if (term) return { term };
  const quarter = /^quarter-([1-4])$/.exec(text);
  return quarter ? { quarter: Number(quarter[1]) as 1 | 2 | 3 | 4 } : undefined;
}

/** With no period asked: the default this year; the whole of an earlier year; the start of a later one (by term where terms are known). */
function defaultPeriodFor(academicYear: string, defaults: FiguresDefaults): ReportTo {
  if (academicYear === defaults.academicYear) return defaults.to;
  const byTerm = 'term' in defaults.to;
  if (academicYear < defaults.academicYear) return byTerm ? { term: 'summer' } : { quarter: 4 };
  return byTerm ? { term: 'autumn' } : { quarter: 1 };
}

/** The query string of a choice, for links to its downloads and to the page itself. */
export function queryOf(choice: FiguresChoice): string {
  const q = new URLSearchParams({ year: choice.academicYear, period: periodValue(choice.to) });
  if (choice.school) q.set('school', choice.school);
  if (choice.forPublication) q.set('publication', 'yes');
  return `?${q.toString()}`;
}
