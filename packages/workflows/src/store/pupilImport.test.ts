/**
 * Importing pupils is all-or-nothing and scoped by school: a file for school B cannot replace or
 * move school A's pupil, and a refused file leaves the store as it was (issue 15).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '@before-exclusion/rules';
import { afterEach, describe, expect, it } from 'vitest';
import { SYSTEM } from '../access.js';
import { BACKENDS, closeTestStores, DEMO_FILES, testStore } from '../testing.js';

afterEach(closeTestStores);

const dir = mkdtempSync(join(tmpdir(), 'pupil-import-'));
function pupilsFile(name: string, pupils: readonly { id: string; schoolId: string; yearGroup?: number }[]): string {
  const path = join(dir, name);
  writeFileSync(path, pupils.map((p) => JSON.stringify(p)).join('\n'));
  return path;
}

async function stored(store: { pupils: { all(): AsyncGenerator<unknown> } }): Promise<unknown[]> {
  const all: unknown[] = [];
  for await (const p of store.pupils.all()) all.push(p);
  return all;
}

describe.each(BACKENDS)('importing pupils on %s', (backend) => {
  it('refuses a file for school B holding school A\'s pupil id, naming the row and the school, and changes nothing', async () => {
    const { store } = await testStore({ backend });
    await store.pupils.import(SYSTEM, { pupils: pupilsFile('a.ndjson', [{ id: 'PA1', schoolId: 'SCH-A', yearGroup: 7 }]), calendar: DEMO_FILES.calendar });
    const before = { pupils: await stored(store), audit: (await store.audit.verify()).rows };

    const fileB = pupilsFile('b.ndjson', [{ id: 'PB1', schoolId: 'SCH-B' }, { id: 'PA1', schoolId: 'SCH-B', yearGroup: 9 }]);
    const refused = await store.pupils.import(SYSTEM, { pupils: fileB, calendar: DEMO_FILES.calendar }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(InputError);
    expect((refused as InputError).problems).toEqual([
      {
        code: 'invalid',
        file: fileB,
        location: 'line 2 (pupil PA1)',
        field: 'schoolId',
        message: 'pupil id PA1 is held by school SCH-A; a file for school SCH-B cannot change or move it. A pupil who moved school is a leaver there (its file gives "leftOn") and joins here under a new id, or an inclusion officer covering both schools moves the record ("cases pupils move")',
      },
    ]);
    expect(await stored(store)).toEqual(before.pupils);
    expect((await store.audit.verify()).rows).toBe(before.audit);
  });

  it('lets a school\'s own file update its pupils', async () => {
    const { store } = await testStore({ backend });
    await store.pupils.import(SYSTEM, { pupils: pupilsFile('a1.ndjson', [{ id: 'PA1', schoolId: 'SCH-A', yearGroup: 7 }]), calendar: DEMO_FILES.calendar });
    await store.pupils.import(SYSTEM, { pupils: pupilsFile('a2.ndjson', [{ id: 'PA1', schoolId: 'SCH-A', yearGroup: 8 }]), calendar: DEMO_FILES.calendar });
    expect((await store.pupils.record(SYSTEM, 'PA1')).yearGroup).toBe(8);
  });
});
