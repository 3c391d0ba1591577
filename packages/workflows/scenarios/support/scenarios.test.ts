/**
 * Runs the support scenario files in this folder (*.yaml): one `describe` per file, one `it` per
 * case and backend. Each case is replayed through a real case store — pupils and calendars
 * imported, cases opened and moved by the product's own functions (openByHand, sendUnchecked,
 * giveNurturePlace), deadlines fired by the scheduler as the days pass — and checked against what
 * the file expects on each date: the weekly list, the nurture caseload, a support plan's review.
 * The format is in README.md; a file that does not follow it fails naming the file, line and field.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isIsoDate } from '@before-exclusion/rules';
import { afterEach, describe, expect, it } from 'vitest';
import { isMap, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { SYSTEM, type Actor } from '../../src/access.js';
import type { CaseView } from '../../src/cases/caseService.js';
import { CASE_KINDS, type CaseKind } from '../../src/machines/caseDefinition.js';
import { giveNurturePlace, nurtureCaseload } from '../../src/support/nurtureCaseload.js';
import { openByHand } from '../../src/cases/openByHand.js';
import type { CaseStore } from '../../src/store/caseStore.js';
import { teamAroundTheSchool } from '../../src/support/teamAroundTheSchool.js';
import { BACKENDS, closeTestStores, testStore } from '../../src/testing.js';

const DIR = new URL('./', import.meta.url);
const require = createRequire(import.meta.url);
afterEach(closeTestStores);

// ---------------------------------------------------------------------------------------------
// The format, checked with zod: every field named, every unknown field refused.

const date = z.string({ error: 'expected a date written YYYY-MM-DD' }).refine(isIsoDate, { message: 'expected a date written YYYY-MM-DD' });
/** "P1", or a range "N01..N30" (the same letters, numbers counted with their zeros). */
const pupils = z.string().regex(/^[A-Za-z0-9-]+(\.\.[A-Za-z0-9-]+)?$/, 'expected a pupil id, or a range such as N01..N30');
const kind = z.enum(CASE_KINDS, { error: `expected a kind of case: ${CASE_KINDS.join(', ')}` });
const calendarName = z.string().regex(/^england-\d{4}-\d{2}$/, 'expected a bundled calendar such as england-2025-26');

const pupilSpec = z.looseObject({ id: pupils, schoolId: z.enum(['SCH-A', 'SCH-B'], { error: 'expected schoolId SCH-A or SCH-B (the test store’s schools)' }).default('SCH-A') });

const reasonSpec = z.union([z.string(), z.strictObject({ reason: z.string(), says: z.string() })], { error: 'expected a reason id, or { reason, says: words its detail must contain }' });
const expectSpec = z
  .strictObject({
    /** The weekly list on the step's date: exactly these pupils, each with exactly these reasons. */
    weeklyList: z.record(z.string(), z.array(reasonSpec)).optional(),
    school: z.enum(['SCH-A', 'SCH-B']).optional(),
    caseload: z
      .strictObject({
        placesTaken: z.number().int().min(0).optional(),
        active: z.array(z.string()).optional(),
        /** In order: the first is at position 1. */
        waiting: z.array(z.string()).optional(),
        awaitingConsent: z.array(z.string()).optional(),
      })
      .optional(),
    review: z
      .strictObject({
        pupil: z.string(),
        /** The plan's next review date, which its deadline must share; none when no review is pending. */
        due: z.union([date, z.literal('none')]),
        deadline: z.enum(['pending', 'fired', 'cancelled', 'none']).optional(),
        /** Whether the head has been reminded (a remind-deadline message queued for the case). */
        reminded: z.boolean().optional(),
      })
      .optional(),
  })
  .refine((e) => e.weeklyList || e.caseload || e.review, { message: 'expect needs weeklyList, caseload or review' });

