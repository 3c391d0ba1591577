/**
 * A pupil id as a person typed it — "demo-004" for the stored `DEMO-004` — resolved to the id the
 * store holds, within the schools the person may see. Ids are stored as the school's MIS gives
 * them, case and all; people type them in whatever case comes to hand.
 */
import type { Actor } from '../access.js';
import { CaseNotFound, EventRefused } from '../errors.js';
import type { CaseStore } from '../store/caseStore.js';

/**
 * The stored id of the pupil `typed` names: the exact id first, then one that differs only in
 * case among the pupils of the actor's schools. A pupil of another school is never found, by
 * either route, and the refusal is the same as for an unknown id, so nothing leaks.
 * @example await resolvePupilId(store, head, ' demo-004 ') // 'DEMO-004'
 * @throws CaseNotFound when no pupil the actor may see has that id; EventRefused when it matches
 *   more than one (ids differing only in case), naming them — all of the actor's own schools.
 */
export async function resolvePupilId(store: CaseStore, actor: Actor, typed: string): Promise<string> {
  const wanted = typed.trim();
  if (wanted === '') throw new EventRefused('give the pupil id');
  try {
    return (await store.pupils.record(actor, wanted)).id;
  } catch (error) {
    if (!(error instanceof CaseNotFound)) throw error;
  }
  const folded = wanted.toLowerCase();
  const matches: string[] = [];
  // The system covers every school; a person only their own.
  const candidates = actor.role === 'system' ? store.pupils.all() : await store.pupils.inSchools(actor.schoolIds);
  for await (const record of candidates) if (record.id.toLowerCase() === folded) matches.push(record.id);
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) throw new EventRefused(`"${wanted}" could be any of ${matches.sort().join(', ')}: type the id exactly as written`);
  throw new CaseNotFound(wanted, 'pupil');
}
