/**
 * The facts rules may name, per scope, each with a description a policy person can read.
 *
 * A rule's scope says what it is evaluated once for: the `pupil`, each `half-term` that has
 * started, or each counted `exclusion`. Facts are read from {@link PupilFacts}; a few take
 * parameters (e.g. the attendance window), passed as json-rules-engine `params`.
 */
import { EXCLUSION_CATEGORIES } from './codes.js';
import { shortDate, type IsoDate } from './dates.js';
import { illnessSchoolDays, worstUnauthorisedWindow } from './attendanceDuties.js';
import { ANNUAL_SUSPENSION_LIMIT, type ExclusionFacts, type HalfTermFacts, type PupilFacts } from './facts.js';
import { MOVEMENT_FACTS, MOVEMENT_SCOPES, MOVEMENT_WORDS, type MovementScope, type MovementSubjects } from './pupilMovement.js';

export type Scope = 'pupil' | 'half-term' | 'exclusion' | MovementScope;
export const SCOPES: readonly Scope[] = ['pupil', 'half-term', 'exclusion', ...MOVEMENT_SCOPES];

/** What a rule of each scope is evaluated against. */
export interface Subjects extends MovementSubjects {
  pupil: { readonly pupil: PupilFacts };
  'half-term': { readonly pupil: PupilFacts; readonly halfTerm: HalfTermFacts };
  exclusion: { readonly pupil: PupilFacts; readonly exclusion: ExclusionFacts };
}
export type Subject = Subjects[Scope];

export interface FactDefinition<S> {
  readonly description: string;
  /** Parameters the fact takes, with what each means. */
  readonly params?: Readonly<Record<string, string>>;
  readonly value: (subject: S, params: Readonly<Record<string, unknown>>) => unknown;
}

type Catalog<S> = Readonly<Record<string, FactDefinition<S>>>;

/** Facts about the pupil that every scope can read. */
function pupilFlags<S extends { pupil: PupilFacts }>(): Catalog<S> {
  return {
    lookedAfter: { description: 'the pupil is looked after (a child in care)', value: (s) => s.pupil.record.lookedAfter },
    hasSocialWorker: { description: 'the pupil has a social worker (child in need or on a child protection plan)', value: (s) => s.pupil.record.hasSocialWorker },
    send: { description: 'SEND status: none, K (SEN support) or E (EHC plan)', value: (s) => s.pupil.record.send },
    fsm: { description: 'the pupil is eligible for free school meals', value: (s) => s.pupil.record.fsm },
    atRiskOfPermanentExclusion: { description: 'staff have flagged the pupil at risk of permanent exclusion', value: (s) => s.pupil.record.atRiskOfPermanentExclusion },
  };
}

const pupilScope: Catalog<Subjects['pupil']> = {
  ...pupilFlags<Subjects['pupil']>(),
  suspensionDaysThisYear: {
    description: `school days of suspension this academic year, including days at previous schools (the ${ANNUAL_SUSPENSION_LIMIT}-day count; a lunchtime is half a day)`,
    value: (s) => s.pupil.suspensionDaysThisYear,
  },
  exclusionsThisYear: { description: 'exclusions of any kind this academic year, not cancelled', value: (s) => s.pupil.exclusions.length },
  absenceRateYearToDate: {
    description: 'percentage of possible sessions missed (authorised or unauthorised), year to date',
    value: (s) => s.pupil.attendance.absenceRate,
  },
  possibleSessionsYearToDate: { description: 'possible sessions recorded, year to date', value: (s) => s.pupil.attendance.possibleSessions },
  attendanceRateOverLastSchoolDays: {
    description: 'attendance % over the last N school days up to the evaluation date',
    params: { schoolDays: 'N, the number of school days in the window' },
    value: (s, p) => s.pupil.attendance.overLastSchoolDays(Number(p.schoolDays)).rate,
  },
  ebsnaIndicatorCount: { description: 'emotional indicators of EBSNA recorded by staff', value: (s) => s.pupil.record.ebsnaIndicators.length },
  unauthorisedSessionsInSchoolWeeks: {
    description: 'the most sessions of unauthorised absence (G, N, O, U) in N consecutive school weeks ending this half-term (a school week has at least one school session; a window may span terms)',
    params: { schoolWeeks: 'N, the school weeks in the rolling window' },
    value: (s, p) => worstUnauthorisedWindow(s.pupil, Number(p.schoolWeeks))?.sessions,
  },
  illnessSchoolDaysThisYear: { description: 'school days missed through illness (mark I) this academic year', value: (s) => illnessSchoolDays(s.pupil) },
};

