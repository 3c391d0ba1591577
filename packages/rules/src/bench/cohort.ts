/**
 * A deterministic synthetic cohort for benchmarks: `pupil-record/1` INPUT objects (plain JSON,
 * as an MIS would send them), generated from a seed with mulberry32 — never Math.random — so a
 * run is reproducible and a cohort of N pupils is a prefix of any larger cohort with the same seed.
 *
 * Shapes and rates are rough national figures for English secondary schools, not any real data:
 * - schools of ~1,000 pupils, year groups 7–11;
 * - SEN support (K) ~13%, EHC plan (E) ~3%, looked after ~1%, social worker ~3%, FSM ~25%;
 * - ~4% of pupils suspended in the year, ~2.7 suspensions each (~11 incidents per 100 pupils),
 *   concentrated on pupils with SEND, FSM or a social worker; ~12% of incidents lunchtimes;
 *   ~0.1% permanent exclusions; 1% of exclusions later cancelled;
 * - a full year of attendance to `asOf`, most pupils ~95% present with a tail of persistent
 *   (≥10% missed) and severe (≥50%) absentees; absence in spells, real marks (`/`, `\`, `L`, `I`,
 *   `M`, `C`, `R`, `O`, `N`, `G`, `U`, `V` on a trip day, `Y2` on a snow day, and `E` on the
 *   sessions of a suspension; a permanently excluded pupil leaves the roll 15 school days later);
 * - start dates on school days (AM, some PM), some back to back, Year 11 suspensions in the exam
 *   season sometimes missing a public exam, a quarter of schools writing `SUSP` for `FIXD`, a few
 *   exclusions starting just after `asOf` (to be ignored), prior-school suspension days for a few;
 * - a few staff flags: at risk of permanent exclusion, EBSNA indicators among low attenders;
 * - pupil movement (issue 12), drawn from a stream of its own so the fields above are as before:
 *   ~1% off-site directions, ~1% part-time timetables, ~0.3% managed moves, ~0.2% safeguarding
 *   separations, with notices, consents, reviews and review requests sometimes missing or late.
 */
import type { SchoolCalendar } from '../calendar/schoolCalendar.js';
import type { AttendanceMark, EbsnaIndicator, ExclusionReason } from '../codes.js';
import type { IsoDate } from '../dates.js';
import type { PupilRecordInput } from '../pupilRecord.js';

export interface CohortOptions {
  readonly pupils: number;
  readonly seed: number;
  readonly calendar: SchoolCalendar;
  readonly asOf: IsoDate;
  /** Pupils per school; 1,000 by default. */
  readonly schoolSize?: number;
}

type Rng = () => number;

