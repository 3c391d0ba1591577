/**
 * Benchmark: nonsense is refused at once, not after a long think. Two records too big to be
 * real, each measured beside a baseline in the same run:
 *
 * - a pupils file with one record of 10,000 lunchtime suspensions on one day, checked as
 *   `rules evaluate` checks a file (`checkPupilFile`) — against the same file holding one ordinary
 *   record (ten exclusions): the refusal should cost about as little as reading a real pupil;
 * - 1,000 lunchtimes on one day swept for overlaps (`checkRecordOnCalendar`, sorted sweep) —
 *   against the naive comparison of every pair, the quadratic work the sweep avoids.
 *
 *   pnpm bench:refusals [--repeat 20]
 *
 * Prints the median of `--repeat` runs of each. Exit code 1 when the refusal is not the one expected.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { bundledCalendar } from '../calendar/bundled.js';
import { checkPupilFile } from '../cli/pupilFile.js';
import { checkRecordOnCalendar } from '../facts.js';
import { InputError } from '../problems.js';
import { parsePupilRecord } from '../pupilRecord.js';

const { values: args } = parseArgs({ options: { repeat: { type: 'string', default: '20' } }, strict: true });
const repeat = Number(args.repeat);
if (!Number.isInteger(repeat) || repeat < 1) {
  console.error(`--repeat expects a whole number above 0, found "${args.repeat}"`);
  process.exit(2);
}

const calendar = bundledCalendar('2025/26');
const lunchtime = (i: number) => ({ id: `L${i}`, category: 'LNCH', startDate: '2025-10-06', lunchtimes: 1, reasons: ['DB'] });
const ordinary = (i: number) => ({ id: `S${i}`, category: 'FIXD', startDate: `2025-10-${String(6 + i).padStart(2, '0')}`, sessions: 1, reasons: ['DB'] });
const dir = mkdtempSync(join(tmpdir(), 'refusal-bench-'));

async function median(run: () => unknown): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)] ?? 0;
}

/** Checks a one-line pupils file; returns the problems' messages (none for a good file). */
async function checkFile(name: string, exclusions: readonly unknown[]): Promise<string[]> {
  const path = join(dir, name);
  writeFileSync(path, `${JSON.stringify({ id: 'P1', schoolId: 'S1', exclusions })}\n`);
  try {
    await checkPupilFile(path, calendar);
    return [];
  } catch (error) {
    if (error instanceof InputError) return error.problems.map((p) => p.message);
    throw error;
  }
}

/** The baseline the sweep avoids: every pair of exclusions compared. */
function overlapsByEveryPair(exclusions: readonly { readonly startDate: string }[]): number {
  const overlapping = new Array<boolean>(exclusions.length).fill(false);
  for (let i = 1; i < exclusions.length; i++) for (let j = 0; j < i; j++) if (exclusions[i]!.startDate === exclusions[j]!.startDate) overlapping[i] = true;
  return overlapping.filter(Boolean).length;
}

const huge = Array.from({ length: 10_000 }, (_, i) => lunchtime(i));
const refusal = await checkFile('huge.ndjson', huge);
if (refusal.length !== 1 || !refusal[0]!.startsWith('10,000 exclusions in one record')) {
  console.error(`expected one refusal of 10,000 exclusions, got: ${JSON.stringify(refusal)}`);
  process.exit(1);
}
const swept = parsePupilRecord({ id: 'P1', schoolId: 'S1', exclusions: huge.slice(0, 1000) });
if (!swept.ok) throw new Error('the 1,000-lunchtime record should be well formed');
const sweepFound = checkRecordOnCalendar(swept.record, calendar).length;
if (sweepFound !== 999 || overlapsByEveryPair(swept.record.exclusions) !== 999) {
  console.error(`expected 999 overlaps from both the sweep and every pair, got ${sweepFound}`);
  process.exit(1);
}

const figures = {
  refuseHuge: await median(() => checkFile('huge.ndjson', huge)),
  readOrdinary: await median(() => checkFile('ordinary.ndjson', Array.from({ length: 10 }, (_, i) => ordinary(i)))),
  sweep: await median(() => checkRecordOnCalendar(swept.record, calendar)),
  everyPair: await median(() => overlapsByEveryPair(swept.record.exclusions)),
};
rmSync(dir, { recursive: true, force: true });

const ms = (n: number) => `${n.toFixed(2).padStart(9)} ms`;
console.log(`median of ${repeat} runs, node ${process.version}`);
console.log(`refuse a record of 10,000 lunchtimes (rules evaluate's file check) ${ms(figures.refuseHuge)}`);
console.log(`  baseline: read a file with one ordinary record (10 exclusions)  ${ms(figures.readOrdinary)}`);
console.log(`sweep 1,000 lunchtimes on one day for overlaps                    ${ms(figures.sweep)}  (finds 999)`);
console.log(`  baseline: compare every pair of the same 1,000                  ${ms(figures.everyPair)}  (finds 999)`);
