/**
 * Deadlines that survive restarts: each is a row, and `fireDueDeadlines` sends
 * `DEADLINE_REACHED` for every pending one whose date has come (in England), marking it fired
 * in the same transaction as the transition — so each fires exactly once, however often the
 * process stops and starts.
 */
import { SYSTEM } from './access.js';
import type { CaseService } from './caseService.js';
import { englishDate } from './clock.js';
import type { AuditLog } from './store/auditLog.js';
import type { Db } from './store/database.js';

export interface TickResult {
  /** Deadlines whose case moved on. */
  readonly fired: number;
  /** Deadlines that came due in a state that had nothing to do with them (already done). */
  readonly moot: number;
}

/** Fires every pending deadline due on or before the English date of `now`. */
export function fireDueDeadlines(db: Db, cases: CaseService, audit: AuditLog, now: Date): TickResult {
  const today = englishDate(now);
  const at = now.toISOString();
  const due = db
    .prepare<[string], { case_id: string; key: string }>(`SELECT case_id, key FROM deadlines WHERE status = 'pending' AND due_date <= ? ORDER BY due_date, case_id, key`)
    .all(today);
  let fired = 0;
  let moot = 0;
  for (const { case_id: caseId, key } of due) {
    const outcome = db.transaction(() => {
      // Another process may have fired it since the query above.
      const still = db.prepare(`UPDATE deadlines SET status = 'fired', fired_at = ? WHERE case_id = ? AND key = ? AND status = 'pending'`).run(at, caseId, key);
      if (still.changes === 0) return 'gone';
      const moved = cases.transitionInTransaction(caseId, { type: 'DEADLINE_REACHED', key }, SYSTEM, at);
      if (!moved) audit.append({ at, actor: SYSTEM.id, role: SYSTEM.role, action: 'deadline-moot', caseId, event: 'DEADLINE_REACHED', data: { key } });
      return moved ? 'fired' : 'moot';
    }).immediate();
    if (outcome === 'fired') fired++;
    if (outcome === 'moot') moot++;
  }
  if (due.length > 0) audit.anchorLatest();
  return { fired, moot };
}
