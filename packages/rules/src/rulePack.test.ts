import { describe, expect, it } from 'vitest';
import { problemsOf } from './testing.js';
import { ANNUAL_SUSPENSION_LIMIT } from './facts.js';
import { InputError } from './problems.js';
import { buildRulePack, defaultRulePack, parseRule } from './rulePack.js';


describe('the default rule pack', () => {
  it('holds every public trigger, each sourced', () => {
    const pack = defaultRulePack();
    expect(new Set(pack.rules.map((r) => r.trigger))).toEqual(
      new Set([
        'peap.required', 'statutory.notify-parents', 'statutory.notify-local-authority', 'statutory.notify-social-worker',
        'statutory.notify-virtual-school-head', 'statutory.notify-governing-board', 'statutory.governors-must-review',
        'statutory.governors-review-on-request', 'statutory.alternative-provision-from-day-6', 'statutory.annual-limit-exceeded',
        'statutory.annual-limit-approaching', 'ebsna.referral-suggested', 'attendance.persistent-absence', 'attendance.severe-absence',
        'send.consider-ehcp-review', 'looked-after.contact-virtual-school',
        // Issue 12: the law since 26 July 2026, pupil movement and the 2024 attendance duties.
        'off-site-direction.notice-to-parents', 'off-site-direction.review-due', 'off-site-direction.review-on-request',
        'off-site-direction.review-attendees', 'off-site-direction.dual-registration', 'managed-move.no-trial',
        'safeguarding-separation.tell-local-authority', 'statutory.notify-cancellation', 'attendance.penalty-notice-threshold',
        'attendance.illness-return', 'part-time-timetable.agreed-and-time-limited', 'part-time-timetable.review-due',
        'part-time-timetable.report-to-local-authority', 'part-time-timetable.maximum-length',
        // Issue 16: children in care's attendance (seed settings).
        'looked-after.attendance-below-target', 'looked-after.multi-agency-risk-discussion',
      ]),
    );
    for (const rule of pack.rules) expect(rule.source.citation.length).toBeGreaterThan(20);
  });

  it('has one version of each rule in force on any day', () => {
    const pack = defaultRulePack();
    expect(pack.inForce('2021-10-01').find((r) => r.id === 'statutory.notify-local-authority')?.version).toBe(1);
    expect(pack.inForce('2022-09-01').find((r) => r.id === 'statutory.notify-local-authority')?.version).toBe(2);
    expect(pack.inForce('2021-10-01').some((r) => r.id === 'statutory.notify-social-worker')).toBe(false);
  });
});

