/**
 * An EHC needs assessment as a user runs `cases` (each call its own process): requests opened for
 * pupils (a child in care from the pupil record, a child-protection plan from the request), the
 * council's answers recorded with their dates, the 20-week deadline reached by the scheduler, and
 * `cases support figures` counting plans within 20 weeks and within the local target — as recorded,
 * and for publication with counts of 1 or 2, and what would give them back, withheld.
 */
import { describe, expect, it } from 'vitest';
import { CALENDAR_2025_26, casesFolder } from '../support/casesCli.js';

const calendar = CALENDAR_2025_26;

function workspace(more: NodeJS.ProcessEnv = {}) {
  const { file, cases } = casesFolder('cases-ehc', { env: more });
  const staff = file('staff.json', {
    schools: [{ id: 'SCH-A', name: 'School A' }],
    staff: [
      { id: 'head-a', displayName: 'Head A', role: 'headteacher', schoolIds: ['SCH-A'] },
      { id: 'officer', displayName: 'Officer', role: 'inclusion-officer', schoolIds: ['SCH-A'] },
    ],
  });
  expect(cases('staff', staff).code).toBe(0);
  const pupils = ['P1', 'P2', 'P3', 'P4', 'P5', 'P6'].map((id) => JSON.stringify({ id, schoolId: 'SCH-A', ...(id === 'P1' ? { lookedAfter: true } : {}) })).join('\n');
  expect(cases('import', '--pupils', file('pupils.ndjson', pupils), '--calendar', calendar).code).toBe(0);
  return { cases };
}

const NOW = '--now=2026-03-02T09:00:00Z';
const caseId = (stdout: string) => stdout.split(':')[0]!;

