/**
 * Fuzzing the store's import (issue 15): whatever a pupils file holds — bad records, repeated
 * keys, another school's pupil, nonsense lines — the import either takes the whole file or
 * refuses it with an InputError naming where, and a refused file leaves the store as it was.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '@before-exclusion/rules';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { SYSTEM } from '../access.js';
import type { CaseStore } from './caseStore.js';
import { closeTestStores, DEMO_FILES, testStore } from '../testing.js';

afterAll(closeTestStores);

const dir = mkdtempSync(join(tmpdir(), 'import-fuzz-'));

async function state(store: CaseStore): Promise<{ pupils: string[]; auditRows: number }> {
  const pupils: string[] = [];
  for await (const p of store.pupils.all()) pupils.push(`${p.schoolId}/${JSON.stringify(p)}`);
  return { pupils, auditRows: (await store.audit.verify()).rows };
}

const line = fc.oneof(
  { weight: 4, arbitrary: fc.record({ id: fc.constantFrom('PA1', 'PA2', 'PB1', 'PB2', 'NEW1'), schoolId: fc.constantFrom('SCH-A', 'SCH-B'), yearGroup: fc.integer({ min: 0, max: 14 }) }).map((r) => JSON.stringify(r)) },
  fc.constantFrom(
    '{"id":"P\\u001b1","schoolId":"SCH-A"}',
    '{"id":"PX1","schoolId":"SCH-A","id":"PX2"}',
    '{"id":"PX1","schoolId":"SCH-A","exclusions":[{"id":"E1","category":"LNCH","startDate":"0000-01-01","lunchtimes":1,"reasons":["DB"]}]}',
    '{"id":"PX1","schoolId":"SCH-A","exclusions":[{"id":"E1","category":"LNCH","startDate":"2025-10-06","lunchtimes":1,"reasons":["DB"]},{"id":"E2","category":"LNCH","startDate":"2025-10-06","lunchtimes":1,"reasons":["DB"]}]}',
    'not json',
    '',
  ),
  fc.string({ maxLength: 20 }),
);

describe('importing pupils, fuzzed', () => {
  it('takes a whole file or refuses it naming where, and a refused file changes nothing', async () => {
    const { store } = await testStore();
    await store.pupils.import(SYSTEM, { pupils: writeLines('seed.ndjson', ['{"id":"PA1","schoolId":"SCH-A"}', '{"id":"PB1","schoolId":"SCH-B"}']), calendar: DEMO_FILES.calendar });
    let run = 0;
    const outcomes = { imported: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 6 }), async (lines) => {
        const path = writeLines(`run-${run++}.ndjson`, lines);
        const before = await state(store);
        const started = performance.now();
        const result = await store.pupils.import(SYSTEM, { pupils: path, calendar: DEMO_FILES.calendar }).catch((error: unknown) => error);
        expect(performance.now() - started).toBeLessThan(5000);
        if (result instanceof InputError) {
          for (const p of result.problems) expect(p.file === path && Boolean(p.location || p.field || p.message === 'no pupil records found'), JSON.stringify(p)).toBe(true);
          expect(await state(store)).toEqual(before);
          outcomes.refused++;
          return;
        }
        if (result instanceof Error) throw result;
        outcomes.imported++;
        const after = await state(store);
        expect(after.auditRows).toBe(before.auditRows + 1);
        // No pupil changed school.
        const schoolOf = (rows: string[]) => new Map(rows.map((r) => [JSON.parse(r.slice(r.indexOf('/') + 1)).id as string, r.slice(0, r.indexOf('/'))]));
        const was = schoolOf(before.pupils);
        for (const [id, school] of schoolOf(after.pupils)) if (was.has(id)) expect(school).toBe(was.get(id));
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 40) },
    );
    // Both paths were exercised, or the property proved little.
    expect(outcomes.imported).toBeGreaterThan(0);
    expect(outcomes.refused).toBeGreaterThan(0);
  }, 120_000);
});

function writeLines(name: string, lines: readonly string[]): string {
  const path = join(dir, name);
  writeFileSync(path, lines.join('\n'));
  return path;
}
