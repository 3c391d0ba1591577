/**
 * The support figures an officer reads: EHC needs assessments counted from cases that went through
 * the store (on time or late against 6, 20 and the local target's weeks), and the same figures for
 * publication with small counts — and what would give them back — withheld.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SYSTEM } from '../access.js';
import { weeksAfter } from '../support/ehcTimescales.js';
import { publishedSupportFigures, publishedSupportFiguresFor, supportFigures, supportFiguresFor, supportFiguresLines } from './supportFigures.js';
import { closeTestStores, testStore } from '../testing.js';

afterEach(closeTestStores);

/** An EHC request for pupil `pupilId`, taken as far as `steps` say (each `[EVENT, date]`). */
async function ehcCase(t: Awaited<ReturnType<typeof testStore>>, pupilId: string, input: Record<string, unknown>, steps: [string, string][], schoolId = 'SCH-A') {
  const head = await t.store.staff.actorFor(schoolId === 'SCH-A' ? 'head-a' : 'head-b');
  const { case: opened } = await t.store.cases.open(SYSTEM, { kind: 'ehc-needs-assessment', schoolId, pupilId, input: { pupilId, schoolId, requestedBy: 'school', ...input } });
  if (steps.length === 0) return;
  t.setNow(`${steps.at(-1)![1]}T16:00:00Z`); // recorded on the day of the last step
  await t.store.cases.sendUnchecked(head, opened.id, steps.map(([type, on]) => ({ type, on })));
}

const issued = (decided: string, draft: string, plan: string): [string, string][] => [['DECIDE_TO_ASSESS', decided], ['ISSUE_DRAFT', draft], ['ISSUE_PLAN', plan]];

describe('EHC needs assessment figures', () => {
  it('counts plans issued within 20 weeks of the request, decisions within 6, and the local target for a child in care or on a CP plan', async () => {
    const t = await testStore();
    const r = '2025-09-15';
    // 20 weeks from 15 Sep 2025 is 2 Feb 2026; 16 weeks is 5 Jan 2026; 6 weeks is 27 Oct 2025.
    expect([weeksAfter(r, 6), weeksAfter(r, 16), weeksAfter(r, 20)]).toEqual(['2025-10-27', '2026-01-05', '2026-02-02']);
    await ehcCase(t, 'P1', { requestedOn: r, lookedAfter: true, localTargetWeeks: 16 }, issued('2025-10-27', '2025-12-01', '2026-01-05')); // on the last day of each
    await ehcCase(t, 'P2', { requestedOn: r, childProtectionPlan: true, localTargetWeeks: 16 }, issued('2025-10-28', '2025-12-15', '2026-01-19')); // a day late to decide; past 16, within 20
    await ehcCase(t, 'P3', { requestedOn: r }, issued('2025-10-20', '2026-01-12', '2026-02-03')); // a day past 20 weeks
    await ehcCase(t, 'P4', { requestedOn: r }, [['DECIDE_NOT_TO_ASSESS', '2025-10-13']]);
    await ehcCase(t, 'P5', { requestedOn: r }, [['DECIDE_TO_ASSESS', '2025-10-13'], ['DECIDE_NOT_TO_ISSUE', '2025-12-22']]);
    await ehcCase(t, 'P6', { requestedOn: r }, [['DECIDE_TO_ASSESS', '2025-10-13']]);
    await ehcCase(t, 'P7', { requestedOn: '2026-01-05' }, []);

    const { ehc } = await supportFiguresFor(t.store, await t.store.staff.actorFor('officer'));
    expect(ehc).toMatchObject({ requested: 7, awaitingDecision: 1, notAssessed: 1, beingAssessed: 1, plansIssued: 3, notIssued: 1, withdrawn: 0 });
    expect(ehc).toMatchObject({ decisionsMade: 6, decisionsWithin6Weeks: 5, issuedWithin20Weeks: 2, shareIssuedWithin20Weeks: 66.7 });
    expect(ehc.localTarget).toEqual({ requested: 2, plansIssued: 2, issuedWithinTarget: 1, shareIssuedWithinTarget: 50 });
    // Weeks to the plan: 16, 18 and 20.1 — the median is the middle one.
    expect(ehc.medianWeeksToPlan).toBe(18);
  });

  it('counts a request still open past 20 weeks once the scheduler reaches its deadline, and reminds the heads', async () => {
    const t = await testStore();
    await ehcCase(t, 'P1', { requestedOn: '2025-09-15' }, [['DECIDE_TO_ASSESS', '2025-10-13']]);
    const officer = await t.store.staff.actorFor('officer');
    // The day before the 20 weeks end (2 Feb 2026), then the day itself.
    await t.store.fireDueDeadlines(new Date('2026-02-01T09:00:00Z'));
    expect((await supportFiguresFor(t.store, officer)).ehc.openPast20Weeks).toBe(0);
    await t.store.fireDueDeadlines(new Date('2026-02-02T09:00:00Z'));
    expect((await supportFiguresFor(t.store, officer)).ehc.openPast20Weeks).toBe(1);
    expect((await t.store.outbox.entries({ kind: 'remind-deadline' })).map((m) => m.payload.deadline)).toContain('ehc-plan');
  });
});

