/**
 * Who may do what, decided here in the service layer so every channel (CLI, Teams, Slack)
 * gets the same answer: a head sees and acts only on their school's pupils and cases; an
 * inclusion officer reads across the schools they cover and may add audit notes; nobody
 * edits history.
 */
export type StaffRole = 'headteacher' | 'deputy' | 'senco' | 'inclusion-officer' | 'admin';
export const STAFF_ROLES: readonly StaffRole[] = ['headteacher', 'deputy', 'senco', 'inclusion-officer', 'admin'];

/** A member of staff, or the system itself (scheduler, rules evaluation, imports). */
export interface Actor {
  readonly id: string;
  readonly role: StaffRole | 'system';
  readonly schoolIds: readonly string[];
}

export const SYSTEM: Actor = { id: 'system', role: 'system', schoolIds: [] };

/** Roles that act on their school's cases (answer, record, decide). */
const ACTING_ROLES: readonly string[] = ['headteacher', 'deputy', 'senco', 'admin'];
/** Events only a head (or a deputy acting as head) may send. */
const HEAD_ONLY_EVENTS: readonly string[] = ['DECIDE', 'CANCEL'];

/** Thrown when an actor may not do something; the message says what and why, and names no pupil. */
export class AccessDenied extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AccessDenied';
  }
}

function covers(actor: Actor, schoolId: string): boolean {
  return actor.role === 'system' || actor.schoolIds.includes(schoolId);
}

/** May `actor` read cases and pupils of `schoolId`? */
export function assertCanRead(actor: Actor, schoolId: string): void {
  if (!covers(actor, schoolId)) throw new AccessDenied(`${actor.id} does not cover school ${schoolId}`);
}

/** May `actor` send `eventType` to a case of `schoolId`? */
export function assertCanAct(actor: Actor, schoolId: string, eventType: string): void {
  if (actor.role === 'system') return;
  assertCanRead(actor, schoolId);
  if (!ACTING_ROLES.includes(actor.role)) {
    throw new AccessDenied(`an ${actor.role} reads cases and adds audit notes but does not act on them`);
  }
  if (HEAD_ONLY_EVENTS.includes(eventType) && actor.role !== 'headteacher' && actor.role !== 'deputy') {
    throw new AccessDenied(`only the headteacher (or a deputy acting for them) may send ${eventType}`);
  }
}

/** May `actor` add an audit note to a case of `schoolId`? */
export function assertCanAnnotate(actor: Actor, schoolId: string): void {
  assertCanRead(actor, schoolId);
  if (actor.role !== 'inclusion-officer' && actor.role !== 'headteacher' && actor.role !== 'system') {
    throw new AccessDenied('audit notes are added by inclusion officers and headteachers');
  }
}
