/**
 * A pupil id typed in any case finds the stored pupil — within the person's own schools, and
 * never one of another school's, whichever way it is typed.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SYSTEM } from '../access.js';
import { CaseNotFound, EventRefused } from '../errors.js';
import { openByHand } from './openByHand.js';
import { resolvePupilId } from './pupilLookup.js';
import { BACKENDS, closeTestStores, DEMO_FILES, testStore } from '../testing.js';

afterEach(closeTestStores);

/** Pupils of school A (one id twice, differing only in case) and of school B. */
function pupilsFile(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'pupil-lookup-')), 'pupils.ndjson');
  const pupils = [
    { id: 'DEMO-004', schoolId: 'SCH-A' },
    { id: 'Twin-1', schoolId: 'SCH-A' },
    { id: 'TWIN-1', schoolId: 'SCH-A' },
    { id: 'OTHER-9', schoolId: 'SCH-B' },
  ];
  writeFileSync(path, pupils.map((p) => JSON.stringify({ ...p, exclusions: [] })).join('\n'));
  return path;
}

describe.each(BACKENDS)('resolvePupilId on %s', (backend) => {
  async function schoolsAandB() {
    const t = await testStore({ backend });
    await t.store.pupils.import(SYSTEM, { pupils: pupilsFile(), calendar: DEMO_FILES.calendar });
    return { store: t.store, headA: await t.store.staff.actorFor('head-a'), headB: await t.store.staff.actorFor('head-b') };
  }

  it('finds the stored id whatever case it is typed in, spaces around it too', async () => {
    const { store, headA } = await schoolsAandB();
    expect(await resolvePupilId(store, headA, 'DEMO-004')).toBe('DEMO-004');
    expect(await resolvePupilId(store, headA, 'demo-004')).toBe('DEMO-004');
    expect(await resolvePupilId(store, headA, ' Demo-004 ')).toBe('DEMO-004');
  });

  it('takes the exact id first, and names the ids when the case alone cannot tell them apart', async () => {
    const { store, headA } = await schoolsAandB();
    expect(await resolvePupilId(store, headA, 'TWIN-1')).toBe('TWIN-1');
    expect(await resolvePupilId(store, headA, 'Twin-1')).toBe('Twin-1');
    await expect(resolvePupilId(store, headA, 'twin-1')).rejects.toThrow(new EventRefused('"twin-1" could be any of TWIN-1, Twin-1: type the id exactly as written'));
  });

  it("never finds another school's pupil, typed exactly or not, and says so as for an unknown id", async () => {
    const { store, headA, headB } = await schoolsAandB();
    for (const typed of ['OTHER-9', 'other-9']) await expect(resolvePupilId(store, headA, typed)).rejects.toThrow(new CaseNotFound(typed, 'pupil'));
    await expect(resolvePupilId(store, headA, 'nobody-1')).rejects.toThrow(new CaseNotFound('nobody-1', 'pupil'));
    expect(await resolvePupilId(store, headB, 'other-9')).toBe('OTHER-9');
    await expect(resolvePupilId(store, headB, 'demo-004')).rejects.toThrow(CaseNotFound);
  });

  it('lets the system find any pupil, and asks for an id when none is given', async () => {
    const { store, headA } = await schoolsAandB();
    expect(await resolvePupilId(store, SYSTEM, 'other-9')).toBe('OTHER-9');
    await expect(resolvePupilId(store, headA, '  ')).rejects.toThrow(new EventRefused('give the pupil id'));
  });

  it('opens a case by hand for the pupil an id typed in lower case names, and finds it again that way', async () => {
    const { store, headA } = await schoolsAandB();
    const first = await openByHand(store, headA, 'peap', 'demo-004', '2026-03-20');
    expect(first).toMatchObject({ created: true, case: { pupilId: 'DEMO-004' } });
    expect(await openByHand(store, headA, 'peap', 'Demo-004', '2026-03-20')).toMatchObject({ created: false, case: { id: first.case.id } });
  });
});