const halfTermScope: Catalog<Subjects['half-term']> = {
  ...pupilFlags<Subjects['half-term']>(),
  suspensionsStartedInHalfTerm: {
    description: 'suspensions, not cancelled, whose start date falls in the half-term',
    params: { includeLunchtimes: 'whether lunchtime suspensions count' },
    value: (s, p) => suspensionsCounted(s.halfTerm, p.includeLunchtimes !== false).length,
  },
  isCurrentHalfTerm: { description: 'the half-term is the one in progress on the evaluation date', value: (s) => s.halfTerm.isCurrent },
};

const exclusionScope: Catalog<Subjects['exclusion']> = {
  ...pupilFlags<Subjects['exclusion']>(),
  category: { description: 'the exclusion category: PERM, FIXD or LNCH', value: (s) => s.exclusion.category },
  isPermanent: { description: 'the exclusion is permanent', value: (s) => s.exclusion.category === 'PERM' },
  missesPublicExam: { description: 'the exclusion makes the pupil miss a public examination or national curriculum test', value: (s) => s.exclusion.missesPublicExam },
  termSuspensionDays: {
    description: 'school days of suspension in the term once this exclusion is counted (a lunchtime is half a day)',
    value: (s) => s.exclusion.termTotal.days,
  },
  consecutiveDaysExcludedBefore: { description: 'school days already excluded back to back when this exclusion starts', value: (s) => s.exclusion.consecutive.daysBefore },
  consecutiveDaysExcludedThrough: { description: 'school days excluded back to back by the end of this exclusion', value: (s) => s.exclusion.consecutive.daysThrough },
  startDate: { description: 'the first day of the exclusion', value: (s) => s.exclusion.startDate },
  fullTimeEducationFrom: {
    description: 'the first day of this exclusion on which full-time education is due: the sixth consecutive school day of exclusion, or its own first day when the run is already past day 5',
    value: (s) => s.exclusion.consecutive.fullTimeEducationFrom,
  },
  exclusionId: { description: 'the exclusion', value: (s) => [s.exclusion.id] },
  consecutiveExclusionIds: { description: 'the exclusions in the back-to-back run, up to this one', value: (s) => s.exclusion.consecutive.exclusionIds },
  finalYearExamsOver: {
    description: 'the pupil is in Year 11 and has no further public examinations to sit this year',
    value: (s) => s.pupil.record.yearGroup === 11 && s.pupil.record.hasFurtherPublicExams === false,
  },
  fullTimeEducationDue: {
    description: 'the first day full-time education is due: as fullTimeEducationFrom, and for a permanent exclusion the sixth consecutive school day of exclusion however its sessions were recorded',
    value: (s) => fullTimeEducationDue(s.pupil, s.exclusion),
  },
};

/** A permanent exclusion runs on past its recorded sessions: its sixth consecutive school day counts from the run's first session. */
function fullTimeEducationDue(pupil: PupilFacts, e: ExclusionFacts): IsoDate | undefined {
  if (e.category !== 'PERM' || e.consecutive.fullTimeEducationFrom !== undefined) return e.consecutive.fullTimeEducationFrom;
  const slot = pupil.calendar.sessionSlot(e.startDate, e.startSession);
  const due = Math.max(slot - 2 * e.consecutive.daysBefore + 10, slot);
  return due < pupil.calendar.schoolDayCount * 2 ? pupil.calendar.sessionAt(due).date : undefined;
}