/** mulberry32: a small, fast, well-mixed 32-bit PRNG. Returns floats in [0, 1). */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mixes a seed and an index into an independent 32-bit seed (murmur3's finaliser). */
function mix(seed: number, index: number, salt: number): number {
  let h = (seed ^ Math.imul(index + 1, 0x9e3779b1) ^ Math.imul(salt, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

const int = (rng: Rng, lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));

function pick<T>(rng: Rng, weighted: readonly (readonly [T, number])[]): T {
  let total = 0;
  for (const [, w] of weighted) total += w;
  let u = rng() * total;
  for (const [value, w] of weighted) {
    u -= w;
    if (u < 0) return value;
  }
  return weighted[weighted.length - 1]![0];
}

// --- Population -------------------------------------------------------------------------------

const P_EHCP = 0.03;
const P_SEN_SUPPORT = 0.13;
const P_LOOKED_AFTER = 0.01;
/** Social worker among pupils not looked after, so that ~3% of all pupils have one. */
const P_SOCIAL_WORKER_OTHER = 0.02;
const P_FSM = 0.25;

/** Relative likelihood of being suspended, by characteristic (suspension rates are several times higher for these groups). */
const W_SEND = { none: 1, K: 3, E: 2.5 } as const;
const W_FSM = 2.5;
const W_SOCIAL_WORKER = 2.5;
const W_YEAR: Readonly<Record<number, number>> = { 7: 0.6, 8: 0.9, 9: 1.2, 10: 1.3, 11: 1 };
/** E[weight] over the population, so that the base rate lands where asked. */
const MEAN_WEIGHT =
  ((1 - P_EHCP - P_SEN_SUPPORT) * W_SEND.none + P_SEN_SUPPORT * W_SEND.K + P_EHCP * W_SEND.E) *
  (1 - P_FSM + P_FSM * W_FSM) *
  (1 - (P_LOOKED_AFTER + P_SOCIAL_WORKER_OTHER) + (P_LOOKED_AFTER + P_SOCIAL_WORKER_OTHER) * W_SOCIAL_WORKER) *
  ((W_YEAR[7]! + W_YEAR[8]! + W_YEAR[9]! + W_YEAR[10]! + W_YEAR[11]!) / 5);

/** Share of pupils with at least one suspension (or permanent exclusion) drawn for the year. */
const P_SUSPENDED = 0.041;
/** Suspensions per suspended pupil: 1 + geometric, mean 1/GEOMETRIC_P ≈ 2.7, a long tail. */
const GEOMETRIC_P = 0.37;
const MAX_INCIDENTS = 24;
/** A suspended pupil's last incident is a permanent exclusion with this chance (≈0.1% of pupils). */
const P_PERMANENT_GIVEN_SUSPENDED = 0.035;
const P_LUNCHTIME = 0.12;
const P_CANCELLED = 0.01;
/** A suspension starting straight after the previous one ends (back-to-back). */
const P_BACK_TO_BACK = 0.06;
const P_PM_START = 0.15;
/**
 * Pupils arriving mid-year with suspension days at a previous school (in-year moves, managed
 * moves): more likely among pupils who are suspended here too, and then sometimes enough to
 * take the year past 45 days — the data error `statutory.annual-limit-exceeded` exists for.
 */
const P_PRIOR_SCHOOL_DAYS = 0.001;
const P_PRIOR_SCHOOL_DAYS_IF_SUSPENDED = 0.05;

const ETHNICITY: readonly (readonly [string, number])[] = [
  ['WBRI', 62], ['WOTH', 6], ['AIND', 3], ['APKN', 5], ['ABAN', 2], ['BAFR', 4], ['BCRB', 1], ['MWBC', 2],
  ['MWBA', 1], ['MWAS', 2], ['MOTH', 2], ['CHNE', 1], ['OOTH', 2], ['WIRT', 1], ['NOBT', 2], ['REFU', 4],
];
const REASONS: readonly (readonly [ExclusionReason, number])[] = [
  ['DB', 34], ['VA', 18], ['PP', 15], ['VP', 10], ['PA', 5], ['DA', 4], ['OW', 3], ['BU', 2], ['DM', 2],
  ['RA', 1.5], ['MT', 1.5], ['SM', 1], ['TH', 1], ['LG', 0.5], ['DS', 0.3], ['PH', 0.1],
];
/** Suspension lengths in sessions (two a school day), for a morning start. */
const LENGTHS: readonly (readonly [number, number])[] = [
  [2, 44], [4, 20], [6, 14], [1, 4], [8, 4], [10, 8], [14, 2], [20, 2.5], [30, 1], [40, 0.4], [60, 0.1],
];
const LUNCHTIMES: readonly (readonly [number, number])[] = [[1, 35], [2, 20], [3, 15], [5, 15], [10, 10], [15, 5]];
const INDICATORS: readonly EbsnaIndicator[] = ['anxiety', 'somatic-complaints', 'separation-distress', 'day-or-subject-pattern', 'low-mood', 'social-difficulties'];

// --- Attendance -------------------------------------------------------------------------------

interface AbsenceProfile {
  /** Share of school days missed. */
  readonly rate: number;
  /** Chance an absence continues the next day (spells of illness, or drift into non-attendance). */
  readonly stickiness: number;
  /** Share of absences unauthorised. */
  readonly unauthorised: number;
}

function absenceProfile(rng: Rng, vulnerable: boolean): AbsenceProfile {
  const u = rng();
  const shift = vulnerable ? 0.06 : 0; // more of the vulnerable fall into the persistent tail
  if (u < 0.65 - shift) return { rate: rng() * 0.06, stickiness: 0.45, unauthorised: 0.1 };
  if (u < 0.85 - shift) return { rate: 0.06 + rng() * 0.035, stickiness: 0.5, unauthorised: 0.2 };
  if (u < 0.98 - shift / 4) return { rate: 0.1 + rng() * 0.3, stickiness: 0.6, unauthorised: 0.4 };
  return { rate: 0.5 + rng() * 0.4, stickiness: 0.88, unauthorised: 0.55 };
}

/** What the MIS writes for a missed session. */
function absenceMark(rng: Rng, profile: AbsenceProfile): AttendanceMark {
  if (rng() < profile.unauthorised) return rng() < 0.8 ? 'O' : 'N';
  const u = rng();
  return u < 0.9 ? 'I' : u < 0.95 ? 'M' : u < 0.98 ? 'C' : 'R';
}

interface SchoolTraits {
  readonly id: string;
  /** Newer MIS exports write SUSP for a fixed-period suspension. */
  readonly suspensionCode: 'FIXD' | 'SUSP';
  /** School-day index of a snow day (Y2 for everyone), or -1. */
  readonly snowDay: number;
  /** School-day index of each year group's trip day (V). */
  readonly tripDay: Readonly<Record<number, number>>;
}

interface Incident {
  category: 'FIXD' | 'LNCH' | 'PERM';
  /** Start slot on the year's session timeline (school-day index × 2, + 1 for PM). */
  slot: number;
  /** Sessions for FIXD, lunchtimes for LNCH; undefined for an open-ended PERM. */
  length: number | undefined;
}

/**
 * Yields `options.pupils` pupil records as plain JSON input. Pure function of the options:
 * the same options always give the same records.
 */
export function* syntheticCohort(options: CohortOptions): Generator<PupilRecordInput, void, undefined> {
  const { calendar, asOf, seed } = options;
  const schoolSize = options.schoolSize ?? 1000;
  const dayCount = calendar.schoolDayCount;
  const dates: IsoDate[] = Array.from({ length: dayCount }, (_, i) => calendar.schoolDayAt(i));
  /** School days with attendance to record: up to and including asOf. */
  const daysToDate = calendar.schoolDaysUpTo(asOf);
  /** Exclusions may start up to two school days after asOf (decided today, starting next): the library must ignore those. */
  const lastStartDay = Math.min(dayCount - 1, daysToDate + 1);
  const examFrom = dates.findIndex((d) => d >= `${calendar.lastDay.slice(0, 4)}-05-11`);
  const examTo = dates.findIndex((d) => d > `${calendar.lastDay.slice(0, 4)}-06-24`);

  let school: SchoolTraits | undefined;
  for (let i = 0; i < options.pupils; i++) {
    const schoolIndex = Math.floor(i / schoolSize);
    if (i % schoolSize === 0 || !school) {
      const srng = mulberry32(mix(seed, schoolIndex, 1));
      const tripDay: Record<number, number> = {};
      for (let y = 7; y <= 11; y++) tripDay[y] = srng() < 0.8 ? int(srng, 0, Math.max(0, daysToDate - 1)) : -1;
      school = {
        id: `S${String(schoolIndex + 1).padStart(4, '0')}`,
        suspensionCode: srng() < 0.25 ? 'SUSP' : 'FIXD',
        snowDay: srng() < 0.3 ? int(srng, 60, Math.min(110, Math.max(60, daysToDate - 1))) : -1,
        tripDay,
      };
    }
    const record = pupil(mulberry32(mix(seed, i, 2)), `${school.id}-P${String((i % schoolSize) + 1).padStart(4, '0')}`, school);
    yield { ...record, ...movements(mulberry32(mix(seed, i, 3))) };
  }

  /** Pupil movement for a few pupils: directions, timetables, moves and separations, some done late or not at all. */
  function movements(rng: Rng): Pick<PupilRecordInput, 'offSiteDirections' | 'partTimeTimetables' | 'managedMoves' | 'safeguardingSeparations'> {
    const out: ReturnType<typeof movements> = {};
    const day = () => int(rng, 0, dayCount - 1);
    const laterDay = (d: number, min: number, max: number) => dates[Math.min(dayCount - 1, d + int(rng, min, max))]!;
    if (rng() < 0.01) {
      const d = day();
      const reviews = rng() < 0.6 ? [{ heldOn: laterDay(d, 10, 40), attendees: rng() < 0.7 ? ['headteacher' as const, 'parents' as const] : ['headteacher' as const] }] : [];
      out.offSiteDirections = [{
        id: 'OSD1',
        startDate: dates[d]!,
        plannedEndDate: laterDay(d, 20, 60),
        provider: 'Example AP',
        sessionsPerWeek: int(rng, 2, 10),
        ...(rng() < 0.8 ? { noticeGivenOn: dates[Math.max(0, d - int(rng, 0, 5))]! } : {}),
        reviews,
        ...(rng() < 0.2 ? { reviewRequests: [{ requestedOn: laterDay(d, 45, 80), by: 'parents' as const }] } : {}),
        ...(rng() < 0.3 ? { precedesManagedMove: true } : {}),
      }];
    }
    if (rng() < 0.01) {
      const d = day();
      out.partTimeTimetables = [{
        id: 'PT1',
        startDate: dates[d]!,
        ...(rng() < 0.8 ? { plannedEndDate: laterDay(d, 10, 45) } : {}),
        hoursPerWeek: int(rng, 5, 25),
        ...(rng() < 0.85 ? { parentsConsentedOn: dates[Math.max(0, d - 2)]! } : {}),
        reviewsHeldOn: rng() < 0.5 ? [laterDay(d, 5, 15)] : [],
        ...(rng() < 0.6 ? { reportedToLocalAuthorityOn: laterDay(d, 0, 12) } : {}),
      }];
    }
    if (rng() < 0.003) {
      const d = day();
      out.managedMoves = [{ id: 'MM1', agreedOn: dates[d]!, receivingSchool: 'Another school', offRollOn: laterDay(d, 5, 10), ...(rng() < 0.2 ? { plannedTrial: true } : {}) }];
    }
    if (rng() < 0.002) {
      const d = day();
      out.safeguardingSeparations = [{ id: 'SG1', startDate: dates[d]!, endDate: laterDay(d, 1, 10), dslDecidedOn: dates[d]!, ...(rng() < 0.5 ? { localAuthorityToldOn: dates[d]! } : {}) }];
    }
    return out;
  }

  function pupil(rng: Rng, id: string, school: SchoolTraits): PupilRecordInput {
    const yearGroup = int(rng, 7, 11);
    const sex = rng() < 0.5 ? 'F' : 'M';
    const ethnicity = pick(rng, ETHNICITY);
    const u = rng();
    const send = u < P_EHCP ? 'E' : u < P_EHCP + P_SEN_SUPPORT ? 'K' : 'none';
    const lookedAfter = rng() < P_LOOKED_AFTER;
    const hasSocialWorker = lookedAfter || rng() < P_SOCIAL_WORKER_OTHER;
    const fsm = rng() < P_FSM;

    // --- exclusions
    const weight = W_SEND[send] * (fsm ? W_FSM : 1) * (hasSocialWorker ? W_SOCIAL_WORKER : 1) * W_YEAR[yearGroup]!;
    const suspended = rng() < Math.min(0.9, (P_SUSPENDED * weight) / MEAN_WEIGHT);
    const incidents = suspended ? drawIncidents(rng) : [];
    const incidentCount = incidents.length;
    const exclusions: NonNullable<PupilRecordInput['exclusions']> = incidents.map((x, n) => {
      const reasons = new Set<ExclusionReason>([pick(rng, REASONS)]);
      const extra = rng();
      for (let k = extra < 0.7 ? 0 : extra < 0.9 ? 1 : 2; k > 0; k--) reasons.add(pick(rng, REASONS));
      const day = x.slot >> 1;
      const misses = yearGroup === 11 && x.category !== 'LNCH' && day >= examFrom && day < examTo && rng() < 0.3;
      const cancelled = x.category !== 'PERM' && rng() < P_CANCELLED;
      return {
        id: `${id}-X${String(n + 1).padStart(2, '0')}`,
        category: x.category === 'FIXD' ? school.suspensionCode : x.category,
        startDate: dates[day]!,
        ...(x.category !== 'LNCH' && x.slot % 2 === 1 ? { startSession: 'PM' as const } : {}),
        ...(x.category === 'FIXD' && x.length !== undefined ? { sessions: x.length } : {}),
        ...(x.category === 'LNCH' && x.length !== undefined ? { lunchtimes: x.length } : {}),
        reasons: [...reasons],
        ...(cancelled ? { cancelled: true } : {}),
        ...(misses ? { missesPublicExam: true } : {}),
      };
    });

    // --- attendance: absence in spells, then the school's events and the pupil's exclusions on top.
    const vulnerable = send !== 'none' || hasSocialWorker || fsm;
    const profile = absenceProfile(rng, vulnerable);
    const stick = profile.stickiness;
    const start = Math.max(0, Math.min(1, (profile.rate * (1 - stick)) / Math.max(1e-9, 1 - profile.rate)));
    const marks: (AttendanceMark | undefined)[] = new Array(daysToDate * 2);
    let absentYesterday = false;
    for (let d = 0; d < daysToDate; d++) {
      const absent: boolean = rng() < (absentYesterday ? stick : start);
      absentYesterday = absent;
      if (absent) {
        const mark = absenceMark(rng, profile);
        if (rng() < 0.08) {
          // Half a day: a morning appointment, or arriving after the register closed.
          marks[2 * d] = rng() < 0.6 ? 'M' : 'U';
          marks[2 * d + 1] = '\\';
        } else {
          marks[2 * d] = mark;
          marks[2 * d + 1] = mark;
        }
      } else {
        marks[2 * d] = rng() < 0.03 ? 'L' : '/';
        marks[2 * d + 1] = '\\';
      }
    }
    if (rng() < 0.04 && daysToDate > 10) {
      // A term-time holiday the school did not grant.
      const from = int(rng, 0, daysToDate - 5);
      for (let d = from; d < from + 5; d++) marks[2 * d] = marks[2 * d + 1] = 'G';
    }
    const trip = school.tripDay[yearGroup] ?? -1;
    if (trip >= 0 && marks[2 * trip] !== undefined && marks[2 * trip] !== 'I' && rng() < 0.9) marks[2 * trip] = marks[2 * trip + 1] = 'V';
    if (school.snowDay >= 0 && school.snowDay < daysToDate) marks[2 * school.snowDay] = marks[2 * school.snowDay + 1] = 'Y2';

    let lastRecorded = daysToDate; // exclusive; a permanently excluded pupil leaves the roll
    exclusions.forEach((e, n) => {
      const x = incidents[n]!;
      if (e.cancelled || x.category === 'LNCH') return;
      const end = x.category === 'PERM' ? x.slot + 30 : x.slot + (x.length ?? 0);
      for (let s = x.slot; s < end && s < daysToDate * 2; s++) marks[s] = 'E';
      if (x.category === 'PERM') lastRecorded = Math.min(lastRecorded, Math.ceil(end / 2));
    });

    const attendance: NonNullable<PupilRecordInput['attendance']> = [];
    for (let d = 0; d < lastRecorded; d++) attendance.push({ date: dates[d]!, am: marks[2 * d], pm: marks[2 * d + 1] });

    // --- staff flags
    let missed = 0;
    let possible = 0;
    for (let s = 0; s < lastRecorded * 2; s++) {
      const m = marks[s];
      if (m === undefined || m === 'Y2') continue;
      possible++;
      if (m !== '/' && m !== '\\' && m !== 'L' && m !== 'V') missed++;
    }
    const lowAttender = possible > 0 && missed / possible >= 0.1;
    const ebsnaIndicators: EbsnaIndicator[] = [];
    if (rng() < (lowAttender ? 0.08 : 0.003)) {
      const count = int(rng, 1, 3);
      const offset = int(rng, 0, INDICATORS.length - 1);
      for (let k = 0; k < count; k++) ebsnaIndicators.push(INDICATORS[(offset + k) % INDICATORS.length]!);
    }
    const atRisk = rng() < (incidentCount >= 4 ? 0.35 : incidentCount >= 2 ? 0.08 : 0.002 * weight);
    const prior = rng() < (incidentCount > 0 ? P_PRIOR_SCHOOL_DAYS_IF_SUSPENDED : P_PRIOR_SCHOOL_DAYS) ? int(rng, 1, incidentCount > 0 ? 60 : 20) / 2 : 0;

    return {
      format: 'pupil-record/1',
      id,
      schoolId: school.id,
      yearGroup,
      sex,
      ethnicity,
      send,
      ...(lookedAfter ? { lookedAfter } : {}),
      ...(hasSocialWorker ? { hasSocialWorker } : {}),
      fsm,
      ...(atRisk ? { atRiskOfPermanentExclusion: true } : {}),
      ...(prior > 0 ? { priorSchoolSuspensionDays: prior } : {}),
      exclusions,
      attendance,
      ...(ebsnaIndicators.length > 0 ? { ebsnaIndicators } : {}),
    };
  }

  /** A suspended pupil's incidents: clustered in one to three episodes, not overlapping, at most 45 days. */
  function drawIncidents(rng: Rng): Incident[] {
    let n = 1;
    while (n < MAX_INCIDENTS && rng() > GEOMETRIC_P) n++;
    const episodes = Array.from({ length: int(rng, 1, Math.min(3, n)) }, () => int(rng, 0, dayCount - 1));
    const starts = Array.from({ length: n }, () => {
      const centre = episodes[int(rng, 0, episodes.length - 1)]!;
      return Math.max(0, Math.min(dayCount - 1, centre + int(rng, -20, 20)));
    }).sort((a, b) => a - b);
    const permanent = rng() < P_PERMANENT_GIVEN_SUSPENDED;

    const out: Incident[] = [];
    let busyUntil = 0; // first free slot after the last fixed-period suspension
    let halfDays = 0;
    for (let k = 0; k < n; k++) {
      const isLast = k === n - 1;
      const category = permanent && isLast ? 'PERM' : rng() < P_LUNCHTIME ? 'LNCH' : 'FIXD';
      let slot = starts[k]! * 2 + (category !== 'LNCH' && rng() < P_PM_START ? 1 : 0);
      if (out.length > 0 && rng() < P_BACK_TO_BACK && category !== 'LNCH') slot = busyUntil;
      else if (slot < busyUntil) slot = busyUntil + 2 * int(rng, 1, 6) + (slot % 2);
      if (slot >> 1 > lastStartDay) break;
      if (category === 'PERM') {
        out.push({ category, slot, length: undefined });
        break;
      }
      if (category === 'LNCH') {
        const lunchtimes = Math.min(pick(rng, LUNCHTIMES), 90 - halfDays);
        if (lunchtimes < 1) continue;
        halfDays += lunchtimes;
        // Lunchtimes fall on the school days from the start: keep the next start clear of them.
        out.push({ category, slot: slot & ~1, length: lunchtimes });
        busyUntil = Math.max(busyUntil, (slot & ~1) + 2 * lunchtimes);
        continue;
      }
      let sessions = pick(rng, LENGTHS);
      if (slot % 2 === 1 && sessions % 2 === 0) sessions -= 1; // an afternoon start ends at the end of a day
      sessions = Math.max(1, Math.min(sessions, 90 - halfDays));
      if (halfDays + sessions > 90) break;
      halfDays += sessions;
      out.push({ category, slot, length: sessions });
      busyUntil = slot + sessions;
    }
    return out;
  }
}
