/**
 * A nurture or outreach service's caseload: the children it is working with, at most its capacity
 * at any one time (B&NES's service: "30 children at any one time", seed 001 line 44 — a setting,
 * `NURTURE_OUTREACH_CAPACITY`), and the rest waiting in referral order. A place is given only to
 * the child first in the queue while a place is free, so the order is the record's, not memory's.
 */
import { SYSTEM, type Actor } from './access.js';
import type { CaseView } from './caseService.js';
import { EventRefused } from './errors.js';
import { CASELOAD_STATUS_WORDS, type CaseloadStatus, type NurtureOutreachContext, type ReferralRoute } from './machines/index.js';
import type { CaseStore } from './store/caseStore.js';
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

/** States that hold a place: from the start of the work until the case closes. */
const HOLDS_PLACE = new Set(['baseline', 'active', 'followed-up']);
const stateName = (view: CaseView) => (typeof view.state === 'string' ? view.state : Object.keys(view.state as object)[0] ?? '');
const byReferral = (a: CaseView<'nurture-outreach'>, b: CaseView<'nurture-outreach'>) => a.context.referredOn.localeCompare(b.context.referredOn) || a.openedAt.localeCompare(b.openedAt);
const isNurture = (v: CaseView): v is CaseView<'nurture-outreach'> => v.kind === 'nurture-outreach';
const child = (v: CaseView<'nurture-outreach'>): CaseloadChild => ({ caseId: v.id, pupilId: v.pupilId, schoolId: v.schoolId, route: v.context.route, referredOn: v.context.referredOn });

/** The whole service's open cases, in referral order (the system's read: counts and order, never shown as such). */
async function serviceQueue(store: CaseStore): Promise<{ holding: CaseView<'nurture-outreach'>[]; waiting: CaseView<'nurture-outreach'>[] }> {
  const open = (await store.cases.list(SYSTEM, { status: 'active' })).filter(isNurture).sort(byReferral);
  return { holding: open.filter((v) => HOLDS_PLACE.has(stateName(v))), waiting: open.filter((v) => stateName(v) === 'waiting') };
}

/**
 * The caseload as `actor` may see it (their schools; an officer sees the service), the read audited
 * as a list of cases. Places taken and waiting positions count the whole service.
 * @example const { placesTaken, capacity, waiting } = await nurtureCaseload(store, officer, { capacity: 30 });
 */
export async function nurtureCaseload(store: CaseStore, actor: Actor, options: { readonly capacity: number; readonly schoolId?: string }): Promise<NurtureCaseload> {
  const queue = await serviceQueue(store);
  const position = new Map(queue.waiting.map((v, i) => [v.id, i + 1]));
  const seen = (await store.cases.list(actor, { status: 'active', ...(options.schoolId ? { schoolId: options.schoolId } : {}) })).filter(isNurture).sort(byReferral);
  return {
    capacity: options.capacity,
    placesTaken: queue.holding.length,
    active: seen.filter((v) => HOLDS_PLACE.has(stateName(v))).map((v) => activePlace(v)),
    waiting: seen.filter((v) => position.has(v.id)).map((v) => ({ ...child(v), position: position.get(v.id) ?? 0 })),
    awaitingConsent: seen.filter((v) => stateName(v) === 'referred').map(child),
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
 * Gives the child of `caseId` a place (START_WORK), if a place is free for them in referral order
 * (fewer children ahead in the waiting list than places free); otherwise refuses, saying why (full, or how many are ahead — never who).
 */
export async function giveNurturePlace(store: CaseStore, actor: Actor, caseId: string, start: { readonly startedOn: string; readonly followUpDue: string }, capacity: number): Promise<CaseView> {
  const view = await store.cases.get(actor, caseId);
  if (!isNurture(view)) throw new EventRefused(`case ${caseId} is a ${view.kind} case, not a nurture outreach referral`);
  const queue = await serviceQueue(store);
  const ahead = queue.waiting.findIndex((v) => v.id === caseId);
  if (ahead < 0) throw new EventRefused(`case ${caseId} is not waiting for a place (it is ${stateName(view)}); a place follows the parents' consent`);
  if (queue.holding.length >= capacity) throw new EventRefused(`the caseload is full: ${queue.holding.length} of ${capacity} places taken (NURTURE_OUTREACH_CAPACITY); the child stays at place ${ahead + 1} on the waiting list`);
  const free = capacity - queue.holding.length;
  if (ahead >= free) throw new EventRefused(`${ahead} child(ren) referred earlier are waiting ahead of this one for ${free} free place(s): places go in referral order`);
  return store.cases.sendUnchecked(actor, caseId, [{ type: 'START_WORK', ...start }], { expectedRevision: view.revision });
}
