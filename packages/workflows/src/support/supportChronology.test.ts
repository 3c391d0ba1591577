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