const stepSpec = z
  .strictObject({
    on: date,
    about: z.string().optional(),
    pupil: pupils.optional(),
    as: z.string().optional(),
    /** Which of the pupil's open cases a send or place goes to, when the pupil has several. */
    case: kind.optional(),
    open: kind.optional(),
    send: z.string().regex(/^[A-Z_]+$/, 'expected an event name such as AGREE_PLAN').optional(),
    place: z.strictObject({ startedOn: date, followUpDue: date }).optional(),
    data: z.record(z.string(), z.unknown()).optional(),
    /** The step must be refused with these words, and nothing saved. */
    refused: z.string().optional(),
    expect: expectSpec.optional(),
  })
  .refine((s) => [s.open, s.send, s.place, s.expect].filter((x) => x !== undefined).length === 1, { message: 'each step does one thing: open, send, place or expect' })
  .refine((s) => s.expect !== undefined || s.pupil !== undefined, { message: 'open, send and place need a pupil', path: ['pupil'] });

const caseSpec = z.strictObject({
  name: z.string().min(1),
  /** The seed line (or guidance) the case encodes: required, so every expectation is traceable. */
  source: z.string().min(10, 'cite the seed line the case encodes, e.g. "seed 001 line 44: …"'),
  about: z.string().optional(),
  calendar: z.union([calendarName, z.array(calendarName).min(1)]).optional(),
  capacity: z.number().int().min(1).optional(),
  pupils: z.array(pupilSpec).min(1),
  steps: z.array(stepSpec).min(1),
});

const fileSpec = z.strictObject({
  title: z.string().min(1),
  about: z.string().optional(),
  calendar: z.union([calendarName, z.array(calendarName).min(1)]).optional(),
  cases: z.array(caseSpec).min(1),
});

type Scenario = z.output<typeof caseSpec>;
type Step = z.output<typeof stepSpec>;
type Expectation = z.output<typeof expectSpec>;

/** A mistake in a scenario file itself: its file, line and field. */
class ScenarioError extends Error {}

/** Reads a scenario file, or throws a ScenarioError naming the file, the line and the field of each problem. */
function readScenarioFile(file: string, text: string): z.output<typeof fileSpec> {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  if (doc.errors.length > 0) {
    throw new ScenarioError(doc.errors.map((e) => `${file} line ${e.linePos?.[0].line ?? '?'}: ${e.message.split('\n')[0]}`).join('\n'));
  }
  const parsed = fileSpec.safeParse(doc.toJS());
  if (!parsed.success) {
    throw new ScenarioError(parsed.error.issues.map((i) => `${file}${lineOf(doc, lines, i.path)}, ${fieldName(i.path)}: ${i.message}`).join('\n'));
  }
  const names = new Set<string>();
  for (const c of parsed.data.cases) {
    if (names.has(c.name)) throw new ScenarioError(`${file}: two cases are named "${c.name}"; names must differ`);
    names.add(c.name);
  }
  return parsed.data;
}

/** " line N" of the deepest node the path reaches in the YAML. */
function lineOf(doc: Document, lines: LineCounter, path: readonly PropertyKey[]): string {
  let node: unknown = doc.contents;
  let offset: number | undefined = (node as { range?: number[] } | null)?.range?.[0];
  for (const key of path) {
    if (isMap(node)) node = node.get(key as string, true);
    else if (isSeq(node)) node = node.get(Number(key), true);
    else break;
    const at = (node as { range?: number[] } | undefined)?.range?.[0];
    if (at === undefined) break;
    offset = at;
  }
  return offset === undefined ? '' : ` line ${lines.linePos(offset).line}`;
}

/** cases[2].steps[0].place.followUpDue */
function fieldName(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : `${out}${out ? '.' : ''}${String(key)}`), '') || 'the file';
}

/** "N01..N03" → N01, N02, N03; "P1" → P1. */
function expandPupils(ids: string): string[] {
  const [from, to] = ids.split('..');
  if (to === undefined) return [ids];
  const a = /^(.*?)(\d+)$/.exec(from ?? '');
  const b = /^(.*?)(\d+)$/.exec(to);
  if (!a || !b || a[1] !== b[1] || Number(a[2]) > Number(b[2])) throw new ScenarioError(`"${ids}": a range runs from a lower to a higher number with the same letters, e.g. N01..N30`);
  const width = a[2]!.length;
  return Array.from({ length: Number(b[2]) - Number(a[2]) + 1 }, (_, i) => `${a[1]}${String(Number(a[2]) + i).padStart(width, '0')}`);
}

