/**
 * The case service: every read and write of a case goes through here, checked for access,
 * validated, and — for writes — applied as one immediate SQLite transaction: load the
 * snapshot, run the machine's pure `transition()`, then write the snapshot, its deadlines,
 * its outbox messages and an audit row together, or nothing at all.
 */
import { randomBytes } from 'node:crypto';
import { __unsafe_getAllOwnEventDescriptors as eventsAccepted, createActor, initialTransition, transition, type AnyMachineSnapshot } from 'xstate';
import { assertCanAct, assertCanAnnotate, assertCanRead, type Actor } from './access.js';
import { systemClock, type Clock } from './clock.js';
import { CaseNotFound, EventRefused, RevisionConflict } from './errors.js';
import type { CaseDefinition, CaseKind, Effect } from './machines/caseDefinition.js';
import type { AuditLog, AuditRow } from './store/auditLog.js';
import type { Db } from './store/database.js';

export interface CaseDeadline {
  readonly key: string;
  readonly label: string;
  readonly dueDate: string;
  readonly status: 'pending' | 'fired' | 'cancelled';
}

/** A case as people see it. */
export interface CaseView {
  readonly id: string;
  readonly kind: CaseKind;
  readonly schoolId: string;
  readonly pupilId: string;
  /** The machine's state value, e.g. `"meeting-scheduled"` or `{ "open": { … } }`. */
  readonly state: unknown;
  readonly status: 'active' | 'done';
  readonly revision: number;
  readonly context: Record<string, unknown>;
  readonly ruleId?: string;
  readonly ruleVersion?: number;
  readonly openedAt: string;
  readonly updatedAt: string;
  readonly deadlines: readonly CaseDeadline[];
  /** Event types the case accepts now. */
  readonly nextEvents: readonly string[];
}

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

export interface CaseEvent {
  readonly type: string;
  readonly [field: string]: unknown;
}

interface CaseRow {
  id: string;
  kind: CaseKind;
  machine_version: number;
  school_id: string;
  pupil_id: string;
  open_key: string | null;
  rule_id: string | null;
  rule_version: number | null;
  state: string;
  status: 'active' | 'done';
  snapshot: string;
  revision: number;
  opened_at: string;
  updated_at: string;
}

export class CaseService {
  readonly #db: Db;
  readonly #audit: AuditLog;
  readonly #definitions: Readonly<Record<CaseKind, CaseDefinition>>;
  readonly #now: Clock;

  constructor(db: Db, audit: AuditLog, definitions: Readonly<Record<CaseKind, CaseDefinition>>, clock: Clock = systemClock) {
    this.#db = db;
    this.#audit = audit;
    this.#definitions = definitions;
    this.#now = clock;
  }

