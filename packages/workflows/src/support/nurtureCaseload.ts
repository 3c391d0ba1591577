/**
 * A nurture or outreach service's caseload: the children it is working with, at most its capacity
 * at any one time (B&NES's service: "30 children at any one time", seed 001 line 44 — a setting,
 * `NURTURE_OUTREACH_CAPACITY`), and the rest waiting in referral order. A place is given only to
 * the child first in the queue while a place is free, so the order is the record's, not memory's —
 * checked inside the write that gives it (the nurture outreach case's `checkInWrite`), however the
 * place is given: here, `cases act`, the bot, or a library's own `store.cases.send`.
 */
import { SYSTEM, type Actor } from '../access.js';
import type { CaseView } from '../cases/caseService.js';
import { EventRefused } from '../errors.js';
import { CASELOAD_STATUS_WORDS, type CaseloadStatus, type NurtureOutreachContext, type ReferralRoute } from '../machines/index.js';
import { topState } from '../machines/caseDefinition.js';
import { HOLDS_PLACE, nurtureQueue } from '../machines/nurtureOutreachCase.js';
import type { CaseStore } from '../store/caseStore.js';
import { measureChanges, type MeasureChange } from './supportMeasures.js';

/** Seed 001 line 44: "capacity to support schools work with 30 children at any one time". */
export const DEFAULT_NURTURE_CAPACITY = 30;

/** The capacity setting: `NURTURE_OUTREACH_CAPACITY` (a whole number ≥ 1), else the seed's 30. */
export function nurtureCapacity(env: Readonly<Record<string, string | undefined>> = process.env): number {
  const raw = env.NURTURE_OUTREACH_CAPACITY?.trim();
  if (!raw) return DEFAULT_NURTURE_CAPACITY;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new EventRefused(`NURTURE_OUTREACH_CAPACITY is ${JSON.stringify(raw)}: expected a whole number of places from 1 to 10000 (default ${DEFAULT_NURTURE_CAPACITY})`);
  return n;
}

export interface CaseloadChild {
  readonly caseId: string;
  readonly pupilId: string;
  readonly schoolId: string;
  readonly route: ReferralRoute;
  readonly referredOn: string;
}
export interface ActivePlace extends CaseloadChild {
  readonly startedOn: string;
  readonly status?: CaseloadStatus;
  readonly statusWords?: string;
  readonly followUpDue?: string;
  readonly changes: readonly MeasureChange[];
}
export interface WaitingChild extends CaseloadChild {
  /** 1 = next to be offered a place. */
  readonly position: number;
}

export interface NurtureCaseload {
  readonly capacity: number;
  /** Places taken across the whole service (every school), whoever is asking. */
  readonly placesTaken: number;
  readonly active: readonly ActivePlace[];
  readonly waiting: readonly WaitingChild[];
  /** Referred, parents' consent not yet recorded. */
  readonly awaitingConsent: readonly CaseloadChild[];
}

const byReferral = (a: CaseView<'nurture-outreach'>, b: CaseView<'nurture-outreach'>) => a.context.referredOn.localeCompare(b.context.referredOn) || a.openedAt.localeCompare(b.openedAt) || a.id.localeCompare(b.id);
const isNurture = (v: CaseView): v is CaseView<'nurture-outreach'> => v.kind === 'nurture-outreach';
const child = (v: CaseView<'nurture-outreach'>): CaseloadChild => ({ caseId: v.id, pupilId: v.pupilId, schoolId: v.schoolId, route: v.context.route, referredOn: v.context.referredOn });

/** The whole service's open cases, in referral order (the system's read: counts and order, never shown as such). */
async function serviceQueue(store: CaseStore): Promise<{ holding: CaseView<'nurture-outreach'>[]; waiting: CaseView<'nurture-outreach'>[] }> {
  const open = (await store.cases.list(SYSTEM, { status: 'active' })).filter(isNurture);
  const { holding, waiting } = nurtureQueue(open.map((view) => ({ id: view.id, state: view.state, referredOn: view.context.referredOn, openedAt: view.openedAt, view })));
  return { holding: holding.map((q) => q.view), waiting: waiting.map((q) => q.view) };
}

/**
 * The caseload as `actor` may see it (their schools; an officer sees the service), the read audited
 * as a list of cases. Places taken and waiting positions count the whole service.
 * The capacity is the store's setting (`CaseStore.open({ nurtureCapacity })`, else NURTURE_OUTREACH_CAPACITY, else 30).
 * @example const { placesTaken, capacity, waiting } = await nurtureCaseload(store, officer);
 */
export async function nurtureCaseload(store: CaseStore, actor: Actor, options: { readonly schoolId?: string } = {}): Promise<NurtureCaseload> {
  const queue = await serviceQueue(store);
  const position = new Map(queue.waiting.map((v, i) => [v.id, i + 1]));
  const seen = (await store.cases.list(actor, { status: 'active', ...(options.schoolId ? { schoolId: options.schoolId } : {}) })).filter(isNurture).sort(byReferral);
  return {
    capacity: store.settings.nurtureCapacity,
    placesTaken: queue.holding.length,
    active: seen.filter((v) => HOLDS_PLACE.has(topState(v.state))).map((v) => activePlace(v)),
    waiting: seen.filter((v) => position.has(v.id)).map((v) => ({ ...child(v), position: position.get(v.id) ?? 0 })),
    awaitingConsent: seen.filter((v) => topState(v.state) === 'referred').map(child),
  };
}

function activePlace(v: CaseView<'nurture-outreach'>): ActivePlace {
  const c: NurtureOutreachContext = v.context;
  return {
    ...child(v),
    startedOn: c.startedOn ?? '',
    ...(c.status ? { status: c.status.status, statusWords: CASELOAD_STATUS_WORDS[c.status.status] } : {}),
    ...(c.followUpDue ? { followUpDue: c.followUpDue } : {}),
    changes: measureChanges(c.measures),
  };
}

/**
 * Gives the child of `caseId` a place (START_WORK). The capacity and the referral order are checked
 * inside the write (see `placeRefusal`): a refusal says why — full, or how many are ahead, never who.
 * @throws EventRefused when the case is not a nurture outreach referral, or no place is free for the child.
 */
export async function giveNurturePlace(store: CaseStore, actor: Actor, caseId: string, start: { readonly startedOn: string; readonly followUpDue: string }): Promise<CaseView<'nurture-outreach'>> {
  return store.cases.send(actor, { id: caseId, kind: 'nurture-outreach' }, { type: 'START_WORK', ...start });
}