// ---------------------------------------------------------------------------------------------
// Replaying a case through a real store

const HEADS: Readonly<Record<string, string>> = { 'SCH-A': 'head-a', 'SCH-B': 'head-b' };

async function importPupils(store: CaseStore, scenario: Scenario, calendars: readonly string[]): Promise<Map<string, string>> {
  const dir = mkdtempSync(join(tmpdir(), 'support-scenario-'));
  const schoolOf = new Map<string, string>();
  const records = scenario.pupils.flatMap(({ id, ...rest }) =>
    expandPupils(id).map((pupilId) => {
      const exclusions = Array.isArray(rest.exclusions) ? rest.exclusions.map((e: Record<string, unknown>) => ({ reasons: ['DB'], ...e })) : undefined;
      schoolOf.set(pupilId, rest.schoolId);
      return { ...rest, id: pupilId, ...(exclusions ? { exclusions } : {}) };
    }),
  );
  const file = (name: string, lines: readonly object[]) => {
    const path = join(dir, name);
    writeFileSync(path, lines.map((l) => JSON.stringify(l)).join('\n'));
    return path;
  };
  const calendarFile = (name: string) => require.resolve(`@before-exclusion/rules/data/calendars/${name}.example.json`);
  // Later years' calendars first, with bare records; the first calendar last, with the records as written.
  for (const name of calendars.slice(1)) await store.pupils.import(SYSTEM, { pupils: file(`${name}.ndjson`, records.map((r) => ({ id: r.id, schoolId: r.schoolId }))), calendar: calendarFile(name) });
  await store.pupils.import(SYSTEM, { pupils: file('pupils.ndjson', records), calendar: calendarFile(calendars[0]!) });
  return schoolOf;
}

async function replay(store: CaseStore, setNow: (iso: string) => void, scenario: Scenario, fileCalendar: string | readonly string[] | undefined): Promise<void> {
  const calendars = [scenario.calendar ?? fileCalendar ?? 'england-2025-26'].flat();
  setNow(`${scenario.steps[0]!.on}T08:00:00Z`);
  const schoolOf = await importPupils(store, scenario, calendars);
  const officer = await store.staff.actorFor('officer');
  let today = scenario.steps[0]!.on;
  let actions = 0;

  for (const [i, step] of scenario.steps.entries()) {
    const where = `step ${i + 1} (${step.on}${step.about ? `: ${step.about}` : ''})`;
    if (step.on < today) throw new ScenarioError(`${where}: steps run in date order; this one goes back before ${today}`);
    today = step.on;
    // The day begins: the scheduler fires what has come due, as the service does.
    setNow(`${step.on}T09:00:00Z`);
    await store.fireDueDeadlines(new Date(`${step.on}T09:00:00Z`));
    if (step.expect) {
      await check(store, step.expect, step.on, officer, where);
      continue;
    }
    for (const pupilId of expandPupils(step.pupil ?? '')) {
      const school = schoolOf.get(pupilId);
      if (!school) throw new ScenarioError(`${where}: pupil ${pupilId} is not among the case's pupils`);
      const actor = await store.staff.actorFor(step.as ?? HEADS[school]!);
      // One thing after another, a second apart: what is written first was done first (the waiting list's tie-break).
      setNow(new Date(Date.parse(`${step.on}T09:00:00Z`) + ++actions * 1000).toISOString());
      const target = step.open ? undefined : await caseOf(store, pupilId, step, where);
      const act = async () => {
        if (step.open) return (await openByHand(store, actor, step.open, pupilId, step.on, step.data ?? {})).case;
        if (step.place) return giveNurturePlace(store, actor, target!.id, step.place);
        return store.cases.sendUnchecked(actor, target!.id, [{ type: step.send!, ...step.data }]);
      };
      if (step.refused === undefined) {
        await act().catch((error: unknown) => expect.fail(`${where}: ${pupilId}'s step was refused: ${(error as Error).message}`));
        continue;
      }
      const error = await act().then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(error, `${where}: ${pupilId}'s step should be refused with "${step.refused}"`).toBeDefined();
      expect(error!.message, `${where}: the refusal`).toContain(step.refused);
      // Nothing refused is kept.
      if (target) expect((await store.cases.get(SYSTEM, target.id)).revision, `${where}: the refused step changed the case`).toBe(target.revision);
    }
  }
}

