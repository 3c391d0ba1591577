/**
 * Deadlines that survive restarts: each is a row, and `fireDueDeadlines` sends
 * `DEADLINE_REACHED` for every pending one whose date has come (in England), marking it fired
 * in the same transaction as the transition — so each fires exactly once, however often the
 * process stops and starts, and however many instances share the database.
 */
import { SYSTEM } from '../access.js';
import type { CaseService } from './caseService.js';
import { englishDate } from '../clock.js';
import type { AuditedWrite } from '../store/auditedWrite.js';
import { caseRows } from '../store/caseRows.js';
import type { Queryable } from '../store/database.js';

export interface TickResult {
  /** Deadlines whose case moved on. */
  readonly fired: number;
  /** Deadlines that came due in a state that had nothing to do with them (already done). */
  readonly moot: number;
}

/** Fires every pending deadline due on or before the English date of `now`. */
export async function fireDueDeadlines(db: Queryable, write: AuditedWrite, cases: CaseService, now: Date): Promise<TickResult> {
  const at = now.toISOString();
  const due = await caseRows.dueDeadlines(db, englishDate(now));
  let fired = 0;
  let moot = 0;
  for (const { case_id: caseId, key } of due) {
    const outcome = await write(async (tx) => {
      // Another instance may have fired it since the query above.
      if (!(await caseRows.markFired(tx, caseId, key, at))) return 'gone';
      const moved = await cases.transitionInTransaction(tx, caseId, { type: 'DEADLINE_REACHED', key }, SYSTEM, at);
      if (!moved) await tx.audit({ at, actor: SYSTEM.id, role: SYSTEM.role, action: 'deadline-moot', caseId, event: 'DEADLINE_REACHED', data: { key } });
      return moved ? 'fired' : 'moot';
    });
    if (outcome === 'fired') fired++;
    if (outcome === 'moot') moot++;
  }
  return { fired, moot };
}
