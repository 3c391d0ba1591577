/**
 * A managed move recorded on the pupil, through the real store: opened by hand as a head does,
 * the off-site direction that came first ends as a managed move and the record holds the move
 * (and the direction's end); a refused move changes nothing.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '@before-exclusion/rules';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SYSTEM } from '../access.js';
import { EventRefused } from '../errors.js';
import { recordManagedMove } from './managedMove.js';
import { openByHand } from '../cases/openByHand.js';
import type { CaseStore } from '../store/caseStore.js';
import { BACKENDS, closeTestStores, testStore } from '../testing.js';

const calendar2026 = createRequire(import.meta.url).resolve('@before-exclusion/rules/data/calendars/england-2026-27.example.json');

afterEach(closeTestStores);

describe.each(BACKENDS)('a managed move (%s)', (backend) => {
  let store: CaseStore;
  beforeEach(async () => {
    ({ store } = await testStore({ backend, now: () => new Date('2026-11-20T16:00:00Z') })); // today: the day the move is agreed
    const file = join(mkdtempSync(join(tmpdir(), 'managed-move-')), 'pupils.ndjson');
    const pupil = (id: string, extra: object = {}) => JSON.stringify({ id, schoolId: 'SCH-A', yearGroup: 10, exclusions: [], ...extra });
    writeFileSync(file, [pupil('P1', { offSiteDirections: [{ id: 'OSD1', startDate: '2026-10-05', provider: 'Riverside Learning Centre', precedesManagedMove: true }] }), pupil('P2')].join('\n'));
    await store.pupils.import(SYSTEM, { pupils: file, calendar: calendar2026 });
  });

  it('ends the off-site direction that came first and joins the pupil record — no trial period anywhere', async () => {
    const head = await store.staff.actorFor('head-a');
    // Opened by hand for the direction on the record: notice due Thu 1 Oct (two school days before Mon 5 Oct).
    const { case: direction } = await openByHand(store, head, 'off-site-direction', 'p1', '2026-09-28', { directionId: 'OSD1' });
    expect(direction.context).toMatchObject({ noticeBy: '2026-10-01' });
    await store.cases.send(head, { id: direction.id, kind: 'off-site-direction' }, { type: 'RECORD_NOTICE', sentOn: '2026-09-30', method: 'letter' });

    const { move, case: ended } = await recordManagedMove(store, head, 'P1', { agreedOn: '2026-11-20', receivingSchool: 'Hillside Academy', offRollOn: '2026-11-27', directionCaseId: direction.id });
    expect(ended).toMatchObject({ state: 'managed-move', status: 'done', context: { outcome: { outcome: 'managed-move', receivingSchool: 'Hillside Academy', offRollOn: '2026-11-27' } } });
    const record = await store.pupils.record(head, 'P1');
    expect(record.managedMoves).toEqual([{ ...move, id: 'MM-2026-11-20', plannedTrial: false }]);
    expect(record.offSiteDirections?.[0]?.endedOn).toBe('2026-11-20');
    expect((await store.audit.entriesOf('managed-move-recorded')).map((r) => r.data)).toEqual([expect.objectContaining({ pupilId: 'P1', moveId: 'MM-2026-11-20', caseId: direction.id })]);
  });

  it('refuses a move that cannot be recorded, and the record stays as it was', async () => {
    const head = await store.staff.actorFor('head-a');
    const { case: direction } = await openByHand(store, head, 'off-site-direction', 'P1', '2026-09-28', { startDate: '2026-10-05', provider: 'Riverside Learning Centre' });
    await expect(recordManagedMove(store, head, 'P2', { agreedOn: '2026-11-20', receivingSchool: 'Hillside Academy', directionCaseId: direction.id })).rejects.toThrow(EventRefused);
    await expect(recordManagedMove(store, head, 'P2', { agreedOn: '2026-11-20', receivingSchool: '' })).rejects.toThrow(InputError);
    await expect(recordManagedMove(store, head, 'P2', { agreedOn: '2026-11-20', receivingSchool: 'Hillside Academy', offRollOn: '2026-11-01' })).rejects.toThrow(/offRollOn|before/);
    // The placement had not started (no notice): only ending it is possible, not a managed move.
    await expect(recordManagedMove(store, head, 'P1', { agreedOn: '2026-11-20', receivingSchool: 'Hillside Academy', directionCaseId: direction.id })).rejects.toThrow(/placement has not started/);
    expect((await store.pupils.record(head, 'P2')).managedMoves).toBeUndefined();
    expect((await store.pupils.record(head, 'P1')).managedMoves).toBeUndefined();
  });

  it('refuses a move agreed on a day still to come, naming the day and today; a day off roll still to come is a plan', async () => {
    const head = await store.staff.actorFor('head-a');
    const refused = recordManagedMove(store, head, 'P2', { agreedOn: '2026-11-23', receivingSchool: 'Hillside Academy' });
    await expect(refused).rejects.toThrow(InputError);
    await expect(refused).rejects.toMatchObject({ problems: [expect.objectContaining({ field: 'agreedOn', message: '2026-11-23 is after today (2026-11-20): record it on the day it was done, or after' })] });
    expect((await store.pupils.record(head, 'P2')).managedMoves).toBeUndefined();
    // Agreed today, off the roll next week: recorded, and the figures' record holds it.
    const { move } = await recordManagedMove(store, head, 'P2', { agreedOn: '2026-11-20', receivingSchool: 'Hillside Academy', offRollOn: '2026-11-27' });
    expect((await store.pupils.record(head, 'P2')).managedMoves).toEqual([expect.objectContaining({ id: move.id, agreedOn: '2026-11-20', offRollOn: '2026-11-27' })]);
  });
});
