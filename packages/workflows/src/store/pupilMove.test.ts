/**
 * Moving a pupil between schools is an explicit, audited act (issue 15): only someone covering
 * both schools in a role that may do it; the record and its hash move together; the pupil's
 * cases stay with the school that opened them; every refusal leaves the store as it was.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AccessDenied, SYSTEM } from '../access.js';
import { CaseNotFound, StoreRefused } from '../errors.js';
import { BACKENDS, closeTestStores, DEMO_FILES, testStore } from '../testing.js';
import { PUPIL_MOVED } from './pupils.js';

afterEach(closeTestStores);

const dir = mkdtempSync(join(tmpdir(), 'pupil-move-'));
const pupilsFile = (pupils: readonly object[]): string => {
  const path = join(dir, `${Math.random().toString(36).slice(2)}.ndjson`);
  writeFileSync(path, pupils.map((p) => JSON.stringify(p)).join('\n'));
  return path;
};

describe.each(BACKENDS)('moving a pupil between schools on %s', (backend) => {
  async function storeWithPupil() {
    const t = await testStore({ backend });
    await t.store.pupils.import(SYSTEM, { pupils: pupilsFile([{ id: 'PA1', schoolId: 'SCH-A', yearGroup: 9 }]), calendar: DEMO_FILES.calendar });
    await t.store.staff.upsert({ id: 'officer-a', displayName: 'Officer for A only', role: 'inclusion-officer', schoolIds: ['SCH-A'] }, SYSTEM);
    return t;
  }

  it('moves the record for an inclusion officer covering both schools: the new school sees it, the old no longer does, audited with the reason', async () => {
    const { store } = await storeWithPupil();
    const officer = await store.staff.actorFor('officer');
    expect(await store.pupils.move(officer, 'PA1', 'SCH-B', 'managed-move')).toEqual({ from: 'SCH-A', to: 'SCH-B' });

    expect(await store.pupils.record(await store.staff.actorFor('head-b'), 'PA1')).toMatchObject({ id: 'PA1', schoolId: 'SCH-B', yearGroup: 9 });
    await expect(store.pupils.record(await store.staff.actorFor('head-a'), 'PA1')).rejects.toBeInstanceOf(CaseNotFound);
    const [row] = await store.audit.entriesOf(PUPIL_MOVED);
    expect(row).toMatchObject({ actor: 'officer', role: 'inclusion-officer', data: { pupilId: 'PA1', from: 'SCH-A', to: 'SCH-B', reason: 'managed-move' } });
    // The moved record is bound: verify still passes, and the next import is school B's.
    expect((await store.audit.verify()).ok).toBe(true);
    await store.pupils.import(SYSTEM, { pupils: pupilsFile([{ id: 'PA1', schoolId: 'SCH-B', yearGroup: 10 }]), calendar: DEMO_FILES.calendar });
    expect((await store.pupils.record(SYSTEM, 'PA1')).yearGroup).toBe(10);
  });

  it('refuses a head, an officer covering one of the schools, an unknown school and the same school — changing nothing', async () => {
    const { store } = await storeWithPupil();
    const before = (await store.audit.verify()).rows;
    const headA = await store.staff.actorFor('head-a');
    await expect(store.pupils.move(headA, 'PA1', 'SCH-B', 'admission')).rejects.toThrow(new AccessDenied('head-a does not cover both schools SCH-A and SCH-B'));
    await expect(store.pupils.move(await store.staff.actorFor('officer-a'), 'PA1', 'SCH-B', 'admission')).rejects.toThrow(/officer-a does not cover both schools SCH-A and SCH-B/);
    // A head of the other school cannot even learn the pupil exists.
    await expect(store.pupils.move(await store.staff.actorFor('head-b'), 'PA1', 'SCH-B', 'admission')).rejects.toBeInstanceOf(CaseNotFound);
    const officer = await store.staff.actorFor('officer');
    await expect(store.pupils.move(officer, 'PA1', 'SCH-Z', 'correction')).rejects.toThrow(/officer does not cover both schools SCH-A and SCH-Z/);
    await expect(store.pupils.move(SYSTEM, 'PA1', 'SCH-Z', 'correction')).rejects.toThrow(new StoreRefused('there is no school SCH-Z in the store; add it first (cases staff FILE)'));
    await expect(store.pupils.move(officer, 'PA1', 'SCH-A', 'correction')).rejects.toThrow(/already at school SCH-A/);
    expect((await store.pupils.record(SYSTEM, 'PA1')).schoolId).toBe('SCH-A');
    expect((await store.audit.verify()).rows).toBe(before);
  });
});
