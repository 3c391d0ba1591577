/**
 * Step down or escalate opens the right case: a team-around-the-school action, or a support plan
 * review that escalates, opens the pupil's PEAP, EBSNA referral, nurture outreach referral, support
 * plan or EHC needs assessment in the same write — or links to the one open — and both cases'
 * timelines say so; an action with no case to open stays an action and says why.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { SchoolCalendar } from '@before-exclusion/rules';
import { afterEach, describe, expect, it } from 'vitest';
import { SYSTEM } from '../access.js';
import { caseRecord } from './caseRecord.js';
import { ledTo, ledToLines } from './escalations.js';
import { openByHand } from './openByHand.js';
import { tatsListLines, teamAroundTheSchool } from '../support/teamAroundTheSchool.js';
import { BACKENDS, closeTestStores, DEMO_FILES, openAgain, testStore } from '../testing.js';

afterEach(closeTestStores);

const MEETING = '2026-03-16';

/** P-1 attends four days in five over the six school weeks to the meeting (80%), staff have seen anxiety; P-2 has no attendance recorded. */
function pupilsFile(): string {
  const calendar = new SchoolCalendar(JSON.parse(readFileSync(DEMO_FILES.calendar, 'utf8')));
  const attendance = Array.from({ length: 30 }, (_, i) => ({ date: calendar.addSchoolDays(MEETING, -i), am: i % 5 === 0 ? 'N' : '/', pm: i % 5 === 0 ? 'N' : '/' }));
  const path = join(mkdtempSync(join(tmpdir(), 'escalations-')), 'pupils.ndjson');
  const pupils = [{ id: 'P-1', schoolId: 'SCH-A', exclusions: [], attendance, ebsnaIndicators: ['anxiety'] }, { id: 'P-2', schoolId: 'SCH-A', exclusions: [] }];
  writeFileSync(path, pupils.map((p) => JSON.stringify(p)).join('\n'));
  return path;
}

