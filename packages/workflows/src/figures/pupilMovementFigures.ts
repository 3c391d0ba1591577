/**
 * Pupil movement, the figures national policy now watches as possible signs of off-rolling (the
 * 2026 suspension and permanent exclusion guidance, "including pupil movement"; the February 2026
 * schools white paper): per school, off-site directions started, managed moves agreed, part-time
 * timetables started and pupils leaving the roll, by year group — Year 10 and 11 especially.
 *
 * Figures, not accusations: each counts events from the pupil records by their own date in the
 * period (a pupil who has since left is still counted), whatever the reason. A pupil leaving the
 * roll may simply have moved house; the figure says where to ask, never what happened.
 */
import type { PupilRecord } from '@before-exclusion/rules';
import { categoryOf, type ExclusionRow } from './exclusionFigures.js';
import { breakdownSums, type Address, type MeasureSum } from './figures.js';
import type { Period } from './reportPeriod.js';

export const MOVEMENT_MEASURES = ['off-site-directions', 'managed-moves', 'part-time-timetables', 'pupils-leaving-roll'] as const;
export type MovementMeasure = (typeof MOVEMENT_MEASURES)[number];

/** What each figure counts, in words: said beside the figure wherever it is shown. */
export const MOVEMENT_MEASURE_WORDS: Readonly<Record<MovementMeasure, { readonly title: string; readonly counts: string }>> = {
  'off-site-directions': { title: 'Off-site directions', counts: 'off-site directions whose placement started in the period' },
  'managed-moves': { title: 'Managed moves', counts: 'managed moves agreed in the period (to another school, permanently)' },
  'part-time-timetables': { title: 'Part-time timetables', counts: 'part-time timetables that started in the period' },
  'pupils-leaving-roll': { title: 'Pupils leaving the roll', counts: "pupils whose last day on roll fell in the period, for any reason (a move of home too)" },
};

/** The year groups a council watches most: leaving between Year 10 and Year 11 takes a pupil out of the school's GCSE results. */
export const WATCHED_YEAR_GROUPS = ['year-10', 'year-11'] as const;

/** The dates in a record each measure counts, one per event. */
const EVENTS: Readonly<Record<MovementMeasure, (r: PupilRecord) => readonly string[]>> = {
  'off-site-directions': (r) => (r.offSiteDirections ?? []).map((d) => d.startDate),
  'managed-moves': (r) => (r.managedMoves ?? []).map((m) => m.agreedOn),
  'part-time-timetables': (r) => (r.partTimeTimetables ?? []).map((t) => t.startDate),
  'pupils-leaving-roll': (r) => (r.leftOn !== undefined ? [r.leftOn] : []),
};

/**
 * One school's pupil movement in `period`: each measure's total and by year group (the pupil's
 * year group as the record gives it), with how many pupils are behind each figure.
 * @example movementFigures(records, { start: '2026-09-01', end: '2026-12-31' })
 * // [{ measure: 'managed-moves', breakdown: 'total', category: 'all', value: 3, pupils: 3 }, …]
 */
export function movementFigures(records: readonly PupilRecord[], period: Period): ExclusionRow[] {
  const tally = new Map<string, { value: number; pupils: number }>();
  const add = (measure: string, breakdown: string, category: string, events: number) => {
    const key = `${measure}|${breakdown}|${category}`;
    const t = tally.get(key) ?? { value: 0, pupils: 0 };
    tally.set(key, { value: t.value + events, pupils: t.pupils + 1 });
  };
  for (const record of records) {
    for (const measure of MOVEMENT_MEASURES) {
      const events = EVENTS[measure](record).filter((date) => date >= period.start && date <= period.end).length;
      if (events === 0) continue;
      add(measure, 'total', 'all', events);
      add(measure, 'year-group', categoryOf(record, 'year-group'), events);
    }
  }
  return [...tally].map(([key, t]) => {
    const [measure, breakdown, category] = key.split('|') as [string, string, string];
    return { measure, breakdown, category, value: t.value, pupils: t.pupils };
  });
}

/** Within one table, each movement measure's total is the sum of its year groups. */
export function movementSums(rows: readonly Address[]): MeasureSum[] {
  return MOVEMENT_MEASURES.flatMap((measure) => breakdownSums(rows, { measure, breakdown: 'total', category: 'all' }, ['year-group'], true)).filter((s) => s.parts.length > 0);
}
