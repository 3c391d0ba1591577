/**
 * The inclusion officer's figures on a hand-checked cohort (reportCohort.fixture.ts): rates per
 * 100 on roll, each group beside the rest of the cohort, quarters and terms (each school's own),
 * leavers counted by the dates of their exclusions and on the rolls of the periods they were on
 * roll in, days lost, and a published table from which no withheld figure can be worked out —
 * on every backend.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SYSTEM } from '../access.js';
import { cohortFiles } from './reportCohort.fixture.js';
import { buildReport, keyStage, reportToCsv, type Report, type ReportOptions, type ReportRow } from './reports.js';
import type { CaseStore } from '../store/caseStore.js';
import { BACKENDS, closeTestStores, testStore } from '../testing.js';

afterEach(closeTestStores);

const keyOf = (r: Pick<ReportRow, 'school' | 'measure' | 'breakdown' | 'category'>) => `${r.school}|${r.measure}|${r.breakdown}|${r.category}`;

/** A row of the report, which must be there. */
function row(report: Report, school: string, measure: string, breakdown: string, category: string): ReportRow {
  const found = report.rows.find((r) => keyOf(r) === keyOf({ school, measure, breakdown, category }));
  if (!found) throw new Error(`no row ${school} ${measure} ${breakdown} ${category}`);
  return found;
}
const value = (report: Report, school: string, measure: string, breakdown = 'total', category = 'all') => row(report, school, measure, breakdown, category).value;

/** Breakdowns into groups of pupils, and the case measures' outcomes: each adds up to its total. */
const ADDING_UP = ['sex', 'key-stage', 'year-group', 'send', 'fsm', 'looked-after', 'ethnicity', 'outcome'];

/**
 * How a reader can add the published figures up, stated here independently of the code under
 * test: a total is the sum of each breakdown into groups; a key stage, of its year groups; all
 * schools', of each school's; the timeliness of all duties, of each duty's.
 */
function relations(rows: readonly ReportRow[]): { whole: string; parts: string[]; counts: boolean }[] {
  const out: { whole: string; parts: string[]; counts: boolean }[] = [];
  const tables = new Set(rows.map((r) => `${r.school}|${r.measure}`));
  for (const table of tables) {
    const [school, measure] = table.split('|') as [string, string];
    const inTable = rows.filter((r) => r.school === school && r.measure === measure);
    const counts = measure !== 'suspension-days-lost';
    for (const breakdown of ADDING_UP) {
      const parts = inTable.filter((r) => r.breakdown === breakdown).map(keyOf);
      if (parts.length) out.push({ whole: `${table}|total|all`, parts, counts });
    }
    for (const stage of inTable.filter((r) => r.breakdown === 'key-stage')) {
      const years = inTable.filter((r) => r.breakdown === 'year-group' && keyStage(r.category === 'reception' ? 0 : r.category === 'unknown' ? undefined : Number(r.category.slice(5))) === stage.category);
      out.push({ whole: keyOf(stage), parts: years.map(keyOf), counts });
    }
    if (measure === 'statutory-duties') {
      for (const whole of inTable.filter((r) => r.breakdown === 'timeliness')) {
        out.push({ whole: keyOf(whole), parts: inTable.filter((r) => r.breakdown !== 'timeliness' && r.category === whole.category).map(keyOf), counts });
      }
    }
  }
  const cells = new Set(rows.map((r) => `${r.measure}|${r.breakdown}|${r.category}`));
  const schools = [...new Set(rows.map((r) => r.school))].filter((s) => s !== 'all');
  for (const cell of cells) {
    out.push({ whole: `all|${cell}`, parts: schools.map((s) => `${s}|${cell}`), counts: !cell.startsWith('suspension-days-lost') });
  }
  return out;
}

/**
 * Every withheld figure a reader can work out from the published table: a whole less its shown
 * parts, or a part from its whole less the others, again and again as each answer helps with the
 * next. A figure not in the table is a zero.
 */
