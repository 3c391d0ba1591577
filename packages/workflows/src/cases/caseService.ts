/**
 * The case service: every read and write of a case goes through here, checked for access,
 * validated, and — for writes — applied as one audited write transaction: load the snapshot,
 * run the machine's pure `transition()`, then write the snapshot, its deadlines, its outbox
 * messages and an audit row together, or nothing at all.
 */
import { randomBytes } from 'node:crypto';
import { isIsoDate, quoted } from '@before-exclusion/rules';
import { __unsafe_getAllOwnEventDescriptors as eventsAccepted, initialTransition, transition, type AnyMachineSnapshot } from 'xstate';
import { assertCanAnnotate, assertCanRead, assertMayOpen, assertMaySend, can, type Actor, type Permission } from '../access.js';
import { englishDate, systemClock, type Clock } from '../clock.js';
import { CaseNotFound, EventRefused, RevisionConflict } from '../errors.js';
import { caseTitle, describeState, stateWords } from './caseWords.js';
import { nextDuty, overdueDuties } from './caseDuties.js';
import { followOnOf, leadsSomewhere, type FollowOn } from './escalations.js';
import { doneDateRefusal, eventSpec, type CaseDefinition, type CaseInWrite, type CaseKind, type CaseSettings, type Effect } from '../machines/caseDefinition.js';
import type { ContextOf, EventOf } from '../machines/index.js';
import type { AuditLog, AuditRow } from '../store/auditLog.js';
import type { AuditedTx, AuditedWrite } from '../store/auditedWrite.js';
import { caseRows, type CaseRow, type DeadlineRow } from '../store/caseRows.js';
import { contentHash } from '../store/canonicalJson.js';
import type { Queryable } from '../store/database.js';
import type { PupilKeys } from '../store/pupilKeys.js';
import { closedDayRefusal, type CalendarLookup } from './schoolOpenOn.js';

// Its home is caseWords now; still here for those who import it from the service.
export { describeState };

export interface CaseDeadline {
  readonly key: string;
  readonly label: string;
  readonly dueDate: string;
  readonly status: 'pending' | 'fired' | 'cancelled';
}

interface CaseViewOf<K extends CaseKind> {
  readonly id: string;
  readonly kind: K;
  readonly schoolId: string;
  readonly pupilId: string;
  /** The machine's state value, e.g. `"meeting-scheduled"` or `{ "open": { … } }`. */
  readonly state: unknown;
  readonly status: 'active' | 'done';
  readonly revision: number;
  readonly context: ContextOf<K>;
  readonly ruleId?: string;
  readonly ruleVersion?: number;
  readonly openedAt: string;
  readonly updatedAt: string;
  readonly deadlines: readonly CaseDeadline[];
  /** Event types the case accepts now (whoever sends them: ask `can` for a person). */
  readonly nextEvents: readonly string[];
}

/** A case as people see it, typed by its kind: `CaseView<'peap'>` carries a `PeapContext`; `CaseView` is any, told apart by `kind`. */
export type CaseView<K extends CaseKind = CaseKind> = K extends CaseKind ? CaseViewOf<K> : never;

export interface OpenCase {
  readonly kind: CaseKind;
  readonly schoolId: string;
  readonly pupilId: string;
  readonly input: Record<string, unknown>;
  /** Opening with the same key again returns the existing case (a trigger's key, say). */
  readonly openKey?: string;
  /** The rule whose trigger opened the case. */
  readonly rule?: { readonly id: string; readonly version: number };
}

/** An event from outside the type system (the command line, a form), checked at run time. */
export interface CaseEvent {
  readonly type: string;
  readonly [field: string]: unknown;
}

type Stamped = CaseEvent & { by: string; at: string };

/** What a list of cases may be narrowed to (beside the schools the actor covers). */
export interface CaseListFilter {
  readonly schoolId?: string;
  readonly pupilId?: string;
  readonly status?: 'active' | 'done';
  /** Only open cases with a duty overdue on this date (YYYY-MM-DD), as `overdueDuties` says. */
  readonly overdueOn?: string;
}

