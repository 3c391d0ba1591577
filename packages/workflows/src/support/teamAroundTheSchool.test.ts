/**
 * The weekly list for a school holds exactly the pupils the rules select (issue 16's proof): the
 * list teamAroundTheSchool() reads from a real store is compared with an independent evaluation —
 * json-rules-engine (the reference engine, not the compiled rules the product runs) over the
 * meeting's triggers on each stored record, and the support reviews due, the children in care
 * without a Boxall Profile and plan, and the panel cases open a year, worked out from what the test
 * itself wrote — over the fictional demo school and over stores fast-check generates.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addDays, bundledCalendar, defaultRulePack, InputError, parsePupilRecord, RulesEvaluator, type IsoDate, type PupilRecord } from '@before-exclusion/rules';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { SYSTEM } from '../access.js';
import type { CaseStore } from '../store/caseStore.js';
import { TATS_TRIGGERS, tatsListLines, teamAroundTheSchool, type TatsList } from './teamAroundTheSchool.js';
import { closeTestStores, DEMO_FILES, testStore } from '../testing.js';

afterEach(closeTestStores);

const reference = new RulesEvaluator(defaultRulePack(), { engine: 'reference' });
const calendar = bundledCalendar('2025/26');

/** pupil → reasons, as the list gives them. */
async function listed(store: CaseStore, week: IsoDate, schoolId?: string): Promise<Record<string, string[]>> {
  const officer = await store.staff.actorFor('officer');
  const list = await teamAroundTheSchool(store, officer, { week, ...(schoolId ? { schoolId } : {}) });
  return Object.fromEntries(list.entries.map((e) => [e.pupilId, [...new Set(e.reasons.map((r) => r.reason))].sort()]));
}

/** A record as the library reads it (defaults filled in). */
function recordOf(json: unknown): PupilRecord {
  const parsed = parsePupilRecord(json, { file: 'test', location: 'record' });
  if (!parsed.ok) throw new Error(`a test record does not parse: ${JSON.stringify(parsed.problems)}`);
  return parsed.record;
}

/** The meeting's rule triggers for each record on `week`, by json-rules-engine. */
async function ruleReasons(written: readonly unknown[], week: IsoDate): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  for (const record of written.map(recordOf)) {
    if (record.leftOn !== undefined && record.leftOn < week) continue;
    try {
      const fired = (await reference.evaluate(record, calendar, week)).map((t) => t.trigger).filter((t) => TATS_TRIGGERS.includes(t));
      if (fired.length) out.set(record.id, new Set(fired));
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
    }
  }
  return out;
}

const add = (m: Map<string, Set<string>>, pupilId: string, reason: string) => m.set(pupilId, (m.get(pupilId) ?? new Set()).add(reason));
const asRecord = (m: Map<string, Set<string>>) => Object.fromEntries([...m].map(([p, rs]) => [p, [...rs].sort()]));