const pupilScopeLists: Catalog<Subjects['pupil']> = {
  exclusionIdsThisYear: { description: 'every exclusion counted this year', value: (s) => s.pupil.exclusions.map((e) => e.id) },
  suspensionIdsThisYear: { description: 'every suspension counted this year', value: (s) => s.pupil.exclusions.filter((e) => e.isSuspension).map((e) => e.id) },
};

const halfTermScopeLists: Catalog<Subjects['half-term']> = {
  suspensionIdsInHalfTerm: { description: 'the suspensions that started in the half-term', value: (s, p) => suspensionsCounted(s.halfTerm, p.includeLunchtimes !== false).map((e) => e.id) },
};

/** Every fact a rule may name, by scope. */
export const FACTS: { readonly [K in Scope]: Catalog<Subjects[K]> } = {
  pupil: { ...pupilScope, ...pupilScopeLists },
  'half-term': { ...halfTermScope, ...halfTermScopeLists },
  exclusion: exclusionScope,
  'off-site-direction': { ...pupilFlags<Subjects['off-site-direction']>(), ...MOVEMENT_FACTS['off-site-direction'] },
  'managed-move': { ...pupilFlags<Subjects['managed-move']>(), ...MOVEMENT_FACTS['managed-move'] },
  'safeguarding-separation': { ...pupilFlags<Subjects['safeguarding-separation']>(), ...MOVEMENT_FACTS['safeguarding-separation'] },
  'part-time-timetable': { ...pupilFlags<Subjects['part-time-timetable']>(), ...MOVEMENT_FACTS['part-time-timetable'] },
  'cancelled-exclusion': { ...pupilFlags<Subjects['cancelled-exclusion']>(), ...MOVEMENT_FACTS['cancelled-exclusion'] },
};
// Every pack shares the built-in catalogue: frozen, so no embedder changes it for all (custom facts go on a pack).
for (const scope of SCOPES) Object.freeze(FACTS[scope]);
Object.freeze(FACTS);

function suspensionsCounted(h: HalfTermFacts, includeLunchtimes: boolean): readonly ExclusionFacts[] {
  return includeLunchtimes ? h.suspensions : h.suspensions.filter((e) => e.category !== 'LNCH');
}

const dates = (values: readonly IsoDate[]) => values.map(shortDate).join(', ');
const days = (n: number) => `${formatNumber(n)} school day${n === 1 ? '' : 's'}`;

/** A number as a person writes it: 6, 5.5, 87.3. */
export function formatNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1).replace(/\.0$/, '');
}

type Words<N extends string> = Readonly<Record<N, string>>;

/** The id a proposed suspension carries while it is checked beside the record (`assessProposedSuspension`). */
export const PROPOSED_ID = 'proposed';

/** An exclusion as an explanation names it: its id, or "the proposal" for the suspension being checked (not "proposed"). */
function exclusionName(id: string): string {
  return id === PROPOSED_ID ? 'the proposal' : id;
}

const PUPIL_WORDS = ['academicYear', 'priorSchoolDays', 'suspensionsThisYear', 'exclusionsThisYear', 'daysLeft', 'windowDays', 'windowFrom', 'windowPossibleSessions', 'asOf', 'indicators', 'missedSessions', 'possibleSessions', 'unauthorisedFrom', 'unauthorisedTo'] as const;
const HALF_TERM_WORDS = ['halfTerm', 'suspensionStartDates'] as const;

/** A half-term as people say it: "autumn-1" is "the first half of the autumn term"; a calendar's own name otherwise. */
export function halfTermInWords(name: string): string {
  const m = /^(autumn|spring|summer)-([12])$/.exec(name);
  return m ? `the ${m[2] === '1' ? 'first' : 'second'} half of the ${m[1]} term` : name;
}
const EXCLUSION_WORDS = ['exclusion', 'category', 'startDate', 'term', 'termParts', 'sixthDay', 'fullTimeFrom', 'fullTimeDue', 'run', 'arrangedBy'] as const;