/** The audit row a person's list of cases writes: who, the filter, the case ids returned. */
export const CASE_LIST_READ = 'case-list-read';

export interface SendOptions {
  /** The revision the sender last saw; a stale one is refused. */
  readonly expectedRevision?: number;
}

/** What the store gives the service for what crosses cases: the settings in-write checks read, and how an escalation's case is asked for. */
export interface CaseServiceWiring {
  readonly settings: CaseSettings;
  /** The request opening `followOn` for the pupil of `from` (its input worked out as by hand, before the write). */
  readonly followOnRequest: (actor: Actor, from: { readonly pupilId: string; readonly schoolId: string }, followOn: FollowOn) => Promise<OpenCase>;
}

/** A case to open (or find open) inside a write, asked for before it. */
interface PreparedFollowOn {
  readonly request: OpenCase;
  readonly input: unknown;
  readonly reuseOpen: boolean;
}

export class CaseService {
  readonly #db: Queryable;
  readonly #write: AuditedWrite;
  readonly #audit: AuditLog;
  readonly #definitions: Readonly<Record<CaseKind, CaseDefinition>>;
  readonly #now: Clock;
  readonly #keys: PupilKeys;
  /** The schools' stored calendars, for the days events set (`onSchoolDays`); none: unchecked. */
  readonly #calendars: CalendarLookup | undefined;
  readonly #wiring: CaseServiceWiring | undefined;
  /** Snapshots already restored (or just made), by row: a send validates, transitions and shows a case from one restore. */
  readonly #restored = new WeakMap<CaseRow, AnyMachineSnapshot>();

  constructor(db: Queryable, write: AuditedWrite, audit: AuditLog, keys: PupilKeys, definitions: Readonly<Record<CaseKind, CaseDefinition>>, clock: Clock = systemClock, calendars?: CalendarLookup, wiring?: CaseServiceWiring) {
    this.#calendars = calendars;
    this.#wiring = wiring;
    this.#db = db;
    this.#keys = keys;
    this.#write = write;
    this.#audit = audit;
    this.#definitions = definitions;
    this.#now = clock;
  }