describe('the weekly list holds exactly the pupils the rules select', () => {
  it('for the demo school, every Monday of the year to the demo date', async () => {
    const { store } = await testStore();
    await store.staff.upsertSchool({ id: 'DEMO-SCH', name: 'Demo Academy (fictional)' }, SYSTEM);
    await store.staff.upsert({ id: 'officer', displayName: 'Inclusion Officer', role: 'inclusion-officer', schoolIds: ['SCH-A', 'SCH-B', 'DEMO-SCH'] }, SYSTEM);
    await store.pupils.import(SYSTEM, DEMO_FILES);
    const records = readFileSync(DEMO_FILES.pupils, 'utf8').trim().split('\n').map((line) => recordOf(JSON.parse(line)));
    let listedAtAll = 0;
    for (let week = '2025-09-08'; week <= '2026-03-16'; week = addDays(week, 7)) {
      const expected = await ruleReasons(records, week);
      // No support plan is on record for the demo's pupils: every child in care lacks a Boxall Profile and plan.
      for (const r of records) if (r.lookedAfter && !(r.leftOn !== undefined && r.leftOn < week)) add(expected, r.id, 'looked-after.boxall-and-plan');
      expect(await listed(store, week, 'DEMO-SCH'), `the list of the week of ${week}`).toEqual(asRecord(expected));
      listedAtAll += expected.size;
    }
    // The comparison means something only if the weeks list pupils.
    expect(listedAtAll).toBeGreaterThan(20);
  });

  it('for generated schools: rule triggers, reviews due, children in care without a Boxall Profile and plan, panels open a year', async () => {
    const schoolDays = Array.from({ length: calendar.schoolDayCount }, (_, i) => calendar.schoolDayAt(i));
    const DAY = 86_400_000;
    /** A pupil, with their dates drawn near the meeting's week (school day `w`) so the list's edges are met often. */
    const pupil = (w: number) => fc.record({
      schoolId: fc.constantFrom('SCH-A', 'SCH-B'),
      lookedAfter: fc.boolean(),
      atRisk: fc.boolean(),
      anxious: fc.boolean(),
      // Days of suspension at earlier schools this year: near the 45-day limit now and then.
      priorDays: fc.oneof(fc.constant(0), fc.integer({ min: 30, max: 44 })),
      // Suspension starts as school-day positions, kept apart so no two overlap.
      suspensions: fc.uniqueArray(fc.integer({ min: 0, max: 120 }), { maxLength: 4 }).map((xs) => xs.sort((a, b) => a - b).filter((x, i, all) => i === 0 || x - all[i - 1]! >= 3)),
      // Days off in the first 60 school days (attendance recorded for them).
      absences: fc.uniqueArray(fc.integer({ min: 0, max: 59 }), { maxLength: 20 }),
      plan: fc.option(
        fc.record({
          boxall: fc.boolean(),
          agreed: fc.option(
            fc.record({
              review: fc.integer({ min: Math.max(2, w - 8), max: w + 8 }),
              next: fc.integer({ min: 1, max: 10 }),
              outcome: fc.constantFrom('none', 'continue', 'needs-met') as fc.Arbitrary<'none' | 'continue' | 'needs-met'>,
            }),
            { nil: undefined },
          ),
        }),
        { nil: undefined },
      ),
      // Noon in England's winter and summer alike falls on the same date in UTC; near the week's date a year before, or anywhere.
      panelOpened: fc.option(
        fc.oneof(
          fc.integer({ min: -4, max: 4 }).map((d) => new Date(Date.parse(`${Number(schoolDays[w]!.slice(0, 4)) - 1}${schoolDays[w]!.slice(4)}T12:00:00Z`) + d * DAY)),
          fc.integer({ min: 0, max: 540 }).map((d) => new Date(Date.parse('2024-09-01T12:00:00Z') + d * DAY)),
        ),
        { nil: undefined },
      ),
      referred: fc.boolean(),
    });
    const world = fc.integer({ min: 10, max: 170 }).chain((w) => fc.record({ pupils: fc.array(pupil(w), { minLength: 1, maxLength: 6 }), week: fc.constant(schoolDays[w]!) }));

    await fc.assert(
      fc.asyncProperty(world, async ({ pupils, week }) => {
        // Plans are recorded on the first school day, before every week the test lists.
        const clockAt = `${schoolDays[0]!}T16:00:00Z`;
        const t = await testStore({ now: () => new Date(clockAt) });
        const { store } = t;
        const records = pupils.map((p, i) => ({
          format: 'pupil-record/1',
          id: `G${i + 1}`,
          schoolId: p.schoolId,
          ...(p.lookedAfter ? { lookedAfter: true } : {}),
          ...(p.atRisk ? { atRiskOfPermanentExclusion: true } : {}),
          ...(p.anxious ? { ebsnaIndicators: ['anxiety'] } : {}),
          ...(p.priorDays ? { priorSchoolSuspensionDays: p.priorDays } : {}),
          exclusions: p.suspensions.map((x, j) => ({ id: `G${i + 1}-X${j + 1}`, category: 'FIXD', startDate: schoolDays[x]!, sessions: 2, reasons: ['DB'] })),
          attendance: schoolDays.slice(0, 60).map((date, d) => (p.absences.includes(d) ? { date, am: 'N', pm: 'N' } : { date, am: '/', pm: '\\' })),
        }));
        const dir = mkdtempSync(join(tmpdir(), 'tats-'));
        writeFileSync(join(dir, 'pupils.ndjson'), records.map((r) => JSON.stringify(r)).join('\n'));
        await store.pupils.import(SYSTEM, { pupils: join(dir, 'pupils.ndjson'), calendar: DEMO_FILES.calendar });

        // What the test writes, it also knows: the expectation comes from here, not from reading the list's inputs back.
        // Each fact is kept with its date, so the list can be expected on this week and on last week alike.
        const facts: ((on: IsoDate, expected: Map<string, Set<string>>) => void)[] = [];
        for (const [i, p] of pupils.entries()) {
          const pupilId = `G${i + 1}`;
          const head = await store.staff.actorFor(p.schoolId === 'SCH-A' ? 'head-a' : 'head-b');
          // The day the pupil had a Boxall Profile and a plan on the record, if they did.
          const boxallBy = p.plan?.boxall && p.plan.agreed ? schoolDays[0]! : undefined;
          if (p.plan) {
            const { case: plan } = await store.cases.open(head, { kind: 'support-plan', schoolId: p.schoolId, pupilId, input: { pupilId, schoolId: p.schoolId } });
            const events: Record<string, unknown>[] = [{ type: 'ASSESS', assessedOn: schoolDays[0]! }];
            if (p.plan.boxall) events.push({ type: 'RECORD_MEASURE', measure: 'boxall', stage: 'baseline', takenOn: schoolDays[0]!, developmentalStrands: 60, diagnosticProfile: 50 });
            // The review due on a date: the first until the review is held on it, then the next (continue) or none (needs met).
            let dueOn = (_on: IsoDate): IsoDate | undefined => undefined;
            let reviewed: Record<string, unknown> | undefined;
            if (p.plan.agreed) {
              const { review, next, outcome } = p.plan.agreed;
              const reviewDue = schoolDays[review]!;
              events.push({ type: 'AGREE_PLAN', intervention: 'mentoring', provider: 'School', startDate: schoolDays[1]!, reviewDue });
              if (outcome === 'continue') reviewed = { type: 'HOLD_REVIEW', heldOn: reviewDue, outcome: 'continue', nextReviewDue: schoolDays[review + next]! };
              else if (outcome === 'needs-met') reviewed = { type: 'HOLD_REVIEW', heldOn: reviewDue, outcome: 'needs-met' };
              dueOn = (on) => (outcome === 'none' || reviewDue > on ? reviewDue : outcome === 'continue' ? schoolDays[review + next]! : undefined);
            }
            await store.cases.sendUnchecked(head, plan.id, events as never);
            // The review is recorded on the day it is held (never before), then the clock goes back.
            if (reviewed) {
              t.setNow(`${String(reviewed.heldOn)}T16:00:00Z`);
              await store.cases.sendUnchecked(head, plan.id, [reviewed] as never);
              t.setNow(clockAt);
            }
            facts.push((on, expected) => {
              const due = dueOn(on);
              if (due !== undefined && due <= addDays(on, 6)) add(expected, pupilId, 'support-plan.review-due');
            });
          }
          if (p.lookedAfter) {
            facts.push((on, expected) => {
              if (boxallBy === undefined || boxallBy > on) add(expected, pupilId, 'looked-after.boxall-and-plan');
            });
          }
          if (p.panelOpened) {
            t.setNow(p.panelOpened.toISOString());
            await store.cases.open(head, { kind: 'ebsna', schoolId: p.schoolId, pupilId, input: { pupilId, schoolId: p.schoolId, referredBy: head.id, attendanceAtReferral: 80, indicators: ['anxiety'] } });
            if (p.referred) await store.cases.open(head, { kind: 'nurture-outreach', schoolId: p.schoolId, pupilId, input: { pupilId, schoolId: p.schoolId, route: 'panel-open-a-year', referredOn: schoolDays[0]! } });
            t.setNow(clockAt);
            // A year or more: on or after the first anniversary of the day it opened (29 Feb's is 1 Mar).
            const o = p.panelOpened;
            const anniversary = new Date(Date.UTC(o.getUTCFullYear() + 1, o.getUTCMonth(), o.getUTCDate())).toISOString().slice(0, 10);
            const referredOn = p.referred ? schoolDays[0]! : undefined;
            facts.push((on, expected) => {
              if ((referredOn === undefined || referredOn > on) && on >= anniversary) add(expected, pupilId, 'nurture-outreach.referral-suggested');
            });
          }
        }
        const expectedOn = async (on: IsoDate) => {
          const expected = await ruleReasons(records, on);
          for (const fact of facts) fact(on, expected);
          return asRecord(expected);
        };
        const expected = await expectedOn(week);
        const lastWeek = await expectedOn(addDays(week, -7));
        const officer = await store.staff.actorFor('officer');
        const list = await teamAroundTheSchool(store, officer, { week });
        expect(Object.fromEntries(list.entries.map((e) => [e.pupilId, [...new Set(e.reasons.map((r) => r.reason))].sort()])), `the list of the week of ${week}`).toEqual(expected);
        // Off the list this week: on last week's, with last week's reasons.
        expect(Object.fromEntries(list.steppedOff.map((s) => [s.pupilId, [...s.reasons].sort()])), `off the list in the week of ${week}`).toEqual(
          Object.fromEntries(Object.entries(lastWeek).filter(([pupilId]) => !(pupilId in expected))),
        );
        await store.close();
      }),
      { numRuns: 25 },
    );
  });
});

