/**
 * DfE Common Basic Data Set codes: exclusion categories, exclusion reasons and attendance marks
 * (the marks in force from 19 August 2024), with the statistical meaning of each mark.
 * Source: shared/domain.md §5; DfE CBDS and "Working together to improve school attendance" (2024).
 */

/** Exclusion categories as stored. `SUSP` (newer data standards) is read as `FIXD`. */
export const EXCLUSION_CATEGORIES = {
  PERM: 'permanent exclusion',
  FIXD: 'suspension',
  LNCH: 'lunchtime suspension',
} as const;
export type ExclusionCategory = keyof typeof EXCLUSION_CATEGORIES;

/** Every spelling accepted on input, and the category it means. */
export const EXCLUSION_CATEGORY_SYNONYMS: Readonly<Record<string, ExclusionCategory>> = {
  PERM: 'PERM',
  FIXD: 'FIXD',
  SUSP: 'FIXD',
  LNCH: 'LNCH',
};

/** Exclusion reasons (up to three per exclusion since 2020/21), plus legacy `PD` and `OT`. */
export const EXCLUSION_REASONS = {
  PP: 'physical assault against a pupil',
  PA: 'physical assault against an adult',
  VP: 'verbal abuse or threatening behaviour against a pupil',
  VA: 'verbal abuse or threatening behaviour against an adult',
  OW: 'use or threat of use of an offensive weapon or prohibited item',
  BU: 'bullying',
  RA: 'racist abuse',
  LG: 'abuse against sexual orientation or gender identity',
  DS: 'abuse relating to disability',
  SM: 'sexual misconduct',
  DA: 'drug and alcohol related',
  DM: 'damage',
  TH: 'theft',
  MT: 'inappropriate use of social media or online technology',
  PH: 'wilful and repeated transgression of protective measures in place to protect public health',
  DB: 'persistent or general disruptive behaviour',
  PD: 'persistent disruptive behaviour (legacy, before DB)',
  OT: 'other (legacy)',
} as const;
export type ExclusionReason = keyof typeof EXCLUSION_REASONS;

/** What an attendance mark counts as in the DfE's statistics. */
export type MarkMeaning =
  | 'present'
  | 'approved-off-site'
  | 'authorised-absence'
  | 'unauthorised-absence'
  | 'not-possible'
  | 'administrative';

interface MarkDefinition {
  readonly meaning: MarkMeaning;
  readonly description: string;
}

/** Attendance marks from 19 August 2024. */
export const ATTENDANCE_MARKS = {
  '/': { meaning: 'present', description: 'present (AM)' },
  '\\': { meaning: 'present', description: 'present (PM)' },
  L: { meaning: 'present', description: 'late, before the register closed' },
  K: { meaning: 'approved-off-site', description: 'education provision arranged by the local authority' },
  V: { meaning: 'approved-off-site', description: 'educational visit or trip' },
  P: { meaning: 'approved-off-site', description: 'approved sporting activity' },
  W: { meaning: 'approved-off-site', description: 'work experience' },
  B: { meaning: 'approved-off-site', description: 'other approved educational activity' },
  C1: { meaning: 'authorised-absence', description: 'regulated performance or employment abroad' },
  M: { meaning: 'authorised-absence', description: 'medical or dental appointment' },
  J1: { meaning: 'authorised-absence', description: 'interview' },
  S: { meaning: 'authorised-absence', description: 'study leave' },
  C2: { meaning: 'authorised-absence', description: 'part-time timetable' },
  C: { meaning: 'authorised-absence', description: 'exceptional circumstances' },
  T: { meaning: 'authorised-absence', description: 'parent travelling for occupational purposes' },
  R: { meaning: 'authorised-absence', description: 'religious observance' },
  I: { meaning: 'authorised-absence', description: 'illness' },
  E: { meaning: 'authorised-absence', description: 'suspended or permanently excluded, no alternative provision' },
  G: { meaning: 'unauthorised-absence', description: 'holiday not granted by the school' },
  N: { meaning: 'unauthorised-absence', description: 'reason not yet provided' },
  O: { meaning: 'unauthorised-absence', description: 'absent in other or unknown circumstances' },
  U: { meaning: 'unauthorised-absence', description: 'arrived after registration closed' },
  Q: { meaning: 'not-possible', description: 'lack of access arrangements' },
  Y1: { meaning: 'not-possible', description: 'transport not available' },
  Y2: { meaning: 'not-possible', description: 'widespread disruption to travel' },
  Y3: { meaning: 'not-possible', description: 'part of the school premises closed' },
  Y4: { meaning: 'not-possible', description: 'whole school site unexpectedly closed' },
  Y5: { meaning: 'not-possible', description: 'in criminal justice detention' },
  Y6: { meaning: 'not-possible', description: 'public health guidance or law' },
  Y7: { meaning: 'not-possible', description: 'any other unavoidable cause' },
  X: { meaning: 'not-possible', description: 'not required to be in school (non-compulsory school age)' },
  D: { meaning: 'not-possible', description: 'dual registered, attending another school' },
  Z: { meaning: 'administrative', description: 'prospective pupil not on the admission register' },
  '#': { meaning: 'administrative', description: 'planned whole or partial school closure' },
} as const satisfies Record<string, MarkDefinition>;
export type AttendanceMark = keyof typeof ATTENDANCE_MARKS;

/** True for marks that count as attending (present, or approved education off site). */
export function countsAsAttending(mark: AttendanceMark): boolean {
  const { meaning } = ATTENDANCE_MARKS[mark];
  return meaning === 'present' || meaning === 'approved-off-site';
}

/** True for marks that count toward possible sessions (attending or absent). */
export function countsAsPossible(mark: AttendanceMark): boolean {
  const { meaning } = ATTENDANCE_MARKS[mark];
  return meaning !== 'not-possible' && meaning !== 'administrative';
}

/** Emotional indicators of EBSNA staff may record (shared/domain.md §4.1, seed 003:94-103). */
export const EBSNA_INDICATORS = {
  anxiety: 'anxiety about coming to school',
  'somatic-complaints': 'somatic complaints (headaches, stomach aches) before school',
  'separation-distress': 'distress at separation from a parent or carer',
  'day-or-subject-pattern': 'absence patterned by day of the week or subject',
  'low-mood': 'low mood or withdrawal',
  'social-difficulties': 'difficulties with peers or friendships',
} as const;
export type EbsnaIndicator = keyof typeof EBSNA_INDICATORS;
