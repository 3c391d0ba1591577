/**
 * The measures a support plan or the nurture service records as data — Boxall Profile, SDQ and
 * Thrive — scores with the date taken and whether it is the baseline or a follow-up, so "what it
 * changed" is a difference of numbers, never a sentence alone.
 *
 * Ranges, as the instruments define them:
 * - SDQ (Strengths and Difficulties Questionnaire): five subscales of five items scored 0–2, so each
 *   subscale 0–10; the total difficulties score sums the four difficulty subscales (not prosocial), 0–40.
 * - Boxall Profile: two sections (developmental strands, diagnostic profile) of 34 items scored 0–4,
 *   so each section totals 0–136 (seed 000: pre and post Boxall profiles collected centrally).
 * - Thrive: the share (%) of the statements met at the child's developmental stage, 0–100 (seed 001:
 *   baseline and follow-up Thrive assessments). The product keeps the percentage only.
 */
import { z } from 'zod';

const isoDate = z.iso.date({ error: 'expected a date written YYYY-MM-DD' });
const score = (max: number, what: string) => z.int(`expected a whole number from 0 to ${max} (${what})`).min(0, `expected 0 to ${max} (${what})`).max(max, `expected 0 to ${max} (${what})`);

export const MEASURES = ['boxall', 'sdq', 'thrive'] as const;
export type Measure = (typeof MEASURES)[number];
export const MEASURE_STAGES = ['baseline', 'follow-up'] as const;
export type MeasureStage = (typeof MEASURE_STAGES)[number];

/** Each measure's name in words, and the one score compared before and after (higher is better or worse). */
export const MEASURE_WORDS: Readonly<Record<Measure, { readonly name: string; readonly headline: string; readonly higherIsBetter: boolean }>> = {
  boxall: { name: 'Boxall Profile', headline: 'developmental strands', higherIsBetter: true },
  sdq: { name: 'SDQ', headline: 'total difficulties', higherIsBetter: false },
  thrive: { name: 'Thrive', headline: 'statements met (%)', higherIsBetter: true },
};

const stamped = { takenOn: isoDate, stage: z.enum(MEASURE_STAGES, { error: 'expected stage baseline or follow-up' }) };

/** One measure taken, as an event's payload carries it: which, when, baseline or follow-up, its scores. */
export const measureSchema = z.discriminatedUnion(
  'measure',
  [
    z.strictObject({
      measure: z.literal('boxall'),
      ...stamped,
      developmentalStrands: score(136, 'Boxall developmental strands: 34 items scored 0–4'),
      diagnosticProfile: score(136, 'Boxall diagnostic profile: 34 items scored 0–4'),
    }),
    z
      .strictObject({
        measure: z.literal('sdq'),
        ...stamped,
        totalDifficulties: score(40, 'SDQ total difficulties'),
        emotional: score(10, 'SDQ subscale').optional(),
        conduct: score(10, 'SDQ subscale').optional(),
        hyperactivity: score(10, 'SDQ subscale').optional(),
        peer: score(10, 'SDQ subscale').optional(),
        prosocial: score(10, 'SDQ subscale').optional(),
      })
      .refine(
        (s) => {
          const parts = [s.emotional, s.conduct, s.hyperactivity, s.peer].filter((x): x is number => x !== undefined);
          return parts.length < 4 || parts.reduce((a, b) => a + b, 0) === s.totalDifficulties;
        },
        { message: 'the total difficulties score is the sum of the emotional, conduct, hyperactivity and peer subscales', path: ['totalDifficulties'] },
      ),
    z.strictObject({ measure: z.literal('thrive'), ...stamped, percentMet: score(100, 'Thrive: % of the statements met') }),
  ],
  { error: 'expected measure boxall, sdq or thrive' },
);
export type MeasureTaken = z.output<typeof measureSchema>;

/** The one number compared before and after for a measure. */
export function headlineScore(m: MeasureTaken): number {
  return m.measure === 'boxall' ? m.developmentalStrands : m.measure === 'sdq' ? m.totalDifficulties : m.percentMet;
}

export interface MeasureChange {
  readonly measure: Measure;
  readonly baseline: { readonly takenOn: string; readonly score: number };
  readonly latest: { readonly takenOn: string; readonly score: number };
  /** latest − baseline, in the measure's own units. */
  readonly change: number;
  /** Whether the change is an improvement, as the measure reads (a lower SDQ is better). */
  readonly improved: boolean;
}

/**
 * Before and after, per measure: the earliest baseline against the latest follow-up taken after it.
 * @example measureChanges([{ measure: 'sdq', stage: 'baseline', takenOn: '2026-01-05', totalDifficulties: 22 }, { measure: 'sdq', stage: 'follow-up', takenOn: '2026-03-20', totalDifficulties: 15 }])
 * // [{ measure: 'sdq', baseline: { score: 22 }, latest: { score: 15 }, change: -7, improved: true }]
 */
export function measureChanges(measures: readonly MeasureTaken[]): MeasureChange[] {
  const out: MeasureChange[] = [];
  for (const measure of MEASURES) {
    const of = measures.filter((m) => m.measure === measure).sort((a, b) => a.takenOn.localeCompare(b.takenOn));
    const baseline = of.find((m) => m.stage === 'baseline');
    const latest = baseline && of.filter((m) => m.stage === 'follow-up' && m.takenOn >= baseline.takenOn).at(-1);
    if (!baseline || !latest) continue;
    const change = headlineScore(latest) - headlineScore(baseline);
    out.push({
      measure,
      baseline: { takenOn: baseline.takenOn, score: headlineScore(baseline) },
      latest: { takenOn: latest.takenOn, score: headlineScore(latest) },
      change,
      improved: MEASURE_WORDS[measure].higherIsBetter ? change > 0 : change < 0,
    });
  }
  return out;
}

/** "SDQ total difficulties 22 → 15 (improved)". */
export function measureChangeWords(c: MeasureChange): string {
  const w = MEASURE_WORDS[c.measure];
  return `${w.name} ${w.headline} ${c.baseline.score} → ${c.latest.score} (${c.change === 0 ? 'no change' : c.improved ? 'improved' : 'worse'})`;
}
