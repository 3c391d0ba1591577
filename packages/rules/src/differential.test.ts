/**
 * The compiled rules against json-rules-engine, the reference, over a synthetic cohort of
 * 100,000 pupils (DIFFERENTIAL_PUPILS to change it): every trigger — its id, period, due date,
 * grounds and explanation — must be the same. The scenario suite runs the same check per case.
 */
import { describe, expect, it } from 'vitest';
import { syntheticCohort } from './bench/cohort.js';
import { bundledCalendar } from './calendar/bundled.js';
import { RulesEvaluator, type Trigger } from './evaluate.js';
import { derivePupilFacts } from './facts.js';
import { parsePupilRecord } from './pupilRecord.js';
import { defaultRulePack } from './rulePack.js';

const PUPILS = Number(process.env.DIFFERENTIAL_PUPILS ?? 100_000);
const calendar = bundledCalendar('2025/26');

async function compare(asOf: string, pupils: number, seed: number, pack = defaultRulePack()) {
  const compiled = new RulesEvaluator(pack);
  const reference = new RulesEvaluator(pack, { engine: 'reference' });
  expect(compiled.compiled).toBe(true);
  const fired = new Map<string, number>();
  const differences: string[] = [];
  let triggers = 0;
  for (const input of syntheticCohort({ pupils, seed, calendar, asOf })) {
    const parsed = parsePupilRecord(input);
    if (!parsed.ok) throw new Error(`the cohort made an invalid record: ${JSON.stringify(parsed.problems[0])}`);
    const facts = derivePupilFacts(parsed.record, calendar, asOf);
    const mine: Trigger[] = compiled.triggersFor(facts);
    const theirs = await reference.evaluateFacts(facts);
    triggers += mine.length;
    for (const t of mine) fired.set(t.trigger, (fired.get(t.trigger) ?? 0) + 1);
    if (JSON.stringify(mine) !== JSON.stringify(theirs) && differences.length < 3) {
      differences.push(`pupil ${parsed.record.id}:\n  compiled  ${JSON.stringify(mine)}\n  reference ${JSON.stringify(theirs)}`);
    }
  }
  return { fired, differences, triggers };
}

describe('compiled rules and json-rules-engine', () => {
  it(`fire the same triggers, due dates and explanations for ${PUPILS.toLocaleString('en-GB')} synthetic pupils`, { timeout: 600_000 }, async () => {
    const { fired, differences, triggers } = await compare('2026-07-17', PUPILS, 20250901);
    expect(differences).toEqual([]);
    // Not vacuous: the cohort makes every trigger of the default pack fire.
    const ids = new Set(defaultRulePack().inForce('2026-07-17').map((r) => r.trigger));
    expect([...ids].filter((id) => !fired.has(id))).toEqual([]);
    expect(triggers).toBeGreaterThan(PUPILS / 10);
  });

  it('agree mid-year under a trust\'s overrides too', { timeout: 120_000 }, async () => {
    const pack = defaultRulePack().withOverrides({
      format: 'rule-pack/1',
      name: 'stricter trust',
      parameters: { 'peap.required': { threshold: 3, includeLunchtimes: false }, 'ebsna.referral-suggested': { attendanceBelow: 85, windowSchoolDays: 20 } },
    });
    const pupils = Math.min(PUPILS, 20_000);
    const defaults = await compare('2026-03-20', pupils, 7);
    expect(defaults.differences).toEqual([]);
    const overridden = await compare('2026-03-20', pupils, 7, pack);
    expect(overridden.differences).toEqual([]);
    // The overrides took effect: a higher PEAP threshold fires fewer PEAPs.
    expect(overridden.fired.get('peap.required') ?? 0).toBeLessThan(defaults.fired.get('peap.required') ?? 0);
  });
});
