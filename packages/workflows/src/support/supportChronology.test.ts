/**
 * The support a pupil has had, read back from their cases through the real store: what was tried,
 * with whom, how it ended and what the measures say it changed — and scores that make no sense refused.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { EventRefused } from '../errors.js';
import { supportLines, supportLineWords } from './supportChronology.js';
import { measureChanges, measureSchema } from './supportMeasures.js';
import { closeTestStores, testStore } from '../testing.js';

afterEach(closeTestStores);

describe('the support chronology', () => {
  it('lists each plan and outreach place oldest first, with its outcome and its before → after', async () => {
    const { store } = await testStore({ now: () => new Date('2025-12-03T16:00:00Z') }); // today: after all of it
    const head = await store.staff.actorFor('head-a');
    const { case: plan } = await store.cases.open(head, { kind: 'support-plan', schoolId: 'SCH-A', pupilId: 'P1', input: { pupilId: 'P1', schoolId: 'SCH-A' } });
    await store.cases.sendUnchecked(head, plan.id, [
      { type: 'ASSESS', assessedOn: '2025-09-08' },
      { type: 'RECORD_MEASURE', measure: 'boxall', stage: 'baseline', takenOn: '2025-09-08', developmentalStrands: 60, diagnosticProfile: 50 },
      { type: 'AGREE_PLAN', intervention: 'mentoring', provider: 'School', startDate: '2025-09-10', reviewDue: '2025-10-08' },
      { type: 'HOLD_REVIEW', heldOn: '2025-10-08', outcome: 'revise-plan' },
      { type: 'AGREE_PLAN', intervention: 'nurture-group', provider: 'School nurture group', startDate: '2025-10-13', reviewDue: '2025-12-01' },
      { type: 'RECORD_MEASURE', measure: 'boxall', stage: 'follow-up', takenOn: '2025-11-28', developmentalStrands: 58, diagnosticProfile: 55 },
      { type: 'HOLD_REVIEW', heldOn: '2025-12-01', outcome: 'escalate', escalatedTo: 'nurture-outreach' },
    ]);
    // The review's escalation opened the referral (escalations.ts), dated the review's day.
    const outreach = (await store.cases.list(head, { pupilId: 'P1' })).find((c) => c.kind === 'nurture-outreach');
    await store.cases.sendUnchecked(head, outreach?.id ?? '', [{ type: 'RECORD_CONSENT', given: true, on: '2025-12-03' }]);

    const lines = supportLines(await store.cases.list(head, { pupilId: 'P1' }));
    expect(lines.map(supportLineWords)).toEqual([
      'from 2025-09-10: mentoring with School — revised at review',
      'from 2025-10-13: a nurture group with School nurture group — escalated to the nurture outreach service (2025-12-01); Boxall Profile developmental strands 60 → 58 (worse)',
      'from 2025-12-01: nurture outreach (a school new to this complexity, needing support to include the child or to request an EHC plan) — waiting for a place',
    ]);
    expect(lines.map((l) => l.external)).toEqual([false, false, true]);
  });

  it('reads the support back as it stood at an instant: only what was recorded by then, standing as it stood', async () => {
    const t = await testStore({ now: () => new Date('2025-09-10T16:00:00Z') });
    const { store } = t;
    const head = await store.staff.actorFor('head-a');
    const { case: plan } = await store.cases.open(head, { kind: 'support-plan', schoolId: 'SCH-A', pupilId: 'P1', input: { pupilId: 'P1', schoolId: 'SCH-A' } });
    await store.cases.sendUnchecked(head, plan.id, [
      { type: 'ASSESS', assessedOn: '2025-09-08' },
      { type: 'RECORD_MEASURE', measure: 'sdq', stage: 'baseline', takenOn: '2025-09-08', totalDifficulties: 22 },
      { type: 'AGREE_PLAN', intervention: 'mentoring', provider: 'School', startDate: '2025-09-10', reviewDue: '2025-10-08' },
    ]);
    // The head decides on 15 October: the review is overdue, nothing more recorded yet.
    const decidedAt = '2025-10-15T12:00:00.000Z';
    t.setNow('2025-11-05T16:00:00Z');
    await store.cases.sendUnchecked(head, plan.id, [
      { type: 'RECORD_MEASURE', measure: 'sdq', stage: 'follow-up', takenOn: '2025-11-05', totalDifficulties: 14 },
      { type: 'HOLD_REVIEW', heldOn: '2025-11-05', outcome: 'needs-met' },
    ]);
    await store.cases.open(head, { kind: 'nurture-outreach', schoolId: 'SCH-A', pupilId: 'P1', input: { pupilId: 'P1', schoolId: 'SCH-A', route: 'panel-open-a-year', referredOn: '2025-11-05' } });

    const cases = await store.cases.list(head, { pupilId: 'P1' });
    expect(supportLines(cases, decidedAt).map(supportLineWords)).toEqual(['from 2025-09-10: mentoring with School — running, review overdue since 2025-10-08']);
    expect(supportLines(cases, decidedAt)[0]!.inHand).toBe(true);
    // Now, everything since is there.
    expect(supportLines(cases).map(supportLineWords)).toEqual([
      'from 2025-09-10: mentoring with School — needs met (2025-11-05); SDQ total difficulties 22 → 14 (improved)',
      "from 2025-11-05: nurture outreach (open at the behaviour and attendance panel for a year or more: a new strategy is needed) — referred; parents' consent to seek",
    ]);
    // Read as at now, the derived standing agrees with the machine's.
    expect(supportLines(cases, new Date().toISOString()).map(supportLineWords)).toEqual(supportLines(cases).map(supportLineWords));
  });

  it('refuses a measure whose scores make no sense, naming the field and what is accepted', async () => {
    const { store } = await testStore();
    const head = await store.staff.actorFor('head-a');
    const { case: plan } = await store.cases.open(head, { kind: 'support-plan', schoolId: 'SCH-A', pupilId: 'P1', input: { pupilId: 'P1', schoolId: 'SCH-A' } });
    const send = (event: Record<string, unknown>) => store.cases.sendUnchecked(head, plan.id, [{ type: 'RECORD_MEASURE', ...event }]);
    await expect(send({ measure: 'thrive', stage: 'baseline', takenOn: '2025-09-08', percentMet: 120 })).rejects.toThrow(/percentMet: expected 0 to 100/);
    await expect(send({ measure: 'sdq', stage: 'before', takenOn: '2025-09-08', totalDifficulties: 12 })).rejects.toThrow(/expected stage baseline or follow-up/);
    await expect(send({ measure: 'sdq', stage: 'baseline', takenOn: '2025-09-31', totalDifficulties: 12 })).rejects.toThrow(EventRefused);
    // Nothing refused was kept.
    expect((await store.cases.get(head, plan.id, 'support-plan')).context.measures).toEqual([]);
  });

  it('compares the earliest baseline with the latest follow-up, a lower SDQ being better', () => {
    const taken = [
      { measure: 'sdq', stage: 'follow-up', takenOn: '2026-03-20', totalDifficulties: 15 },
      { measure: 'sdq', stage: 'baseline', takenOn: '2026-01-05', totalDifficulties: 22 },
      { measure: 'sdq', stage: 'follow-up', takenOn: '2026-02-10', totalDifficulties: 18 },
      { measure: 'thrive', stage: 'baseline', takenOn: '2026-01-05', percentMet: 40 },
    ].map((m) => measureSchema.parse(m));
    expect(measureChanges(taken)).toEqual([{ measure: 'sdq', baseline: { takenOn: '2026-01-05', score: 22 }, latest: { takenOn: '2026-03-20', score: 15 }, change: -7, improved: true }]);
  });
});
