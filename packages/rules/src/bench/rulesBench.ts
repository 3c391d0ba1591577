/**
 * Benchmark: the library's full evaluation (zod validation + RulesEvaluator) against a
 * hand-written TypeScript baseline of the same triggers, over a synthetic cohort streamed in
 * batches so memory stays bounded. Also a correctness check: the two must fire the same
 * `{ trigger, period }` pairs for every pupil.
 *
 *   pnpm bench:rules [--pupils 100000] [--seed 20250901] [--as-of 2026-07-17] [--batch 1000] [--warmup 500]
 *
 * Exit code 1 when any pupil's triggers differ (or a generated record is rejected).
 */
import { availableParallelism, cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { bundledCalendar } from '../calendar/bundled.js';
import { formatProblem } from '../problems.js';
import { isIsoDate, type IsoDate } from '../dates.js';
import { RulesEvaluator, type Trigger } from '../evaluate.js';
import { parsePupilRecord, type PupilRecord, type PupilRecordInput } from '../pupilRecord.js';
import { BaselineRules, type Fired } from './baseline.js';
import { syntheticCohort } from './cohort.js';

const { values: args } = parseArgs({
  options: {
    pupils: { type: 'string', default: '100000' },
    seed: { type: 'string', default: '20250901' },
    'as-of': { type: 'string', default: '2026-07-17' },
    batch: { type: 'string', default: '1000' },
    warmup: { type: 'string', default: '500' },
  },
  strict: true,
});

function positiveInt(name: string, text: string, allowZero = false): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < (allowZero ? 0 : 1)) {
    console.error(`--${name} expects a whole number${allowZero ? '' : ' above 0'}, found "${text}"`);
    process.exit(2);
  }
  return n;
}

const pupils = positiveInt('pupils', args.pupils);
const seed = positiveInt('seed', args.seed, true);
const batchSize = positiveInt('batch', args.batch);
const warmup = positiveInt('warmup', args.warmup, true);
const asOf: IsoDate = args['as-of'];
if (!isIsoDate(asOf)) {
  console.error(`--as-of expects a date written YYYY-MM-DD, found "${asOf}"`);
  process.exit(2);
}

const calendar = bundledCalendar('2025/26');
if (asOf < calendar.firstDay || asOf > calendar.lastDay) {
  console.error(`--as-of ${asOf} is outside the bundled ${calendar.academicYear} calendar (${calendar.firstDay} to ${calendar.lastDay})`);
  process.exit(2);
}

const gc: (() => void) | undefined = (globalThis as { gc?: () => void }).gc;
const collect = () => gc?.();

// --- measurement state

let validationMs = 0;
let evaluationMs = 0;
let libraryMs = 0;
let baselineMs = 0;
let generated = 0;
let suspensionsGenerated = 0;
let lunchtimesGenerated = 0;
let permanentGenerated = 0;
let pupilsSuspended = 0;
let attendanceDays = 0;
let rejected = 0;
let mismatches = 0;
let libraryFired = 0;
let baselineFired = 0;
const byTrigger = new Map<string, { library: number; baseline: number }>();
const shownMismatches: string[] = [];
let peakRss = 0;
let peakHeapUsed = 0;

function sampleMemory(): void {
  const m = process.memoryUsage();
  if (m.rss > peakRss) peakRss = m.rss;
  if (m.heapUsed > peakHeapUsed) peakHeapUsed = m.heapUsed;
}

const pairKey = (p: Fired) => `${p.trigger} @ ${p.period}`;
const tally = (pairs: readonly Fired[], side: 'library' | 'baseline') => {
  for (const p of pairs) {
    let t = byTrigger.get(p.trigger);
    if (!t) byTrigger.set(p.trigger, (t = { library: 0, baseline: 0 }));
    t[side]++;
  }
};

