import { describe, expect, it } from 'vitest';
import { bundledCalendar } from './calendar/bundled.js';
import { defineFact } from './customFacts.js';
import { describeRule } from './describeRule.js';
import { FACTS } from './factCatalog.js';
import { RulesEvaluator } from './evaluate.js';
import { InputError } from './problems.js';
import { defaultRulePack, parseRule } from './rulePack.js';
import { pupil, suspension } from './testing.js';

const calendar = bundledCalendar('2025/26');

/** An embedder's fact: suspensions that started in the term of the evaluation date. */
const suspensionsThisTerm = defineFact({
  name: 'suspensionsThisTerm',
  scope: 'pupil',
  type: 'number',
  description: 'suspensions, not cancelled, that started in the term of the evaluation date',
  value: ({ pupil: p }) => p.exclusions.filter((e) => e.isSuspension && p.calendar.termOf(e.startDate) === p.calendar.termOf(p.asOf)).length,
});

/** A trust's own rule naming it. */
const termReview = {
  id: 'trust.term-review',
  trigger: 'trust.term-review',
  version: 1,
  title: 'Trust review after repeated suspensions in a term',
  scope: 'pupil',
  effectiveFrom: '2025-09-01',
  source: { kind: 'setting', citation: 'Example Trust behaviour policy, section 7' },
  parameters: { threshold: { type: 'integer', default: 3, minimum: 1, description: 'suspensions in a term that call for a trust review' } },
  conditions: { all: [{ name: 'repeated', fact: 'suspensionsThisTerm', operator: 'greaterThanInclusive', value: { param: 'threshold' } }] },
  explain: { repeated: '{result} suspensions started this term; the trust reviews at {threshold}' },
};

const record = pupil({ exclusions: [suspension('S1', '2025-09-15', 2), suspension('S2', '2025-10-02', 2), suspension('S3', '2025-11-12', 2)] });

/** The refusal's problems as [code, field, message]; fails unless an InputError was thrown. */
function refusal(fn: () => unknown): [string, string | undefined, string][] {
  try {
    fn();
  } catch (error) {
    if (error instanceof InputError) return error.problems.map((p) => [p.code, p.field, p.message]);
    throw error;
  }
  throw new Error('expected an InputError');
}

describe('a pack with custom facts and rules', () => {
  const pack = defaultRulePack().extend({ name: 'Example Trust', facts: [suspensionsThisTerm], rules: [termReview] });

  it('fires the custom rule on the custom fact, explained, beside the built-in triggers — on both engines', async () => {
    for (const engine of ['compiled', 'reference'] as const) {
      const triggers = await new RulesEvaluator(pack, { engine }).evaluate(record, calendar, '2025-11-20');
      const review = triggers.find((t) => t.trigger === 'trust.term-review');
      expect(review, engine).toMatchObject({ ruleId: 'trust.term-review', period: '2025/26', explanation: '3 suspensions started this term; the trust reviews at 3' });
      expect(triggers.some((t) => t.trigger === 'statutory.notify-parents'), engine).toBe(true);
    }
    const earlier = await new RulesEvaluator(pack).evaluate(record, calendar, '2025-10-20');
    expect(earlier.map((t) => t.trigger)).not.toContain('trust.term-review');
  });

  it('keeps the custom fact to that pack: the default pack and its rules never see it', () => {
    expect(defaultRulePack().customFacts).toEqual([]);
    // The shared built-in catalogue cannot be written to, even around the types.
    expect(Reflect.set(FACTS.pupil, 'suspensionsThisTerm', suspensionsThisTerm)).toBe(false);
    expect('suspensionsThisTerm' in FACTS.pupil).toBe(false);
    expect(refusal(() => parseRule(termReview, 'term-review.json'))).toEqual([
      ['rule.unknown-fact', 'conditions.all[0].fact', expect.stringMatching(/^unknown fact "suspensionsThisTerm" for scope pupil; facts: /)],
    ]);
  });

  it("shows the custom fact's description in the rule's explanation (rules explain)", () => {
    expect(describeRule(pack.versionsOf('trust.term-review'))).toContain(
      '- suspensions, not cancelled, that started in the term of the evaluation date is at least 3  [repeated]',
    );
  });

  it("takes a trust's settings for the custom rule like any other", async () => {
    const lower = pack.withOverrides({ format: 'rule-pack/1', name: 'Lower line', parameters: { 'trust.term-review': { threshold: 2 } } });
    const triggers = await new RulesEvaluator(lower).evaluate(record, calendar, '2025-10-20');
    expect(triggers.find((t) => t.trigger === 'trust.term-review')?.explanation).toBe('2 suspensions started this term; the trust reviews at 2');
  });
});