/** Runs a case with its nurture outreach capacity, through the documented setting (NURTURE_OUTREACH_CAPACITY, read as places are given). */
async function withCapacity<T>(capacity: number | undefined, run: () => Promise<T>): Promise<T> {
  const before = process.env.NURTURE_OUTREACH_CAPACITY;
  if (capacity === undefined) delete process.env.NURTURE_OUTREACH_CAPACITY;
  else process.env.NURTURE_OUTREACH_CAPACITY = String(capacity);
  try {
    return await run();
  } finally {
    if (before === undefined) delete process.env.NURTURE_OUTREACH_CAPACITY;
    else process.env.NURTURE_OUTREACH_CAPACITY = before;
  }
}

/** The pupil's open case the step addresses: of `case:`'s kind, else their only open case. */
async function caseOf(store: CaseStore, pupilId: string, step: Step, where: string): Promise<CaseView> {
  const open = (await store.cases.list(SYSTEM, { pupilId, status: 'active' })).filter((v) => !step.case || v.kind === step.case);
  if (open.length === 1) return open[0]!;
  throw new ScenarioError(`${where}: pupil ${pupilId} has ${open.length} open ${step.case ?? ''} case(s) (${open.map((v) => v.kind).join(', ') || 'none'}); say which with "case: <kind>"`);
}