describe.each(BACKENDS)('escalations on %s', (backend) => {
  async function school() {
    const t = await testStore({ backend, now: () => new Date(`${MEETING}T16:00:00Z`) });
    await t.store.pupils.import(SYSTEM, { pupils: pupilsFile(), calendar: DEMO_FILES.calendar });
    return { ...t, head: await t.store.staff.actorFor('head-a') };
  }
  const action = (action: string, extra: Record<string, unknown> = {}) => ({ action, owner: 'head-a', dueDate: '2026-03-23', ...extra });
  const kindsOf = async (store: Awaited<ReturnType<typeof school>>['store'], pupilId: string) => (await store.cases.list(SYSTEM, { pupilId })).map((c) => c.kind).sort();

  it('an action escalating to a PEAP opens one in the same write, and its timeline says which action opened it', async () => {
    const { store, head } = await school();
    const { case: tats } = await openByHand(store, head, 'tats-action', 'P-1', MEETING, action('escalate-peap'));
    const [led] = await ledTo(store, head, tats.id);
    expect(led).toMatchObject({ kind: 'peap', created: true, by: 'case-opened' });
    const peap = await store.cases.get(head, led?.caseId ?? '', 'peap');
    expect(peap.context).toMatchObject({ pupilId: 'P-1', openedBy: 'headteacher', halfTerm: '2025/26 spring-2' });
    const peapTimeline = (await caseRecord(store, head, peap.id, { today: MEETING })).timeline.map((t) => t.what);
    expect(peapTimeline[0]).toBe(`opened from a team-around-the-school action ${tats.id}`);
    const tatsTimeline = (await caseRecord(store, head, tats.id, { today: MEETING })).timeline.map((t) => t.what);
    expect(tatsTimeline).toContain(`opened case ${peap.id} (Pre-exclusion assessment)`);
    expect(await ledToLines(store, head, tats)).toEqual([`  opened case ${peap.id} (Pre-exclusion assessment)`]);
  });

  it('a second escalation to a PEAP links to the one open instead of opening another', async () => {
    const { store, head } = await school();
    const { case: first } = await openByHand(store, head, 'tats-action', 'P-1', MEETING, action('escalate-peap'));
    const { case: second } = await openByHand(store, head, 'tats-action', 'P-1', MEETING, action('escalate-peap', { owner: 'SENCO' }));
    const [one] = await ledTo(store, head, first.id);
    const [two] = await ledTo(store, head, second.id);
    expect(two).toMatchObject({ caseId: one?.caseId, created: false });
    expect(await kindsOf(store, 'P-1')).toEqual(['peap', 'tats-action', 'tats-action']);
    const peapTimeline = (await caseRecord(store, head, one?.caseId ?? '', { today: MEETING })).timeline.map((t) => t.what);
    expect(peapTimeline).toContain(`linked from a team-around-the-school action ${second.id}`);
  });

  it('two escalations to a PEAP at once, from two services on one database, open one PEAP between them', async () => {
    const t = await school();
    const other = await openAgain({ url: t.url, anchorPath: t.anchorPath });
    const otherHead = await other.staff.actorFor('head-a');
    const both = await Promise.all([openByHand(t.store, t.head, 'tats-action', 'P-1', MEETING, action('escalate-peap')), openByHand(other, otherHead, 'tats-action', 'P-1', MEETING, action('escalate-peap', { owner: 'SENCO' }))]);
    const led = await Promise.all(both.map(({ case: c }) => ledTo(t.store, t.head, c.id)));
    expect(led.map(([l]) => l?.created).sort()).toEqual([false, true]);
    expect(new Set(led.map(([l]) => l?.caseId)).size).toBe(1);
    expect(await kindsOf(t.store, 'P-1')).toEqual(['peap', 'tats-action', 'tats-action']);
  });

  it('each destination opens its own kind: EBSNA panel, support plan, EHC needs assessment, nurture outreach with its route', async () => {
    const { store, head } = await school();
    for (const [a, extra] of [['escalate-ebsna-panel', {}], ['school-support-plan', {}], ['ehc-needs-assessment', {}], ['nurture-outreach-referral', { route: 'school-caseload' }]] as const) {
      await openByHand(store, head, 'tats-action', 'P-1', MEETING, action(a, extra));
    }
    const cases = await store.cases.list(SYSTEM, { pupilId: 'P-1' });
    expect(cases.map((c) => c.kind).sort()).toEqual(['ebsna', 'ehc-needs-assessment', 'nurture-outreach', 'support-plan', 'tats-action', 'tats-action', 'tats-action', 'tats-action']);
    // The referral records the attendance the EBSNA rule reads: the last 30 school days, one in five missed.
    expect(cases.find((c) => c.kind === 'ebsna')?.context).toMatchObject({ referredBy: 'head-a', attendanceAtReferral: 80, indicators: ['anxiety'] });
    expect(cases.find((c) => c.kind === 'ehc-needs-assessment')?.context).toMatchObject({ requestedBy: 'team-around-the-school', requestedOn: MEETING });
    expect(cases.find((c) => c.kind === 'nurture-outreach')).toMatchObject({ state: 'referred', context: { route: 'school-caseload', referredOn: MEETING } });
  });

  it('social care and the virtual school open no case: the action stays an action and says so', async () => {
    const { store, head } = await school();
    const { case: tats } = await openByHand(store, head, 'tats-action', 'P-1', MEETING, action('social-care-referral'));
    expect(await kindsOf(store, 'P-1')).toEqual(['tats-action']);
    expect(await ledToLines(store, head, tats)).toEqual([expect.stringMatching(/^ {2}no case for social care here: the owner makes the referral/)]);
  });

  it('an escalation that cannot open its case saves nothing, saying why', async () => {
    const { store, head } = await school();
    // An EBSNA referral records the pupil's attendance: none recorded, no referral — and no action.
    await expect(openByHand(store, head, 'tats-action', 'P-2', MEETING, action('escalate-ebsna-panel'))).rejects.toThrow(
      'cannot open the EBSNA case this leads to: the EBSNA referral records the pupil\'s attendance, and none is recorded for P-2 over the 30 school days to 2026-03-16: import the school\'s attendance marks, then record this again (nothing was saved; from a terminal, cases open ebsna takes attendanceAtReferral)',
    );
    await expect(openByHand(store, head, 'tats-action', 'P-1', MEETING, action('escalate-peap', { route: 'school-caseload' }))).rejects.toThrow('route: a route goes with action nurture-outreach-referral only');
    expect(await store.cases.list(SYSTEM, {})).toEqual([]);
  });

  it('a support plan review that escalates opens the case in the same write as the review', async () => {
    const { store, head } = await school();
    const { case: plan } = await openByHand(store, head, 'support-plan', 'P-1', MEETING);
    await store.cases.send(head, { id: plan.id, kind: 'support-plan' }, [
      { type: 'ASSESS', assessedOn: '2026-01-12' },
      { type: 'AGREE_PLAN', intervention: 'mentoring', provider: 'school', startDate: '2026-01-13', reviewDue: '2026-03-16' },
    ]);
    const reviewed = await store.cases.send(head, { id: plan.id, kind: 'support-plan' }, { type: 'HOLD_REVIEW', heldOn: MEETING, outcome: 'escalate', escalatedTo: 'nurture-outreach' });
    expect(reviewed.state).toBe('escalated');
    const [led] = await ledTo(store, head, plan.id);
    expect(led).toMatchObject({ kind: 'nurture-outreach', created: true, by: 'HOLD_REVIEW' });
    // No action gave a route and no panel case has been open a year: a school needing support to include the child.
    const referral = await store.cases.get(head, led?.caseId ?? '', 'nurture-outreach');
    expect(referral.context).toMatchObject({ route: 'school-new-to-complexity', referredOn: MEETING });
    expect((await caseRecord(store, head, referral.id, { today: MEETING })).timeline[0]?.what).toBe(`opened from a support plan review ${plan.id}`);

    // Escalating to social care closes the plan as escalated and opens nothing.
    const { case: other } = await openByHand(store, head, 'support-plan', 'P-2', MEETING);
    await store.cases.send(head, { id: other.id, kind: 'support-plan' }, [
      { type: 'ASSESS', assessedOn: '2026-01-12' },
      { type: 'AGREE_PLAN', intervention: 'key-adult', provider: 'school', startDate: '2026-01-13', reviewDue: '2026-03-16' },
      { type: 'HOLD_REVIEW', heldOn: MEETING, outcome: 'escalate', escalatedTo: 'social-care' },
    ]);
    expect(await kindsOf(store, 'P-2')).toEqual(['support-plan']);
  });

  it('a referral from a pupil whose panel case has been open a year takes the panel route (seed 001 line 44)', async () => {
    const t = await school();
    t.setNow('2025-03-03T09:00:00Z');
    await openByHand(t.store, t.head, 'ebsna', 'P-1', '2025-03-03', { attendanceAtReferral: 85 });
    t.setNow(`${MEETING}T16:00:00Z`);
    await openByHand(t.store, t.head, 'tats-action', 'P-1', MEETING, action('nurture-outreach-referral'));
    const referral = (await t.store.cases.list(SYSTEM, { pupilId: 'P-1' })).find((c) => c.kind === 'nurture-outreach');
    expect(referral?.context).toMatchObject({ route: 'panel-open-a-year' });
  });

  it('a step down takes the pupil off the weekly list until a reason not there at the step down appears, and the list says so', async () => {
    const { store, head } = await school();
    const plan = async (intervention: 'mentoring' | 'key-adult', reviewDue: string) => {
      const { case: c } = await openByHand(store, head, 'support-plan', 'P-2', MEETING);
      await store.cases.send(head, { id: c.id, kind: 'support-plan' }, [
        { type: 'ASSESS', assessedOn: '2026-01-12' },
        { type: 'AGREE_PLAN', intervention, provider: 'school', startDate: '2026-01-13', reviewDue },
      ]);
    };
    const week = (on: string) => teamAroundTheSchool(store, head, { week: on, schoolId: 'SCH-A' });
    // P-1 is on the list for their attendance throughout; P-2 for their support plan's review.
    const p2 = (list: Awaited<ReturnType<typeof week>>) => list.entries.filter((e) => e.pupilId === 'P-2');
    await plan('mentoring', MEETING);
    expect(p2(await week(MEETING)).map((e) => e.reasons.map((r) => r.reason))).toEqual([['support-plan.review-due']]);

    const { case: stepDown } = await openByHand(store, head, 'tats-action', 'P-2', MEETING, action('step-down'));
    expect(await kindsOf(store, 'P-2')).toEqual(['support-plan', 'tats-action']);
    const held = await week(MEETING);
    expect(p2(held)).toEqual([]);
    expect(held.heldOff).toEqual([{ pupilId: 'P-2', schoolId: 'SCH-A', on: MEETING, caseId: stepDown.id }]);
    // A week on, the same review is overdue: the same reason, so still off the list.
    expect(p2(await week('2026-03-23'))).toEqual([]);

    // A second plan whose review falls due is a reason that was not there: back on the list, saying why.
    await plan('key-adult', '2026-03-25');
    const back = await week('2026-03-23');
    expect(p2(back).map((e) => [e.pupilId, e.since, e.steppedDown])).toEqual([['P-2', 'new', { on: MEETING, caseId: stepDown.id, backBecause: ['Support plan review due'] }]]);
    expect(tatsListLines(back).join('\n')).toContain('SCH-A P-2 [NEW]\n    stepped down on 2026-03-16; back because: Support plan review due');

    // A step down dropped (no longer the meeting's decision) no longer holds the pupil off.
    await store.cases.send(head, { id: stepDown.id, kind: 'tats-action' }, { type: 'DROP', on: MEETING, reason: 'no-longer-needed' });
    expect(p2(await week(MEETING))).toHaveLength(1);
  });
});