function workedOut(published: readonly ReportRow[]): Map<string, number> {
  const known = new Map<string, number>();
  const hidden = new Set<string>();
  for (const r of published) {
    if (r.value === null) hidden.add(keyOf(r));
    else known.set(keyOf(r), r.value);
  }
  const valueOf = (k: string) => (hidden.has(k) ? undefined : (known.get(k) ?? 0));
  const found = new Map<string, number>();
  for (let changed = true; changed; ) {
    changed = false;
    for (const { whole, parts } of relations(published)) {
      const unknown = [whole, ...parts].filter((k) => valueOf(k) === undefined);
      if (unknown.length !== 1) continue;
      const target = unknown[0]!;
      const sumOfParts = parts.filter((p) => p !== target).reduce((n, p) => n + valueOf(p)!, 0);
      const solved = target === whole ? sumOfParts : valueOf(whole)! - sumOfParts;
      found.set(target, solved);
      hidden.delete(target);
      known.set(target, solved);
      changed = true;
    }
  }
  return found;
}

/** The withheld parts of a sum whose whole is shown add up to a number a reader knows: it must not be a small count, nor 1 apiece. */
function smallHiddenSums(published: readonly ReportRow[], truth: ReadonlyMap<string, number>): string[] {
  const hidden = new Set(published.filter((r) => r.value === null).map(keyOf));
  const problems: string[] = [];
  for (const { whole, parts, counts } of relations(published)) {
    const hiddenParts = parts.filter((p) => hidden.has(p));
    if (!counts || hidden.has(whole) || hiddenParts.length === 0) continue;
    const together = hiddenParts.reduce((n, p) => n + (truth.get(p) ?? 0), 0);
    if (together < Math.max(3, hiddenParts.length + 1)) problems.push(`${whole}: ${hiddenParts.join(' + ')} = ${together}`);
  }
  return problems;
}

