/**
 * Support tried, on the record, as a user runs `cases` (each call its own process): a support plan
 * recorded on Assess → Plan → Do → Review with its measures as validated scores, the week's
 * team-around-the-school list holding exactly the pupils the triggers and due reviews select (with
 * what changed since last week), and a nurture outreach caseload that gives places in referral
 * order up to its capacity.
 */
import { describe, expect, it } from 'vitest';
import { CALENDAR_2025_26, casesFolder } from '../support/casesCli.js';

const calendar = CALENDAR_2025_26;

function workspace(more: NodeJS.ProcessEnv = {}) {
  const { file, cases } = casesFolder('cases-support', { env: more });
  const staff = file('staff.json', {
    schools: [{ id: 'SCH-A', name: 'School A' }, { id: 'SCH-B', name: 'School B' }],
    staff: [
      { id: 'head-a', displayName: 'Head A', role: 'headteacher', schoolIds: ['SCH-A'] },
      { id: 'head-b', displayName: 'Head B', role: 'headteacher', schoolIds: ['SCH-B'] },
      { id: 'officer', displayName: 'Officer', role: 'inclusion-officer', schoolIds: ['SCH-A', 'SCH-B'] },
    ],
  });
  expect(cases('staff', staff).code).toBe(0);
  return { file, cases };
}

const fixd = (id: string, startDate: string) => ({ id, category: 'FIXD', startDate, sessions: 2, reasons: ['DB'] });
const ndjson = (...records: object[]) => records.map((r) => JSON.stringify(r)).join('\n');
const NOW = '--now=2025-10-06T09:00:00Z';
const caseId = (stdout: string) => stdout.split(':')[0]!;

