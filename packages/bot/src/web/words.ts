/**
 * The workspace's words for the store's codes: kinds of case, roles, statuses. Kept in one place
 * so every page says the same thing, and a code never reaches the screen bare.
 */
import type { CaseKind, CaseloadStatus, Duty, LetterKind, StaffRole, SupportOutcome } from '@before-exclusion/workflows';

export const KIND_NAMES: Readonly<Record<CaseKind, string>> = {
  peap: 'Pre-exclusion assessment (PEAP)',
  suspension: 'Suspension duties',
  ebsna: 'Emotionally based school non-attendance (EBSNA)',
  reintegration: 'Reintegration',
  'off-site-direction': 'Off-site direction',
  'part-time-timetable': 'Part-time timetable',
  'safeguarding-separation': 'Safeguarding separation',
  'support-plan': 'Support plan (assess, plan, do, review)',
  'nurture-outreach': 'Nurture outreach',
  'tats-action': 'Team-around-the-school action',
  'ehc-needs-assessment': 'EHC needs assessment',
};

/** Each letter, as the case page lists it and offers it. */
export const LETTER_NAMES: Readonly<Record<LetterKind, string>> = {
  'parents-suspension': "Parents' notice of the suspension",
  'parents-permanent': "Parents' notice of the permanent exclusion",
  cancellation: 'Notice that the exclusion is cancelled',
  'local-authority': "Local authority's notification",
  'board-decision': "The governing board's decision",
};

/** Who each letter is to, under its name in the form. */
export const LETTER_TO: Readonly<Record<LetterKind, string>> = {
  'parents-suspension': 'To the parents: the suspension, its days and its reasons',
  'parents-permanent': 'To the parents: the permanent exclusion and its reasons',
  cancellation: 'To the parents, and everyone told of the exclusion',
  'local-authority': "To the local authority: the exclusion's facts",
  'board-decision': "To the parents: the board's decision and its reasons",
};

export const ROLE_NAMES: Readonly<Record<StaffRole | 'system', string>> = {
  headteacher: 'headteacher',
  deputy: 'deputy headteacher',
  senco: 'SENCO',
  'inclusion-officer': 'inclusion officer',
  admin: 'administrator',
  system: 'the service',
};

/** A GOV.UK tag: its words and colour (the words carry the meaning; the colour only repeats it). */
export interface Tag {
  readonly text: string;
  readonly classes: string;
}

export const DUTY_TAGS: Readonly<Record<Duty['status'], Tag>> = {
  'on-time': { text: 'Done on time', classes: 'govuk-tag--green' },
  late: { text: 'Done late', classes: 'govuk-tag--orange' },
  overdue: { text: 'Overdue', classes: 'govuk-tag--red' },
  pending: { text: 'To do', classes: 'govuk-tag--blue' },
  // Its deadline was closed: done as the case recorded it, or moot (a plan stopped, an exclusion cancelled).
  cancelled: { text: 'No longer due', classes: 'govuk-tag--grey' },
};

/** A nurture outreach caseload status (seed 001: R/A/G/B) as a tag; its meaning is said beside it in full. */
export const CASELOAD_STATUS_TAGS: Readonly<Record<CaseloadStatus, Tag>> = {
  red: { text: 'Red', classes: 'govuk-tag--red' },
  amber: { text: 'Amber', classes: 'govuk-tag--orange' },
  green: { text: 'Green', classes: 'govuk-tag--green' },
  blue: { text: 'Blue', classes: 'govuk-tag--blue' },
};

/** How a pupil's place on the weekly list changed since last week. */
export const TATS_CHANGE_TAGS: Readonly<Record<'new' | 'changed' | 'still', Tag>> = {
  new: { text: 'New this week', classes: 'govuk-tag--purple' },
  changed: { text: 'Reasons changed', classes: 'govuk-tag--yellow' },
  still: { text: 'Still on the list', classes: 'govuk-tag--grey' },
};

/** How a support plan ended, as the support figures count it. */
export const SUPPORT_OUTCOME_NAMES: Readonly<Record<SupportOutcome, string>> = {
  running: 'Running',
  'needs-met': 'Needs met',
  escalated: 'Escalated',
  stopped: 'Stopped',
  revised: 'Revised at a review',
};

export function roleName(role: string): string {
  return (ROLE_NAMES as Readonly<Record<string, string>>)[role] ?? role;
}

export function kindName(kind: string): string {
  return (KIND_NAMES as Readonly<Record<string, string>>)[kind] ?? kind;
}

/** A letter kind in words; an unknown kind (a letter kept by a later version) as it is. */
export function letterName(kind: string): string {
  return (LETTER_NAMES as Readonly<Record<string, string>>)[kind] ?? kind;
}

/** "audit notes are added by …" → "Audit notes are added by …." (the workflows policy's words, as a sentence). */
export function sentence(text: string): string {
  const t = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(t) ? t : `${t}.`;
}