describe.each(BACKENDS)('%s', (backend) => {
  let store: CaseStore;
  let files: ReturnType<typeof cohortFiles>;
  const report = (options: Partial<ReportOptions> & ({ quarter: number } | { term: 'autumn' | 'spring' | 'summer' })) =>
    buildReport(store, SYSTEM, { academicYear: '2025/26', ...options } as ReportOptions);

  beforeEach(async () => {
    ({ store } = await testStore({ backend }));
    files = cohortFiles();
    await store.pupils.import(SYSTEM, { pupils: files.pupilsA, calendar: files.calendarA });
    await store.pupils.import(SYSTEM, { pupils: files.pupilsB, calendar: files.calendarB });
  });

  describe('the figures of a hand-checked cohort', () => {
    it('counts incidents, children, days lost, repeat suspensions and 15 days in a term, with rates per 100 on roll', async () => {
      const q2 = await report({ quarter: 2 });
      expect(q2.periodEnd).toBe('2026-03-31');
      // 24 first suspensions, A01's second, A02's second and third; A05's July one and A07's cancelled one are not counted.
      expect(row(q2, 'SCH-A', 'suspension-incidents', 'total', 'all')).toMatchObject({ value: 27, roll: 40, ratePer100: 67.5 });
      expect(row(q2, 'SCH-A', 'children-suspended', 'total', 'all')).toMatchObject({ value: 24, roll: 40, ratePer100: 60 });
      expect(row(q2, 'SCH-A', 'children-permanently-excluded', 'total', 'all')).toMatchObject({ value: 1, ratePer100: 2.5 });
      expect(value(q2, 'SCH-A', 'lunchtime-incidents')).toBe(1);
      // 24 × 1 day + A01 1 + A02 10 + 6 + A03's 4 lunchtimes at half a day.
      expect(row(q2, 'SCH-A', 'suspension-days-lost', 'total', 'all')).toMatchObject({ value: 43, ratePer100: 107.5 });
      expect(value(q2, 'SCH-A', 'suspension-days-lost', 'reason', 'DM')).toBe(2);
      expect(value(q2, 'SCH-A', 'suspension-days-lost', 'reason', 'PA')).toBe(11);
      expect(value(q2, 'SCH-A', 'children-with-2-or-more-suspensions')).toBe(2);
      expect(value(q2, 'SCH-A', 'children-with-15-or-more-days-in-a-term')).toBe(1);
      // Reasons in words beside the code; an exclusion for PA and VA is one PA and one VA.
      expect(row(q2, 'SCH-A', 'suspension-incidents', 'reason', 'PA')).toMatchObject({ value: 2, label: 'physical assault against an adult' });
      expect(value(q2, 'SCH-A', 'suspension-incidents', 'reason', 'DB')).toBe(25);
      expect(value(q2, 'SCH-A', 'children-suspended', 'reason', 'DB')).toBe(24);
      // Year groups, and key stages made of them.
      expect(row(q2, 'SCH-A', 'children-suspended', 'year-group', 'year-11')).toMatchObject({ value: 4, label: 'Year 11', roll: 4, ratePer100: 100 });
      expect(value(q2, 'SCH-A', 'children-suspended', 'key-stage', 'KS4')).toBe(14);
      // A group on roll with nobody suspended is there at 0, for its rate.
      expect(row(q2, 'SCH-A', 'children-permanently-excluded', 'send', 'K')).toMatchObject({ value: 0, roll: 7, ratePer100: 0 });
      expect(value(q2, 'SCH-A', 'pupils-on-roll', 'fsm', 'fsm')).toBe(8);
      // All schools: each school's added up.
      expect(value(q2, 'all', 'suspension-incidents')).toBe(30);
      expect(row(q2, 'all', 'children-suspended', 'total', 'all')).toMatchObject({ value: 27, roll: 46 });
    });

    it('sets each group beside the rest of the cohort: both rates, the ratio, and the counts behind them', async () => {
      const q2 = await report({ quarter: 2 });
      expect(row(q2, 'SCH-A', 'children-suspended', 'send', 'none')).toMatchObject({
        value: 20, roll: 30, ratePer100: 66.67, disproportionality: { restValue: 4, restRoll: 10, restRatePer100: 40, rateRatio: 1.67 },
      });
      expect(row(q2, 'SCH-A', 'children-suspended', 'send', 'K')).toMatchObject({
        value: 3, roll: 7, ratePer100: 42.86, disproportionality: { restValue: 21, restRoll: 33, restRatePer100: 63.64, rateRatio: 0.67 },
      });
      expect(row(q2, 'SCH-A', 'children-suspended', 'send', 'E')).toMatchObject({
        value: 1, roll: 3, ratePer100: 33.33, disproportionality: { restValue: 23, restRoll: 37, restRatePer100: 62.16, rateRatio: 0.54 },
      });
      expect(row(q2, 'SCH-A', 'children-suspended', 'sex', 'M')).toMatchObject({ ratePer100: 72.73, disproportionality: { restValue: 8, restRoll: 18, restRatePer100: 44.44, rateRatio: 1.64 } });
      // Nobody else permanently excluded: the rest's rate is 0, so there is no ratio to give.
      expect(row(q2, 'SCH-A', 'children-permanently-excluded', 'fsm', 'fsm').disproportionality).toEqual({ restValue: 0, restRoll: 32, restRatePer100: 0 });
      // Reasons and totals are not groups of pupils.
      expect(row(q2, 'SCH-A', 'children-suspended', 'reason', 'DB').disproportionality).toBeUndefined();
      expect(row(q2, 'SCH-A', 'children-suspended', 'total', 'all').disproportionality).toBeUndefined();
    });

    it('reports to the end of a term on each school\'s own calendar, or of a quarter', async () => {
      const q1 = await report({ quarter: 1 });
      const autumn = await report({ term: 'autumn' });
      expect(autumn).toMatchObject({ quarter: null, term: 'autumn', periodStart: '2025-09-01', periodEnd: '2025-12-19' });
      for (const measure of ['suspension-incidents', 'children-suspended', 'suspension-days-lost']) expect(value(autumn, 'all', measure)).toBe(value(q1, 'all', measure));
      expect(value(autumn, 'SCH-A', 'suspension-days-lost')).toBe(41);

      // B's spring term runs to 2 April: B01's suspension on 1 April is in it, but after quarter 2.
      const spring = await report({ term: 'spring' });
      expect(spring.periods).toEqual([
        { school: 'SCH-A', start: '2025-09-01', end: '2026-03-27' },
        { school: 'SCH-B', start: '2025-09-01', end: '2026-04-02' },
      ]);
      expect(spring.periodEnd).toBe('2026-04-02');
      const q2 = await report({ quarter: 2 });
      expect([value(spring, 'SCH-B', 'suspension-incidents'), value(q2, 'SCH-B', 'suspension-incidents')]).toEqual([4, 3]);
      expect([value(spring, 'all', 'suspension-incidents'), value(q2, 'all', 'suspension-incidents')]).toEqual([31, 30]);

      // A05's suspension on 6 July is in the summer term, after quarter 3; in quarter 4 too.
      const [q3, summer, q4] = [await report({ quarter: 3 }), await report({ term: 'summer' }), await report({ quarter: 4 })];
      expect([value(q3, 'SCH-A', 'suspension-incidents'), value(summer, 'SCH-A', 'suspension-incidents'), value(q4, 'SCH-A', 'suspension-incidents')]).toEqual([27, 28, 28]);
      expect([value(q3, 'SCH-A', 'children-with-2-or-more-suspensions'), value(summer, 'SCH-A', 'children-with-2-or-more-suspensions')]).toEqual([2, 3]);
      expect(value(summer, 'SCH-A', 'suspension-days-lost')).toBe(44);
    });

    it('counts a pupil who has left by the date of their exclusion, and on the roll of the periods they were on roll in', async () => {
      // A04, suspended on 6 Oct, left on 12 Dec: in the autumn figures and the year to date's.
      const [autumn, q2, summer] = [await report({ term: 'autumn' }), await report({ quarter: 2 }), await report({ term: 'summer' })];
      for (const r of [autumn, q2, summer]) {
        expect(value(r, 'SCH-A', 'children-suspended')).toBe(24);
        expect(value(r, 'SCH-A', 'children-suspended', 'year-group', 'year-9')).toBe(10);
        expect(value(r, 'SCH-A', 'children-suspended', 'fsm', 'fsm')).toBe(6);
      }
      // Each period runs from September, so A04 is on each one's roll; A40, who joined on 6 Jan,
      // is not on the autumn's: 39 on roll then, 3 pupils with an EHC plan from January.
      expect(row(autumn, 'SCH-A', 'children-suspended', 'total', 'all')).toMatchObject({ value: 24, roll: 39, ratePer100: 61.54 });
      expect(row(q2, 'SCH-A', 'children-suspended', 'total', 'all')).toMatchObject({ value: 24, roll: 40, ratePer100: 60 });
      expect(row(summer, 'SCH-A', 'children-suspended', 'total', 'all')).toMatchObject({ value: 24, roll: 40 });
      expect([value(autumn, 'SCH-A', 'pupils-on-roll', 'year-group', 'year-9'), value(summer, 'SCH-A', 'pupils-on-roll', 'year-group', 'year-9')]).toEqual([18, 18]);
      // The groups' rolls follow: the rest of the cohort beside the 2 with an EHC plan in the autumn is 37.
      expect(row(autumn, 'SCH-A', 'children-suspended', 'send', 'E')).toMatchObject({
        value: 1, roll: 2, ratePer100: 50, disproportionality: { restValue: 23, restRoll: 37, restRatePer100: 62.16, rateRatio: 0.8 },
      });
      expect(value(q2, 'SCH-A', 'pupils-on-roll', 'send', 'E')).toBe(3);
      expect(value(await report({ quarter: 1 }), 'SCH-A', 'pupils-on-roll')).toBe(39);
      expect(value(await report({ term: 'spring' }), 'SCH-A', 'pupils-on-roll')).toBe(40);

      // A later file without A04 leaves its record in the store: nothing changes.
      await store.pupils.import(SYSTEM, { pupils: files.pupilsAWithoutLeaver, calendar: files.calendarA });
      const after = await report({ quarter: 2 });
      expect(after.rows).toEqual(q2.rows);

      // The next year, A04 is on no roll: the year from September 2026 starts after it left.
      const next = await buildReport(store, SYSTEM, { academicYear: '2026/27', quarter: 1 });
      expect(value(next, 'SCH-A', 'pupils-on-roll')).toBe(39);
      expect(value(next, 'SCH-A', 'pupils-on-roll', 'year-group', 'year-9')).toBe(17);
      expect(value(next, 'SCH-A', 'pupils-on-roll', 'fsm', 'fsm')).toBe(7);
      expect(value(next, 'all', 'pupils-on-roll')).toBe(45);
      expect(value(next, 'SCH-A', 'children-suspended')).toBe(0);
    });

    it('takes a roll given for a school instead of the pupils held, leaving out the rates of groups it cannot know', async () => {
      const q2 = await buildReport(store, SYSTEM, { academicYear: '2025/26', quarter: 2, rollOverride: { 'SCH-A': 1200 } });
      expect(row(q2, 'SCH-A', 'children-suspended', 'total', 'all')).toMatchObject({ value: 24, roll: 1200, ratePer100: 2 });
      expect(row(q2, 'SCH-A', 'children-suspended', 'send', 'E')).not.toHaveProperty('roll');
      expect(row(q2, 'SCH-A', 'children-suspended', 'send', 'E')).not.toHaveProperty('disproportionality');
      expect(row(q2, 'all', 'children-suspended', 'total', 'all')).toMatchObject({ value: 27, roll: 1206, ratePer100: 2.24 });
      await expect(buildReport(store, SYSTEM, { academicYear: '2025/26', quarter: 2, rollOverride: { 'SCH-A': -3 } })).rejects.toThrow(RangeError);
    });

    it('refuses a term on a school that has pupils but no calendar for the year, naming it', async () => {
      await expect(buildReport(store, SYSTEM, { academicYear: '2026/27', term: 'autumn' })).rejects.toThrow(/school SCH-A, calendar: no 2026\/27 calendar is held for it/);
      await expect(buildReport(store, SYSTEM, { academicYear: '2025/26', quarter: 2, term: 'spring' })).rejects.toThrow('give a quarter or a term, not both');
      await expect(buildReport(store, SYSTEM, { academicYear: '2025/26', quarter: 5 })).rejects.toThrow('quarter 5 is not 1, 2, 3 or 4');
    });

    it('records a read in the audit trail when asked — who, the period, the schools, the form; never a figure — and nothing for a report refused', async () => {
      await store.staff.upsertSchool({ id: 'SCH-A', name: 'School A' }, SYSTEM);
      await store.staff.upsert({ id: 'officer-a', displayName: 'Officer A', role: 'inclusion-officer', schoolIds: ['SCH-A'] }, SYSTEM);
      const officer = await store.staff.actorFor('officer-a');
      await report({ quarter: 2 });
      expect(await store.audit.entriesOf('report-read')).toEqual([]);

      await buildReport(store, officer, { academicYear: '2025/26', term: 'spring', forPublication: true, auditAs: 'xlsx' });
      await buildReport(store, officer, { academicYear: '2025/26', quarter: 2, schoolId: 'SCH-A', auditAs: 'page' });
      await expect(buildReport(store, officer, { academicYear: '2025/26', quarter: 2, schoolId: 'SCH-B', auditAs: 'page' })).rejects.toThrow(/SCH-B/);
      await expect(buildReport(store, officer, { academicYear: '2025/26', quarter: 9, auditAs: 'page' })).rejects.toThrow(RangeError);
      await expect(buildReport(store, officer, { academicYear: '2025/26', quarter: 2, auditAs: 'pdf' as 'page' })).rejects.toThrow(/"pdf" is not a form/);

      const reads = await store.audit.entriesOf('report-read');
      expect(reads.map((r) => ({ actor: r.actor, role: r.role, caseId: r.caseId, data: r.data }))).toEqual([
        { actor: 'officer-a', role: 'inclusion-officer', caseId: undefined, data: { academicYear: '2025/26', quarter: null, term: 'spring', schoolId: null, schools: ['SCH-A'], forPublication: true, form: 'xlsx' } },
        { actor: 'officer-a', role: 'inclusion-officer', caseId: undefined, data: { academicYear: '2025/26', quarter: 2, term: null, schoolId: 'SCH-A', schools: ['SCH-A'], forPublication: false, form: 'page' } },
      ]);
      expect((await store.audit.verify()).ok).toBe(true);
    });

    it('keeps the CSV\'s columns and adds the new ones after them', async () => {
      const csv = reportToCsv(await report({ quarter: 2 })).split('\r\n');
      expect(csv[0]).toBe('academic_year,quarter,period_end,school,measure,breakdown,category,value,term,period_start,category_label,roll,rate_per_100,rest_value,rest_roll,rest_rate_per_100,rate_ratio,council_rate_per_100');
      expect(csv).toContain('2025/26,2,2026-03-31,SCH-A,children-suspended,send,K,3,,2025-09-01,SEN support,7,42.86,21,33,63.64,0.67,');
      const spring = reportToCsv(await report({ term: 'spring', forPublication: true })).split('\r\n');
      expect(spring).toContain('2025/26,,2026-03-27,SCH-A,children-suspended,send,E,c,spring,2025-09-01,"education, health and care plan",3,c,c,c,c,c,');
    });
  });

  describe('a report for publication', () => {
    it('withholds counts of 1 and 2 and the figures that would give them back (SEND: total 24, none 20, K 3, E 1)', async () => {
      const full = await report({ quarter: 2 });
      const published = await report({ quarter: 2, forPublication: true });
      expect([value(full, 'SCH-A', 'children-suspended', 'send', 'none'), value(full, 'SCH-A', 'children-suspended', 'send', 'K'), value(full, 'SCH-A', 'children-suspended', 'send', 'E')]).toEqual([20, 3, 1]);
      expect(value(published, 'SCH-A', 'children-suspended', 'send', 'E')).toBeNull();
      // Withholding E alone leaks it (24 − 20 − 3); K, the next smallest, goes too.
      expect(value(published, 'SCH-A', 'children-suspended', 'send', 'K')).toBeNull();
      expect(value(published, 'SCH-A', 'children-suspended', 'send', 'none')).toBe(20);
      // The one pupil looked after, suspended: withheld, and so is the rest, which would give it; the roll likewise.
      expect(value(published, 'SCH-A', 'children-suspended', 'looked-after', 'looked-after')).toBeNull();
      expect(value(published, 'SCH-A', 'children-suspended', 'looked-after', 'not-looked-after')).toBeNull();
      expect(value(published, 'SCH-A', 'pupils-on-roll', 'looked-after', 'looked-after')).toBeNull();
      expect(value(published, 'SCH-A', 'children-with-2-or-more-suspensions')).toBeNull();
      // Rates and the rest of the cohort go with the counts they come from.
      expect(row(published, 'SCH-A', 'children-suspended', 'send', 'E')).toMatchObject({ ratePer100: null, disproportionality: null });
      expect(row(published, 'SCH-A', 'children-suspended', 'sex', 'M')).toMatchObject({ value: 16, ratePer100: 72.73, disproportionality: { rateRatio: 1.64 } });
    });

    it('leaves nothing withheld that a reader can work out from totals and the figures beside it', async () => {
      for (const period of [{ quarter: 1 }, { quarter: 2 }, { term: 'spring' as const }, { quarter: 4 }]) {
        const full = await report(period);
        const published = await report({ ...period, forPublication: true });
        const truth = new Map(full.rows.map((r) => [keyOf(r), r.value!]));
        expect(published.rows.map(keyOf)).toEqual(full.rows.map(keyOf));
        expect(published.rows.filter((r) => r.value !== null).every((r) => r.value === truth.get(keyOf(r)))).toBe(true);
        for (const r of published.rows) if (r.value !== null && (r.value === 1 || r.value === 2)) throw new Error(`${keyOf(r)} shows ${r.value}`);

        // Withholding only the 1s and 2s leaks: the reader works out E = 24 − 20 − 3 = 1, and more.
        const naive = full.rows.map((r) => (r.value === 1 || r.value === 2 ? { ...r, value: null } : r));
        expect(workedOut(naive).size).toBeGreaterThan(0);
        if ('quarter' in period && period.quarter === 2) expect(workedOut(naive).get('SCH-A|children-suspended|send|E')).toBe(1);

        expect(workedOut(published.rows)).toEqual(new Map());
        expect(smallHiddenSums(published.rows, truth)).toEqual([]);
        for (const r of published.rows.filter((x) => x.value === null || x.roll === null)) {
          expect(r.ratePer100 ?? null, keyOf(r)).toBeNull();
          expect(r.disproportionality ?? null, keyOf(r)).toBeNull();
        }
      }
    });
  });
});
