/**
 * Fuzzing the readers (issue 15): whatever a file holds, the pupil-record, calendar (JSON and
 * .ics), rule-pack and JSON readers return a value or refuse with an InputError — never another
 * exception, never a hang — and every refusal names where (file, line or field) in bounded,
 * printable words. Each run is timed against a generous bound, so a slow path fails here, not in
 * a school's overnight import.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bundledCalendar } from './calendar/bundled.js';
import { fromSpec, parseCalendar } from './calendar/calendarFile.js';
import { loadCalendarFile } from './node/calendarFile.js';
import { loadRulePackFile } from './node/rulePackFile.js';
import { parseIcsCalendar } from './calendar/ics.js';
import { checkPupilFile } from './cli/pupilFile.js';
import { derivePupilFacts } from './facts.js';
import { parseJsonText } from './jsonText.js';
import { InputError, type Problem } from './problems.js';
import { parsePupilRecord } from './pupilRecord.js';
import { defaultRulePack } from './rulePack.js';

const calendar = bundledCalendar('2025/26');
const dir = mkdtempSync(join(tmpdir(), 'fuzz-'));
/** Generous: a run of any reader here takes milliseconds; seconds would be a hang in waiting. */
const RUN_BOUND_MS = 2000;
const PROPERTY_TIMEOUT_MS = 60_000;
const RUNS = Number(process.env.FUZZ_RUNS ?? 150);

/** Characters that break naive readers: controls, escapes, line breaks, quotes, mojibake, surrogates. */
const nasty = fc.constantFrom('\u0000', '\u001b[2J', '\n', '\r\n', '\u2028', '"', '\\', '{', '[', 'Ã©', '\uFFFD', '\uD800', ' ', '\t', ',', ':');
const nastyString = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.array(fc.oneof(nasty, fc.string({ maxLength: 4 })), { maxLength: 12 }).map((parts) => parts.join('')),
  fc.integer({ min: 65, max: 100_000 }).map((n) => 'x'.repeat(n)),
);
/** A value nested `depth` arrays deep: stringifying it whole would overflow the stack. */
const deep = fc.integer({ min: 1_000, max: 100_000 }).map((depth) => {
  let v: unknown = 'FIXD';
  for (let i = 0; i < depth; i++) v = [v];
  return v;
});
const anyValue = fc.oneof({ weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }) }, nastyString, deep, fc.constant(undefined), fc.constantFrom('__proto__', 'constructor', 'toString'));

