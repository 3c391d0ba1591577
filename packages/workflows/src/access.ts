/**
 * Who may do what, decided here in the service layer so every channel (CLI, Teams, Slack)
 * gets the same answer: a head sees and acts only on their school's pupils and cases; an
 * inclusion officer reads across the schools they cover and may add audit notes; nobody
 * edits history.
 */
import { eventSpec, type CaseDefinition } from './machines/caseDefinition.js';

export type StaffRole = 'headteacher' | 'deputy' | 'senco' | 'inclusion-officer' | 'admin';
export const STAFF_ROLES: readonly StaffRole[] = ['headteacher', 'deputy', 'senco', 'inclusion-officer', 'admin'];

/** A member of staff, or the system itself (scheduler, rules evaluation, imports). */
export interface Actor {
  readonly id: string;
  readonly role: StaffRole | 'system';
  readonly schoolIds: readonly string[];
}

export const SYSTEM: Actor = { id: 'system', role: 'system', schoolIds: [] };


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

/** The answer to "may they?": yes, or no and why (in words, naming no pupil). */
export type Permission = { readonly allowed: true } | { readonly allowed: false; readonly reason: string };

const ROLE_NAMES: Readonly<Record<StaffRole, string>> = {
  headteacher: 'the headteacher',
  deputy: 'a deputy acting for them',
  senco: 'the SENCO',
  'inclusion-officer': 'an inclusion officer',
  admin: 'an administrator',
};

function byRole(actor: Actor, roles: readonly StaffRole[], what: string): Permission {
  if (actor.role === 'system' || roles.includes(actor.role)) return { allowed: true };
  if (roles.length === 0) return { allowed: false, reason: `nobody ${what} by hand` };
  if (actor.role === 'inclusion-officer') return { allowed: false, reason: `an inclusion officer reads cases and adds audit notes but does not act on them` };
  const names = roles.map((r) => ROLE_NAMES[r]);
  const who = names.length > 1 ? `${names.slice(0, -1).join(', ')}, or ${names.at(-1)},` : names[0];
  return { allowed: false, reason: `only ${who} ${what}` };
}

/**
 * May `actor` send `eventType` to `target` now? The one home of case policy: the event's
 * declared roles, the actor's schools and the case's state. Every channel asks this (to show a
 * button, say); the case service enforces the same answer. `atAnyStage` leaves the state out:
 * "may this person ever decide?", for a form shown before the last step.
 */
export function can(
  actor: Actor,
  target: { readonly schoolId: string; readonly nextEvents: readonly string[] },
  eventType: string,
  definition: CaseDefinition,
  options: { readonly atAnyStage?: boolean } = {},
): Permission {
  if (!covers(actor, target.schoolId)) return { allowed: false, reason: `${actor.id} does not cover school ${target.schoolId}` };
  const spec = eventSpec(definition, eventType);
  if (!spec) return { allowed: false, reason: `a ${definition.kind} case has no event "${eventType}"` };
  const role = byRole(actor, spec.by, spec.does ?? `may send ${eventType}`);
  if (!role.allowed) return role;
  if (!options.atAnyStage && !target.nextEvents.includes(eventType)) return { allowed: false, reason: `${eventType} is not possible at this stage of the case` };
  return { allowed: true };
}

/** May `actor` send `eventType` (whatever the state) to a case of `schoolId`? @throws AccessDenied */
export function assertMaySend(actor: Actor, schoolId: string, eventType: string, definition: CaseDefinition): void {
  assertCanRead(actor, schoolId);
  const spec = eventSpec(definition, eventType);
  if (!spec) return; // unknown events are refused, with the list of known ones, by validation
  const role = byRole(actor, spec.by, spec.does ?? `may send ${eventType}`);
  if (!role.allowed) throw new AccessDenied(role.reason);
}

/** May `actor` open a case of this kind for a pupil of `schoolId`? @throws AccessDenied */
export function assertMayOpen(actor: Actor, schoolId: string, definition: CaseDefinition): void {
  assertCanRead(actor, schoolId);
  const role = byRole(actor, definition.openedBy, `opens a ${definition.kind} case`);
  if (!role.allowed) throw new AccessDenied(role.reason === `nobody opens a ${definition.kind} case by hand` ? `${definition.kind} cases open from the rules, with the duties they found` : role.reason);
}

/** May `actor` add an audit note to a case of `schoolId`? */
export function assertCanAnnotate(actor: Actor, schoolId: string): void {
  assertCanRead(actor, schoolId);
  if (actor.role !== 'inclusion-officer' && actor.role !== 'headteacher' && actor.role !== 'system') {
    throw new AccessDenied('audit notes are added by inclusion officers and headteachers');
  }
}

/** Why a pupil's record moves to another school: codes, never free text about the pupil. */
export const PUPIL_MOVE_REASONS = ['managed-move', 'admission', 'correction'] as const;
export type PupilMoveReason = (typeof PUPIL_MOVE_REASONS)[number];

/**
 * May `actor` move a pupil's record from one school to another? Only someone who covers both —
 * an inclusion officer or an administrator (or the system) — since a head covers one school and
 * a move takes the pupil out of one head's sight into another's.
 */
export function mayMovePupil(actor: Actor, from: string, to: string): Permission {
  if (!covers(actor, from) || !covers(actor, to)) return { allowed: false, reason: `${actor.id} does not cover both schools ${from} and ${to}` };
  return byRole(actor, ['inclusion-officer', 'admin'], 'moves a pupil between schools');
}
