/**
 * The case list: the cases a member of staff may see, filtered by school, kind, state, pupil and
 * overdue duties (a GET form, so a filtered list can be bookmarked), most urgent first, 25 a
 * page. What a case is and whether a duty is overdue come from the workflows package; this
 * module only chooses, orders and pages.
 */
import { CASE_KINDS, caseSummary, topState, type Actor, type CaseSummary, type CaseKind, type CaseStore, type CaseView } from '@before-exclusion/workflows';
import { kindName } from './words.js';

export const PAGE_SIZE = 25;

export interface CaseFilters {
  readonly school: string;
  readonly kind: CaseKind | '';
  /** '' any; 'open' or 'closed'; or 'stage:<the machine's top-level state>'. */
  readonly state: string;
  readonly pupil: string;
  readonly overdue: boolean;
  readonly page: number;
}

/** A problem with what was asked, for the error summary and the field. */
export interface FieldError {
  readonly field: keyof CaseFilters;
  readonly text: string;
}

/** One value of a query parameter (a repeated parameter counts as its last). */
export function one(value: unknown): string {
  if (Array.isArray(value)) return one(value.at(-1));
  return typeof value === 'string' ? value.trim() : '';
}

/** Reads the filters from a query, each checked; what cannot be used is an error, never a guess. */
export function readFilters(query: Readonly<Record<string, unknown>>, schoolIds: readonly string[]): { filters: CaseFilters; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const school = one(query.school);
  if (school && !schoolIds.includes(school)) errors.push({ field: 'school', text: 'Choose one of your schools, or all of them' });
  const kind = one(query.kind);
  if (kind && !CASE_KINDS.includes(kind as CaseKind)) errors.push({ field: 'kind', text: 'Choose a kind of case from the list' });
  const state = one(query.state);
  if (state && !/^(open|closed|stage:[a-z][a-z-]{0,40})$/.test(state)) errors.push({ field: 'state', text: 'Choose a state from the list' });
  const pupil = one(query.pupil);
  if (pupil.length > 64 || /[\u0000-\u001f]/.test(pupil)) errors.push({ field: 'pupil', text: 'Enter a pupil id of 64 characters or fewer, such as DEMO-002' });
  const pageText = one(query.page);
  const page = pageText === '' ? 1 : /^\d{1,6}$/.test(pageText) ? Number(pageText) : NaN;
  if (!(page >= 1)) errors.push({ field: 'page', text: 'The page number must be a whole number, 1 or more' });
  return {
    filters: { school, kind: kind as CaseKind | '', state, pupil, overdue: one(query.overdue) === 'yes', page: page >= 1 ? page : 1 },
    errors,
  };
}

/** A case's top-level state: "triggered", or "open" for `{ open: { notices: … } }`. */
export function stageOf(view: CaseView): string {
  return topState(view.state);
}

/** A case in the list: where it stands (workflows' `caseSummary`), its kind in words. */
export interface CaseRow extends Pick<CaseSummary, 'id' | 'pupilId' | 'pupilName' | 'schoolId' | 'state' | 'closed' | 'overdue' | 'nextDeadline' | 'updatedAt'> {
  readonly kind: string;
}

function row(view: CaseView, today: string, pupilName: string | undefined): CaseRow {
  return { ...caseSummary(view, today, pupilName), kind: kindName(view.kind) };
}

/** Most urgent first: overdue (longest overdue first), then the nearest deadline, then open cases without one, then closed ones; latest activity breaks ties. */
export function byUrgency(a: CaseRow, b: CaseRow): number {
  const rank = (r: CaseRow) => (r.overdue.length ? 0 : r.nextDeadline ? 1 : r.closed ? 3 : 2);
  const due = (r: CaseRow) => r.overdue[0]?.dueDate ?? r.nextDeadline?.dueDate ?? '';
  return rank(a) - rank(b) || due(a).localeCompare(due(b)) || b.updatedAt.localeCompare(a.updatedAt) || a.id.localeCompare(b.id);
}

export interface CaseListPage {
  readonly rows: readonly CaseRow[];
  readonly total: number;
  readonly page: number;
  readonly pages: number;
  /** The stages the person's cases are at (for the state filter), in order. */
  readonly stages: readonly string[];
}

/**
 * The page of cases `actor` may see that match `filters`, most urgent first.
 * The store does what it can (school, pupil, overdue); kind and state are chosen here.
 */
export async function listCases(store: CaseStore, actor: Actor, filters: CaseFilters, today: string): Promise<CaseListPage> {
  const views = await store.cases.list(actor, {
    ...(filters.school ? { schoolId: filters.school } : {}),
    ...(filters.pupil ? { pupilId: filters.pupil } : {}),
    ...(filters.overdue ? { overdueOn: today } : {}),
  });
  const stages = [...new Set(views.map(stageOf))].sort();
  const matching = views.filter(
    (v) =>
      (!filters.kind || v.kind === filters.kind) &&
      (!filters.state ||
        (filters.state === 'open' && v.status === 'active') ||
        (filters.state === 'closed' && v.status === 'done') ||
        (filters.state.startsWith('stage:') && stageOf(v) === filters.state.slice('stage:'.length))),
  );
  // Names only where the school chose to hold them and this person covers it.
  const names = await store.displayNames.for(actor, matching.map((v) => v.pupilId));
  const rows = matching.map((v) => row(v, today, names.get(v.pupilId))).sort(byUrgency);
  const pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE));
  return { rows: rows.slice((filters.page - 1) * PAGE_SIZE, filters.page * PAGE_SIZE), total: rows.length, page: filters.page, pages, stages };
}

/** The query string for these filters on another page (empty values left out). */
export function queryFor(filters: CaseFilters, page: number): string {
  const q = new URLSearchParams();
  if (filters.school) q.set('school', filters.school);
  if (filters.kind) q.set('kind', filters.kind);
  if (filters.state) q.set('state', filters.state);
  if (filters.pupil) q.set('pupil', filters.pupil);
  if (filters.overdue) q.set('overdue', 'yes');
  if (page > 1) q.set('page', String(page));
  const text = q.toString();
  return text ? `?${text}` : '';
}

/** GOV.UK pagination's items: first, last, the current page and its neighbours, ellipses between. */
export function paginationItems(current: number, pages: number, href: (page: number) => string): ({ number: number; href: string; current: boolean } | { ellipsis: true })[] {
  const shown = [...new Set([1, current - 1, current, current + 1, pages])].filter((n) => n >= 1 && n <= pages).sort((a, b) => a - b);
  const items: ({ number: number; href: string; current: boolean } | { ellipsis: true })[] = [];
  shown.forEach((n, i) => {
    if (i > 0 && n - shown[i - 1]! > 1) items.push({ ellipsis: true });
    items.push({ number: n, href: href(n), current: n === current });
  });
  return items;
}
