/**
 * The workspace's words for the store's codes: kinds of case, roles, statuses. Kept in one place
 * so every page says the same thing, and a code never reaches the screen bare.
 */
import type { CaseKind, Duty, StaffRole } from '@before-exclusion/workflows';

export const KIND_NAMES: Readonly<Record<CaseKind, string>> = {
  peap: 'Pre-exclusion assessment (PEAP)',
  suspension: 'Suspension duties',
  ebsna: 'Emotionally based school non-attendance (EBSNA)',
  reintegration: 'Reintegration',
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
  cancelled: { text: 'Cancelled', classes: 'govuk-tag--grey' },
};

export function roleName(role: string): string {
  return (ROLE_NAMES as Readonly<Record<string, string>>)[role] ?? role;
}

export function kindName(kind: string): string {
  return (KIND_NAMES as Readonly<Record<string, string>>)[kind] ?? kind;
}
