/**
 * Nonsense refused and named (issue 15, part 4): ids that cannot be shown or typed, records too
 * big to be real, exclusions on the same session or lunchtime, dates out of reach, repeated JSON
 * keys — each refused at once, saying where and what is accepted, never quoting input whole.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bundledCalendar } from './calendar/bundled.js';
import { checkPupilFile } from './cli/pupilFile.js';
import { checkRecordOnCalendar } from './facts.js';
import { duplicateKey, parseJsonText } from './jsonText.js';
import { InputError } from './problems.js';
import { parsePupilRecord } from './pupilRecord.js';
import { pupil, suspension } from './testing.js';

const calendar = bundledCalendar('2025/26');
const dir = mkdtempSync(join(tmpdir(), 'refusals-'));
const lunchtime = (id: string, startDate: string, lunchtimes = 1) => ({ id, category: 'LNCH' as const, startDate, lunchtimes, reasons: ['DB' as const] });

function problems(json: unknown): string[] {
  const parsed = parsePupilRecord(json, { file: 'pupils.ndjson', location: 'line 3' });
  return parsed.ok ? [] : parsed.problems.map((p) => `${p.location}, ${p.field}: ${p.message}`);
}

function fileProblems(name: string, text: string): Promise<string[]> {
  const path = join(dir, name);
  writeFileSync(path, text);
  return checkPupilFile(path, calendar).then(
    () => [],
    (error: unknown) => {
      if (!(error instanceof InputError)) throw error;
      return error.problems.map((p) => `${p.location ?? ''}, ${p.field ?? ''}: ${p.message}`.replace(`${dir}/`, ''));
    },
  );
}

describe('ids', () => {
  it('refuses control characters, terminal escapes, line breaks, spaces and mojibake, quoting them escaped', () => {
    expect(problems({ id: 'P\u001b[31m1', schoolId: 'S1' })).toEqual([
      'line 3, id: "P\\u001b[31m1" is not usable as the pupil\'s (pseudonymous) id; accepted: letters, digits and punctuation (A-Z, a-z, 0-9, - _ . / and the like), without spaces, line breaks, control characters or accented letters',
    ]);
    expect(problems({ id: 'P1\nP2', schoolId: 'S 1' }).map((p) => p.split(':')[0])).toEqual(['line 3, id', 'line 3, schoolId']);
    expect(problems({ id: 'MÃ¼ller-1', schoolId: 'S1' })).toHaveLength(1);
    expect(problems({ id: 'P1', schoolId: 'S1', exclusions: [{ ...suspension('E\t1', '2025-10-06', 2) }] })[0]).toMatch(/^line 3 \(pupil P1\), exclusions\[0\]\.id: "E\\t1" is not usable as the exclusion's id/);
  });

  it('refuses an id past 64 characters, quoting only its first 40', () => {
    const [message] = problems({ id: 'P'.repeat(5_000_000), schoolId: 'S1' });
    expect(message).toBe(`line 3, id: "${'P'.repeat(40)}"… (5000000 characters) is too long for the pupil's (pseudonymous) id; accepted: 1 to 64 characters`);
    expect(problems({ id: 'P'.repeat(64), schoolId: 'S'.repeat(64) })).toEqual([]);
  });
});

describe('records too big to be real', () => {
  it('refuses 10,000 lunchtime suspensions on one day in one line (its speed: pnpm bench:refusals)', async () => {
    const record = { id: 'P1', schoolId: 'S1', exclusions: Array.from({ length: 10_000 }, (_, i) => lunchtime(`L${i}`, '2025-10-06')) };
    const found = await fileProblems('lunchtimes.ndjson', `${JSON.stringify(record)}\n`);
    expect(found).toEqual(['line 1 (pupil P1), exclusions: 10,000 exclusions in one record; accepted: at most 1,000 (a pupil\'s whole school life fits well within it)']);
  });

  it('refuses 1,000 lunchtimes on one day by the overlap sweep, each named once', () => {
    const record = pupil({ exclusions: Array.from({ length: 1000 }, (_, i) => lunchtime(`L${i}`, '2025-10-06')) });
    const found = checkRecordOnCalendar(record, calendar);
    expect(found).toHaveLength(999);
    expect(found[0]).toEqual({
      code: 'record.overlapping-exclusions',
      field: 'exclusions[1].startDate',
      message: 'L1 (exclusions[1]) suspends the pupil at lunchtime on Monday 6 Oct 2025, while L0 (exclusions[0]) already does; one exclusion a lunchtime',
    });
  });

  it('names a deep list where a category belongs without stringifying it', () => {
    let deep: unknown = 'FIXD';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(problems({ id: 'P1', schoolId: 'S1', exclusions: [{ ...suspension('E1', '2025-10-06', 2), category: deep }] })).toEqual([
      'line 3 (pupil P1), exclusions[0].category: a list is not an exclusion category; accepted: PERM, FIXD, SUSP, LNCH',
    ]);
  });
});

describe('exclusions on the same sessions', () => {
  const check = (...exclusions: object[]) => checkRecordOnCalendar(pupil({ exclusions: exclusions as never }), calendar).map((p) => `${p.field}: ${p.message}`);

  it('refuses a lunchtime on a day a suspension covers whole, and two lunchtimes on one day', () => {
    expect(check(suspension('S1', '2025-10-06', 4), lunchtime('L1', '2025-10-07'))).toEqual([
      'exclusions[1].startDate: L1 (exclusions[1]) suspends the pupil at lunchtime on Tuesday 7 Oct 2025, while S1 (exclusions[0]) excludes them that whole day; one exclusion a lunchtime',
    ]);
    expect(check(lunchtime('L1', '2025-10-06', 5), lunchtime('L2', '2025-10-09', 1))).toEqual([
      'exclusions[1].startDate: L2 (exclusions[1]) suspends the pupil at lunchtime on Thursday 9 Oct 2025, while L1 (exclusions[0]) already does; one exclusion a lunchtime',
    ]);
  });

  it('accepts a lunchtime beside a half-day suspension, lunchtimes on following days, and cancelled ones', () => {
    expect(check(suspension('S1', '2025-10-06', 1, { startSession: 'PM' }), lunchtime('L1', '2025-10-06'))).toEqual([]);
    expect(check(lunchtime('L1', '2025-10-06', 2), lunchtime('L2', '2025-10-08', 2))).toEqual([]);
    expect(check(lunchtime('L1', '2025-10-06'), { ...lunchtime('L2', '2025-10-06'), cancelled: true })).toEqual([]);
  });

  it('refuses a suspension while an open-ended permanent exclusion runs', () => {
    expect(check({ id: 'X1', category: 'PERM', startDate: '2025-10-06', reasons: ['PA'] }, suspension('S1', '2025-11-04', 2))).toEqual([
      expect.stringMatching(/^exclusions\[1\]\.startDate: S1 starts AM Tuesday 4 Nov 2025, while X1 \(exclusions\[0\]\) still covers that session/),
    ]);
  });
});

describe('dates in reach', () => {
  it('refuses year 0000 in any date, and dates far from the calendar\'s year', () => {
    expect(problems({ id: 'P1', schoolId: 'S1', exclusions: [suspension('E1', '0000-01-03', 2)] })).toEqual([
      'line 3 (pupil P1), exclusions[0].startDate: "0000-01-03" is not a year a pupil\'s record can hold; accepted: 1990 to 2199',
    ]);
    const found = checkRecordOnCalendar(pupil({ joinedOn: '2001-09-03', exclusions: [suspension('E1', '2031-01-06', 2)] }), calendar).map((p) => `${p.field}: ${p.message}`);
    expect(found).toEqual([
      'joinedOn: 2001-09-03 is out of reach of the England 2025/26 (example) calendar; accepted: 2009-01-01 to 2027-07-23 (a school life before this year, and the year after)',
      'exclusions[0].startDate: 2031-01-06 is out of reach of the England 2025/26 (example) calendar; accepted: 2009-01-01 to 2027-07-23 (a school life before this year, and the year after)',
    ]);
  });
});

describe('repeated JSON keys', () => {
  it('finds a key given twice in one object, with its line, whatever the nesting or escapes', () => {
    expect(duplicateKey('{"a":1,"b":{"a":2}}')).toBeUndefined();
    expect(duplicateKey('{"a":1,\n"b":[{"c":1},{"c":2}],\n"\\u0061":3}')).toEqual({ key: 'a', line: 3 });
    expect(duplicateKey('{"a":"\\"a\\":","a":2}')).toEqual({ key: 'a', line: 1 });
    expect(duplicateKey(`${'['.repeat(100_000)}${']'.repeat(100_000)}`)).toBeUndefined();
  });

  it('refuses them in NDJSON, a JSON array and a calendar, naming the line', async () => {
    expect(await fileProblems('twice.ndjson', '{"id":"P1","schoolId":"S1"}\n{"id":"P2","schoolId":"S1","id":"P3"}\n')).toEqual([
      'line 2, : the key "id" appears twice in one object; give each field once',
    ]);
    expect(await fileProblems('twice.json', '[\n  {"id":"P1",\n   "schoolId":"S1",\n   "schoolId":"S2"}\n]')).toEqual([
      'line 4, : the key "schoolId" appears twice in one object; give each field once',
    ]);
    expect(() => parseJsonText('{\n"academicYear":"2025/26",\n"academicYear":"2026/27"}', 'cal.json', 'a calendar')).toThrow(
      expect.objectContaining({ problems: [{ code: 'json.duplicate-key', file: 'cal.json', location: 'line 3', message: 'the key "academicYear" appears twice in one object; give each field once' }] }),
    );
  });
});

describe('the overlap sweep, against a pairwise count', () => {
  it('finds an overlap exactly when some two exclusions share a session or a lunchtime', () => {
    const schoolDays = calendar.schoolDaysIn(calendar.halfTerms[0]!).slice(0, 15);
    const anExclusion = fc.record({
      category: fc.constantFrom('FIXD', 'LNCH', 'PERM'),
      day: fc.integer({ min: 0, max: schoolDays.length - 1 }),
      startSession: fc.constantFrom('AM', 'PM'),
      length: fc.integer({ min: 1, max: 8 }),
      openEnded: fc.boolean(),
      cancelled: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(anExclusion, { maxLength: 6 }), (drawn) => {
        const exclusions = drawn.map((x, i) => ({
          id: `E${i}`,
          category: x.category,
          startDate: schoolDays[x.day]!,
          startSession: x.startSession,
          reasons: ['DB'],
          cancelled: x.cancelled,
          ...(x.category === 'LNCH' ? { lunchtimes: x.length } : x.category === 'PERM' && x.openEnded ? {} : { sessions: x.length }),
        }));
        const record = pupil({ exclusions: exclusions as never });
        // Pairwise: the sessions (slots) and lunchtimes (school days) each covers, compared two by two.
        const covers = record.exclusions.filter((e) => !e.cancelled).map((e) => {
          const slot = calendar.sessionSlot(e.startDate, e.startSession);
          if (e.category === 'LNCH') return { lunch: true, sessions: new Set<number>(), lunches: new Set(Array.from({ length: e.lunchtimes! }, (_, k) => (slot >> 1) + k)) };
          const end = Math.min(slot + (e.sessions ?? calendar.schoolDayCount * 2), calendar.schoolDayCount * 2);
          const sessions = new Set(Array.from({ length: end - slot }, (_, k) => slot + k));
          const lunches = new Set([...sessions].filter((s) => s % 2 === 0 && sessions.has(s + 1)).map((s) => s / 2));
          return { lunch: false, sessions, lunches };
        });
        let pairwise = false;
        covers.forEach((a, i) =>
          covers.slice(i + 1).forEach((b) => {
            const shareSession = [...a.sessions].some((s) => b.sessions.has(s));
            const shareLunch = (a.lunch || b.lunch) && [...a.lunches].some((d) => b.lunches.has(d));
            if (shareSession || shareLunch) pairwise = true;
          }),
        );
        expect(checkRecordOnCalendar(record, calendar).length > 0).toBe(pairwise);
      }),
      { numRuns: 500 },
    );
  });
});