const date = fc.date({ min: new Date('2025-09-01T00:00:00Z'), max: new Date('2026-07-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
const exclusion = fc.record(
  {
    id: fc.oneof(fc.constantFrom('E1', 'E2', 'E3'), nastyString),
    category: fc.oneof(fc.constantFrom('FIXD', 'SUSP', 'LNCH', 'PERM'), anyValue),
    startDate: fc.oneof({ weight: 4, arbitrary: date }, fc.constantFrom('0000-01-03', '9999-12-31', '2025-02-30'), anyValue),
    startSession: fc.constantFrom('AM', 'PM'),
    sessions: fc.oneof(fc.integer({ min: 1, max: 90 }), anyValue),
    lunchtimes: fc.oneof(fc.integer({ min: 1, max: 90 }), anyValue),
    reasons: fc.oneof(fc.constant(['DB']), anyValue),
    cancelled: fc.boolean(),
  },
  { requiredKeys: ['id', 'category', 'startDate', 'reasons'] },
);
const farDate = fc.oneof({ weight: 4, arbitrary: date }, fc.constantFrom('0000-01-03', '9999-12-31', '2025-02-30', '1990-01-01'), anyValue);
const movementId = fc.oneof({ weight: 3, arbitrary: fc.constantFrom('M1', 'M2') }, nastyString);
/** Issue 12's movement kinds, near-valid, each field sometimes anything. */
const offSiteDirection = fc.record(
  {
    id: movementId, startDate: farDate, plannedEndDate: farDate, endedOn: farDate, noticeGivenOn: farDate,
    sessionsPerWeek: fc.oneof(fc.integer({ min: 0, max: 11 }), anyValue),
    provider: fc.oneof(fc.constant('Riverside AP'), nastyString),
    reviews: fc.oneof(fc.array(fc.record({ heldOn: farDate, attendees: fc.oneof(fc.constant(['headteacher', 'parents']), anyValue) }), { maxLength: 3 }), anyValue),
    reviewRequests: fc.oneof(fc.array(fc.record({ requestedOn: farDate, by: fc.oneof(fc.constantFrom('parents', 'local-authority'), anyValue) }), { maxLength: 2 }), anyValue),
    precedesManagedMove: fc.oneof(fc.boolean(), anyValue),
  },
  { requiredKeys: ['id', 'startDate', 'provider'] },
);
const managedMove = fc.record(
  { id: movementId, agreedOn: farDate, receivingSchool: fc.oneof(fc.constant('SCH2'), nastyString), offRollOn: farDate, plannedTrial: fc.oneof(fc.boolean(), anyValue), returnedOn: farDate },
  { requiredKeys: ['id', 'agreedOn', 'receivingSchool'] },
);
const separation = fc.record({ id: movementId, startDate: farDate, endDate: farDate, dslDecidedOn: farDate, localAuthorityToldOn: farDate }, { requiredKeys: ['id', 'startDate', 'dslDecidedOn'] });
const partTime = fc.record(
  { id: movementId, startDate: farDate, plannedEndDate: farDate, endedOn: farDate, hoursPerWeek: fc.oneof(fc.double({ min: -1, max: 40 }), anyValue), parentsConsentedOn: farDate, reviewsHeldOn: fc.oneof(fc.array(farDate, { maxLength: 3 }), anyValue), reportedToLocalAuthorityOn: farDate },
  { requiredKeys: ['id', 'startDate'] },
);
/** Records near the valid ones (so the deeper checks run), with any field swapped for anything. */
const pupilJson = fc.record(
  {
    id: fc.oneof({ weight: 3, arbitrary: fc.constantFrom('P1', 'P2') }, nastyString, anyValue),
    schoolId: fc.oneof({ weight: 3, arbitrary: fc.constant('S1') }, nastyString, anyValue),
    joinedOn: fc.oneof(date, anyValue),
    leftOn: fc.oneof(date, anyValue),
    yearGroup: fc.oneof(fc.integer({ min: 0, max: 14 }), anyValue),
    exclusions: fc.oneof({ weight: 4, arbitrary: fc.array(exclusion, { maxLength: 8 }) }, anyValue),
    attendance: fc.oneof(fc.array(fc.record({ date, am: fc.constantFrom('/', 'N', 'Y9'), pm: anyValue }), { maxLength: 5 }), anyValue),
    hasFurtherPublicExams: fc.oneof(fc.boolean(), anyValue),
    offSiteDirections: fc.oneof({ weight: 3, arbitrary: fc.array(offSiteDirection, { maxLength: 3 }) }, anyValue),
    managedMoves: fc.oneof({ weight: 3, arbitrary: fc.array(managedMove, { maxLength: 3 }) }, anyValue),
    safeguardingSeparations: fc.oneof({ weight: 3, arbitrary: fc.array(separation, { maxLength: 3 }) }, anyValue),
    partTimeTimetables: fc.oneof({ weight: 3, arbitrary: fc.array(partTime, { maxLength: 3 }) }, anyValue),
    [fc.sample(fc.constantFrom('colour'), 1)[0]!]: anyValue,
  },
  { requiredKeys: [] },
);

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '"too deep to write"';
  }
}

/** Runs `read`, timed: a value, or the problems of an InputError; any other throw fails the property. */
function refusalOrValue<T>(read: () => T): { value: T } | { problems: readonly Problem[] } {
  const started = performance.now();
  try {
    return { value: read() };
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return { problems: error.problems };
  } finally {
    expect(performance.now() - started).toBeLessThan(RUN_BOUND_MS);
  }
}

async function refusalOrValueAsync<T>(read: () => Promise<T>): Promise<{ value: T } | { problems: readonly Problem[] }> {
  const started = performance.now();
  try {
    return { value: await read() };
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return { problems: error.problems };
  } finally {
    expect(performance.now() - started).toBeLessThan(RUN_BOUND_MS);
  }
}

/** Every problem says where and stays short and printable, whatever the input held. */
function expectNamed(problems: readonly Problem[], where: (p: Problem) => boolean = (p) => Boolean(p.file || p.location || p.field)): void {
  expect(problems.length).toBeGreaterThan(0);
  for (const p of problems) {
    expect(where(p), JSON.stringify(p).slice(0, 300)).toBe(true);
    for (const text of [p.message, p.location ?? '', p.field ?? '']) {
      expect(text.length).toBeLessThan(1200);
      expect(text).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
    }
  }
}

describe('fuzzing the readers', () => {
  it('the pupil-record reader returns a record or problems naming their field, and a record fits the calendar or is refused', () => {
    fc.assert(
      fc.property(fc.oneof({ weight: 3, arbitrary: pupilJson }, anyValue), (json) => {
        const parsed = refusalOrValue(() => parsePupilRecord(json, { file: 'pupils.ndjson', location: 'line 1' }));
        if (!('value' in parsed)) return;
        if (!parsed.value.ok) return expectNamed(parsed.value.problems, (p) => p.file === 'pupils.ndjson' && Boolean(p.field));
        const facts = refusalOrValue(() => derivePupilFacts(parsed.value.ok ? parsed.value.record : (undefined as never), calendar, '2026-07-22'));
        if ('problems' in facts) expectNamed(facts.problems, (p) => Boolean(p.field));
      }),
      { numRuns: RUNS * 2 },
    );
  }, PROPERTY_TIMEOUT_MS);

  it('a pupils file of any text is read whole or refused, each problem with the file and its line or record', async () => {
    // JSON.stringify itself cannot write a 100,000-deep list: such a line is written by hand.
    const deepLine = fc.integer({ min: 1, max: 100_000 }).map((n) => `{"id":"P1","schoolId":"S1","exclusions":[{"id":"E1","category":${'['.repeat(n)}${']'.repeat(n)},"startDate":"2025-10-06","sessions":2,"reasons":["DB"]}]}`);
    const line = fc.oneof(pupilJson.map((j) => safeStringify(j)), deepLine, nastyString, fc.constant('{"id":"P1","schoolId":"S1","id":"P2"}'), fc.constant('['), fc.constant(''));
    await fc.assert(
      fc.asyncProperty(fc.array(line, { minLength: 0, maxLength: 6 }), fc.boolean(), async (lines, asArray) => {
        const path = join(dir, 'pupils.ndjson');
        writeFileSync(path, asArray ? `[${lines.join(',\n')}]` : lines.join('\n'));
        const read = await refusalOrValueAsync(() => checkPupilFile(path, calendar));
        if ('problems' in read) expectNamed(read.problems, (p) => p.file === path && Boolean(p.location || p.field || p.message === 'no pupil records found'));
      }),
      { numRuns: RUNS },
    );
  }, PROPERTY_TIMEOUT_MS);

  it('the JSON calendar reader builds a calendar or names each field it refuses', () => {
    const valid = calendar.toSpec();
    const spec = fc.record({
      academicYear: fc.oneof(fc.constantFrom('2025/26', '0000/01', '9999/00'), anyValue),
      halfTerms: fc.oneof(
        { weight: 3, arbitrary: fc.shuffledSubarray([...valid.halfTerms]).chain((hs) => fc.array(fc.record({ name: fc.oneof(fc.constant('h'), nastyString), term: fc.constantFrom('autumn', 'spring', 'summer'), start: fc.oneof(date, fc.constant('0001-01-01')), end: fc.oneof(date, fc.constant('9999-12-31')) }), { maxLength: 2 }).map((extra) => [...hs, ...extra])) },
        anyValue,
      ),
      nonSchoolDays: fc.oneof(fc.array(fc.oneof(date, fc.constant('9999-12-31')), { maxLength: 5 }), anyValue),
    });
    fc.assert(
      fc.property(fc.oneof({ weight: 3, arbitrary: spec }, anyValue), (json) => {
        const read = refusalOrValue(() => parseCalendar(json, 'cal.json'));
        if ('problems' in read) expectNamed(read.problems, (p) => p.file === 'cal.json');
      }),
      { numRuns: RUNS },
    );
  }, PROPERTY_TIMEOUT_MS);

  it('the .ics reader reads term dates or refuses with the line, however the lines are shuffled, cut or broken', () => {
    const value = fc.oneof(fc.constantFrom('20250915', '20250915T230000Z', '20250915T090000', '00010101', '99991231', '2025-09-15', ''), nastyString);
    const icsLine = fc.oneof(
      fc.constantFrom('BEGIN:VEVENT', 'END:VEVENT', 'BEGIN:VALARM', 'END:VALARM', 'END:VCALENDAR', 'BEGIN:VTIMEZONE', 'END:VTIMEZONE', 'STATUS:CANCELLED', 'SUMMARY:Autumn 1', 'SUMMARY:INSET day', 'SUMMARY:Spring 2', 'CATEGORIES:HALF-TERM', 'RRULE:FREQ=YEARLY', ' folded'),
      value.map((v) => `DTSTART;VALUE=DATE:${v}`),
      value.map((v) => `DTEND:${v}`),
      fc.tuple(fc.constantFrom('Europe/London', 'America/New_York', '"GMT Standard Time"', 'Mars/Olympus'), value).map(([z, v]) => `DTSTART;TZID=${z}:${v}`),
      fc.array(value, { maxLength: 4 }).map((vs) => `RDATE;VALUE=DATE:${vs.join(',')}`),
      value.map((v) => `EXDATE:${v}`),
      nastyString.map((n) => `BEGIN:${n}`),
      nastyString.map((n) => `END:${n}`),
      nastyString,
    );
    const bundled = fc.constant(['BEGIN:VEVENT', 'DTSTART;VALUE=DATE:20250903', 'DTEND;VALUE=DATE:20251025', 'SUMMARY:Autumn 1', 'END:VEVENT']);
    fc.assert(
      fc.property(fc.array(fc.oneof(icsLine.map((l) => [l]), bundled), { maxLength: 30 }), fc.boolean(), (chunks, ended) => {
        const text = ['BEGIN:VCALENDAR', ...chunks.flat(), ...(ended ? ['END:VCALENDAR'] : [])].join('\r\n');
        const read = refusalOrValue(() => fromSpec(parseIcsCalendar(text, 'terms.ics'), 'terms.ics'));
        if ('problems' in read) expectNamed(read.problems, (p) => p.file === 'terms.ics');
      }),
      { numRuns: RUNS * 2 },
    );
  }, PROPERTY_TIMEOUT_MS);

  it('the rule-pack reader applies overrides or names each one it refuses', () => {
    const pack = defaultRulePack();
    const ruleId = fc.oneof(fc.constantFrom(...pack.ids), nastyString);
    const overrides = fc.record({
      format: fc.oneof(fc.constant('rule-pack/1'), anyValue),
      name: fc.oneof(fc.constant('Trust'), nastyString, anyValue),
      parameters: fc.oneof(fc.dictionary(ruleId, fc.dictionary(fc.oneof(fc.constantFrom('threshold', 'days'), nastyString), fc.oneof(fc.integer({ min: -5, max: 100 }), fc.boolean(), anyValue)), { maxKeys: 3 }), anyValue),
    });
    fc.assert(
      fc.property(fc.oneof({ weight: 3, arbitrary: overrides }, anyValue), (json) => {
        const read = refusalOrValue(() => pack.withOverrides(json as never, 'pack.json'));
        if ('problems' in read) expectNamed(read.problems, (p) => p.file === 'pack.json');
      }),
      { numRuns: RUNS },
    );
  }, PROPERTY_TIMEOUT_MS);

  it('the JSON text reader, behind every file loader, parses or refuses with the file and line', async () => {
    const text = fc.oneof(
      fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v, null, 1) ?? ''),
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.tuple(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 })).map(([k, v]) => `{\n${JSON.stringify(k)}: 1,\n${JSON.stringify(k)}: ${JSON.stringify(v)}\n}`),
      fc.integer({ min: 1, max: 100_000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`),
    );
    await fc.assert(
      fc.asyncProperty(text, async (content) => {
        const read = refusalOrValue(() => parseJsonText(content, 'file.json', 'JSON'));
        if ('problems' in read) expectNamed(read.problems, (p) => p.file === 'file.json' && /^line \d+$/.test(p.location ?? ''));
        for (const [name, load] of [['cal.json', loadCalendarFile], ['pack.json', loadRulePackFile]] as [string, (path: string) => Promise<unknown>][]) {
          const path = join(dir, name);
          writeFileSync(path, content);
          const loaded = await refusalOrValueAsync(() => load(path));
          if ('problems' in loaded) expectNamed(loaded.problems, (p) => p.file === path);
        }
      }),
      { numRuns: RUNS },
    );
  }, PROPERTY_TIMEOUT_MS);
});
