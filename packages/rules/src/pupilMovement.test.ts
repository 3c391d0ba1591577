import { describe, expect, it } from 'vitest';
import { bundledCalendar } from './calendar/bundled.js';
import { RulesEvaluator } from './evaluate.js';
import { derivePupilFacts } from './facts.js';
import { defaultRulePack } from './rulePack.js';
import { pupil, suspension } from './testing.js';

const calendar = bundledCalendar('2026/27');
const evaluator = new RulesEvaluator();

describe('the rules of 26 July 2026', () => {
  it('keep each changed rule\'s earlier version in force until 25 July 2026, and the new one from the 26th', () => {
    const pack = defaultRulePack();
    const versionOn = (id: string, date: string) => pack.inForce(date).find((r) => r.id === id)?.version;
    for (const id of ['statutory.alternative-provision-from-day-6', 'looked-after.contact-virtual-school', 'off-site-direction.notice-to-parents', 'off-site-direction.review-due', 'off-site-direction.review-on-request']) {
      expect([versionOn(id, '2026-07-25'), versionOn(id, '2026-07-26')], id).toEqual([1, 2]);
    }
    for (const id of ['managed-move.no-trial', 'safeguarding-separation.tell-local-authority', 'off-site-direction.review-attendees', 'off-site-direction.dual-registration']) {
      expect([versionOn(id, '2026-07-25'), versionOn(id, '2026-07-26')], id).toEqual([undefined, 1]);
    }
    for (const rule of pack.rules.filter((r) => r.effectiveFrom === '2026-07-26')) expect(rule.source.citation, rule.id).toMatch(/2026/);
  });
});

describe('a safeguarding separation is not a suspension', () => {
  it('adds nothing to the 45 days, the term totals, day 6 or the PEAP count, and prompts the head to tell the LA', () => {
    const without = pupil({ exclusions: [suspension('E1', '2026-10-05', 8)] });
    const withSeparation = pupil({
      exclusions: [suspension('E1', '2026-10-05', 8)],
      safeguardingSeparations: [{ id: 'SG1', startDate: '2026-10-09', endDate: '2026-10-16', dslDecidedOn: '2026-10-08' }],
    });
    const a = derivePupilFacts(without, calendar, '2026-10-20');
    const b = derivePupilFacts(withSeparation, calendar, '2026-10-20');
    expect([b.suspensionDaysThisYear, b.suspensionDaysByTerm, b.exclusions.map((e) => e.consecutive), b.halfTerms.map((h) => h.suspensions.length)]).toEqual([
      a.suspensionDaysThisYear, a.suspensionDaysByTerm, a.exclusions.map((e) => e.consecutive), a.halfTerms.map((h) => h.suspensions.length),
    ]);
    const fired = (record: typeof without) => evaluator.evaluateSync(record, calendar, '2026-10-20').map((t) => t.trigger);
    expect(fired(withSeparation).sort()).toEqual([...fired(without), 'safeguarding-separation.tell-local-authority'].sort());
  });
});

describe('off-site direction dates at the calendar\'s edges', () => {
  it('a notice given before the calendar\'s year is not called late (its school days are on last year\'s calendar)', () => {
    const record = pupil({ offSiteDirections: [{ id: 'OSD1', startDate: '2026-09-03', provider: 'Riverside', noticeGivenOn: '2026-07-20' }] });
    expect(evaluator.evaluateSync(record, calendar, '2026-09-03').map((t) => t.trigger)).not.toContain('off-site-direction.notice-to-parents');
  });

  it('a notice due before the calendar\'s first school day is still prompted, saying so', () => {
    const record = pupil({ offSiteDirections: [{ id: 'OSD1', startDate: '2026-09-03', provider: 'Riverside' }] });
    const [notice] = evaluator.evaluateSync(record, calendar, '2026-09-03').filter((t) => t.trigger === 'off-site-direction.notice-to-parents');
    expect(notice).toMatchObject({ period: 'OSD1', grounds: ['no-notice'] });
    expect(notice?.dueDate).toBeUndefined();
    expect(notice?.explanation).toContain('before the first school day of this calendar');
  });

  it('a direction running on from last year is reviewed on this year\'s calendar by the rules in force when it started', () => {
    const record = pupil({ offSiteDirections: [{ id: 'OSD1', startDate: '2026-06-01', provider: 'Riverside', noticeGivenOn: '2026-05-20', reviews: [{ heldOn: '2026-09-07', attendees: ['headteacher', 'parents'] }] }] });
    const due = evaluator.evaluateSync(record, calendar, '2026-10-20').find((t) => t.trigger === 'off-site-direction.review-due');
    // 30 school days after Mon 7 Sep: 8 Sep to 16 Oct is 29 (8-11 Sep 4, then five full weeks), Mon 19 Oct the 30th.
    expect(due).toMatchObject({ ruleVersion: 1, dueDate: '2026-10-19' });
  });

  it('a movement date beyond the calendar\'s reach is refused, naming the field', () => {
    const record = pupil({ managedMoves: [{ id: 'MM1', agreedOn: '2199-01-01', receivingSchool: 'Northfield' }] });
    expect(() => derivePupilFacts(record, calendar, '2026-10-20')).toThrow(/managedMoves\[0\]\.agreedOn: 2199-01-01 is out of reach of the England 2026\/27 \(example\) calendar/);
  });
});