/**
 * Words for explanations, by scope: the placeholders a rule's `explain` templates may use
 * besides `{result}` (the fact's value), `{threshold}` (what it was compared with) and the
 * rule's own parameters.
 */
export const WORDS = {
  pupil: {
    names: PUPIL_WORDS,
    of: ({ pupil }: Subjects['pupil'], params: Readonly<Record<string, unknown>>): Words<(typeof PUPIL_WORDS)[number]> => {
      // The window the attendance fact was given (its own `schoolDays`), whatever the rule's parameter is called.
      const window = pupil.attendance.overLastSchoolDays(Number(params.schoolDays ?? 30));
      const unauthorised = params.schoolWeeks === undefined ? undefined : worstUnauthorisedWindow(pupil, Number(params.schoolWeeks));
      return {
        academicYear: pupil.calendar.academicYear,
        priorSchoolDays: formatNumber(pupil.record.priorSchoolSuspensionDays),
        suspensionsThisYear: pupil.exclusions.filter((e) => e.isSuspension).map((e) => `${exclusionName(e.id)} ${days(e.schoolDays)}`).join(', ') || 'none',
        exclusionsThisYear: pupil.exclusions.map((e) => `${exclusionName(e.id)}, ${EXCLUSION_CATEGORIES[e.category]} from ${shortDate(e.startDate)}`).join('; ') || 'none',
        daysLeft: formatNumber(Math.max(0, ANNUAL_SUSPENSION_LIMIT - pupil.suspensionDaysThisYear)),
        windowDays: String(window.schoolDays),
        windowFrom: window.from ? shortDate(window.from) : '—',
        windowPossibleSessions: String(window.possibleSessions),
        asOf: shortDate(pupil.asOf),
        indicators: pupil.record.ebsnaIndicators.join(', '),
        missedSessions: String(pupil.attendance.missedSessions),
        possibleSessions: String(pupil.attendance.possibleSessions),
        unauthorisedFrom: unauthorised ? shortDate(unauthorised.from) : '—',
        unauthorisedTo: unauthorised ? shortDate(unauthorised.to) : '—',
      };
    },
  },
  'half-term': {
    names: HALF_TERM_WORDS,
    of: ({ halfTerm }: Subjects['half-term'], params: Readonly<Record<string, unknown>>): Words<(typeof HALF_TERM_WORDS)[number]> => ({
      halfTerm: halfTermInWords(halfTerm.halfTerm.name),
      suspensionStartDates: dates(suspensionsCounted(halfTerm, params.includeLunchtimes !== false).map((e) => e.startDate)),
    }),
  },
  exclusion: {
    names: EXCLUSION_WORDS,
    of: ({ pupil, exclusion }: Subjects['exclusion']): Words<(typeof EXCLUSION_WORDS)[number]> => ({
      exclusion: exclusionName(exclusion.id),
      category: EXCLUSION_CATEGORIES[exclusion.category],
      startDate: shortDate(exclusion.startDate),
      term: exclusion.termTotal.term,
      termParts: exclusion.termTotal.parts.map((p) => `${exclusionName(p.id)} ${formatNumber(p.days)}`).join(', '),
      sixthDay: exclusion.consecutive.sixthDay ? shortDate(exclusion.consecutive.sixthDay) : 'after the end of this calendar',
      fullTimeFrom: exclusion.consecutive.fullTimeEducationFrom ? shortDate(exclusion.consecutive.fullTimeEducationFrom) : 'the sixth day, next school year',
      fullTimeDue: ((due) => (due ? shortDate(due) : 'the sixth day, next school year'))(fullTimeEducationDue(pupil, exclusion)),
      run: exclusion.consecutive.exclusionIds.map(exclusionName).join(', '),
      arrangedBy: exclusion.category === 'PERM' ? 'the local authority' : 'the school',
    }),
  },
  ...MOVEMENT_WORDS,
} as const;