/** Runs one batch through both implementations; `measure` false for the warm-up. */
async function runBatch(inputs: readonly PupilRecordInput[], evaluator: RulesEvaluator, baseline: BaselineRules, measure: boolean): Promise<void> {
  // (a) the library: validation + evaluation, pupil by pupil, awaited one by one.
  const records: (PupilRecord | undefined)[] = new Array(inputs.length);
  const libraryTriggers: (Trigger[] | undefined)[] = new Array(inputs.length);
  let validation = 0;
  let evaluation = 0;
  const libraryStart = performance.now();
  for (let i = 0; i < inputs.length; i++) {
    const t0 = performance.now();
    const parsed = parsePupilRecord(inputs[i], { location: `pupil ${i}` });
    const t1 = performance.now();
    validation += t1 - t0;
    if (!parsed.ok) {
      if (measure) {
        rejected++;
        if (shownMismatches.length < 5) shownMismatches.push(`rejected: ${parsed.problems.slice(0, 3).map(formatProblem).join('; ')}`);
      }
      continue;
    }
    records[i] = parsed.record;
    libraryTriggers[i] = await evaluator.evaluate(parsed.record, calendar, asOf);
    evaluation += performance.now() - t1;
  }
  const libraryElapsed = performance.now() - libraryStart;
  sampleMemory();
  collect();

  // (b) the baseline over the same parsed records.
  const baselinePairs: (Fired[] | undefined)[] = new Array(inputs.length);
  const baselineStart = performance.now();
  for (let i = 0; i < records.length; i++) {
    const record = records[i];
    if (record) baselinePairs[i] = baseline.evaluate(record);
  }
  const baselineElapsed = performance.now() - baselineStart;
  sampleMemory();

  if (!measure) return;
  libraryMs += libraryElapsed;
  validationMs += validation;
  evaluationMs += evaluation;
  baselineMs += baselineElapsed;

  // Compare per pupil (untimed).
  for (let i = 0; i < records.length; i++) {
    const record = records[i];
    if (!record) continue;
    const lib = libraryTriggers[i]!;
    const base = baselinePairs[i]!;
    libraryFired += lib.length;
    baselineFired += base.length;
    tally(lib, 'library');
    tally(base, 'baseline');
    const a = lib.map(pairKey).sort();
    const b = base.map(pairKey).sort();
    if (a.length === b.length && a.every((k, j) => k === b[j])) continue;
    mismatches++;
    if (shownMismatches.length < 5) {
      const onlyLibrary = a.filter((k) => !b.includes(k));
      const onlyBaseline = b.filter((k) => !a.includes(k));
      const exclusions = record.exclusions
        .map((e) => `${e.id} ${e.category} ${e.startDate} ${e.startSession} ${e.sessions ?? e.lunchtimes ?? 'open'}${e.cancelled ? ' cancelled' : ''}${e.missesPublicExam ? ' exam' : ''}`)
        .join(' | ');
      shownMismatches.push(
        [
          `pupil ${record.id} (send ${record.send}, looked after ${record.lookedAfter}, social worker ${record.hasSocialWorker}, at risk ${record.atRiskOfPermanentExclusion}, prior days ${record.priorSchoolSuspensionDays}, indicators ${record.ebsnaIndicators.length})`,
          `    only library:  ${onlyLibrary.join(', ') || '—'}`,
          `    only baseline: ${onlyBaseline.join(', ') || '—'}`,
          `    exclusions:    ${exclusions || 'none'}`,
        ].join('\n'),
      );
    }
  }
}

function countInputs(inputs: readonly PupilRecordInput[]): void {
  for (const p of inputs) {
    generated++;
    attendanceDays += p.attendance?.length ?? 0;
    let any = false;
    for (const e of p.exclusions ?? []) {
      if (e.category === 'PERM') permanentGenerated++;
      else {
        suspensionsGenerated++;
        any = true;
        if (e.category === 'LNCH') lunchtimesGenerated++;
      }
    }
    if (any) pupilsSuspended++;
  }
}