describe('overriding parameters for a trust or council', () => {
  it('applies a validated override to the rule it names', () => {
    const pack = defaultRulePack().withOverrides({ format: 'rule-pack/1', name: 'Example Trust', parameters: { 'peap.required': { threshold: 3 } } });
    const peap = pack.versionsOf('peap.required')[0]!;
    expect(pack.name).toBe('Example Trust');
    expect(peap.values.threshold).toBe(3);
    expect(JSON.stringify(peap.resolvedConditions)).toContain('"value":3');
    expect(defaultRulePack().versionsOf('peap.required')[0]!.values.threshold).toBe(2);
  });

  it('names unknown rules, unknown parameters, statutory numbers and values out of bounds', () => {
    expect(
      problemsOf(() =>
        defaultRulePack().withOverrides({
          format: 'rule-pack/1',
          name: 'Bad',
          parameters: {
            'peap.requird': { threshold: 3 },
            'peap.required': { threshold: 0, colour: 1 },
            'statutory.governors-must-review': { days: 20 },
            'ebsna.referral-suggested': { attendanceBelow: 185, windowSchoolDays: 12.5 },
          },
        }),
      ),
    ).toEqual([
      // Rule ids hold dots: a path names them in brackets, so it reads one way.
      expect.stringMatching(/^parameters\["peap\.requird"\]: no rule "peap\.requird"; rules: .*peap\.required/),
      'parameters["peap.required"].threshold: 0 is below the minimum 1 (suspensions starting in one half-term that call for a PEAP)',
      'parameters["peap.required"].colour: "peap.required" has no parameter "colour"; settable: threshold, includeLunchtimes',
      'parameters["statutory.governors-must-review"].days: "statutory.governors-must-review" has no settable parameters (its numbers are statutory)',
      'parameters["ebsna.referral-suggested"].attendanceBelow: 185 is above the maximum 100 (attendance % below which to suggest a referral)',
      'parameters["ebsna.referral-suggested"].windowSchoolDays: expected a whole number, found 12.5',
    ]);
  });

  it('lists a value written as a string beside every other problem, each with its code', () => {
    let refusal: unknown;
    try {
      defaultRulePack().withOverrides({
        format: 'rule-pack/1',
        name: 'Quoted',
        parameters: { 'peap.required': { threshold: '3' as unknown as number }, 'ebsna.referral-suggested': { attendanceBelow: 185 }, nope: { x: 1 } },
      });
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(InputError);
    expect((refusal as InputError).problems.map((p) => [p.code, p.field, p.message])).toEqual([
      ['pack.parameter-value', 'parameters["peap.required"].threshold', 'expected a number, found "3" (a string: write the number without quotes)'],
      ['pack.parameter-value', 'parameters["ebsna.referral-suggested"].attendanceBelow', '185 is above the maximum 100 (attendance % below which to suggest a referral)'],
      ['pack.unknown-rule', 'parameters.nope', expect.stringMatching(/^no rule "nope"; the pack's \d+ rules are listed by "rules explain"$/)],
    ]);
  });
});

describe('reading a rule file', () => {
  const base = {
    id: 'trust.example', trigger: 'trust.example', version: 1, title: 'Example', scope: 'exclusion', effectiveFrom: '2025-09-01',
    source: { kind: 'setting', citation: 'Example Trust behaviour policy' },
    conditions: { all: [{ name: 'permanent', fact: 'isPermanent', operator: 'equal', value: true }] },
    explain: { permanent: '{exclusion} is permanent' },
  };

  it('accepts a well-formed rule', () => {
    expect(parseRule(base, 'example.json').values).toEqual({});
  });

  it('names unknown facts, operators, parameters and placeholders', () => {
    expect(
      problemsOf(() =>
        parseRule(
          {
            ...base,
            conditions: { any: [{ name: 'a', fact: 'isPermanant', operator: 'equals', value: { param: 'limit' } }, { fact: 'category', operator: 'equal', value: 'PERM' }] },
            explain: { a: '{exclusionn}', b: 'x' },
          },
          'example.json',
        ),
      ),
    ).toEqual([
      expect.stringMatching(/^conditions\.any\[0\]\.fact: unknown fact "isPermanant" for scope exclusion; facts: .*isPermanent/),
      expect.stringMatching(/^conditions\.any\[0\]\.operator: unknown operator "equals"; accepted: equal, notEqual/),
      'conditions.any[0]: parameter "limit" is not declared; declared: none',
      'conditions.any[1].name: every condition needs a name (explanations and grounds refer to it)',
      expect.stringMatching(/^explain\.a: unknown placeholder \{exclusionn\}; accepted: .*\{exclusion\}/),
      'explain.b: no condition is named "b"; conditions: a',
    ]);
  });

  it('refuses two versions of a rule in force on the same day', () => {
    const v1 = parseRule(base, 'v1.json');
    const v2 = parseRule({ ...base, version: 2, effectiveFrom: '2026-01-01' }, 'v2.json');
    expect(problemsOf(() => buildRulePack('test', [v1, v2]))).toEqual([
      'effectiveFrom: "trust.example" v2 starts 2026-01-01 while v1 (v1.json) is still in force; end v1 the day before',
    ]);
    const ended = parseRule({ ...base, effectiveTo: '2025-12-31' }, 'v1.json');
    expect(buildRulePack('test', [ended, v2]).inForce('2026-02-01').map((r) => r.version)).toEqual([2]);
  });
});

describe('statutory numbers live in the rule pack', () => {
  it('reads the annual limit, the board-review windows and their sources from the rules in force', () => {
    const pack = defaultRulePack();
    expect(pack.annualSuspensionLimit('2026-03-20')).toBe(45);
    // The explanations' words use a copy of the number: it must say what the rule says.
    expect(ANNUAL_SUSPENSION_LIMIT).toBe(pack.annualSuspensionLimit('2026-03-20'));
    expect(pack.statutoryNumber('statutory.governors-must-review', 'dueDate', '2026-03-20').value).toBe(15);
    expect(pack.statutoryNumber('statutory.governors-must-review', 'term-total', '2026-03-20').value).toBe(15);
    const { rule } = pack.statutoryNumber('statutory.annual-limit-exceeded', 'over-limit', '2026-03-20');
    expect(rule.source.kind).toBe('law');
    expect(() => pack.statutoryNumber('statutory.annual-limit-exceeded', 'no-such-condition', '2026-03-20')).toThrow(/has no number "no-such-condition"/);
  });
});