describe('support figures for publication', () => {
  it('withholds counts of 1 or 2, and the figures that would give them back, leaving the rest', async () => {
    const t = await testStore();
    const r = '2025-09-15';
    // 5 requests: 3 awaiting a decision, 1 not assessed, 1 plan issued.
    for (const p of ['P1', 'P2', 'P3']) await ehcCase(t, p, { requestedOn: r }, []);
    await ehcCase(t, 'P4', { requestedOn: r }, [['DECIDE_NOT_TO_ASSESS', '2025-10-13']]);
    await ehcCase(t, 'P5', { requestedOn: r }, issued('2025-10-13', '2025-12-01', '2026-01-19'));
    const recorded = await supportFiguresFor(t.store, await t.store.staff.actorFor('officer'));
    const published = publishedSupportFigures(recorded);
    expect(recorded.ehc).toMatchObject({ requested: 5, awaitingDecision: 3, notAssessed: 1, plansIssued: 1 });
    // 1 and 1 are withheld; 3 awaiting with them, since 5 − 3 would leave them adding up to 2.
    expect(published.ehc).toMatchObject({ requested: 5, awaitingDecision: null, notAssessed: null, plansIssued: null, decisionsMade: null, notIssued: 0, withdrawn: 0 });
    // A share or a median over one plan speaks for one child.
    expect(published.ehc.shareIssuedWithin20Weeks).toBeNull();
    expect(published.ehc.medianWeeksToPlan).toBeNull();
    expect(published.withheld).toBeGreaterThan(0);
    expect(supportFiguresLines(published, 16)[0]).toMatch(/^For publication: \d+ figure\(s\) withheld\. Counts of 1 or 2/);
    expect(supportFiguresLines(published, 16).join('\n')).toContain('EHC needs assessments: 5 requested — c awaiting the council');
  });

  it("withholds a school's count that all the schools' total would give another school's small one back from", async () => {
    const t = await testStore();
    const plan = issued('2025-10-13', '2025-12-01', '2026-01-19');
    await ehcCase(t, 'PA1', { requestedOn: '2025-09-15' }, plan, 'SCH-A');
    for (const p of ['PB1', 'PB2', 'PB3', 'PB4']) await ehcCase(t, p, { requestedOn: '2025-09-15' }, plan, 'SCH-B');
    const officer = await t.store.staff.actorFor('officer');
    // School B alone shows 4 plans; beside all the schools' 5 it would give School A's 1 away.
    expect(publishedSupportFigures(await supportFiguresFor(t.store, officer, 'SCH-B')).ehc.plansIssued).toBe(4);
    expect((await publishedSupportFiguresFor(t.store, officer, 'SCH-B')).ehc.plansIssued).toBeNull();
    expect((await publishedSupportFiguresFor(t.store, officer)).ehc.plansIssued).toBe(5);
    expect((await publishedSupportFiguresFor(t.store, officer, 'SCH-A')).ehc.plansIssued).toBeNull();
  });

  it('leaves no withheld count that the shown figures and their sums pin down', async () => {
    // Many shapes of caseload: for each, no withheld figure can be worked out from what is shown.
    const t = await testStore();
    const officer = await t.store.staff.actorFor('officer');
    const shapes: [string, string][][] = [[], [['DECIDE_NOT_TO_ASSESS', '2025-10-13']], [['DECIDE_TO_ASSESS', '2025-10-13']], [['DECIDE_TO_ASSESS', '2025-10-13'], ['ISSUE_DRAFT', '2025-12-01'], ['ISSUE_PLAN', '2026-01-19']], [['DECIDE_TO_ASSESS', '2025-10-13'], ['ISSUE_DRAFT', '2025-12-01'], ['ISSUE_PLAN', '2026-03-02']]];
    let n = 0;
    for (const counts of [[4, 1, 0, 2, 1], [1, 1, 1, 1, 1], [0, 0, 3, 5, 2], [6, 2, 2, 0, 0]]) {
      for (const [shape, howMany] of counts.entries()) for (let i = 0; i < howMany; i++) await ehcCase(t, `P${n++}`, { requestedOn: '2025-09-15', ...(n % 3 === 0 ? { lookedAfter: true, localTargetWeeks: 16 } : {}) }, shapes[shape]!);
      const recorded = supportFigures(await t.store.cases.list(officer));
      const published = publishedSupportFigures(recorded);
      const e = published.ehc;
      const shownSmall = Object.entries(e).filter(([, v]) => typeof v === 'number' && v > 0 && v < 3);
      expect(shownSmall.filter(([k]) => !k.startsWith('median') && !k.startsWith('share'))).toEqual([]);
      // The state counts are a partition of the requests: with the total shown, never exactly one withheld.
      const states = [e.awaitingDecision, e.notAssessed, e.beingAssessed, e.plansIssued, e.notIssued, e.withdrawn];
      if (e.requested !== null) expect(states.filter((v) => v === null).length).not.toBe(1);
    }
  });
});
