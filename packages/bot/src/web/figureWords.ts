/**
 * The figures pages' words for the report's codes: measures, breakdowns, and the categories the
 * case measures count by (PEAP decisions, duties, EBSNA outcomes). Categories of pupils come in
 * words from the workflows package already (`ReportRow.label`); these are the rest, kept in one
 * place so every table, chart and caption says the same thing.
 */
import { PEAP_DECISION_TITLES, type ExclusionMeasure } from '@before-exclusion/workflows';

export const EXCLUSION_MEASURE_NAMES: Readonly<Record<ExclusionMeasure, string>> = {
  'suspension-incidents': 'Suspension incidents',
  'children-suspended': 'Children suspended',
  'children-permanently-excluded': 'Children permanently excluded',
  'lunchtime-incidents': 'Lunchtime suspensions',
  'suspension-days-lost': 'School days lost to suspension',
  'children-with-2-or-more-suspensions': 'Children with 2 or more suspensions',
  'children-with-15-or-more-days-in-a-term': 'Children with 15 or more days suspended in a term',
};

/** Short column headings for the same measures, where a table sets them side by side. */
export const EXCLUSION_MEASURE_HEADINGS: Readonly<Record<ExclusionMeasure, string>> = {
  'suspension-incidents': 'Suspension incidents',
  'children-suspended': 'Children suspended',
  'children-permanently-excluded': 'Permanently excluded',
  'lunchtime-incidents': 'Lunchtime suspensions',
  'suspension-days-lost': 'Days lost',
  'children-with-2-or-more-suspensions': '2 or more suspensions',
  'children-with-15-or-more-days-in-a-term': '15 or more days in a term',
};

export const BREAKDOWN_NAMES: Readonly<Record<string, string>> = {
  reason: 'Reason',
  sex: 'Sex',
  'key-stage': 'Key stage',
  'year-group': 'Year group',
  send: 'Special educational needs (SEND)',
  fsm: 'Free school meals (FSM)',
  'looked-after': 'Looked after (in care)',
  ethnicity: 'Ethnicity',
};

export const TIMELINESS_NAMES: Readonly<Record<string, string>> = {
  'on-time': 'Done on time',
  late: 'Done late',
  overdue: 'Overdue',
};

/** The duties `statutory-duties` is broken down by (the report's breakdown codes). */
export const DUTY_NAMES: Readonly<Record<string, string>> = {
  'notify-parents': 'Tell the parents in writing',
  'notify-local-authority': 'Tell the local authority',
  'notify-social-worker': 'Tell the social worker',
  'notify-virtual-school-head': 'Tell the virtual school head',
  'notify-governing-board': 'Tell the governing board',
  'provision-from-day-6': 'Full-time education from the sixth day',
  'governing-board-review': 'Governing board review',
};

/** Where an EBSNA referral has got to (the state of its case; `awaiting-panel` before the panel meets). */
export const EBSNA_OUTCOME_NAMES: Readonly<Record<string, string>> = {
  'awaiting-panel': 'Waiting for the panel',
  accepted: 'Accepted by the panel',
  allocated: 'Allocated to a practitioner',
  assessment: 'Being assessed',
  reviewing: 'Plan agreed, under review',
  'attendance-restored': 'Attendance restored',
  escalated: 'Escalated',
  declined: 'Declined by the panel',
  redirected: 'Redirected to another service',
  'in-progress': 'In progress',
};

export const PEAP_OUTCOME_NAMES: Readonly<Record<string, string>> = PEAP_DECISION_TITLES;

/** "key stage 3 (years 7–9)" → "Key stage 3 (years 7–9)": a label starting a table's row. */
export function sentenceCase(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
