/**
 * Benchmark (not a test): one school's pull from a fake Assembly API on loopback — N pupils
 * (default 1,500, a large secondary), the AM and PM marks of every school day to 20 March 2026, a
 * suspension for one pupil in ten — into a SQLite store, the rules run after. Beside it in the same
 * run, the floor: the same pages fetched and parsed as JSON with nothing else done (what any client
 * of the API pays). Then an incremental pull with nothing new (a 304 for the marks). Prints seconds,
 * marks/s, the ratio to the floor and the process's peak memory. Assembly itself allows 2 requests
 * a second per token, which the fake does not impose: add pages ÷ 2 seconds for a real first pull.
 *
 *   pnpm bench:mis [--pupils 1500]
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { addDays } from '../../packages/rules/dist/index.js';
import { loadCalendarFile } from '../../packages/rules/dist/node.js';
import { AssemblyAdapter, AssemblyToken, CaseStore, pullSchool, pupilIdKey, SYSTEM } from '../../packages/workflows/dist/index.js';
import { fakeStudent, fakeSuspension, startFakeAssembly } from '../support/fakeAssembly.js';

const { values: args } = parseArgs({ options: { pupils: { type: 'string', default: '1500' } }, strict: true });
const PUPILS = Number(args.pupils);
if (!Number.isInteger(PUPILS) || PUPILS < 1) {
  console.error(`--pupils expects a whole number above 0, found "${args.pupils}"`);
  process.exit(2);
}
const TODAY = '2026-03-20';
const SCHOOL = 'URN-BENCH';
const calendarPath = join(import.meta.dirname, '../../packages/rules/data/calendars/england-2025-26.example.json');
const calendar = await loadCalendarFile(calendarPath);
const days: string[] = [];
for (let d = calendar.firstDay; d <= TODAY; d = addDays(d, 1)) if (calendar.isSchoolDay(d)) days.push(d);

const students = Array.from({ length: PUPILS }, (_, i) => fakeStudent(i + 1, `B${String(i + 1).padStart(12, '0')}`, { year_code: String(7 + (i % 5)) }));
const exclusions = students.filter((_, i) => i % 10 === 0).map((s, i) => fakeSuspension(i + 1, s.id, days[20 + (i % 100)]!, 2, ['DB']));
const fake = await startFakeAssembly({ pageSize: 1500, students, exclusions });
for (const s of students) for (const d of days) (fake.mark(s.id, d, 'AM', '/'), fake.mark(s.id, d, 'PM', '\\'));
const marks = fake.marks.length;

const dir = mkdtempSync(join(tmpdir(), 'mis-bench-'));
const store = await CaseStore.open({ url: join(dir, 'cases.db'), anchorPath: join(dir, 'audit.anchor'), anchorKey: 'bench-anchor-key-0123456789', clock: () => new Date(`${TODAY}T10:00:00Z`) });
writeFileSync(join(dir, 'seed.ndjson'), `${JSON.stringify({ id: 'SEED', schoolId: SCHOOL })}\n`);
await store.pupils.import(SYSTEM, { pupils: join(dir, 'seed.ndjson'), calendar: calendarPath });

/** Runs `work`, measuring its time and the process's peak memory meanwhile. */
async function measured<T>(work: () => Promise<T>): Promise<{ result: T; s: number; peakMb: number; stallMs: number }> {
  (globalThis as { gc?: () => void }).gc?.();
  let peak = process.memoryUsage().rss;
  const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  // The longest the event loop was held: how long a chat or a deadline in the same service would wait.
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const started = performance.now();
  const result = await work();
  const s = (performance.now() - started) / 1000;
  delay.disable();
  clearInterval(sample);
  return { result, s, peakMb: Math.round(Math.max(peak, process.memoryUsage().rss) / 1024 / 1024), stallMs: Math.round(delay.max / 1e6) };
}

/** The floor: every page of the same endpoints fetched and parsed, nothing mapped or stored. */
async function fetchOnly(): Promise<number> {
  let requests = 0;
  for (const path of ['/students?demographics=true&care=true', '/students/left?demographics=true&care=true', '/exclusions?', `/attendances?start_date=${calendar.firstDay}&end_date=${TODAY}`]) {
    for (let page = 1; ; page++) {
      const res = await fetch(`${fake.url}${path}&page=${page}&per_page=1500`, { headers: { Authorization: `Bearer ${fake.token}`, Accept: 'application/vnd.assembly+json; version=1.1' } });
      requests++;
      await res.json();
      if (!res.headers.get('next-page')) break;
    }
  }
  return requests;
}

const adapter = new AssemblyAdapter({ baseUrl: fake.url, token: new AssemblyToken({ accessToken: fake.token }), pupilIdKey: pupilIdKey('b'.repeat(40)) });
const floor = await measured(fetchOnly);
const first = await measured(() => pullSchool(store, adapter, { schoolId: SCHOOL, today: TODAY }));
const again = await measured(() => pullSchool(store, adapter, { schoolId: SCHOOL, today: TODAY }));
await fake.close();
await store.close();

const rate = (n: number, s: number) => Math.round(n / s).toLocaleString('en-GB');
console.log(`MIS pull benchmark: ${PUPILS.toLocaleString('en-GB')} pupils, ${marks.toLocaleString('en-GB')} marks (${days.length} school days), ${exclusions.length} suspensions`);
console.log(`  floor (fetch + JSON only):   ${floor.s.toFixed(2)} s, ${rate(marks, floor.s)} marks/s, ${floor.result} requests`);
console.log(`  first pull (map, check, commit, rules): ${first.s.toFixed(2)} s, ${rate(marks, first.s)} marks/s, ${first.result.requests} requests, ${first.result.changed} records, opened ${first.result.evaluation?.opened ?? 0} case(s); ${(first.s / floor.s).toFixed(1)}× the floor; peak ${first.peakMb} MB; event loop held at most ${first.stallMs} ms (floor ${floor.stallMs} ms)`);
console.log(`  incremental pull, nothing new:  ${again.s.toFixed(2)} s, ${again.result.requests} requests, ${again.result.changed} records changed; peak ${again.peakMb} MB; event loop held at most ${again.stallMs} ms`);
console.log(`  on Assembly's 2 requests/s: a first pull needs at least ${Math.ceil(first.result.requests / 2)} s of requests`);
