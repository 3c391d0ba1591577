import { afterEach, describe, expect, it } from 'vitest';
import { SYSTEM } from '../access.js';
import { caseRecord } from './caseRecord.js';
import { CaseNotFound } from '../errors.js';
import { evaluateStoredPupils } from './openCases.js';
import { BACKENDS, closeTestStores, DEMO_FILES, testStore } from '../testing.js';

afterEach(closeTestStores);

const TODAY = '2026-03-20';

describe.each(BACKENDS)('a case read back on %s', (backend) => {
  async function decidedPeap() {
    const t = await testStore({ backend, now: () => new Date(`${TODAY}T09:00:00Z`) });
    const { store } = t;
    await store.pupils.import(SYSTEM, DEMO_FILES);
    await store.staff.upsert({ id: 'demo-head', displayName: 'Demo Head', role: 'headteacher', schoolIds: ['DEMO-SCH'] }, SYSTEM);
    await store.staff.upsert({ id: 'demo-officer', displayName: 'Demo Officer', role: 'inclusion-officer', schoolIds: ['DEMO-SCH'] }, SYSTEM);
    await evaluateStoredPupils(store, { asOf: TODAY });
    const head = await store.staff.actorFor('demo-head');
    const peap = (await store.cases.list(head)).find((c) => c.kind === 'peap')!;
    const target = { id: peap.id, kind: 'peap' as const };
    await store.cases.send(head, target, [
      { type: 'SCHEDULE_MEETING', date: '2026-03-23' },
      { type: 'ANSWER', questionId: 'pupil-voice.likes', answer: 'Art and football.' },
      { type: 'ANSWER', questionId: 'support.exhausted', answer: true },
      { type: 'ANSWER', questionId: 'support.exhausted', answer: false },
      { type: 'ANSWER', questionId: 'support.school-based', answer: 'Mentoring since October.' },
      { type: 'COMPLETE_REFLECTION' },
      { type: 'DECIDE', decision: 'no-exclusion-support-plan', rationale: 'Support is working; keep the mentoring.', followUpDate: '2026-05-01' },
    ]);
    await store.cases.note(await store.staff.actorFor('demo-officer'), peap.id, 'Checked with the SENCO: plan agreed.');
    return { ...t, caseId: peap.id, pupilId: peap.pupilId };
  }

  it("reads back the pupil's words, a Yes changed to No, the decision and its rationale, the gate at the time, and the note", async () => {
    const { store, caseId, pupilId } = await decidedPeap();
    const officer = await store.staff.actorFor('demo-officer');
    const record = await caseRecord(store, officer, caseId, { today: TODAY });

    expect(record.case).toMatchObject({ id: caseId, kind: 'peap', pupilId, state: 'decided' });
    expect(record.answers.find((a) => a.questionId === 'pupil-voice.likes')).toMatchObject({ question: 'What do you like about school?', answer: 'Art and football.', by: 'demo-head' });
    const attestation = record.answers.find((a) => a.questionId === 'support.exhausted')!;
    expect(attestation).toMatchObject({ answer: 'No', earlier: [{ answer: 'Yes', by: 'demo-head' }] });
    expect(record.answers.find((a) => a.questionId === 'meeting.date')).toMatchObject({ answer: 'Monday 23 Mar 2026' });
    expect(record.decision).toMatchObject({ decision: 'No exclusion: a support plan', rationale: 'Support is working; keep the mentoring.', by: 'demo-head', followUpDate: '2026-05-01' });
    // The gate as it stood when the head decided: the attestation had been changed to No.
    expect(record.decision!.gate).toContainEqual({ item: 'the attestation that all support mechanisms have been exhausted (answered No)', met: false });
    expect(record.decision!.gate).toContainEqual({ item: "the pupil's voice", met: true });
    expect(record.notes).toEqual([expect.objectContaining({ text: 'Checked with the SENCO: plan agreed.', by: 'demo-officer', role: 'inclusion-officer' })]);
    expect(record.timeline.map((t) => t.what)).toEqual(expect.arrayContaining(['answered "What do you like about school?"', 'decided: No exclusion: a support plan', 'added a note']));
    expect(record.evidence).toContainEqual(expect.objectContaining({ item: "the pupil's own account", present: true }));
    expect(record.evidence).toContainEqual(expect.objectContaining({ item: 'witness statements', present: false }));
  });

  it('shows beside a decision the support on record when it was made, not support recorded since', async () => {
    const { store, caseId, pupilId, setNow } = await decidedPeap();
    const head = await store.staff.actorFor('demo-head');
    const officer = await store.staff.actorFor('demo-officer');
    setNow('2026-03-24T16:00:00Z');
    const { case: plan } = await store.cases.open(head, { kind: 'support-plan', schoolId: 'DEMO-SCH', pupilId, input: { pupilId, schoolId: 'DEMO-SCH' } });
    await store.cases.sendUnchecked(head, plan.id, [
      { type: 'ASSESS', assessedOn: '2026-03-24' },
      { type: 'AGREE_PLAN', intervention: 'mentoring', provider: 'School', startDate: '2026-03-24', reviewDue: '2026-04-21' },
    ]);
    const decided = await caseRecord(store, officer, caseId, { today: '2026-03-24' });
    expect(decided.support).toEqual([]);
    expect(decided.supportAsAt).toBe(decided.decision!.at);
    // The plan's own record shows it, as it stands now.
    const own = await caseRecord(store, officer, plan.id, { today: '2026-03-24' });
    expect(own.supportAsAt).toBeUndefined();
    expect(own.support.map((l) => l.what)).toEqual(['mentoring']);
  });

  it("gives the pupil's context and exclusions in words, and what the rules say now with their sources", async () => {
    const { store, caseId } = await decidedPeap();
    const record = await caseRecord(store, await store.staff.actorFor('demo-officer'), caseId, { today: TODAY });
    expect(record.pupil).toMatchObject({ annualLimit: 45, suspensionDaysThisYear: expect.any(Number) });
    expect(record.pupil!.daysLeft).toBe(45 - record.pupil!.suspensionDaysThisYear);
    expect(record.exclusions.length).toBeGreaterThan(0);
    for (const e of record.exclusions) for (const r of e.reasons) expect(r.words).not.toBe(r.code);
    expect(record.triggers.length).toBeGreaterThan(0);
    for (const t of record.triggers) expect(t.source.length).toBeGreaterThan(10);
  });

  it('is an audited read, and tells a head of another school nothing', async () => {
    const { store, caseId } = await decidedPeap();
    const before = (await store.audit.entriesFor(caseId)).filter((r) => r.action === 'case-read').length;
    await caseRecord(store, await store.staff.actorFor('demo-officer'), caseId, { today: TODAY });
    const reads = (await store.audit.entriesFor(caseId)).filter((r) => r.action === 'case-read');
    expect(reads).toHaveLength(before + 1);
    expect(reads.at(-1)).toMatchObject({ actor: 'demo-officer' });
    await expect(caseRecord(store, await store.staff.actorFor('head-b'), caseId, { today: TODAY })).rejects.toThrow(CaseNotFound);
  });

  it('lists a suspension case’s duties with whether each was met on time', async () => {
    const { store } = await decidedPeap();
    const head = await store.staff.actorFor('demo-head');
    const suspension = (await store.cases.list(head)).find((c) => c.kind === 'suspension' && c.kind === 'suspension' && 'parents' in c.context.notices)!;
    if (suspension.kind !== 'suspension') throw new Error('no suspension case in the demo');
    await store.cases.send(head, { id: suspension.id, kind: 'suspension' }, { type: 'RECORD_NOTICE', recipient: 'parents', method: 'letter', sentOn: suspension.context.exclusion.startDate });
    const record = await caseRecord(store, head, suspension.id, { today: TODAY });
    expect(record.duties).toContainEqual(expect.objectContaining({ what: 'notify the parents in writing, without delay', status: 'on-time', done: expect.objectContaining({ by: 'demo-head', how: 'letter' }) }));
    expect(record.timeline.map((t) => t.what)).toContainEqual(expect.stringMatching(/^recorded the notice to the parents \(letter, /));
  });
  it("counts the support tried from the pupil's support record, and lists a board's evidence only for a case a board reviews", async () => {
    const { store, caseId, pupilId } = await decidedPeap();
    const head = await store.staff.actorFor('demo-head');
    const tried = (r: Awaited<ReturnType<typeof caseRecord>>) => r.evidence.find((e) => e.item === 'the support tried');
    expect(tried(await caseRecord(store, head, caseId, { today: TODAY }))).toMatchObject({ present: true, where: "the interview's support answers" });

    const { case: plan } = await store.cases.open(head, { kind: 'support-plan', schoolId: 'DEMO-SCH', pupilId, input: { pupilId, schoolId: 'DEMO-SCH', area: 'semh' } });
    await store.cases.sendUnchecked(head, plan.id, [
      { type: 'ASSESS', assessedOn: '2026-03-02' },
      { type: 'AGREE_PLAN', intervention: 'mentoring', provider: 'Learning mentor', startDate: '2026-03-09', reviewDue: '2026-04-20' },
    ]);
    expect(tried(await caseRecord(store, head, caseId, { today: TODAY }))).toMatchObject({ present: true, where: 'the support record' });

    const planRecord = await caseRecord(store, head, plan.id, { today: TODAY });
    expect(planRecord.evidence).toEqual([]);
    expect(planRecord.support).toContainEqual(expect.objectContaining({ caseId: plan.id }));
  });
});