describe('support tried, on the record', () => {
  it('records a support plan with its measures, refuses a score out of range, and the weekly list holds exactly the pupils selected', () => {
    const { file, cases } = workspace();
    // P1: suspensions on 2 Oct and 14 Oct (a PEAP from 14 Oct); P4: two suspensions on 4 and 5 Nov (new on the
    // list of the week of 10 Nov); P2: a support plan due for review on 12 Nov; P3 (school B) and P5: nothing.
    const pupils = ndjson(
      { id: 'P1', schoolId: 'SCH-A', exclusions: [fixd('X1', '2025-10-02'), fixd('X2', '2025-10-14')] },
      { id: 'P2', schoolId: 'SCH-A' },
      { id: 'P3', schoolId: 'SCH-B' },
      { id: 'P4', schoolId: 'SCH-A', exclusions: [fixd('X3', '2025-11-04'), fixd('X4', '2025-11-05')] },
      { id: 'P5', schoolId: 'SCH-A', exclusions: [fixd('X5', '2025-10-02')] },
      { id: 'P6', schoolId: 'SCH-B', lookedAfter: true },
    );
    expect(cases('import', '--pupils', file('pupils.ndjson', pupils), '--calendar', calendar).code).toBe(0);

    const id = caseId(cases('open', 'support-plan', '--pupil', 'P2', '--as', 'head-a', NOW).stdout);
    const act = (event: string, data: object) => cases('act', id, event, '--as', 'head-a', NOW, '--data', JSON.stringify(data));
    expect(act('AGREE_PLAN', { intervention: 'mentoring', provider: 'School', startDate: '2025-10-08', reviewDue: '2025-11-05' }).stderr).toContain('assess the need first');
    expect(act('ASSESS', { assessedOn: '2025-10-06', need: 'Finds unstructured times hard' }).stdout).toContain('plan');
    const tooHigh = act('RECORD_MEASURE', { measure: 'sdq', stage: 'baseline', takenOn: '2025-10-06', totalDifficulties: 41 });
    expect(tooHigh.code).toBe(2);
    expect(tooHigh.stderr).toContain('totalDifficulties: expected 0 to 40 (SDQ total difficulties)');
    const unknown = act('RECORD_MEASURE', { measure: 'iq', stage: 'baseline', takenOn: '2025-10-06' });
    expect(unknown.stderr).toContain('expected measure boxall, sdq or thrive');
    expect(act('RECORD_MEASURE', { measure: 'sdq', stage: 'baseline', takenOn: '2025-10-06', totalDifficulties: 22 }).code).toBe(0);
    expect(act('AGREE_PLAN', { intervention: 'nurture-group', provider: 'School nurture group', startDate: '2025-10-08', reviewDue: '2025-11-12' }).stdout).toContain('do');
    // Recorded on the day it was taken (a day still to come is refused).
    expect(cases('act', id, 'RECORD_MEASURE', '--as', 'head-a', '--now=2025-11-04T15:00:00Z', '--data', JSON.stringify({ measure: 'sdq', stage: 'follow-up', takenOn: '2025-11-04', totalDifficulties: 15 })).code).toBe(0);

    const shown = cases('show', id, '--as', 'head-a', NOW).stdout;
    expect(shown).toContain('support plan review, due Wednesday 12 Nov 2025: to do');
    expect(shown).toContain('agreed the plan: a nurture group with School nurture group from Wednesday 8 Oct 2025, review by Wednesday 12 Nov 2025');
    // The support tried, beside any decision on the pupil: what, with whom, from when, and what the measures say it changed.
    expect(shown).toContain(`SUPPORT TRIED\n  from 2025-10-08: a nurture group with School nurture group — running, review due 2025-11-12; SDQ total difficulties 22 → 15 (improved) [${id}]`);
    const peap = caseId(cases('open', 'peap', '--pupil', 'P2', '--as', 'head-a', NOW).stdout);
    const record = JSON.parse(cases('show', peap, '--as', 'officer', NOW, '--format', 'json').stdout) as { support: { what: string; measures: string[] }[] };
    expect(record.support).toEqual([expect.objectContaining({ what: 'a nurture group', measures: ['SDQ total difficulties 22 → 15 (improved)'] })]);
    expect(cases('show', caseId(cases('open', 'peap', '--pupil', 'P1', '--as', 'head-a', NOW).stdout), '--as', 'head-a', NOW).stdout).toContain('SUPPORT TRIED\n  none recorded');

    // P3 was referred to the panel (an EBSNA case) on 4 Nov 2024: open a year or more by 10 Nov 2025, not by 3 Nov.
    expect(cases('open', 'ebsna', '--pupil', 'P3', '--as', 'head-b', '--now=2024-11-04T09:00:00Z', '--data', '{"attendanceAtReferral":82,"indicators":["anxiety"]}').code).toBe(0);
    const list = JSON.parse(cases('tats', '--week', '2025-11-10', '--as', 'officer', '--format', 'json', NOW).stdout) as {
      entries: { pupilId: string; since: string; reasons: { reason: string }[] }[];
      steppedOff: unknown[];
    };
    expect(list.entries.map((e) => [e.pupilId, e.since, e.reasons.map((r) => r.reason)])).toEqual([
      ['P2', 'new', ['support-plan.review-due']],
      ['P4', 'new', ['peap.required']],
      ['P1', 'still', ['peap.required']],
      ['P3', 'new', ['nurture-outreach.referral-suggested']],
      ['P6', 'still', ['looked-after.boxall-and-plan']],
    ]);
    // A Boxall Profile and a plan on the record take the child in care off the list.
    const p6 = caseId(cases('open', 'support-plan', '--pupil', 'P6', '--as', 'head-b', NOW).stdout);
    cases('act', p6, 'ASSESS', '--as', 'head-b', NOW, '--data', '{"assessedOn":"2025-10-06"}');
    cases('act', p6, 'RECORD_MEASURE', '--as', 'head-b', NOW, '--data', '{"measure":"boxall","stage":"baseline","takenOn":"2025-10-06","developmentalStrands":70,"diagnosticProfile":40}');
    expect(cases('tats', '--week', '2025-11-10', '--school', 'SCH-B', '--as', 'head-b', NOW).stdout).toContain('SCH-B P6 [still]\n    A child in care without a Boxall Profile and plan');
    cases('act', p6, 'AGREE_PLAN', '--as', 'head-b', NOW, '--data', '{"intervention":"boxall-plan","provider":"School","startDate":"2025-10-07","reviewDue":"2025-12-01"}');
    expect(cases('tats', '--week', '2025-11-10', '--school', 'SCH-B', '--as', 'head-b', NOW).stdout).not.toContain('P6');
    // The meeting agrees an action for P4, with an owner and a due date: next week's list carries it, overdue once past.
    const action = caseId(cases('open', 'tats-action', '--pupil', 'P4', '--as', 'head-a', NOW, '--data', JSON.stringify({ action: 'escalate-peap', owner: 'head-a', agreedOn: '2025-11-10', dueDate: '2025-11-14' })).stdout);
    expect(cases('open', 'tats-action', '--pupil', 'P4', '--as', 'head-a', NOW, '--data', JSON.stringify({ action: 'shout', owner: 'head-a', dueDate: '2025-11-14' })).stderr).toContain('expected action step-down, school-support-plan');
    const nextWeek = cases('tats', '--week', '2025-11-17', '--school', 'SCH-A', '--as', 'head-a', NOW).stdout;
    expect(nextWeek).toContain(`SCH-A P4 [still]\n    Hold a Pre-Exclusion Assessment (PEAP) meeting: 2 suspensions started in the second half of the autumn term (4 Nov, 5 Nov); threshold 2\n    action: escalate: a pre-exclusion assessment (PEAP) — head-a, OVERDUE since 2025-11-14 [${action}]`);
    expect(cases('act', action, 'MARK_DONE', '--as', 'head-a', NOW, '--data', '{"on":"2025-11-13"}').stderr).toContain('on: 2025-11-13 is after today (2025-10-06)');
    expect(cases('act', action, 'MARK_DONE', '--as', 'head-a', '--now=2025-11-13T15:00:00Z', '--data', '{"on":"2025-11-13"}').stdout).toContain('done');
    expect(cases('tats', '--week', '2025-11-17', '--school', 'SCH-A', '--as', 'head-a', NOW).stdout).not.toContain('action: escalate');
    const text = cases('tats', '--week', '2025-11-10', '--school', 'SCH-A', '--as', 'head-a', NOW).stdout;
    expect(text).toContain('SCH-A P2 [NEW]\n    Support plan review due: a nurture group with School nurture group since 2025-10-08: review due 2025-11-12');
    expect(text).not.toContain('P5');
    const refused = cases('tats', '--week', '2025-11-10', '--school', 'SCH-A', '--as', 'head-b', NOW);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('head-b does not cover school SCH-A');
    expect(cases('tats', '--week', '2025-11-31', '--as', 'officer', NOW).stderr).toContain('--week 2025-11-31 is not a date written YYYY-MM-DD');
  }, 240_000); // a few dozen `cases` processes: minutes on a loaded machine

  it('gives nurture outreach places in referral order up to the capacity, the rest waiting', () => {
    const { file, cases } = workspace({ NURTURE_OUTREACH_CAPACITY: '1' });
    expect(cases('import', '--pupils', file('pupils.ndjson', ndjson({ id: 'N1', schoolId: 'SCH-A' }, { id: 'N2', schoolId: 'SCH-B' }, { id: 'N3', schoolId: 'SCH-A' })), '--calendar', calendar).code).toBe(0);
    const refer = (pupil: string, as: string, referredOn: string) => caseId(cases('open', 'nurture-outreach', '--pupil', pupil, '--as', as, NOW, '--data', JSON.stringify({ route: 'panel-open-a-year', referredOn })).stdout);
    const second = refer('N2', 'head-b', '2025-09-20');
    const first = refer('N1', 'head-a', '2025-09-10');
    const noConsent = refer('N3', 'head-a', '2025-09-01');
    expect(cases('act', first, 'RECORD_CONSENT', '--as', 'head-a', NOW, '--data', '{"given":true,"on":"2025-09-25"}').code).toBe(0);
    expect(cases('act', second, 'RECORD_CONSENT', '--as', 'head-b', NOW, '--data', '{"given":true,"on":"2025-09-25"}').code).toBe(0);

    const start = JSON.stringify({ startedOn: '2025-10-06', followUpDue: '2025-12-08' });
    const outOfTurn = cases('nurture', 'place', second, '--as', 'head-b', NOW, '--data', start);
    expect(outOfTurn.code).toBe(2);
    expect(outOfTurn.stderr).toContain('1 child(ren) referred earlier are waiting ahead of this one for 1 free place(s)');
    expect(cases('nurture', 'place', noConsent, '--as', 'head-a', NOW, '--data', start).stderr).toContain("record the parents' consent first (RECORD_CONSENT)");
    expect(cases('nurture', 'place', first, '--as', 'head-a', NOW, '--data', start).stdout).toContain('baseline');
    const full = cases('nurture', 'place', second, '--as', 'head-b', NOW, '--data', start);
    expect(full.stderr).toContain('the caseload is full: 1 of 1 places taken (NURTURE_OUTREACH_CAPACITY); the child stays at place 1 on the waiting list');
    // Not round the check by the generic command either: the check is in the write that gives the place.
    const byAct = cases('act', second, 'START_WORK', '--as', 'head-b', NOW, '--data', start);
    expect(byAct.code).toBe(2);
    expect(byAct.stderr).toContain('START_WORK is refused: the caseload is full: 1 of 1 places taken (NURTURE_OUTREACH_CAPACITY)');

    // Each recorded on its day.
    expect(cases('act', first, 'RECORD_MEASURE', '--as', 'head-a', '--now=2025-10-07T15:00:00Z', '--data', '{"measure":"sdq","stage":"baseline","takenOn":"2025-10-07","totalDifficulties":24}').stdout).toContain('active');
    expect(cases('act', first, 'SET_STATUS', '--as', 'head-a', '--now=2025-11-03T15:00:00Z', '--data', '{"status":"green","on":"2025-11-03"}').code).toBe(0);
    expect(cases('act', first, 'RECORD_MEASURE', '--as', 'head-a', '--now=2025-12-08T15:00:00Z', '--data', '{"measure":"sdq","stage":"follow-up","takenOn":"2025-12-08","totalDifficulties":15}').stdout).toContain('followed');
    const load = cases('nurture', 'caseload', '--as', 'officer', NOW).stdout;
    expect(load).toContain('Nurture outreach: 1 of 1 places taken; 1 waiting, 1 awaiting consent');
    expect(load).toContain(`${first} SCH-A N1 since 2025-10-06: Green — settling; will not need a long-term intervention; SDQ total difficulties 24 → 15 (improved)`);
    expect(load).toContain(`waiting #1: ${second} SCH-B N2, referred 2025-09-20 (panel-open-a-year)`);
    // A head sees their own school's children only; the places count the whole service.
    const headB = cases('nurture', 'caseload', '--as', 'head-b', NOW).stdout;
    expect(headB).toContain('1 of 1 places taken; 1 waiting, 0 awaiting consent');
    expect(headB).not.toContain('N1');

    // Closing the settled child frees the place for the next in line.
    expect(cases('act', first, 'CLOSE', '--as', 'head-a', '--now=2025-12-12T15:00:00Z', '--data', '{"reason":"settled","on":"2025-12-12"}').code).toBe(0);
    expect(cases('nurture', 'place', second, '--as', 'head-b', NOW, '--data', start).stdout).toContain('baseline');
    expect(cases('nurture', 'caseload', '--as', 'officer', NOW, '--format', 'json').stdout).toContain('"placesTaken": 1');

    // The figures: the service's caseload, the time from referral to a place, and the change the measures show.
    const figures = cases('support', 'figures', '--as', 'officer', NOW).stdout;
    expect(figures).toContain('SDQ total difficulties: 1 pupil(s), average change -9, 1 improved');
    expect(figures).toContain('Nurture outreach: 3 referred, 1 with a place, 0 waiting, 1 closed; median 21 day(s) from referral to a place');
  }, 240_000); // a few dozen `cases` processes: minutes on a loaded machine

  it('refuses a capacity setting that is not a whole number of places, naming it', () => {
    const { cases } = workspace({ NURTURE_OUTREACH_CAPACITY: 'thirty' });
    const r = cases('nurture', 'caseload', '--as', 'officer', NOW);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('NURTURE_OUTREACH_CAPACITY is "thirty": expected a whole number of places from 1 to 10000 (default 30)');
  });
});