describe('what an extension may not do', () => {
  it('refuses a custom fact named as a built-in one, and a malformed one, together', () => {
    const clash = defineFact({ name: 'fsm', scope: 'pupil', type: 'boolean', description: 'mine', value: () => true });
    const nameless = defineFact({ name: 'Bad name', scope: 'pupil', type: 'number', description: '', value: () => 1 });
    expect(refusal(() => defaultRulePack().extend({ name: 'x', facts: [clash, nameless] }))).toEqual([
      ['fact.reserved', 'facts[0].name', '"fsm" is a built-in pupil fact; give the custom fact a name of its own'],
      ['fact.invalid', 'facts[1].name', expect.stringMatching(/^"Bad name" is not a fact name/)],
    ]);
  });

  it('refuses a custom rule that reuses a built-in trigger id or rule id, or replaces a statutory rule — every problem at once', () => {
    const peapRule = defaultRulePack().versionsOf('peap.required')[0]!;
    const problems = refusal(() =>
      defaultRulePack().extend({
        name: 'Overreach',
        facts: [suspensionsThisTerm],
        rules: [
          { ...termReview, trigger: 'statutory.notify-parents' },
          { ...termReview, id: 'statutory.notify-parents', trigger: 'trust.parents' },
          { ...termReview, id: 'peap.required', trigger: 'trust.peap', version: peapRule.version + 1 },
          { ...termReview, id: 'trust.bad', trigger: 'trust.bad', parameters: { threshold: { ...termReview.parameters.threshold, default: '3' } } },
        ],
      }),
    );
    expect(problems).toEqual([
      ['pack.reserved-trigger', 'trigger', '"statutory.notify-parents" is a trigger id the package defines; a custom rule needs a trigger id of its own'],
      ['pack.statutory-rule', 'id', expect.stringMatching(/^"statutory\.notify-parents" is a statutory rule: it cannot be replaced/)],
      ['pack.rule-exists', 'id', expect.stringMatching(/^"peap\.required" is a rule the package ships/)],
      ['invalid', 'parameters.threshold.default', expect.stringMatching(/number|boolean|Invalid/i)],
    ]);
  });

  it('removes a rule a trust does not want, but never a statutory one', () => {
    expect(defaultRulePack().withoutRules(['attendance.persistent-absence']).ids).not.toContain('attendance.persistent-absence');
    expect(refusal(() => defaultRulePack().withoutRules(['statutory.governors-must-review', 'peap.requird']))).toEqual([
      ['pack.statutory-rule', 'without[0]', expect.stringMatching(/^"statutory\.governors-must-review" is statutory \(.+\): it cannot be removed$/)],
      ['pack.unknown-rule', 'without[1]', expect.stringMatching(/^no rule "peap\.requird"/)],
    ]);
  });
});

describe('explanation words', () => {
  it('names the attendance window in {windowFrom} whatever the rule calls its window parameter', async () => {
    const lowAttendance = {
      id: 'trust.low-attendance', trigger: 'trust.low-attendance', version: 1, title: 'Low attendance', scope: 'pupil', effectiveFrom: '2025-09-01',
      source: { kind: 'setting', citation: 'Example Trust attendance policy' },
      parameters: { days: { type: 'integer', default: 5, minimum: 1, description: 'the window, in school days' } },
      conditions: { all: [{ name: 'low', fact: 'attendanceRateOverLastSchoolDays', params: { schoolDays: { param: 'days' } }, operator: 'lessThan', value: 95 }] },
      explain: { low: '{result}% over {windowDays} school days from {windowFrom}' },
    };
    const pack = defaultRulePack().extend({ name: 'Window', rules: [lowAttendance] });
    const absent = pupil({ attendance: ['2025-10-13', '2025-10-14', '2025-10-15', '2025-10-16', '2025-10-17'].map((date) => ({ date, am: date === '2025-10-15' ? 'N' : '/', pm: '/' })) });
    const [t] = (await new RulesEvaluator(pack).evaluate(absent, calendar, '2025-10-17')).filter((x) => x.trigger === 'trust.low-attendance');
    expect(t?.explanation).toBe('90% over 5 school days from 13 Oct');
  });
});

describe('dates that are not real', () => {
  it('refuses an evaluation date of 2025-10-32 as an InputError that says so', async () => {
    let error: unknown;
    await new RulesEvaluator().evaluate(pupil(), calendar, '2025-10-32').catch((e: unknown) => (error = e));
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).problems).toEqual([{ code: 'date.not-real', field: 'asOf', message: '"2025-10-32" is not a real date: October 2025 has 31 days' }]);
  });
});