describe('what changed since last week reads the cases as they stood last week', () => {
  /** The demo school in a store whose clock the test sets, with its headteacher. */
  async function demo() {
    const t = await testStore({ now: () => new Date('2026-02-02T09:00:00Z') });
    await t.store.staff.upsertSchool({ id: 'DEMO-SCH', name: 'Demo Academy (fictional)' }, SYSTEM);
    await t.store.staff.upsert({ id: 'officer', displayName: 'Inclusion Officer', role: 'inclusion-officer', schoolIds: ['SCH-A', 'SCH-B', 'DEMO-SCH'] }, SYSTEM);
    await t.store.staff.upsert({ id: 'head-d', displayName: 'Head D', role: 'headteacher', schoolIds: ['DEMO-SCH'] }, SYSTEM);
    await t.store.pupils.import(SYSTEM, DEMO_FILES);
    const head = await t.store.staff.actorFor('head-d');
    const officer = await t.store.staff.actorFor('officer');
    const list = (week: IsoDate) => teamAroundTheSchool(t.store, officer, { week, schoolId: 'DEMO-SCH' });
    const openPlan = async (pupilId: string) => (await t.store.cases.open(head, { kind: 'support-plan', schoolId: 'DEMO-SCH', pupilId, input: { pupilId, schoolId: 'DEMO-SCH' } })).case;
    return { ...t, head, list, openPlan };
  }
  const reasonsOf = (list: TatsList, pupilId: string) => list.entries.find((e) => e.pupilId === pupilId)?.reasons.map((r) => r.reason);

  it('a pupil listed for a support plan review due last week is off the list once the review is held, with last week’s reason', async () => {
    const { store, setNow, head, list, openPlan } = await demo();
    const plan = await openPlan('DEMO-004');
    await store.cases.sendUnchecked(head, plan.id, [
      { type: 'ASSESS', assessedOn: '2026-02-02' },
      { type: 'AGREE_PLAN', intervention: 'mentoring', provider: 'School', startDate: '2026-02-02', reviewDue: '2026-03-18' },
    ] as never);
    const before = await list('2026-03-16');
    expect(reasonsOf(before, 'DEMO-004')).toEqual(['support-plan.review-due']);

    setNow('2026-03-18T15:00:00Z');
    await store.cases.sendUnchecked(head, plan.id, [{ type: 'HOLD_REVIEW', heldOn: '2026-03-18', outcome: 'continue', nextReviewDue: '2026-05-06' }] as never);
    const after = await list('2026-03-23');
    expect(reasonsOf(after, 'DEMO-004')).toBeUndefined();
    expect(after.steppedOff.filter((s) => s.pupilId === 'DEMO-004')).toEqual([{ pupilId: 'DEMO-004', schoolId: 'DEMO-SCH', reasons: ['support-plan.review-due'] }]);
    expect(tatsListLines(after)).toContain('DEMO-SCH DEMO-004 [OFF THE LIST] — last week: support-plan.review-due');
    // The week of 16 March, rebuilt after the review, is the list the meeting saw.
    expect(await list('2026-03-16')).toEqual(before);
  });

  it('a child in care who gets a Boxall Profile and plan this week is off the list, with last week’s reason', async () => {
    const { store, setNow, head, list, openPlan } = await demo();
    const lastWeek = await list('2026-03-09');
    expect(reasonsOf(lastWeek, 'DEMO-006')).toEqual(['looked-after.boxall-and-plan']);
    setNow('2026-03-11T10:00:00Z');
    const plan = await openPlan('DEMO-006');
    await store.cases.sendUnchecked(head, plan.id, [
      { type: 'ASSESS', assessedOn: '2026-03-11' },
      { type: 'RECORD_MEASURE', measure: 'boxall', stage: 'baseline', takenOn: '2026-03-11', developmentalStrands: 60, diagnosticProfile: 50 },
      { type: 'AGREE_PLAN', intervention: 'boxall-plan', provider: 'School', startDate: '2026-03-11', reviewDue: '2026-04-22' },
    ] as never);
    const now = await list('2026-03-16');
    expect(reasonsOf(now, 'DEMO-006')).toBeUndefined();
    expect(now.steppedOff.filter((s) => s.pupilId === 'DEMO-006')).toEqual([{ pupilId: 'DEMO-006', schoolId: 'DEMO-SCH', reasons: ['looked-after.boxall-and-plan'] }]);
    // Last week's list, rebuilt now, still names the missing Boxall Profile and plan.
    expect(await list('2026-03-09')).toEqual(lastWeek);
  });
});
