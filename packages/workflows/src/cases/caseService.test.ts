import { afterEach, describe, expect, it } from 'vitest';
import { AccessDenied, SYSTEM } from '../access.js';
import { CASE_LIST_READ } from './caseService.js';
import { CaseNotFound, EventRefused, RevisionConflict } from '../errors.js';
import { BACKENDS, closeTestStores, openAgain, testStore, toyDefinitions } from '../testing.js';

const opening = { kind: 'peap' as const, schoolId: 'SCH-A', pupilId: 'P1', input: { pupilId: 'P1', reviewBy: '2025-10-20' } };

afterEach(closeTestStores);

/** The toy machine stands in for every kind; its cases are opened as PEAPs. */
const toy = (c: { readonly id: string }) => ({ id: c.id, kind: 'peap' as const });

describe.each(BACKENDS)('%s', (backend) => {
  describe('opening a case', () => {
    it('opens once per key: evaluating the same trigger twice opens nothing new', async () => {
      const { store } = await testStore({ definitions: toyDefinitions(), backend });
      const first = await store.cases.open(SYSTEM, { ...opening, openKey: 'P1/peap.required/2025/26 autumn-1', rule: { id: 'peap.required', version: 1 } });
      const again = await store.cases.open(SYSTEM, { ...opening, openKey: 'P1/peap.required/2025/26 autumn-1', rule: { id: 'peap.required', version: 1 } });
      expect(first.created).toBe(true);
      expect(again).toEqual({ case: first.case, created: false });
      expect(first.case).toMatchObject({ state: 'open', revision: 1, ruleId: 'peap.required', ruleVersion: 1, deadlines: [{ key: 'review', dueDate: '2025-10-20', status: 'pending' }] });
      expect((await store.outbox.entries()).map((m) => ({ kind: m.kind, idempotencyKey: m.idempotencyKey }))).toEqual([{ kind: 'prompt-headteacher', idempotencyKey: `${first.case.id}/opened` }]);
      expect(await store.cases.list(SYSTEM)).toHaveLength(1);
    });

    it('refuses input the machine does not accept, saying what is wrong', async () => {
      const { store } = await testStore({ definitions: toyDefinitions(), backend });
      await expect(store.cases.open(await store.staff.actorFor('head-a'), { ...opening, input: { pupilId: 'P1' } })).rejects.toThrow(/cannot open a peap case: reviewBy: missing \(/);
      expect(await store.cases.list(SYSTEM)).toEqual([]);
    });
  });

  describe('sending events', () => {
    it('applies an event, bumps the revision and audits who did what', async () => {
      const { store } = await testStore({ definitions: toyDefinitions(), backend });
      const head = await store.staff.actorFor('head-a');
      const { case: opened } = await store.cases.open(head, opening);
      await store.cases.sendUnchecked(head, opened.id, [{ type: 'ANSWER', questionId: 'q1', answer: 'yes' }]);
      const decided = await store.cases.sendUnchecked(head, opened.id, [{ type: 'DECIDE', decision: 'support-plan' }], { expectedRevision: 2 });
      expect(decided).toMatchObject({ state: 'decided', status: 'done', revision: 3, context: { answers: { q1: 'yes' }, decision: 'support-plan' } });
      expect(decided.deadlines).toEqual([{ key: 'review', label: 'review', dueDate: '2025-10-20', status: 'cancelled' }]);
      const trail = await store.cases.timeline(head, opened.id);
      expect(trail.map((r) => [r.actor, r.action, r.event ?? ''])).toEqual([
        ['head-a', 'case-opened', ''],
        ['head-a', 'event', 'ANSWER'],
        ['head-a', 'event', 'DECIDE'],
        ['head-a', 'case-read', ''],
      ]);
      expect(trail[1]?.data).toEqual({ questionId: 'q1', answer: 'yes' });
    });

    it('applies several events in one transaction: all of them, or none', async () => {
      const { store } = await testStore({ definitions: toyDefinitions(), backend });
      const head = await store.staff.actorFor('head-a');
      const { case: opened } = await store.cases.open(head, opening);
      // The second is refused (an empty answer): the first is not kept either.
      await expect(
        store.cases.sendUnchecked(head, opened.id, [
          { type: 'ANSWER', questionId: 'q1', answer: 'yes' },
          { type: 'ANSWER', questionId: 'q2', answer: '' },
        ]),
      ).rejects.toThrow(/ANSWER is not valid: answer: /);
      expect(await store.cases.get(SYSTEM, opened.id)).toMatchObject({ revision: 1, context: { answers: {} } });
      expect((await store.audit.entriesFor(opened.id)).map((r) => r.action)).toEqual(['case-opened']);

      const decided = await store.cases.sendUnchecked(head, opened.id, [
        { type: 'ANSWER', questionId: 'q1', answer: 'yes' },
        { type: 'DECIDE', decision: 'support-plan' },
      ]);
      expect(decided).toMatchObject({ state: 'decided', revision: 3 });
      expect((await store.audit.entriesFor(opened.id)).map((r) => r.event ?? r.action)).toEqual(['case-opened', 'ANSWER', 'DECIDE']);
      expect((await store.audit.verify()).ok).toBe(true);
    });

    it('refuses an event the state does not allow, explaining why, and changes nothing', async () => {
      const { store } = await testStore({ definitions: toyDefinitions(), backend });
      const head = await store.staff.actorFor('head-a');
      const { case: opened } = await store.cases.open(head, opening);
      await expect(store.cases.sendUnchecked(head, opened.id, [{ type: 'DECIDE', decision: 'x' }])).rejects.toThrow(new EventRefused('answer at least one question before deciding'));
      await expect(store.cases.send(head, toy(opened), { type: 'ANSWER', questionId: 'q1', answer: '' })).rejects.toThrow(/ANSWER is not valid: answer: /);
      await expect(store.cases.sendUnchecked(head, opened.id, [{ type: 'FLY' }])).rejects.toThrow('a peap case has no event "FLY"; events: ANSWER, DECIDE');
      // Names every object has are no event of a machine's, and refused the same way.
      for (const type of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
        await expect(store.cases.sendUnchecked(head, opened.id, [{ type }])).rejects.toThrow(new EventRefused(`a peap case has no event "${type}"; events: ANSWER, DECIDE`));
      }
      await expect(store.cases.sendUnchecked(head, opened.id, [])).rejects.toThrow(new EventRefused('nothing to send'));
      expect((await store.cases.get(head, opened.id)).revision).toBe(1);
      expect((await store.audit.entriesFor(opened.id)).filter((r) => r.action === 'event')).toEqual([]);
    });

    it('refuses a case of another kind than the sender expects, and writes nothing', async () => {
      const { store } = await testStore({ definitions: toyDefinitions(), backend });
      const head = await store.staff.actorFor('head-a');
      const { case: opened } = await store.cases.open(head, opening);
      await expect(store.cases.send(head, { id: opened.id, kind: 'reintegration' }, { type: 'ANSWER', questionId: 'q1', answer: 'x' } as never)).rejects.toThrow(
        new EventRefused(`case ${opened.id} is a peap case, not a reintegration case`),
      );
      await expect(store.cases.get(head, opened.id, 'suspension')).rejects.toThrow(new EventRefused(`case ${opened.id} is a peap case, not a suspension case`));
      expect(await store.cases.get(SYSTEM, opened.id)).toMatchObject({ revision: 1 });
      expect((await store.audit.entriesFor(opened.id)).filter((r) => r.action === 'event')).toEqual([]);
    });

    it('refuses a write based on a stale revision, so two writers never both win', async () => {
      const { store } = await testStore({ definitions: toyDefinitions(), backend });
      const head = await store.staff.actorFor('head-a');
      const { case: opened } = await store.cases.open(head, opening);
      await store.cases.send(head, toy(opened), { type: 'ANSWER', questionId: 'q1', answer: 'a' }, { expectedRevision: 1 });
      await expect(store.cases.send(head, toy(opened), { type: 'ANSWER', questionId: 'q1', answer: 'b' }, { expectedRevision: 1 })).rejects.toThrow(RevisionConflict);
      expect((await store.cases.get(head, opened.id)).context).toMatchObject({ answers: { q1: 'a' } });
    });
  });

  describe('access', () => {
    it("keeps a head to their own school: another school's case is not there for them", async () => {
      const { store } = await testStore({ definitions: toyDefinitions(), backend });
      const { case: opened } = await store.cases.open(await store.staff.actorFor('head-a'), opening);
      const headB = await store.staff.actorFor('head-b');
      await expect(store.cases.get(headB, opened.id)).rejects.toThrow(CaseNotFound);
      await expect(store.cases.send(headB, toy(opened), { type: 'ANSWER', questionId: 'q1', answer: 'x' })).rejects.toThrow(CaseNotFound);
      await expect(store.cases.timeline(headB, opened.id)).rejects.toThrow(CaseNotFound);
      await expect(store.cases.note(headB, opened.id, 'not mine')).rejects.toThrow(CaseNotFound);
      expect(await store.cases.list(headB)).toEqual([]);
      await expect(store.cases.list(headB, { schoolId: 'SCH-A' })).rejects.toThrow(AccessDenied);
      expect(await store.cases.get(SYSTEM, opened.id)).toMatchObject({ revision: 1 });
    });

    it("audits a person's list of cases — one row naming the filter and the ids shown — and not the system's own", async () => {
      const { store } = await testStore({ definitions: toyDefinitions(), backend });
      const headA = await store.staff.actorFor('head-a');
      const first = (await store.cases.open(SYSTEM, opening)).case;
      const second = (await store.cases.open(SYSTEM, { ...opening, pupilId: 'P2', input: { ...opening.input, pupilId: 'P2' } })).case;
      const reads = () => store.audit.entriesOf(CASE_LIST_READ);

      expect((await store.cases.list(SYSTEM)).map((c) => c.id).sort()).toEqual([first.id, second.id].sort());
      expect(await store.cases.list(SYSTEM, { pupilId: 'P1' })).toHaveLength(1);
      expect(await reads()).toEqual([]);

      const shown = await store.cases.list(headA);
      expect(await reads()).toEqual([expect.objectContaining({ actor: 'head-a', role: 'headteacher', action: 'case-list-read', data: { filter: {}, caseIds: shown.map((c) => c.id) } })]);
      expect(shown.map((c) => c.id).sort()).toEqual([first.id, second.id].sort());
      // Asking after one pupil is itself recorded, whether or not they have cases.
      await store.cases.list(headA, { pupilId: 'P2', status: 'active' });
      await store.cases.list(headA, { pupilId: 'NOBODY' });
      const [, pupil, nobody] = await reads();
      expect(pupil?.data).toEqual({ filter: { pupilId: 'P2', status: 'active' }, caseIds: [second.id] });
      expect(nobody?.data).toEqual({ filter: { pupilId: 'NOBODY' }, caseIds: [] });
      expect(pupil?.caseId).toBeUndefined();
      // A refused list writes nothing.
      await expect(store.cases.list(headA, { schoolId: 'SCH-B' })).rejects.toThrow(AccessDenied);
      expect(await reads()).toHaveLength(3);
      expect((await store.audit.verify()).ok).toBe(true);
    });

    it('lets an inclusion officer read across their schools and add notes, but not act', async () => {
      const { store } = await testStore({ definitions: toyDefinitions(), backend });
      const { case: opened } = await store.cases.open(await store.staff.actorFor('head-a'), opening);
      const officer = await store.staff.actorFor('officer');
      expect((await store.cases.list(officer)).map((c) => c.id)).toEqual([opened.id]);
      await expect(store.cases.send(officer, toy(opened), { type: 'ANSWER', questionId: 'q1', answer: 'x' })).rejects.toThrow(AccessDenied);
      await store.cases.note(officer, opened.id, 'Checked: the pupil voice was heard.');
      expect((await store.cases.timeline(officer, opened.id)).find((r) => r.action === 'note')).toMatchObject({
        actor: 'officer',
        role: 'inclusion-officer',
        data: { text: 'Checked: the pupil voice was heard.' },
      });
    });

    it('refuses someone not on the staff list', async () => {
      const { store } = await testStore({ definitions: toyDefinitions(), backend });
      await expect(store.staff.actorFor('stranger')).rejects.toThrow('stranger is not on the staff list');
    });

    it('lists the staff by display name, with their roles (the workspace\'s local sign-in page)', async () => {
      const { store } = await testStore({ definitions: toyDefinitions(), backend });
      expect(await store.staff.list()).toEqual([
        { id: 'head-a', displayName: 'Head A', role: 'headteacher' },
        { id: 'head-b', displayName: 'Head B', role: 'headteacher' },
        { id: 'officer', displayName: 'Inclusion Officer', role: 'inclusion-officer' },
      ]);
    });
  });

  describe('concurrent writers', () => {
    it('keeps one unbroken audit chain when 20 answers to different cases arrive at once, each stored exactly once', async () => {
      const t = await testStore({ definitions: toyDefinitions(), backend });
      const head = await t.store.staff.actorFor('head-a');
      const cases = [];
      for (let i = 0; i < 20; i++) cases.push((await t.store.cases.open(head, { ...opening, pupilId: `P${i}`, input: { pupilId: `P${i}`, reviewBy: '2025-10-20' } })).case);
      const before = (await t.store.audit.verify()).rows;

      const answered = await Promise.all(cases.map((c, i) => t.store.cases.send(head, toy(c), { type: 'ANSWER', questionId: 'q1', answer: `answer ${i}` }, { expectedRevision: 1 })));

      expect(answered.map((c) => c.revision)).toEqual(cases.map(() => 2));
      expect(await t.store.audit.verify()).toMatchObject({ ok: true, rows: before + 20 });
      for (const [i, c] of cases.entries()) {
        const events = (await t.store.audit.entriesFor(c.id)).filter((r) => r.action === 'event');
        expect(events.map((r) => r.data)).toEqual([{ questionId: 'q1', answer: `answer ${i}` }]);
        expect((await t.store.cases.get(SYSTEM, c.id)).context).toEqual({ pupilId: `P${i}`, answers: { q1: `answer ${i}` } });
      }
    });

    it('keeps one chain when two store instances on the same database write at once', async () => {
      const t = await testStore({ definitions: toyDefinitions(), backend });
      const other = await openAgain(t, { definitions: toyDefinitions() });
      const head = await t.store.staff.actorFor('head-a');
      const cases = [];
      for (let i = 0; i < 20; i++) cases.push((await t.store.cases.open(head, { ...opening, pupilId: `P${i}`, input: { pupilId: `P${i}`, reviewBy: '2025-10-20' } })).case);
      const before = (await t.store.audit.verify()).rows;

      await Promise.all(cases.map((c, i) => (i % 2 ? other : t.store).cases.send(head, toy(c), { type: 'ANSWER', questionId: 'q1', answer: `answer ${i}` }, { expectedRevision: 1 })));

      for (const s of [t.store, other]) expect(await s.audit.verify()).toMatchObject({ ok: true, rows: before + 20 });
      for (const [i, c] of cases.entries()) {
        const events = (await t.store.audit.entriesFor(c.id)).filter((r) => r.action === 'event');
        expect(events.map((r) => r.data)).toEqual([{ questionId: 'q1', answer: `answer ${i}` }]);
        expect(await t.store.cases.get(SYSTEM, c.id)).toMatchObject({ revision: 2, context: { answers: { q1: `answer ${i}` } } });
      }
    });
  });
});