describe('an EHC needs assessment, from the request to the figures', () => {
  it('follows each request to the plan or the decision, and counts plans within 20 weeks and within the local target', () => {
    const { cases } = workspace();
    const open = (pupil: string, data: object) => {
      const r = cases('open', 'ehc-needs-assessment', '--pupil', pupil, '--as', 'head-a', NOW, '--data', JSON.stringify(data));
      expect(r.stdout).toMatch(/: requested$/m);
      return caseId(r.stdout);
    };
    const act = (id: string, event: string, on: string) => cases('act', id, event, '--as', 'head-a', NOW, '--data', JSON.stringify({ on }));

    // P1 is looked after (the pupil record); P2's request says a child-protection plan: the local target applies to both.
    const p1 = open('P1', { requestedBy: 'school', requestedOn: '2025-09-15' });
    const p2 = open('P2', { requestedBy: 'parent', requestedOn: '2025-09-15', childProtectionPlan: true });
    const p3 = open('P3', { requestedBy: 'school', requestedOn: '2025-09-15' });
    const p4 = open('P4', { requestedBy: 'school', requestedOn: '2025-09-22' });
    const p5 = open('P5', { requestedBy: 'team-around-the-school', requestedOn: '2025-10-06' });
    open('P6', { requestedBy: 'parent', requestedOn: '2026-02-02' });

    // The due dates are calendar weeks from the request, holidays included.
    const shown = cases('show', p1, '--as', 'head-a', NOW).stdout;
    expect(shown).toMatch(/decision whether to assess \(6 weeks\).*27 Oct 2025/);
    expect(shown).toMatch(/local target.*\(16 weeks\).*5 Jan 2026/);
    expect(shown).toMatch(/final plan issued \(20 weeks\).*2 Feb 2026/);

    // Steps out of order, or dated before what they follow, are refused in words.
    const early = act(p1, 'ISSUE_PLAN', '2026-01-05');
    expect(early.code).toBe(2);
    expect(early.stderr).toContain('record the decision whether to assess first');
    expect(act(p1, 'DECIDE_TO_ASSESS', '2025-09-01').stderr).toContain('2025-09-01 is before the request was received (2025-09-15)');

    for (const [id, decided, draft, plan] of [[p1, '2025-10-20', '2025-12-08', '2026-01-05'], [p2, '2025-10-27', '2025-12-15', '2026-01-26'], [p3, '2025-10-27', '2026-01-05', '2026-02-09']] as const) {
      expect(act(id, 'DECIDE_TO_ASSESS', decided).code).toBe(0);
      expect(act(id, 'ISSUE_DRAFT', draft).code).toBe(0);
      expect(act(id, 'ISSUE_PLAN', plan).stdout).toContain('plan-issued');
    }
    expect(act(p4, 'DECIDE_NOT_TO_ASSESS', '2025-10-20').stdout).toContain('not-assessed');
    expect(act(p5, 'DECIDE_TO_ASSESS', '2025-11-10').stdout).toContain('assessing');
    // P5's 20 weeks ended on 23 Feb 2026 with no plan: the scheduler reaches the deadline and reminds the heads.
    expect(cases('tick', NOW).stdout).toContain(`remind-deadline for case ${p5}`);

    const text = cases('support', 'figures', '--as', 'officer', NOW).stdout;
    expect(text).toContain('Counts as recorded, for use inside the council: add --publication');
    expect(text).toContain('Nurture outreach: 0 referred, 0 with a place, 0 waiting, 0 closed; 30 places in all (NURTURE_OUTREACH_CAPACITY)');
    expect(text).toContain("EHC needs assessments: 6 requested — 1 awaiting the council's decision, 1 not assessed, 1 being assessed, 3 plan(s) issued, 0 not issued, 0 withdrawn");
    expect(text).toContain('decisions whether to assess: 5, 5 within 6 weeks of the request; median 5 weeks to the decision');
    expect(text).toContain('plans issued within 20 weeks of the request: 2 of 3 (66.7%); median 19 weeks to the plan; still open past 20 weeks: 1');
    expect(text).toContain('children in care or on a child-protection plan (local target EHC_LOCAL_TARGET_WEEKS_CIC, 16 weeks): 2 requested, 1 of 2 plan(s) issued within the target (50%)');

    const json = JSON.parse(cases('support', 'figures', '--as', 'officer', NOW, '--format', 'json').stdout);
    expect(json.ehc).toMatchObject({ requested: 6, plansIssued: 3, issuedWithin20Weeks: 2, shareIssuedWithin20Weeks: 66.7, localTarget: { requested: 2, plansIssued: 2, issuedWithinTarget: 1 } });

    // For publication: every 1 and 2 withheld, and the 3 plans too — shown beside the three 1s and the total of 6, they would leave the 1s adding up to 3.
    const published = cases('support', 'figures', '--as', 'officer', NOW, '--publication').stdout;
    expect(published).toMatch(/^For publication: \d+ figure\(s\) withheld\. Counts of 1 or 2, and any figure from which one could be worked out/);
    expect(published).toContain("EHC needs assessments: 6 requested — c awaiting the council's decision, c not assessed, c being assessed, c plan(s) issued, 0 not issued, 0 withdrawn");
    expect(published).not.toMatch(/\b[12] (requested|awaiting|not assessed|being assessed|plan|of|within)/);
    const publishedJson = JSON.parse(cases('support', 'figures', '--as', 'officer', NOW, '--publication', '--format', 'json').stdout);
    expect(publishedJson.ehc).toMatchObject({ requested: 6, awaitingDecision: null, notAssessed: null, beingAssessed: null, plansIssued: null, localTarget: { requested: null, shareIssuedWithinTarget: null } });
    expect(publishedJson.note).toContain('Counts of 1 or 2');
    expect(publishedJson.withheld).toBeGreaterThanOrEqual(8);
    // About thirty runs of the command, each a process of its own.
  }, 240_000);

  it('refuses a request it cannot take, saying what is accepted', () => {
    const { cases } = workspace();
    const open = (data: object, env?: string) => cases('open', 'ehc-needs-assessment', '--pupil', 'P2', '--as', 'head-a', NOW, '--data', JSON.stringify(data), ...(env ? [env] : []));
    const who = open({ requestedBy: 'teacher' });
    expect(who.code).toBe(2);
    expect(who.stderr).toContain('requestedBy: expected requestedBy school, parent, team-around-the-school');
    expect(open({ requestedBy: 'school', requestedOn: '2026-04-01' }).stderr).toContain('requestedOn 2026-04-01 is after today (2026-03-02): give the day the council received the request');
    expect(open({ requestedBy: 'school', lookedAfter: true }).stderr).toContain("cannot set lookedAfter: it is worked out from the pupil's record");
    expect(cases('list', '--as', 'head-a', NOW).stdout).not.toContain('ehc-needs-assessment');
  });

  it('takes the local target from EHC_LOCAL_TARGET_WEEKS_CIC, and refuses one that is not a number of weeks', () => {
    const twelve = workspace({ EHC_LOCAL_TARGET_WEEKS_CIC: '12' });
    const id = caseId(twelve.cases('open', 'ehc-needs-assessment', '--pupil', 'P1', '--as', 'head-a', NOW, '--data', '{"requestedBy":"school","requestedOn":"2025-09-15"}').stdout);
    expect(twelve.cases('show', id, '--as', 'head-a', NOW).stdout).toMatch(/local target.*\(12 weeks\).*8 Dec 2025/);

    const bad = workspace({ EHC_LOCAL_TARGET_WEEKS_CIC: 'sixteen' });
    const r = bad.cases('open', 'ehc-needs-assessment', '--pupil', 'P1', '--as', 'head-a', NOW, '--data', '{"requestedBy":"school"}');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('EHC_LOCAL_TARGET_WEEKS_CIC is "sixteen": expected a whole number of weeks from 1 to 20 (default 16)');
  });
});
