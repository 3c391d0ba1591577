/**
 * Runs the scenario files in this folder (*.yaml): one `describe` per file, one `it` per case.
 * The files are written for policy people; see README.md for the format. This runner only
 * reads them, builds pupils and calendars through the library's own parsers, and compares the
 * triggers that fire with the ones each case expects.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  assessProposedSuspension,
  BUNDLED_CALENDARS,
  bundledCalendar,
  defaultRulePack,
  formatProblem,
  InputError,
  parseCalendar,
  parsePupilRecord,
  RulesEvaluator,
  type ProposedSuspension,
  type PupilRecord,
  type RulePack,
  type RulePackOverrides,
  type SchoolCalendar,
  type SuspensionAssessment,
  type Trigger,
} from '../src/index.js';

const DIR = new URL('./', import.meta.url);
const DEFAULT_CALENDAR = 'england-2025-26';
/** Set SCENARIOS_KNOWN_ISSUES=run to run the known-issue cases too (to check a fix). */
const RUN_KNOWN_ISSUES = process.env.SCENARIOS_KNOWN_ISSUES === 'run';

type Obj = Record<string, unknown>;

/** One expected trigger, as written in a scenario. */
interface ExpectedTrigger {
  trigger: string;
  exclusionIds?: string[];
  /** A date, or `none` / null: the trigger must have no due date. */
  dueDate?: string | null;
  grounds?: string[];
  version?: number;
  explanation?: string;
  explains?: string[];
}

const FILE_KEYS = ['title', 'about', 'calendar', 'rules', 'cases'];
const CASE_KEYS = ['name', 'about', 'asOf', 'calendar', 'rules', 'pupil', 'attendance', 'propose', 'expect', 'absent', 'expectAssessment', 'expectError', 'knownIssue'];
const EXPECT_KEYS = ['trigger', 'exclusionIds', 'dueDate', 'grounds', 'version', 'explanation', 'explains'];
const ASSESSMENT_KEYS = ['allowed', 'daysLeft', 'sixthDay', 'returnDate', 'lastDate', 'schoolDays', 'yearTotalBefore', 'yearTotalAfter', 'refusalIncludes'];
const ATTENDANCE_KEYS = ['from', 'to', 'mark', 'absences'];
const ABSENCE_KEYS = ['from', 'to', 'date', 'mark', 'session'];

/** Thrown for a mistake in a scenario file itself (not in the library). */
class ScenarioError extends Error {}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkKeys(value: unknown, allowed: readonly string[], where: string): Obj {
  if (!isObj(value)) throw new ScenarioError(`${where}: expected a set of "field: value" lines`);
  const unknown = Object.keys(value).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) {
    throw new ScenarioError(`${where}: unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}; accepted: ${allowed.join(', ')}`);
  }
  return value;
}