  /**
   * Opens a case, or returns the one already opened with the same `openKey`.
   * @throws EventRefused when the input is not valid for the kind of case.
   */
  open(actor: Actor, request: OpenCase): { case: CaseView; created: boolean } {
    assertCanAct(actor, request.schoolId, 'OPEN');
    const definition = this.#definition(request.kind);
    const parsed = definition.input.safeParse(request.input);
    if (!parsed.success) throw new EventRefused(`cannot open a ${request.kind} case: ${issues(parsed.error)}`);
    const at = this.#now().toISOString();
    const result = this.#db.transaction(() => {
      if (request.openKey) {
        const existing = this.#db.prepare<[string], CaseRow>('SELECT * FROM cases WHERE open_key = ?').get(request.openKey);
        if (existing) return { row: existing, created: false };
      }
      const id = `${request.kind}-${randomBytes(5).toString('hex')}`;
      const [snapshot, actions] = initialTransition(definition.machine, parsed.data as never);
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
      this.#db
        .prepare(
          `INSERT INTO cases (id, kind, machine_version, school_id, pupil_id, open_key, rule_id, rule_version, state, status, snapshot, revision, opened_at, updated_at)
           VALUES (@id, @kind, @machine_version, @school_id, @pupil_id, @open_key, @rule_id, @rule_version, @state, @status, @snapshot, @revision, @opened_at, @updated_at)`,
        )
        .run(row);
      this.#applyEffects(id, actions as unknown as Effect[], at);
      this.#audit.append({
        at,
        actor: actor.id,
        role: actor.role,
        action: 'case-opened',
        caseId: id,
        ...(request.rule ? { ruleId: request.rule.id, ruleVersion: request.rule.version } : {}),
        data: { kind: request.kind, input: parsed.data, openKey: request.openKey },
      });
      return { row, created: true };
    }).immediate();
    if (result.created) this.#audit.anchorLatest();
    return { case: this.#view(result.row), created: result.created };
  }

  /**
   * Sends an event to a case: validated, checked against the machine, applied atomically.
   * @param expectedRevision — the revision the sender last saw; a stale one is refused.
   * @throws CaseNotFound, AccessDenied, EventRefused or RevisionConflict.
   */
  send(actor: Actor, caseId: string, event: CaseEvent, options: { expectedRevision?: number } = {}): CaseView {
    const at = this.#now().toISOString();
    const row = this.#db.transaction(() => {
      const current = this.#visibleRow(actor, caseId);
      assertCanAct(actor, current.school_id, event.type);
      if (options.expectedRevision !== undefined && options.expectedRevision !== current.revision) {
        throw new RevisionConflict(caseId, options.expectedRevision, current.revision);
      }
      return this.#transition(current, this.#validated(current, event, actor.id, at), actor, at);
    }).immediate();
    this.#audit.anchorLatest();
    return this.#view(row);
  }

  /**
   * Applies `event` to a case inside the caller's transaction (used by the deadline scheduler).
   * Returns undefined when the case's state does not accept the event now.
   */
  transitionInTransaction(caseId: string, event: CaseEvent, actor: Actor, at: string): CaseRow | undefined {
    const current = this.#row(caseId);
    if (!current) throw new CaseNotFound(caseId);
    const definition = this.#definition(current.kind);
    const snapshot = this.#restore(definition, current);
    const full = { ...event, by: actor.id, at };
    if (!snapshot.can(full as never)) return undefined;
    return this.#transition(current, full, actor, at);
  }

  /** A case, for someone allowed to see it; a person's read is audited (the system's own reads, to build a prompt say, are not). */
  get(actor: Actor, caseId: string): CaseView {
    if (actor.role === 'system') return this.#view(this.#visibleRow(actor, caseId));
    const row = this.#db.transaction(() => {
      const found = this.#visibleRow(actor, caseId);
      this.#audit.append({ at: this.#now().toISOString(), actor: actor.id, role: actor.role, action: 'case-read', caseId, data: null });
      return found;
    }).immediate();
    this.#audit.anchorLatest();
    return this.#view(row);
  }

  /** The audit trail of a case, for someone allowed to see it; the read is audited. */
  timeline(actor: Actor, caseId: string): AuditRow[] {
    this.get(actor, caseId);
    return this.#audit.entriesFor(caseId);
  }

  /** The cases an actor may see, newest activity first. */
  list(actor: Actor, filter: { schoolId?: string; pupilId?: string; status?: 'active' | 'done'; overdueOn?: string } = {}): CaseView[] {
    if (filter.schoolId) assertCanRead(actor, filter.schoolId);
    const schools = actor.role === 'system' ? undefined : filter.schoolId ? [filter.schoolId] : actor.schoolIds;
    if (schools && schools.length === 0) return [];
    const where: string[] = [];
    const params: unknown[] = [];
    if (schools) {
      where.push(`school_id IN (${schools.map(() => '?').join(', ')})`);
      params.push(...schools);
    } else if (filter.schoolId) {
      where.push('school_id = ?');
      params.push(filter.schoolId);
    }
    if (filter.pupilId) {
      where.push('pupil_id = ?');
      params.push(filter.pupilId);
    }
    if (filter.status) {
      where.push('status = ?');
      params.push(filter.status);
    }
    if (filter.overdueOn) {
      where.push(`EXISTS (SELECT 1 FROM deadlines d WHERE d.case_id = cases.id AND d.due_date < ? AND (d.status = 'pending' OR d.status = 'fired'))`);
      params.push(filter.overdueOn);
    }
    const rows = this.#db
      .prepare<unknown[], CaseRow>(`SELECT * FROM cases ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY updated_at DESC, id`)
      .all(...params);
    return rows.map((r) => this.#view(r));
  }

  /** Adds a note to a case's audit trail: a comment or a correction, never an edit. */
  note(actor: Actor, caseId: string, text: string): void {
    if (text.trim() === '') throw new EventRefused('a note needs some text');
    this.#db.transaction(() => {
      const row = this.#visibleRow(actor, caseId);
      assertCanAnnotate(actor, row.school_id);
      this.#audit.append({ at: this.#now().toISOString(), actor: actor.id, role: actor.role, action: 'note', caseId, data: { text } });
    }).immediate();
    this.#audit.anchorLatest();
  }

  #transition(current: CaseRow, event: CaseEvent & { by: string; at: string }, actor: Actor, at: string): CaseRow {
    const definition = this.#definition(current.kind);
    const snapshot = this.#restore(definition, current);
    const [next, actions] = transition(definition.machine, snapshot, event as never);
    const updated: CaseRow = {
      ...current,
      state: JSON.stringify(next.value),
      status: next.status === 'done' ? 'done' : 'active',
      snapshot: JSON.stringify(definition.machine.getPersistedSnapshot(next)),
      revision: current.revision + 1,
      updated_at: at,
    };
    const changed = this.#db
      .prepare('UPDATE cases SET state = @state, status = @status, snapshot = @snapshot, revision = @revision, updated_at = @updated_at WHERE id = @id AND revision = @expected')
      .run({ ...updated, expected: current.revision }).changes;
    if (changed !== 1) throw new RevisionConflict(current.id, current.revision, this.#row(current.id)?.revision ?? -1);
    this.#applyEffects(current.id, actions as unknown as Effect[], at);
    const { type, by: _by, at: _at, ...data } = event;
    this.#audit.append({
      at,
      actor: actor.id,
      role: actor.role,
      action: 'event',
      caseId: current.id,
      event: type,
      ...(current.rule_id ? { ruleId: current.rule_id, ruleVersion: current.rule_version ?? 0 } : {}),
      data,
    });
    return updated;
  }

  #validated(row: CaseRow, event: CaseEvent, by: string, at: string): CaseEvent & { by: string; at: string } {
    const definition = this.#definition(row.kind);
    const { type, ...payload } = event;
    const schema = definition.events[type];
    if (!schema) {
      throw new EventRefused(`a ${row.kind} case has no event "${type}"; events: ${Object.keys(definition.events).join(', ')}`);
    }
    const parsed = schema.safeParse(payload);
    if (!parsed.success) throw new EventRefused(`${type} is not valid: ${issues(parsed.error)}`);
    const full = { type, ...(parsed.data as object), by, at };
    const snapshot = this.#restore(definition, row);
    if (!snapshot.can(full as never)) {
      const reason = definition.explainRefusal?.(snapshot as never, full);
      const possible = this.#nextEvents(definition, snapshot);
      throw new EventRefused(reason ?? `${type} is not possible while the case is ${describeState(snapshot.value)}; possible now: ${possible.join(', ') || 'nothing (the case is closed)'}`);
    }
    return full;
  }

  #applyEffects(caseId: string, actions: readonly Effect[], at: string): void {
    for (const action of actions) {
      switch (action.type) {
        case 'scheduleDeadline':
          this.#db
            .prepare(
              `INSERT INTO deadlines (case_id, key, label, due_date, status) VALUES (?, ?, ?, ?, 'pending')
               ON CONFLICT (case_id, key) DO UPDATE SET label = excluded.label, due_date = excluded.due_date, status = 'pending', fired_at = NULL`,
            )
            .run(caseId, action.params.key, action.params.label, action.params.dueDate);
          break;
        case 'cancelDeadline':
          this.#db.prepare(`UPDATE deadlines SET status = 'cancelled' WHERE case_id = ? AND key = ? AND status = 'pending'`).run(caseId, action.params.key);
          break;
        case 'enqueue':
          this.#db
            .prepare(
              `INSERT INTO outbox (case_id, idempotency_key, kind, payload, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?)
               ON CONFLICT (idempotency_key) DO NOTHING`,
            )
            .run(caseId, `${caseId}/${action.params.key}`, action.params.kind, JSON.stringify(action.params.payload), at, at);
          break;
        default:
          break; // assign and other built-in actions have already done their work in the snapshot
      }
    }
  }

  #visibleRow(actor: Actor, caseId: string): CaseRow {
    const row = this.#row(caseId);
    if (!row || (actor.role !== 'system' && !actor.schoolIds.includes(row.school_id))) throw new CaseNotFound(caseId);
    return row;
  }

  #row(caseId: string): CaseRow | undefined {
    return this.#db.prepare<[string], CaseRow>('SELECT * FROM cases WHERE id = ?').get(caseId);
  }

  #definition(kind: CaseKind): CaseDefinition {
    const definition = this.#definitions[kind];
    if (!definition) throw new EventRefused(`unknown kind of case "${kind}"; kinds: ${Object.keys(this.#definitions).join(', ')}`);
    return definition;
  }

  #restore(definition: CaseDefinition, row: CaseRow): AnyMachineSnapshot {
    if (row.machine_version !== definition.version) {
      throw new Error(`case ${row.id} was stored by version ${row.machine_version} of the ${row.kind} machine; this program runs version ${definition.version}`);
    }
    return createActor(definition.machine, { snapshot: JSON.parse(row.snapshot) }).getSnapshot() as AnyMachineSnapshot;
  }

  /** The events people may send that the current state has a transition for (guards aside). */
  #nextEvents(definition: CaseDefinition, snapshot: AnyMachineSnapshot): string[] {
    if (snapshot.status !== 'active') return [];
    const accepted = new Set(eventsAccepted(snapshot) as string[]);
    return Object.keys(definition.events).filter((type) => accepted.has(type));
  }

  #view(row: CaseRow): CaseView {
    const definition = this.#definition(row.kind);
    const snapshot = this.#restore(definition, row);
    const deadlines = this.#db
      .prepare<[string], { key: string; label: string; due_date: string; status: CaseDeadline['status'] }>(
        'SELECT key, label, due_date, status FROM deadlines WHERE case_id = ? ORDER BY due_date, key',
      )
      .all(row.id)
      .map((d) => ({ key: d.key, label: d.label, dueDate: d.due_date, status: d.status }));
    return {
      id: row.id,
      kind: row.kind,
      schoolId: row.school_id,
      pupilId: row.pupil_id,
      state: snapshot.value,
      status: row.status,
      revision: row.revision,
      context: snapshot.context as Record<string, unknown>,
      ...(row.rule_id ? { ruleId: row.rule_id, ruleVersion: row.rule_version ?? 0 } : {}),
      openedAt: row.opened_at,
      updatedAt: row.updated_at,
      deadlines,
      nextEvents: this.#nextEvents(definition, snapshot),
    };
  }
}

/** The deadlines of an open case whose date has passed by `today` (YYYY-MM-DD) without being met. */
export function overdueDeadlines(view: CaseView, today: string): CaseDeadline[] {
  return view.status === 'active' ? view.deadlines.filter((d) => d.status !== 'cancelled' && d.dueDate < today) : [];
}

/** A state value in words: `meeting-scheduled`, or `open (notices: pending, review: due)`. */
export function describeState(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    return Object.entries(value)
      .map(([k, v]) => (typeof v === 'string' ? `${k}: ${v}` : `${k} (${describeState(v)})`))
      .join(', ');
  }
  return String(value);
}

function issues(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): string {
  return error.issues.map((i) => `${i.path.length ? `${i.path.map(String).join('.')}: ` : ''}${i.message}`).join('; ');
}

export type { CaseRow };