async function main(): Promise<void> {
  const evaluator = new RulesEvaluator();
  const baseline = new BaselineRules(calendar, asOf);
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  const cores = cpus();

  console.log('Rules benchmark: library (parsePupilRecord + RulesEvaluator.evaluate) vs hand-written baseline');
  console.log(`  Node ${process.version} on ${process.platform}/${process.arch}, ${availableParallelism()} cores (${cores[0]?.model.trim() ?? 'unknown CPU'})`);
  console.log(`  calendar ${calendar.name}, as of ${asOf} (${calendar.schoolDaysUpTo(asOf)} of ${calendar.schoolDayCount} school days); seed ${seed}`);
  console.log(`  rules: ${evaluator.rules.rules.length} rule versions in pack "${evaluator.rules.name}"; gc between phases: ${gc ? 'yes' : 'no (run with --expose-gc)'}`);

  // Warm-up on a different seed, untimed: lets both implementations get JIT-compiled.
  if (warmup > 0) {
    const inputs = [...syntheticCohort({ pupils: warmup, seed: seed + 1, calendar, asOf })];
    await runBatch(inputs, evaluator, baseline, false);
    collect();
  }
  sampleMemory();

  const started = performance.now();
  let batch: PupilRecordInput[] = [];
  let batches = 0;
  const flush = async () => {
    countInputs(batch);
    collect();
    await runBatch(batch, evaluator, baseline, true);
    batch = [];
    batches++;
    collect();
    sampleMemory();
    if (process.stderr.isTTY) process.stderr.write(`\r  ${generated.toLocaleString('en-GB')} / ${pupils.toLocaleString('en-GB')} pupils…`);
  };
  for (const input of syntheticCohort({ pupils, seed, calendar, asOf })) {
    batch.push(input);
    if (batch.length === batchSize) await flush();
  }
  if (batch.length > 0) await flush();
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  const wall = (performance.now() - started) / 1000;
  const peakRssOs = process.resourceUsage().maxRSS * 1024;

  const evaluated = generated - rejected;
  const libraryRate = evaluated / (libraryMs / 1000);
  const baselineRate = evaluated / (baselineMs / 1000);
  const n = (x: number) => Math.round(x).toLocaleString('en-GB');
  const pct = (part: number, whole: number) => `${((100 * part) / whole).toFixed(1)}%`;

  console.log('');
  console.log('Cohort');
  console.log(`  pupils                 ${n(generated)} in ${n(Math.ceil(generated / 1000))} schools, ${batches} batches of ≤ ${n(batchSize)} (${n(attendanceDays)} attendance days)`);
  console.log(`  suspensions generated  ${n(suspensionsGenerated)} (${(100 * suspensionsGenerated / generated).toFixed(1)} per 100 pupils; ${n(lunchtimesGenerated)} lunchtime), ${n(pupilsSuspended)} pupils suspended (${pct(pupilsSuspended, generated)}, ${(suspensionsGenerated / Math.max(1, pupilsSuspended)).toFixed(2)} each)`);
  console.log(`  permanent exclusions   ${n(permanentGenerated)} (${pct(permanentGenerated, generated)})`);
  console.log(`  rejected by validation ${n(rejected)}`);
  console.log('');
  console.log('Triggers fired                          library    baseline');
  for (const [trigger, t] of [...byTrigger].sort(([a], [b]) => a.localeCompare(b))) {
    console.log(`  ${trigger.padEnd(44)}${n(t.library).padStart(9)}${n(t.baseline).padStart(12)}`);
  }
  console.log(`  ${'total'.padEnd(44)}${n(libraryFired).padStart(9)}${n(baselineFired).padStart(12)}`);
  console.log('');
  console.log('Speed (generation not timed)');
  console.log(`  library   ${n(libraryRate).padStart(12)} pupils/s   ${(libraryMs / 1000).toFixed(2)} s   (${(1000 * libraryMs / evaluated).toFixed(1)} µs/pupil)`);
  console.log(`    validation (parsePupilRecord)   ${(validationMs / 1000).toFixed(2)} s  ${pct(validationMs, libraryMs)}   ${n(evaluated / (validationMs / 1000))} pupils/s`);
  console.log(`    evaluation (evaluate)           ${(evaluationMs / 1000).toFixed(2)} s  ${pct(evaluationMs, libraryMs)}   ${n(evaluated / (evaluationMs / 1000))} pupils/s`);
  console.log(`  baseline  ${n(baselineRate).padStart(12)} pupils/s   ${(baselineMs / 1000).toFixed(2)} s   (${(1000 * baselineMs / evaluated).toFixed(2)} µs/pupil)`);
  console.log(`  ratio (baseline / library)  ${(baselineRate / libraryRate).toFixed(0)}×`);
  console.log(`  wall clock, including generation, comparison and gc: ${wall.toFixed(1)} s`);
  console.log('');
  console.log('Memory');
  console.log(`  peak RSS        ${mb(Math.max(peakRss, peakRssOs))} (sampled ${mb(peakRss)}, OS maxRSS ${mb(peakRssOs)})`);
  console.log(`  peak heap used  ${mb(peakHeapUsed)} (sampled after each phase of each batch)`);
  console.log('');
  console.log(`Mismatches: ${n(mismatches)} of ${n(evaluated)} pupils`);
  for (const m of shownMismatches) console.log(`  ${m}`);
  if (mismatches > 0 || rejected > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
