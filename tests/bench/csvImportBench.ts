/**
 * Benchmark (not a test): reading a school's CSV export through the generic profile — N pupils
 * (default 2,000), a year of attendance a row per session (~380 rows a pupil), a few exclusions —
 * into checked pupil records, beside csv-parse alone splitting the same files into cells in the
 * same run (the floor: what any CSV import pays). Prints rows/s for both, their ratio, and the
 * process's peak memory; nothing is written to a store.
 *
 *   pnpm bench:csv [--pupils 2000]
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { parse } from 'csv-parse/sync';
import { addDays } from '../../packages/rules/dist/index.js';
import { loadCalendarFile } from '../../packages/rules/dist/node.js';
import { loadMappingProfile, readSchoolExport } from '../../packages/workflows/dist/index.js';

const { values: args } = parseArgs({ options: { pupils: { type: 'string', default: '2000' } }, strict: true });
const PUPILS = Number(args.pupils);
if (!Number.isInteger(PUPILS) || PUPILS < 1) {
  console.error(`--pupils expects a whole number above 0, found "${args.pupils}"`);
  process.exit(2);
}

const calendarPath = join(import.meta.dirname, '../../packages/rules/data/calendars/england-2025-26.example.json');
const calendar = await loadCalendarFile(calendarPath);
const days: string[] = [];
for (let d = calendar.firstDay; d <= calendar.lastDay; d = addDays(d, 1)) if (calendar.isSchoolDay(d)) days.push(d);
const uk = (iso: string) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;

const dir = mkdtempSync(join(tmpdir(), 'csv-bench-'));
const files = { pupils: join(dir, 'pupils.csv'), exclusions: join(dir, 'exclusions.csv'), attendance: join(dir, 'attendance.csv') };
const id = (i: number) => `P-${String(i).padStart(5, '0')}`;
const pupilRows = ['id,schoolId,yearGroup,sex,send,fsm,lookedAfter,form'];
const exclusionRows = ['pupilId,id,category,startDate,startSession,sessions,reason1'];
const attendanceRows = ['pupilId,date,session,mark'];
for (let i = 0; i < PUPILS; i++) {
  pupilRows.push(`${id(i)},SCH-A,${7 + (i % 5)},${i % 2 ? 'F' : 'M'},none,${i % 4 ? 'no' : 'yes'},no,"${7 + (i % 5)}A, North"`);
  if (i % 10 === 0) exclusionRows.push(`${id(i)},E-${i},FIXD,${uk(days[20 + (i % 100)]!)},AM,2,DB`);
  for (const day of days) {
    attendanceRows.push(`${id(i)},${uk(day)},AM,/`);
    attendanceRows.push(`${id(i)},${uk(day)},PM,\\`);
  }
}
writeFileSync(files.pupils, `\uFEFF${pupilRows.join('\r\n')}\r\n`);
writeFileSync(files.exclusions, `\uFEFF${exclusionRows.join('\r\n')}\r\n`);
writeFileSync(files.attendance, `\uFEFF${attendanceRows.join('\r\n')}\r\n`);
const rows = pupilRows.length + exclusionRows.length + attendanceRows.length - 3;
const megabytes = (readFileSync(files.attendance).length / 1024 / 1024).toFixed(1);

/** Runs `work` and measures its time and the process's peak memory meanwhile (after a collection, when --expose-gc). */
function measured<T>(work: () => T): { result: T; ms: number; peakMb: number } {
  (globalThis as { gc?: () => void }).gc?.();
  let peak = process.memoryUsage().rss;
  const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  const started = performance.now();
  const result = work();
  const ms = performance.now() - started;
  clearInterval(sample);
  return { result, ms, peakMb: Math.max(peak, process.memoryUsage().rss) / 1024 / 1024 };
}

const baselineRun = measured(() => Object.values(files).reduce((n, path) => n + (parse(readFileSync(path, 'utf8'), { bom: true }) as string[][]).length, 0));
const fullRun = measured(() => readSchoolExport(files, { profile: loadMappingProfile('generic'), calendar }));
const [baseline, full, cells, read] = [baselineRun.ms, fullRun.ms, baselineRun.result, fullRun.result];

const perSecond = (ms: number) => Math.round(rows / (ms / 1000)).toLocaleString('en-GB');
console.log(`${PUPILS.toLocaleString('en-GB')} pupils, ${rows.toLocaleString('en-GB')} rows (attendance ${megabytes} MB, a row per session, ${days.length} school days)`);
console.log(`csv-parse alone (baseline): ${baseline.toFixed(0)} ms, ${perSecond(baseline)} rows/s (${cells.toLocaleString('en-GB')} records)`);
console.log(`readSchoolExport (generic): ${full.toFixed(0)} ms, ${perSecond(full)} rows/s, ${read.pupils.length.toLocaleString('en-GB')} records checked — ${(full / baseline).toFixed(1)}× the baseline`);
console.log(`peak memory (rss): ${baselineRun.peakMb.toFixed(0)} MB for the baseline, ${fullRun.peakMb.toFixed(0)} MB for readSchoolExport (sampled every 10 ms; run with --expose-gc for a collection before each)`);