  /**
   * Opens a case, or returns the one already opened with the same `openKey`.
   * @throws AccessDenied when the actor may not open this kind; EventRefused when the input is not valid for it.
   */
  async open(actor: Actor, request: OpenCase): Promise<{ case: CaseView; created: boolean }> {
    const definition = this.#definition(request.kind);
    assertMayOpen(actor, request.schoolId, definition);
    const parsed = definition.input.safeParse(request.input);
    if (!parsed.success) throw new EventRefused(`cannot open a ${request.kind} case: ${issues(parsed.error, request.input)}`);
    // An action or review that escalates opens its case in the same write (escalations.ts): asked for first.
    const followOn = await this.#prepareFollowOn(actor, { pupilId: request.pupilId, schoolId: request.schoolId }, followOnOf(request.kind, { input: parsed.data as Record<string, unknown> }));
    const at = this.#now().toISOString();
    const result = await this.#write(async (tx) => {
      if (request.openKey) {
        const existing = await caseRows.byOpenKey(tx, request.openKey);
        if (existing) return { row: existing, created: false };
      }
      const row = await this.#insert(tx, actor, request, parsed.data, at);
      if (followOn) await this.#openFollowOn(tx, actor, row, 'case-opened', followOn, at);
      return { row, created: true };
    });
    return { case: await this.#view(result.row), created: result.created };
  }

  /** Inserts a new case with its effects and its `case-opened` row (naming the case that opened it, for an escalation's). */
  async #insert(tx: AuditedTx, actor: Actor, request: OpenCase, input: unknown, at: string, openedFrom?: { readonly caseId: string; readonly kind: CaseKind; readonly by: string }): Promise<CaseRow> {
    const definition = this.#definition(request.kind);
    const id = `${request.kind}-${randomBytes(5).toString('hex')}`;
    const [snapshot, actions] = initialTransition(definition.machine, input as never);
    const row: CaseRow = {
      id,
      kind: request.kind,
      machine_version: definition.version,
      school_id: request.schoolId,
      pupil_id: request.pupilId,
      open_key: request.openKey ?? null,
      rule_id: request.rule?.id ?? null,
      rule_version: request.rule?.version ?? null,
      state: JSON.stringify(snapshot.value),
      status: snapshot.status === 'done' ? 'done' : 'active',
      snapshot: JSON.stringify(definition.machine.getPersistedSnapshot(snapshot)),
      revision: 1,
      opened_at: at,
      updated_at: at,
    };
    await caseRows.insert(tx, row);
    await caseRows.applyEffects(tx, row, actions as unknown as Effect[], at);
    await tx.audit({
      at,
      actor: actor.id,
      role: actor.role,
      action: 'case-opened',
      caseId: id,
      ...(request.rule ? { ruleId: request.rule.id, ruleVersion: request.rule.version } : {}),
      data: { kind: request.kind, input, openKey: request.openKey, ...(openedFrom ? { openedFrom } : {}) },
      // What `cases show` reads back is what this row vouches for.
      bound: { snapshot: contentHash(row.snapshot) },
    });
    return row;
  }

  /**
   * Sends events to a case — one, or several accepted or refused together (a head's last
   * answers with the decision, say) — each validated, checked for who may send it and against
   * the machine, then applied in one transaction with an audit row each.
   * @throws CaseNotFound, AccessDenied, EventRefused or RevisionConflict; nothing is written then.
   */
  async send<K extends CaseKind>(actor: Actor, target: { readonly id: string; readonly kind: K }, events: EventOf<K> | readonly EventOf<K>[], options: SendOptions = {}): Promise<CaseView<K>> {
    const list = (Array.isArray(events) ? events : [events]) as readonly CaseEvent[];
    return (await this.#send(actor, target.id, list, options, target.kind)) as CaseView<K>;
  }

  /** `send` for events typed at run time only (the command line, a form): validated the same way. */
  sendUnchecked(actor: Actor, caseId: string, events: readonly CaseEvent[], options: SendOptions = {}): Promise<CaseView> {
    return this.#send(actor, caseId, events, options);
  }

  /** Applies `events` to a case (of kind `kind`, when given: checked before anything is written). */
  async #send(actor: Actor, caseId: string, events: readonly CaseEvent[], options: SendOptions, kind?: CaseKind): Promise<CaseView> {
    if (events.length === 0) throw new EventRefused('nothing to send');
    const closed = await this.#closedDays(actor, caseId, events);
    const followOns = await this.#followOnsOf(actor, caseId, events);
    const now = this.#now();
    const at = now.toISOString();
    const today = englishDate(now);
    const row = await this.#write(async (tx) => {
      let current = await this.#visibleRow(tx, actor, caseId);
      if (kind && current.kind !== kind) throw new EventRefused(`case ${caseId} is a ${current.kind} case, not a ${kind} case`);
      if (options.expectedRevision !== undefined && options.expectedRevision !== current.revision) {
        throw new RevisionConflict(caseId, options.expectedRevision, current.revision);
      }
      const definition = this.#definition(current.kind);
      for (const event of events) {
        assertMaySend(actor, current.school_id, event.type, definition);
        const valid = this.#validated(current, event, actor.id, at);
        for (const field of eventSpec(definition, event.type)?.onSchoolDays ?? []) {
          const refusal = closed.get(valid[field]);
          if (refusal) throw new EventRefused(`${event.type} is not valid: ${field}: ${refusal}`, { field, problem: refusal });
        }
        // A person's word that something was done; what a school's record says is checked as it is imported.
        for (const field of actor.role === 'system' ? [] : (eventSpec(definition, event.type)?.happened ?? [])) {
          const day = valid[field];
          const problem = typeof day === 'string' ? doneDateRefusal(day, today) : undefined;
          if (problem) throw new EventRefused(`${event.type} is not valid: ${field}: ${problem}`, { field, problem });
        }
        current = await this.#transition(tx, current, valid, actor, at);
        const followOn = followOns.get(event);
        if (followOn) await this.#openFollowOn(tx, actor, current, event.type, followOn, at);
      }
      return current;
    });
    return this.#view(row);
  }

  /**
   * Why each day the events set for something to happen in school (their spec's `onSchoolDays`)
   * cannot be, by date: read from the calendar before the write, refused inside it after the
   * event's other checks, so a mistyped event is still told its first mistake.
   */
  async #closedDays(actor: Actor, caseId: string, events: readonly CaseEvent[]): Promise<Map<unknown, string>> {
    const closed = new Map<unknown, string>();
    const calendars = this.#calendars;
    if (!calendars || !events.some((e) => Object.values(this.#definitions).some((d) => eventSpec(d, e.type)?.onSchoolDays?.some((f) => typeof e[f] === 'string')))) return closed;
    const row = await this.#visibleRow(this.#db, actor, caseId);
    for (const event of events) {
      for (const field of eventSpec(this.#definition(row.kind), event.type)?.onSchoolDays ?? []) {
        const date = event[field];
        if (typeof date !== 'string' || !isIsoDate(date) || closed.has(date)) continue;
        const refusal = await closedDayRefusal(calendars, row.school_id, date);
        if (refusal) closed.set(date, refusal);
      }
    }
    return closed;
  }

  /**
   * Applies `event` to a case inside the caller's transaction (the deadline scheduler's).
   * Returns undefined when the case's state does not accept the event now.
   */
  async transitionInTransaction(tx: AuditedTx, caseId: string, event: CaseEvent, actor: Actor, at: string): Promise<CaseRow | undefined> {
    const current = await caseRows.get(tx, caseId);
    if (!current) throw new CaseNotFound(caseId);
    const definition = this.#definition(current.kind);
    const snapshot = this.#restore(definition, current);
    const full = { ...event, by: actor.id, at };
    if (!snapshot.can(full as never)) return undefined;
    return this.#transition(tx, current, full, actor, at);
  }

  /** A case, for someone allowed to see it; a person's read is audited (the system's own reads, to build a prompt say, are not). */
  async get(actor: Actor, caseId: string): Promise<CaseView>;
  /** A case of kind `kind`. @throws EventRefused when it is another kind. */
  async get<K extends CaseKind>(actor: Actor, caseId: string, kind: K): Promise<CaseView<K>>;
  async get(actor: Actor, caseId: string, kind?: CaseKind): Promise<CaseView> {
    const row =
      actor.role === 'system'
        ? await this.#visibleRow(this.#db, actor, caseId)
        : await this.#write(async (tx) => {
            const found = await this.#visibleRow(tx, actor, caseId);
            await tx.audit({ at: this.#now().toISOString(), actor: actor.id, role: actor.role, action: 'case-read', caseId, data: null });
            return found;
          });
    if (kind && row.kind !== kind) throw new EventRefused(`case ${caseId} is a ${row.kind} case, not a ${kind} case`);
    return this.#view(row);
  }

  /**
   * The case opened with `openKey` (a trigger's key), whatever its state, if there is one the
   * actor may see: to update a case opened before without opening a new one. A person's read is
   * audited, as by `get`.
   */
  async openedWith(actor: Actor, openKey: string): Promise<CaseView | undefined> {
    const row = await caseRows.byOpenKey(this.#db, openKey);
    if (!row || (actor.role !== 'system' && !actor.schoolIds.includes(row.school_id))) return undefined;
    return actor.role === 'system' ? this.#view(row) : this.get(actor, row.id);
  }

  /** The audit trail of a case, for someone allowed to see it; the read is audited. */
  async timeline(actor: Actor, caseId: string): Promise<AuditRow[]> {
    await this.get(actor, caseId);
    return this.#keys.open(this.#db, await this.#audit.entriesFor(caseId));
  }

  /**
   * The cases an actor may see, newest activity first. A person's list is audited — one
   * `case-list-read` row naming the filter asked for and the ids of the cases returned (their
   * pupils, kinds, states and deadlines are what a list shows; a pupil filter says whether that
   * pupil has cases) — as `get` audits a case read; the system's own lists (the scheduler's, a
   * prompt's) are not.
   */
  async list(actor: Actor, filter: CaseListFilter = {}): Promise<CaseView[]> {
    if (filter.schoolId) assertCanRead(actor, filter.schoolId);
    const schoolIds = filter.schoolId ? [filter.schoolId] : actor.role === 'system' ? undefined : actor.schoolIds;
    const asked: CaseListFilter = {
      ...(filter.schoolId ? { schoolId: filter.schoolId } : {}),
      ...(filter.pupilId ? { pupilId: filter.pupilId } : {}),
      ...(filter.status ? { status: filter.status } : {}),
      ...(filter.overdueOn ? { overdueOn: filter.overdueOn } : {}),
    };
    // Overdue is read from each case's duties (caseDuties.ts), not SQL: the store narrows to open cases.
    const { overdueOn, ...stored } = asked;
    if (overdueOn && stored.status === 'done') return this.#listRead(actor, asked, []);
    const rows = await caseRows.list(this.#db, { ...(schoolIds ? { schoolIds } : {}), ...stored, ...(overdueOn ? { status: 'active' as const } : {}) });
    const deadlines = await caseRows.deadlinesOf(this.#db, rows.map((r) => r.id));
    const views = await Promise.all(rows.map((r) => this.#viewWith(r, deadlines.get(r.id) ?? [])));
    return this.#listRead(actor, asked, overdueOn ? views.filter((v) => overdueDuties(v, overdueOn).length > 0) : views);
  }

  /** Audits a person's list read — the filter and the ids returned — before handing it over; the system's own lists are not audited. */
  async #listRead(actor: Actor, asked: CaseListFilter, found: CaseView[]): Promise<CaseView[]> {
    if (actor.role !== 'system') {
      await this.#write(async (tx) => {
        await tx.audit({ at: this.#now().toISOString(), actor: actor.id, role: actor.role, action: CASE_LIST_READ, data: { filter: asked, caseIds: found.map((v) => v.id) } });
      });
    }
    return found;
  }

  /** May `actor` send `eventType` to `view` now? Ask before offering it; `send` enforces the same. */
  can(actor: Actor, view: CaseView, eventType: string, options: { readonly atAnyStage?: boolean } = {}): Permission {
    return can(actor, view, eventType, this.#definition(view.kind), options);
  }

  /** Adds a note to a case's audit trail: a comment or a correction, never an edit. */
  async note(actor: Actor, caseId: string, text: string): Promise<void> {
    if (text.trim() === '') throw new EventRefused('a note needs some text');
    await this.#write(async (tx) => {
      const row = await this.#visibleRow(tx, actor, caseId);
      assertCanAnnotate(actor, row.school_id);
      const at = this.#now().toISOString();
      // Words about the pupil: sealed with their key, so erasing the pupil erases the note.
      await tx.audit({ at, actor: actor.id, role: actor.role, action: 'note', caseId, data: { text: await this.#keys.seal(tx, pupilOf(row), text, at) } });
    });
  }

  async #transition(tx: AuditedTx, current: CaseRow, event: Stamped, actor: Actor, at: string): Promise<CaseRow> {
    const definition = this.#definition(current.kind);
    const snapshot = this.#restore(definition, current);
    if (definition.checkInWrite) {
      const refusal = await definition.checkInWrite({ caseId: current.id, event, settings: this.#settings(), openCases: async (kind) => (await caseRows.list(tx, { kind, status: 'active' })).map(inWrite) });
      if (refusal) throw new EventRefused(`${event.type} is refused: ${refusal}`);
    }
    event = await this.#sealFreeText(tx, definition, current, event, at);
    const [next, actions] = transition(definition.machine, snapshot, event as never);
    const updated: CaseRow = {
      ...current,
      state: JSON.stringify(next.value),
      status: next.status === 'done' ? 'done' : 'active',
      snapshot: JSON.stringify(definition.machine.getPersistedSnapshot(next)),
      revision: current.revision + 1,
      updated_at: at,
    };
    this.#restored.set(updated, next);
    if (!(await caseRows.update(tx, updated, current.revision))) {
      throw new RevisionConflict(current.id, current.revision, (await caseRows.get(tx, current.id))?.revision ?? -1);
    }
    await caseRows.applyEffects(tx, current, actions as unknown as Effect[], at);
    const { type, by: _by, at: _at, ...data } = event;
    await tx.audit({
      at,
      actor: actor.id,
      role: actor.role,
      action: 'event',
      caseId: current.id,
      event: type,
      ...(current.rule_id ? { ruleId: current.rule_id, ruleVersion: current.rule_version ?? 0 } : {}),
      data,
      bound: { snapshot: contentHash(updated.snapshot) },
    });
    return updated;
  }

  #settings(): CaseSettings {
    if (!this.#wiring) throw new Error('this case service was built without its settings: open it through CaseStore.open');
    return this.#wiring.settings;
  }

  /** The follow-on each event leads to (a review that escalates), asked for before the write, by event. */
  async #followOnsOf(actor: Actor, caseId: string, events: readonly CaseEvent[]): Promise<Map<CaseEvent, PreparedFollowOn>> {
    const prepared = new Map<CaseEvent, PreparedFollowOn>();
    if (!events.some((event) => leadsSomewhere(event))) return prepared;
    const row = await this.#visibleRow(this.#db, actor, caseId);
    for (const event of events) {
      const followOn = await this.#prepareFollowOn(actor, { pupilId: row.pupil_id, schoolId: row.school_id }, followOnOf(row.kind, { event }));
      if (followOn) prepared.set(event, followOn);
    }
    return prepared;
  }

  /** The request for `followOn`, its input checked and the actor's right to open its kind, before the write: a refusal writes nothing. */
  async #prepareFollowOn(actor: Actor, from: { readonly pupilId: string; readonly schoolId: string }, followOn: FollowOn | undefined): Promise<PreparedFollowOn | undefined> {
    if (!followOn) return undefined;
    if (!this.#wiring) throw new Error('this case service was built without its wiring: open it through CaseStore.open');
    const request = await this.#wiring.followOnRequest(actor, from, followOn);
    const definition = this.#definition(request.kind);
    assertMayOpen(actor, request.schoolId, definition);
    const parsed = definition.input.safeParse(request.input);
    if (!parsed.success) throw new EventRefused(`cannot open the ${request.kind} case this leads to: ${issues(parsed.error)}`);
    return { request, input: parsed.data, reuseOpen: followOn.reuseOpen };
  }

  /**
   * Opens the case `from` leads to — or, for a kind a pupil has one of at a time, finds the one
   * open — inside `from`'s write, and links them both ways in the audit trail: `follow-on` on
   * `from`, `openedFrom` on the new case's opening row (or `linked-from` on the one found).
   */
  async #openFollowOn(tx: AuditedTx, actor: Actor, from: CaseRow, cause: string, followOn: PreparedFollowOn, at: string): Promise<void> {
    const origin = { caseId: from.id, kind: from.kind, by: cause };
    const found = followOn.reuseOpen ? (await caseRows.list(tx, { schoolIds: [from.school_id], pupilId: from.pupil_id, kind: followOn.request.kind, status: 'active' }))[0] : undefined;
    const target = found ?? (await this.#insert(tx, actor, followOn.request, followOn.input, at, origin));
    if (found) await tx.audit({ at, actor: actor.id, role: actor.role, action: 'linked-from', caseId: found.id, data: origin });
    await tx.audit({ at, actor: actor.id, role: actor.role, action: 'follow-on', caseId: from.id, data: { caseId: target.id, kind: target.kind, created: !found, by: cause } });
  }

  /**
   * The event with the fields its spec declares free text sealed with the pupil's key, before the
   * machine, the snapshot or the audit row sees them: what is stored and hashed is the sealed text.
   */
  async #sealFreeText(tx: AuditedTx, definition: CaseDefinition, row: CaseRow, event: Stamped, at: string): Promise<Stamped> {
    const fields = eventSpec(definition, event.type)?.freeText ?? [];
    if (!fields.some((f) => event[f] !== undefined)) return event;
    const sealed: Stamped = { ...event };
    for (const field of fields) if (sealed[field] !== undefined) (sealed as Record<string, unknown>)[field] = await this.#keys.sealValue(tx, pupilOf(row), sealed[field], at);
    return sealed;
  }

  #validated(row: CaseRow, event: CaseEvent, by: string, at: string): Stamped {
    const definition = this.#definition(row.kind);
    const { type, ...payload } = event;
    const spec = eventSpec(definition, type);
    if (!spec) {
      throw new EventRefused(`a ${row.kind} case has no event ${quoted(type)}; events: ${Object.keys(definition.events).join(', ')}`);
    }
    const parsed = spec.payload.safeParse(payload);
    if (!parsed.success) throw new EventRefused(`${type} is not valid: ${issues(parsed.error, payload)}`);
    const full = { type, ...(parsed.data as object), by, at };
    const snapshot = this.#restore(definition, row);
    if (!snapshot.can(full as never)) {
      const reason = definition.explainRefusal?.(snapshot as never, full);
      const possible = this.#nextEvents(definition, snapshot);
      throw new EventRefused(reason ?? `${type} is not possible while the case is ${describeState(snapshot.value)}; possible now: ${possible.join(', ') || 'nothing (the case is closed)'}`);
    }
    return full;
  }

  async #visibleRow(q: Queryable, actor: Actor, caseId: string): Promise<CaseRow> {
    const row = await caseRows.get(q, caseId);
    if (!row || (actor.role !== 'system' && !actor.schoolIds.includes(row.school_id))) throw new CaseNotFound(caseId);
    return row;
  }

  #definition(kind: CaseKind): CaseDefinition {
    const definition = this.#definitions[kind];
    if (!definition) throw new EventRefused(`unknown kind of case "${kind}"; kinds: ${Object.keys(this.#definitions).join(', ')}`);
    return definition;
  }

  #restore(definition: CaseDefinition, row: CaseRow): AnyMachineSnapshot {
    const known = this.#restored.get(row);
    if (known) return known;
    if (row.machine_version !== definition.version) {
      throw new Error(`case ${row.id} was stored by version ${row.machine_version} of the ${row.kind} machine; this program runs version ${definition.version}`);
    }
    const snapshot = definition.machine.resolveState(JSON.parse(row.snapshot) as never) as AnyMachineSnapshot;
    this.#restored.set(row, snapshot);
    return snapshot;
  }

  /** The events people may send that the current state has a transition for (guards aside). */
  #nextEvents(definition: CaseDefinition, snapshot: AnyMachineSnapshot): string[] {
    if (snapshot.status !== 'active') return [];
    const accepted = new Set(eventsAccepted(snapshot) as string[]);
    return Object.keys(definition.events).filter((type) => accepted.has(type));
  }

  async #view(row: CaseRow): Promise<CaseView> {
    const deadlines = await caseRows.deadlinesOf(this.#db, [row.id]);
    return this.#viewWith(row, deadlines.get(row.id) ?? []);
  }

  /** A case as people see it: free text opened with the pupil's key (or shown erased). */
  async #viewWith(row: CaseRow, deadlines: readonly DeadlineRow[]): Promise<CaseView> {
    const definition = this.#definition(row.kind);
    const snapshot = this.#restore(definition, row);
    const context = await this.#keys.open(this.#db, snapshot.context as unknown);
    return {
      id: row.id,
      kind: row.kind,
      schoolId: row.school_id,
      pupilId: row.pupil_id,
      state: snapshot.value,
      status: row.status,
      revision: row.revision,
      context: context as never,
      ...(row.rule_id ? { ruleId: row.rule_id, ruleVersion: row.rule_version ?? 0 } : {}),
      openedAt: row.opened_at,
      updatedAt: row.updated_at,
      deadlines: deadlines.map((d) => ({ key: d.key, label: d.label, dueDate: d.due_date, status: d.status })),
      nextEvents: this.#nextEvents(definition, snapshot),
    } as CaseView;
  }
}

/** A case row as an in-write check reads it: state and context as persisted (free text stays sealed). */
function inWrite(row: CaseRow): CaseInWrite {
  const persisted = JSON.parse(row.snapshot) as { context?: Record<string, unknown> };
  return { id: row.id, pupilId: row.pupil_id, schoolId: row.school_id, state: JSON.parse(row.state) as unknown, context: persisted.context ?? {}, openedAt: row.opened_at };
}

function pupilOf(row: CaseRow): { pupilId: string; schoolId: string } {
  return { pupilId: row.pupil_id, schoolId: row.school_id };
}

/** A case's overdue duties on `today` (YYYY-MM-DD), oldest first, as label and date: `overdueDuties` (caseDuties.ts) is their one definition. */
export function overdueDeadlines(view: CaseView, today: string): { readonly key: string; readonly label: string; readonly dueDate: string }[] {
  return overdueDuties(view, today).map((d) => ({ key: d.key, label: d.what, dueDate: d.dueDate }));
}

/** Where a case stands, for a list: its title and state in words, what is overdue (oldest first) and the next deadline. */
export interface CaseSummary {
  readonly id: string;
  readonly kind: CaseKind;
  readonly schoolId: string;
  readonly pupilId: string;
  /** The name the pupil's school chose to hold, when the reader may see it (`DisplayNames.for`). */
  readonly pupilName?: string;
  /** What the case is about, in words: "Suspension — DEMO-005, 3 days from Mon 2 Mar" (see `caseTitle`); with the name, "… — Sam Jones (DEMO-005), …". */
  readonly title: string;
  /** The machine's state in its own names (`meeting-scheduled`), for filters and logs. */
  readonly state: string;
  /** Where the case stands, in words: "pupil's voice heard — head's reflection next" (see `stateWords`). */
  readonly stateText: string;
  readonly closed: boolean;
  readonly revision: number;
  readonly openedAt: string;
  readonly updatedAt: string;
  readonly overdue: readonly { readonly label: string; readonly dueDate: string }[];
  readonly nextDeadline?: { readonly label: string; readonly dueDate: string };
}

/**
 * A case in a list, the same in every channel. `pupilName` only from `DisplayNames.for` the
 * person reading: it goes into the title beside the id, for their screen and nowhere else.
 */
export function caseSummary(view: CaseView, today: string, pupilName?: string): CaseSummary {
  const next = nextDuty(view, today);
  return {
    id: view.id,
    kind: view.kind,
    schoolId: view.schoolId,
    pupilId: view.pupilId,
    ...(pupilName ? { pupilName } : {}),
    title: caseTitle(pupilName ? { ...view, pupilId: `${pupilName} (${view.pupilId})` } : view),
    state: describeState(view.state),
    stateText: stateWords(view.kind, view.state),
    closed: view.status === 'done',
    revision: view.revision,
    openedAt: view.openedAt,
    updatedAt: view.updatedAt,
    overdue: overdueDeadlines(view, today).map((d) => ({ label: d.label, dueDate: d.dueDate })),
    ...(next ? { nextDeadline: { label: next.what, dueDate: next.dueDate } } : {}),
  };
}

/** Each problem with its field; a field left out says so ("missing") before what it takes. */
function issues(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }, given?: unknown): string {
  const at = (path: readonly PropertyKey[]) => path.reduce<unknown>((value, key) => (value && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key] : undefined), given);
  return error.issues
    .map((i) => {
      const missing = given !== undefined && i.path.length > 0 && at(i.path) === undefined;
      return `${i.path.length ? `${i.path.map(String).join('.')}: ` : ''}${missing ? `missing (${i.message.replace(/^Invalid (input|option): /, '').replace(/, received undefined$/, '')})` : i.message}`;
    })
    .join('; ');
}

