/**
 * Cases and their deadlines as rows: a case's persisted machine snapshot with its revision, and
 * the deadline and outbox rows its transitions declared as effects. No logic about what a case
 * means — that is the case service's — only how it is kept.
 */
import type { CaseKind, Effect } from '../machines/caseDefinition.js';
import type { Queryable, SqlValue } from './database.js';

export interface CaseRow {
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

export interface DeadlineRow {
  case_id: string;
  key: string;
  label: string;
  due_date: string;
  status: 'pending' | 'fired' | 'cancelled';
}

export interface CaseFilter {
  /** Only these schools (undefined: every school). */
  readonly schoolIds?: readonly string[];
  readonly pupilId?: string;
  readonly kind?: CaseKind;
  readonly status?: 'active' | 'done';
}

export const caseRows = {
  get(q: Queryable, id: string): Promise<CaseRow | undefined> {
    return q.get<CaseRow>('SELECT * FROM cases WHERE id = ?', [id]);
  },

  byOpenKey(q: Queryable, openKey: string): Promise<CaseRow | undefined> {
    return q.get<CaseRow>('SELECT * FROM cases WHERE open_key = ?', [openKey]);
  },

  async insert(q: Queryable, row: CaseRow): Promise<void> {
    await q.run(
      `INSERT INTO cases (id, kind, machine_version, school_id, pupil_id, open_key, rule_id, rule_version, state, status, snapshot, revision, opened_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [row.id, row.kind, row.machine_version, row.school_id, row.pupil_id, row.open_key, row.rule_id, row.rule_version, row.state, row.status, row.snapshot, row.revision, row.opened_at, row.updated_at],
    );
  },

  /** Writes the case's new state if it is still at `expectedRevision`; false when someone else moved it first. */
  async update(q: Queryable, row: CaseRow, expectedRevision: number): Promise<boolean> {
    const changed = await q.run('UPDATE cases SET state = ?, status = ?, snapshot = ?, revision = ?, updated_at = ? WHERE id = ? AND revision = ?', [
      row.state,
      row.status,
      row.snapshot,
      row.revision,
      row.updated_at,
      row.id,
      expectedRevision,
    ]);
    return changed === 1;
  },

  /** Cases matching `filter`, newest activity first. */
  list(q: Queryable, filter: CaseFilter): Promise<CaseRow[]> {
    const where: string[] = [];
    const params: SqlValue[] = [];
    if (filter.schoolIds) {
      if (filter.schoolIds.length === 0) return Promise.resolve([]);
      where.push(`school_id IN (${filter.schoolIds.map(() => '?').join(', ')})`);
      params.push(...filter.schoolIds);
    }
    if (filter.pupilId) {
      where.push('pupil_id = ?');
      params.push(filter.pupilId);
    }
    if (filter.kind) {
      where.push('kind = ?');
      params.push(filter.kind);
    }
    if (filter.status) {
      where.push('status = ?');
      params.push(filter.status);
    }
    return q.all<CaseRow>(`SELECT * FROM cases ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY updated_at DESC, id`, params);
  },

  /** The deadlines of these cases, by case, each list in date order. */
  async deadlinesOf(q: Queryable, caseIds: readonly string[]): Promise<Map<string, DeadlineRow[]>> {
    const byCase = new Map<string, DeadlineRow[]>();
    for (let i = 0; i < caseIds.length; i += 500) {
      const chunk = caseIds.slice(i, i + 500);
      const rows = await q.all<DeadlineRow>(
        `SELECT case_id, key, label, due_date, status FROM deadlines WHERE case_id IN (${chunk.map(() => '?').join(', ')}) ORDER BY case_id, due_date, key`,
        chunk,
      );
      for (const row of rows) byCase.set(row.case_id, [...(byCase.get(row.case_id) ?? []), row]);
    }
    return byCase;
  },

  /** Writes the deadline and outbox rows a transition declared. */
  async applyEffects(q: Queryable, row: Pick<CaseRow, 'id' | 'school_id'>, effects: readonly Effect[], at: string): Promise<void> {
    for (const effect of effects) {
      switch (effect.type) {
        case 'scheduleDeadline':
          if (effect.params.skip) break;
          await q.run(
            `INSERT INTO deadlines (case_id, key, label, due_date, status) VALUES (?, ?, ?, ?, 'pending')
             ON CONFLICT (case_id, key) DO UPDATE SET label = excluded.label, due_date = excluded.due_date, status = 'pending', fired_at = NULL`,
            [row.id, effect.params.key, effect.params.label, effect.params.dueDate],
          );
          break;
        case 'cancelDeadline':
          await q.run(`UPDATE deadlines SET status = 'cancelled' WHERE case_id = ? AND key = ? AND status = 'pending'`, [row.id, effect.params.key]);
          break;
        case 'enqueue':
          if (effect.params.skip) break;
          await q.run(
            `INSERT INTO outbox (case_id, school_id, idempotency_key, kind, payload, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (idempotency_key) DO NOTHING`,
            [row.id, row.school_id, `${row.id}/${effect.params.key}`, effect.params.kind, JSON.stringify(effect.params.payload), at, at],
          );
          break;
        default:
          break; // assign and other built-in actions have already done their work in the snapshot
      }
    }
  },

  /** Pending deadlines due on or before `today`, in date order. */
  dueDeadlines(q: Queryable, today: string): Promise<{ case_id: string; key: string }[]> {
    return q.all(`SELECT case_id, key FROM deadlines WHERE status = 'pending' AND due_date <= ? ORDER BY due_date, case_id, key`, [today]);
  },

  /** Marks a deadline fired; false when it was no longer pending (another instance fired it). */
  async markFired(q: Queryable, caseId: string, key: string, at: string): Promise<boolean> {
    return (await q.run(`UPDATE deadlines SET status = 'fired', fired_at = ? WHERE case_id = ? AND key = ? AND status = 'pending'`, [at, caseId, key])) === 1;
  },
};