async function check(store: CaseStore, e: Expectation, on: string, officer: Actor, where: string): Promise<void> {
  if (e.weeklyList) {
    const list = await teamAroundTheSchool(store, officer, { week: on, ...(e.school ? { schoolId: e.school } : {}) });
    const actual = Object.fromEntries(list.entries.map((x) => [x.pupilId, x.reasons.map((r) => r.reason).sort()]));
    const expected = Object.fromEntries(Object.entries(e.weeklyList).map(([p, rs]) => [p, rs.map((r) => (typeof r === 'string' ? r : r.reason)).sort()]));
    expect(actual, `${where}: the weekly list (pupil → reasons)`).toEqual(expected);
    for (const [pupilId, rs] of Object.entries(e.weeklyList)) {
      for (const r of rs) {
        if (typeof r === 'string') continue;
        const details = list.entries.find((x) => x.pupilId === pupilId)?.reasons.filter((x) => x.reason === r.reason).map((x) => x.detail) ?? [];
        expect(details.join(' | '), `${where}: ${pupilId}'s ${r.reason} on the weekly list`).toContain(r.says);
      }
    }
  }
  if (e.caseload) {
    const load = await nurtureCaseload(store, officer);
    const want = e.caseload;
    if (want.placesTaken !== undefined) expect(load.placesTaken, `${where}: places taken`).toBe(want.placesTaken);
    if (want.active) expect(load.active.map((a) => a.pupilId).sort(), `${where}: the children with a place`).toEqual([...want.active].flatMap(expandPupils).sort());
    if (want.waiting) expect(load.waiting.map((w) => [w.position, w.pupilId]), `${where}: the waiting list (position, pupil)`).toEqual(want.waiting.flatMap(expandPupils).map((p, i) => [i + 1, p]));
    if (want.awaitingConsent) expect(load.awaitingConsent.map((a) => a.pupilId).sort(), `${where}: awaiting consent`).toEqual(want.awaitingConsent.flatMap(expandPupils).sort());
  }
  if (e.review) {
    const want = e.review;
    const plans = (await store.cases.list(SYSTEM, { pupilId: want.pupil })).filter((v): v is CaseView<'support-plan'> => v.kind === 'support-plan');
    // The pupil's latest plan (the list runs newest activity first, not newest opened).
    const plan = plans.sort((a, b) => a.openedAt.localeCompare(b.openedAt)).at(-1);
    if (!plan) throw new ScenarioError(`${where}: pupil ${want.pupil} has no support plan case`);
    const pending = plan.status === 'active' ? plan.context.nextReviewDue : undefined;
    expect(pending ?? 'none', `${where}: ${want.pupil}'s next review`).toBe(want.due);
    const deadline = plan.deadlines.find((d) => d.key === 'review');
    if (want.due !== 'none') expect(deadline?.dueDate, `${where}: the review's deadline falls due on the review date`).toBe(want.due);
    if (want.deadline) expect(deadline?.status ?? 'none', `${where}: the review's deadline`).toBe(want.deadline);
    if (want.reminded !== undefined) {
      const reminders = (await store.outbox.entries({ kind: 'remind-deadline' })).filter((m) => m.caseId === plan.id);
      expect(reminders.length > 0, `${where}: ${want.pupil}'s head reminded of the review`).toBe(want.reminded);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// One describe per file, one it per case and backend

const files = readdirSync(DIR)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort();

describe('support scenario files', () => {
  it('exist', () => expect(files.length).toBeGreaterThan(0));
});

describe('a scenario file that does not follow the format is refused, naming the file, the line and the field', () => {
  const good = ['title: T', 'cases:', '  - name: N', "    source: 'seed 001 line 44: capacity'", '    pupils: [{ id: P1 }]', '    steps:'];
  const refusal = (text: string) => {
    try {
      readScenarioFile('bad.yaml', text);
    } catch (error) {
      expect(error).toBeInstanceOf(ScenarioError);
      return (error as Error).message;
    }
    return expect.fail('the file was accepted');
  };
  it('a date that is not a date', () => {
    expect(refusal([...good, '      - { on: 2025-02-30, pupil: P1, open: support-plan }'].join('\n'))).toBe('bad.yaml line 7, cases[0].steps[0].on: expected a date written YYYY-MM-DD');
  });
  it('a misspelt field, with the fields accepted', () => {
    expect(refusal([...good, '      - on: 2025-09-08', '        expect: { caseload: { placesTaken: 1, wating: [P1] } }'].join('\n'))).toBe(
      'bad.yaml line 8, cases[0].steps[0].expect.caseload: Unrecognized key: "wating"',
    );
  });
  it('a kind of case that does not exist, and a case with no source', () => {
    const message = refusal([...good.filter((l) => !l.includes('source')), '      - { on: 2025-09-08, pupil: P1, open: support }'].join('\n'));
    expect(message).toContain('bad.yaml line 3, cases[0].source: ');
    expect(message).toContain('bad.yaml line 6, cases[0].steps[0].open: expected a kind of case: peap, suspension');
  });
  it('a step doing two things, and text that is not YAML', () => {
    expect(refusal([...good, '      - { on: 2025-09-08, pupil: P1, open: support-plan, send: ASSESS }'].join('\n'))).toBe('bad.yaml line 7, cases[0].steps[0]: each step does one thing: open, send, place or expect');
    expect(refusal('title: T\ncases: [ { name: N\n')).toMatch(/^bad\.yaml line \d+: /);
  });
  it('a range of pupils that runs backwards', () => {
    expect(() => expandPupils('N30..N01')).toThrow('"N30..N01": a range runs from a lower to a higher number with the same letters, e.g. N01..N30');
    expect(expandPupils('N08..N10')).toEqual(['N08', 'N09', 'N10']);
  });
});

for (const file of files) {
  let doc: z.output<typeof fileSpec> | undefined;
  let problem: string | undefined;
  try {
    doc = readScenarioFile(file, readFileSync(new URL(file, DIR), 'utf8'));
  } catch (error) {
    problem = (error as Error).message;
  }
  describe(doc?.title ?? file, () => {
    if (!doc) {
      it(`${file} can be read`, () => expect.fail(problem));
      return;
    }
    for (const scenario of doc.cases) {
      for (const backend of BACKENDS) {
        it(`${scenario.name} [${backend}]`, async () => {
          await withCapacity(scenario.capacity, async () => {
            const t = await testStore({ backend });
            await replay(t.store, t.setNow, scenario, doc.calendar);
          });
        });
      }
    }
  });
}