function asList(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function isNone(value: unknown): boolean {
  return value === null || value === 'none';
}

// ---------------------------------------------------------------------------------------------
// Calendars and rule packs

const calendars = new Map<string, SchoolCalendar>();

function calendarOf(spec: unknown, where: string): SchoolCalendar {
  const value = spec ?? DEFAULT_CALENDAR;
  if (typeof value === 'string') {
    const m = /^england-(\d{4})-(\d{2})$/.exec(value);
    const year = m ? `${m[1]}/${m[2]}` : '';
    if (!(year in BUNDLED_CALENDARS)) {
      const known = Object.keys(BUNDLED_CALENDARS).map((y) => `england-${y.replace('/', '-')}`);
      throw new ScenarioError(`${where}: no bundled calendar "${value}"; bundled: ${known.join(', ')} (or write the calendar out in full)`);
    }
    let calendar = calendars.get(year);
    if (!calendar) {
      calendar = bundledCalendar(year as keyof typeof BUNDLED_CALENDARS);
      calendars.set(year, calendar);
    }
    return calendar;
  }
  return parseCalendar(spec, `${where} calendar`);
}

const evaluators = new Map<unknown, RulesEvaluator>();
const referenceEvaluators = new Map<unknown, RulesEvaluator>();

function packOf(overrides: unknown, where: string): RulePack {
  if (overrides === undefined || overrides === null) return defaultRulePack();
  return defaultRulePack().withOverrides(overrides as RulePackOverrides, `${where} rules`);
}

/** The compiled evaluator, or (`reference`) json-rules-engine running the same pack. */
function evaluatorOf(pack: RulePack, reference = false): RulesEvaluator {
  const cache = reference ? referenceEvaluators : evaluators;
  let evaluator = cache.get(pack);
  if (!evaluator) {
    evaluator = new RulesEvaluator(pack, { engine: reference ? 'reference' : 'compiled' });
    cache.set(pack, evaluator);
  }
  return evaluator;
}

// ---------------------------------------------------------------------------------------------
// Pupils

/** Expands the attendance shorthand onto the calendar's school days; a plain list passes through. */
function expandAttendance(spec: unknown, calendar: SchoolCalendar, where: string): unknown {
  if (spec === undefined || Array.isArray(spec)) return spec;
  const s = checkKeys(spec, ATTENDANCE_KEYS, `${where} attendance`);
  if (typeof s.from !== 'string' || typeof s.to !== 'string') throw new ScenarioError(`${where} attendance: needs "from" and "to" dates`);
  const mark = (s.mark ?? '/') as string;
  const days = new Map<string, { date: string; am?: string; pm?: string }>();
  const schoolDays = (from: string, to: string) => {
    const out: string[] = [];
    for (let d = from; d <= to; d = addDays(d, 1)) if (calendar.covers(d) && calendar.isSchoolDay(d)) out.push(d);
    return out;
  };
  for (const date of schoolDays(s.from, s.to)) days.set(date, { date, am: mark, pm: mark });
  asList(s.absences).forEach((a, i) => {
    const absence = checkKeys(a, ABSENCE_KEYS, `${where} attendance.absences[${i}]`);
    const from = (absence.from ?? absence.date) as string | undefined;
    const to = (absence.to ?? from) as string | undefined;
    if (typeof from !== 'string' || typeof to !== 'string') throw new ScenarioError(`${where} attendance.absences[${i}]: needs "date", or "from" and "to"`);
    if (typeof absence.mark !== 'string') throw new ScenarioError(`${where} attendance.absences[${i}]: needs a "mark", e.g. I for illness`);
    const session = absence.session as string | undefined;
    if (session !== undefined && session !== 'AM' && session !== 'PM') throw new ScenarioError(`${where} attendance.absences[${i}]: session is AM or PM`);
    for (const date of schoolDays(from, to)) {
      const day = days.get(date) ?? { date };
      if (session !== 'PM') day.am = absence.mark;
      if (session !== 'AM') day.pm = absence.mark;
      days.set(date, day);
    }
  });
  return [...days.values()].sort((a, b) => a.date.localeCompare(b.date));
}

function pupilOf(c: Obj, calendar: SchoolCalendar, file: string, where: string): PupilRecord {
  const written = c.pupil ?? {};
  if (!isObj(written)) throw new ScenarioError(`${where}: "pupil" should be a set of "field: value" lines`);
  if (c.attendance !== undefined && written.attendance !== undefined) throw new ScenarioError(`${where}: give attendance once, under the case or under the pupil`);
  const input: Obj = { id: 'P1', schoolId: 'SCH1', ...written };
  if (Array.isArray(written.exclusions)) {
    // Reasons do not change any trigger; default them so cases stay short.
    input.exclusions = written.exclusions.map((e) => (isObj(e) && e.reasons === undefined ? { ...e, reasons: ['DB'] } : e));
  }
  const attendance = expandAttendance(c.attendance ?? written.attendance, calendar, where);
  if (attendance !== undefined) input.attendance = attendance;
  const parsed = parsePupilRecord(input, { file, location: where });
  if (!parsed.ok) {
    throw new InputError(`the pupil in ${where} is not a valid pupil record`, parsed.problems);
  }
  return parsed.record;
}

// ---------------------------------------------------------------------------------------------
// Expectations

function expectedOf(item: unknown, where: string, knownTriggers: ReadonlySet<string>): ExpectedTrigger {
  const raw: Obj = typeof item === 'string' ? { trigger: item } : checkKeys(item, EXPECT_KEYS, where);
  if (typeof raw.trigger !== 'string') throw new ScenarioError(`${where}: each expected trigger needs "trigger"`);
  if (!knownTriggers.has(raw.trigger)) {
    throw new ScenarioError(`${where}: no trigger "${raw.trigger}" in the rules; triggers: ${[...knownTriggers].join(', ')}`);
  }
  if (raw.explanation !== undefined && raw.explains !== undefined) throw new ScenarioError(`${where}: give "explanation" (exact) or "explains" (part of it), not both`);
  const e: ExpectedTrigger = { trigger: raw.trigger };
  if (raw.exclusionIds !== undefined) e.exclusionIds = asList(raw.exclusionIds).map(String);
  if (raw.dueDate !== undefined) e.dueDate = isNone(raw.dueDate) ? null : String(raw.dueDate);
  if (raw.grounds !== undefined) e.grounds = asList(raw.grounds).map(String);
  if (raw.version !== undefined) e.version = Number(raw.version);
  if (raw.explanation !== undefined) e.explanation = String(raw.explanation);
  if (raw.explains !== undefined) e.explains = asList(raw.explains).map(String);
  return e;
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().join('\u0000') === [...b].sort().join('\u0000');

function fits(e: ExpectedTrigger, a: Trigger): boolean {
  if (e.exclusionIds && !sameSet(e.exclusionIds, a.exclusionIds ?? [])) return false;
  if (e.dueDate !== undefined && (e.dueDate ?? undefined) !== a.dueDate) return false;
  if (e.grounds && !sameSet(e.grounds, a.grounds)) return false;
  if (e.version !== undefined && e.version !== a.ruleVersion) return false;
  if (e.explanation !== undefined && e.explanation !== a.explanation) return false;
  if (e.explains && !e.explains.every((part) => a.explanation.includes(part))) return false;
  return true;
}

/** True when every expected trigger can be paired with a different actual one. */
function pairUp(expected: readonly ExpectedTrigger[], actual: readonly Trigger[]): boolean {
  if (expected.length !== actual.length) return false;
  const used = new Array<boolean>(actual.length).fill(false);
  const place = (i: number): boolean => {
    if (i === expected.length) return true;
    for (let j = 0; j < actual.length; j++) {
      if (used[j] || !fits(expected[i]!, actual[j]!)) continue;
      used[j] = true;
      if (place(i + 1)) return true;
      used[j] = false;
    }
    return false;
  };
  return place(0);
}

function showExpected(e: ExpectedTrigger): string {
  const parts: string[] = [];
  if (e.exclusionIds) parts.push(`exclusions [${e.exclusionIds.join(', ')}]`);
  if (e.dueDate !== undefined) parts.push(`due ${e.dueDate ?? 'none'}`);
  if (e.grounds) parts.push(`grounds [${e.grounds.join(', ')}]`);
  if (e.version !== undefined) parts.push(`version ${e.version}`);
  if (e.explanation !== undefined) parts.push(`explanation "${e.explanation}"`);
  if (e.explains) parts.push(`explanation containing ${e.explains.map((p) => `"${p}"`).join(' and ')}`);
  return parts.join('; ') || '(any details)';
}

function showActual(t: Trigger): string {
  return [
    `exclusions [${(t.exclusionIds ?? []).join(', ')}]`,
    `due ${t.dueDate ?? 'none'}`,
    `grounds [${t.grounds.join(', ')}]`,
    `version ${t.ruleVersion}`,
    `explanation "${t.explanation}"`,
  ].join('; ');
}

/** Compares the triggers for every id the case mentions; returns a report of what differed, or ''. */
function compareTriggers(c: Obj, actual: readonly Trigger[], where: string, knownTriggers: ReadonlySet<string>): string {
  const expected = asList(c.expect).map((item, i) => expectedOf(item, `${where} expect[${i}]`, knownTriggers));
  const absent = asList(c.absent).map(String);
  for (const id of absent) {
    if (!knownTriggers.has(id)) throw new ScenarioError(`${where} absent: no trigger "${id}" in the rules; triggers: ${[...knownTriggers].join(', ')}`);
    if (expected.some((e) => e.trigger === id)) throw new ScenarioError(`${where}: "${id}" is both expected and listed as absent`);
  }
  const ids = [...new Set([...expected.map((e) => e.trigger), ...absent])];
  const report: string[] = [];
  for (const id of ids) {
    const want = expected.filter((e) => e.trigger === id);
    const got = actual.filter((t) => t.trigger === id);
    if (pairUp(want, got)) continue;
    report.push(
      `${id}: expected ${want.length}, found ${got.length}`,
      '  expected:',
      ...(want.length ? want.map((e) => `    - ${showExpected(e)}`) : ['    (none)']),
      '  actual:',
      ...(got.length ? got.map((t) => `    - ${showActual(t)}`) : ['    (none)']),
    );
  }
  if (report.length === 0) return '';
  const fired = actual.length ? actual.map((t) => `  - ${t.trigger} (${t.period}): ${showActual(t)}`) : ['  (nothing fired)'];
  return [...report, '', 'Everything that fired:', ...fired].join('\n');
}

function compareAssessment(spec: unknown, a: SuspensionAssessment, where: string): string[] {
  const want = checkKeys(spec, ASSESSMENT_KEYS, `${where} expectAssessment`);
  const diffs: string[] = [];
  const check = (field: string, expected: unknown, actual: unknown) => {
    if (expected !== actual) diffs.push(`${field}: expected ${String(expected ?? 'none')}, found ${String(actual ?? 'none')}`);
  };
  for (const field of ['allowed', 'daysLeft', 'schoolDays', 'yearTotalBefore', 'yearTotalAfter'] as const) {
    if (want[field] !== undefined) check(field, want[field], a[field]);
  }
  for (const field of ['sixthDay', 'returnDate', 'lastDate'] as const) {
    if (want[field] !== undefined) check(field, isNone(want[field]) ? undefined : String(want[field]), a[field]);
  }
  for (const part of asList(want.refusalIncludes).map(String)) {
    if (!a.refusal?.includes(part)) diffs.push(`refusal: expected it to contain "${part}", found ${a.refusal ? `"${a.refusal}"` : 'no refusal'}`);
  }
  return diffs;
}

// ---------------------------------------------------------------------------------------------
// Running a case

async function runCase(c: Obj, file: string, fileCalendar: unknown, fileRules: unknown): Promise<void> {
  const where = `${file}, case "${String(c.name)}"`;
  checkKeys(c, CASE_KEYS, where);
  const calendar = calendarOf(c.calendar ?? fileCalendar, where);
  // Trigger ids are checked against the built-in rules: overrides change values, not ids.
  const knownTriggers = new Set(defaultRulePack().rules.map((r) => r.trigger));

  const produce = async (reference = false): Promise<{ triggers: readonly Trigger[]; assessment?: SuspensionAssessment }> => {
    const evaluator = evaluatorOf(packOf(c.rules ?? fileRules, where), reference);
    const record = pupilOf(c, calendar, file, `case "${String(c.name)}"`);
    if (c.propose !== undefined) {
      if (!isObj(c.propose)) throw new ScenarioError(`${where}: "propose" should be a set of "field: value" lines`);
      const assessment = await assessProposedSuspension(record, c.propose as unknown as ProposedSuspension, calendar, { evaluator });
      return { triggers: assessment.triggers, assessment };
    }
    if (typeof c.asOf !== 'string') throw new ScenarioError(`${where}: needs "asOf", the date the rules are run on`);
    return { triggers: await evaluator.evaluate(record, calendar, c.asOf) };
  };

  if (c.expectError !== undefined) {
    let message: string | undefined;
    try {
      await produce();
    } catch (error) {
      if (error instanceof ScenarioError) throw error;
      const problems = error instanceof InputError ? error.problems.map(formatProblem) : [];
      message = [(error as Error).message, ...problems].join('\n');
    }
    if (message === undefined) expect.fail(`${where}: expected an error containing "${String(c.expectError)}", but the case ran without one`);
    for (const part of asList(c.expectError).map(String)) {
      expect(message, `${where}: the error should contain "${part}"`).toContain(part);
    }
    return;
  }

  const { triggers, assessment } = await produce();
  // The differential check: the compiled rules give exactly what json-rules-engine, the reference, gives.
  const reference = await produce(true);
  expect(triggers, `${where}: compiled rules and json-rules-engine differ`).toEqual(reference.triggers);
  expect(assessment, `${where}: the assessment differs between compiled rules and json-rules-engine`).toEqual(reference.assessment);
  const failures: string[] = [];
  if (c.expectAssessment !== undefined) {
    if (!assessment) throw new ScenarioError(`${where}: "expectAssessment" needs a "propose"`);
    const diffs = compareAssessment(c.expectAssessment, assessment, where);
    if (diffs.length) failures.push('The assessment of the proposal differs:', ...diffs.map((d) => `  - ${d}`), '');
  }
  const report = compareTriggers(c, triggers, where, knownTriggers);
  if (report) failures.push('The triggers differ from what the scenario expects:', '', report);
  if (failures.length) expect.fail(`${where}\n\n${failures.join('\n')}`);
}

// ---------------------------------------------------------------------------------------------
// One describe per file, one it per case

const files = readdirSync(DIR)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort();

describe('scenario files', () => {
  it('exist', () => {
    expect(files.length).toBeGreaterThan(0);
  });
});

for (const file of files) {
  let doc: Obj;
  let cases: Obj[] = [];
  let problem: string | undefined;
  try {
    doc = checkKeys(parse(readFileSync(new URL(file, DIR), 'utf8')), FILE_KEYS, file);
    if (typeof doc.title !== 'string') throw new ScenarioError(`${file}: needs a "title"`);
    if (!Array.isArray(doc.cases) || doc.cases.length === 0) throw new ScenarioError(`${file}: needs "cases", a list of cases`);
    const names = new Set<string>();
    cases = doc.cases.map((raw, i) => {
      if (!isObj(raw)) throw new ScenarioError(`${file}, case ${i + 1}: expected a set of "field: value" lines`);
      const c = raw;
      if (typeof c.name !== 'string' || !c.name.trim()) throw new ScenarioError(`${file}, case ${i + 1}: needs a "name"`);
      if (names.has(c.name)) throw new ScenarioError(`${file}: two cases are named "${c.name}"; names must differ`);
      names.add(c.name);
      return c;
    });
  } catch (error) {
    doc = { title: file };
    problem = (error as Error).message;
  }

  describe(String(doc.title), () => {
    if (problem !== undefined) {
      it(`${file} can be read`, () => {
        expect.fail(problem);
      });
      return;
    }
    for (const c of cases) {
      const name = String(c.name);
      if (c.knownIssue !== undefined && !RUN_KNOWN_ISSUES) {
        it.skip(`${name} [known issue: ${String(c.knownIssue).trim()}]`, () => runCase(c, file, doc.calendar, doc.rules));
      } else {
        it(name, () => runCase(c, file, doc.calendar, doc.rules));
      }
    }
  });
}
