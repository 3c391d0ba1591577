/**
 * Benchmark, from bytes to triggers: NDJSON text → parse → validate → evaluate, for the
 * library (the `rules evaluate` command's own batch path: JSON.parse and the repeated-key
 * check, the fast validation path with zod for the rest, the calendar fit, compiled rules with
 * explanations and due dates) and for a hand-written baseline doing the same work by hand
 * (its own parse checks, validation and evaluation of the same triggers), in the same run over
 * the same text. Also, on the first `--reference` pupils, the library as it was before rules
 * were compiled (zod + json-rules-engine), for the before/after figure. Single-threaded.
 *
 *   pnpm bench:rules [--pupils 100000] [--seed 20250901] [--as-of 2026-07-17] [--batch 1000] [--warmup 500] [--reference 5000]
 *
 * A correctness check too: both must fire the same `{ trigger, period }` pairs for every pupil
 * (over the triggers the baseline implements). Exit code 1 when any pupil differs or a record is refused.
 */
import { availableParallelism, cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { bundledCalendar } from '../calendar/bundled.js';
import { evaluateLines } from '../cli/evaluateBatch.js';
import { isIsoDate, type IsoDate } from '../dates.js';
import { RulesEvaluator, type Trigger } from '../evaluate.js';
import { derivePupilFacts } from '../facts.js';
import { formatProblem } from '../problems.js';
import { parsePupilRecord, type PupilRecordInput } from '../pupilRecord.js';
import { linesOf, parseNdjsonLine } from '../pupilStream.js';
import { readPupilRecord } from '../wellFormedRecord.js';
import { BASELINE_TRIGGERS, BaselineRules, readByHand, type Fired } from './baseline.js';
import { syntheticCohort } from './cohort.js';

const { values: args } = parseArgs({
  options: {
    pupils: { type: 'string', default: '100000' },
    seed: { type: 'string', default: '20250901' },
    'as-of': { type: 'string', default: '2026-07-17' },
    batch: { type: 'string', default: '1000' },
    warmup: { type: 'string', default: '500' },
    reference: { type: 'string', default: '5000' },
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
const referencePupils = positiveInt('reference', args.reference, true);
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

const evaluator = new RulesEvaluator();
const reference = new RulesEvaluator(evaluator.rules, { engine: 'reference' });
const baseline = new BaselineRules(calendar, asOf);
const context = { file: 'cohort.ndjson', calendar, asOf, evaluator };

// --- measurement state
const time = { library: 0, baseline: 0, parse: 0, validate: 0, evaluate: 0, reference: 0 };
let phasePupils = 0;
let referenceDone = 0;
let generated = 0;
let bytes = 0;
let rejected = 0;
let mismatches = 0;
let libraryFired = 0;
let libraryOnly = 0;
let baselineFired = 0;
const byTrigger = new Map<string, { library: number; baseline: number }>();
const shown: string[] = [];

const pairKey = (p: Fired) => `${p.trigger} @ ${p.period}`;
const tally = (pairs: readonly Fired[], side: 'library' | 'baseline') => {
  for (const p of pairs) {
    let t = byTrigger.get(p.trigger);
    if (!t) byTrigger.set(p.trigger, (t = { library: 0, baseline: 0 }));
    t[side]++;
  }
};

/** The phases of the library's path, timed apart (same functions as evaluateLines), on some batches. */
function timePhases(lines: readonly string[]): void {
  for (let i = 0; i < lines.length; i++) {
    const t0 = performance.now();
    const raw = parseNdjsonLine(lines[i]!, i + 1, context.file);
    const t1 = performance.now();
    if (!raw || !('json' in raw)) continue;
    const parsed = readPupilRecord(raw.json, { file: context.file, location: raw.location });
    const t2 = performance.now();
    if (!parsed.ok) continue;
    evaluator.triggersFor(derivePupilFacts(parsed.record, calendar, asOf));
    const t3 = performance.now();
    time.parse += t1 - t0;
    time.validate += t2 - t1;
    time.evaluate += t3 - t2;
    phasePupils++;
  }
}

/** The library as it was: zod for every record, then json-rules-engine. */
async function timeReference(lines: readonly string[]): Promise<void> {
  const t0 = performance.now();
  for (const line of lines) {
    const parsed = parsePupilRecord(JSON.parse(line));
    if (parsed.ok) await reference.evaluate(parsed.record, calendar, asOf);
  }
  time.reference += performance.now() - t0;
  referenceDone += lines.length;
}

async function runBatch(inputs: readonly PupilRecordInput[], measure: boolean, batchIndex: number): Promise<void> {
  const text = inputs.map((p) => JSON.stringify(p)).join('\n');

  // (a) the library, from the text.
  let t0 = performance.now();
  const result = await evaluateLines([...linesOf(text)], 1, context);
  const libraryElapsed = performance.now() - t0;
  collect();

  // (b) the baseline, from the same text.
  t0 = performance.now();
  const baselinePairs: (Fired[] | undefined)[] = [];
  for (const line of linesOf(text)) {
    const record = readByHand(line);
    baselinePairs.push(record ? baseline.evaluate(record) : undefined);
  }
  const baselineElapsed = performance.now() - t0;
  collect();
  if (!measure) return;

  time.library += libraryElapsed;
  time.baseline += baselineElapsed;
  bytes += text.length;
  if (batchIndex % 10 === 0) timePhases([...linesOf(text)]);
  if (referenceDone < referencePupils) await timeReference([...linesOf(text)].slice(0, referencePupils - referenceDone));

  // Compare per pupil (untimed).
  if (result.problems.length > 0) {
    rejected += result.problems.length;
    if (shown.length < 5) shown.push(`refused by the library: ${result.problems.slice(0, 3).map((p) => formatProblem(p.problem)).join('; ')}`);
  }
  const byPupil = new Map<string, Trigger[]>();
  for (const t of result.triggers) {
    const list = byPupil.get(t.pupilId);
    if (list) list.push(t);
    else byPupil.set(t.pupilId, [t]);
  }
  inputs.forEach((input, i) => {
    const base = baselinePairs[i];
    if (!base) {
      rejected++;
      if (shown.length < 5) shown.push(`refused by the baseline: pupil ${input.id}`);
      return;
    }
    const all = byPupil.get(input.id) ?? [];
    const lib = all.filter((t) => BASELINE_TRIGGERS.has(t.trigger));
    libraryOnly += all.length - lib.length;
    libraryFired += lib.length;
    baselineFired += base.length;
    tally(lib, 'library');
    tally(base, 'baseline');
    const a = lib.map(pairKey).sort();
    const b = base.map(pairKey).sort();
    if (a.length === b.length && a.every((k, j) => k === b[j])) return;
    mismatches++;
    if (shown.length < 5) {
      shown.push(`pupil ${input.id}\n    only library:  ${a.filter((k) => !b.includes(k)).join(', ') || '—'}\n    only baseline: ${b.filter((k) => !a.includes(k)).join(', ') || '—'}`);
    }
  });
}

async function main(): Promise<void> {
  const cores = cpus();
  console.log('Rules benchmark, from bytes to triggers (NDJSON text → parse → validate → evaluate), single-threaded');
  console.log(`  Node ${process.version} on ${process.platform}/${process.arch}, ${availableParallelism()} cores (${cores[0]?.model.trim() ?? 'unknown CPU'})`);
  console.log(`  calendar ${calendar.name}, as of ${asOf} (${calendar.schoolDaysUpTo(asOf)} of ${calendar.schoolDayCount} school days); seed ${seed}`);
  console.log(`  rules: ${evaluator.rules.rules.length} rule versions in pack "${evaluator.rules.name}", compiled: ${evaluator.compiled ? 'yes' : 'no (json-rules-engine)'}; gc between phases: ${gc ? 'yes' : 'no (run with --expose-gc)'}`);

  if (warmup > 0) await runBatch([...syntheticCohort({ pupils: warmup, seed: seed + 1, calendar, asOf })], false, 0);
  collect();

  const started = performance.now();
  let batch: PupilRecordInput[] = [];
  let batches = 0;
  const flush = async () => {
    generated += batch.length;
    await runBatch(batch, true, batches++);
    batch = [];
    if (process.stderr.isTTY) process.stderr.write(`\r  ${generated.toLocaleString('en-GB')} / ${pupils.toLocaleString('en-GB')} pupils…`);
  };
  for (const input of syntheticCohort({ pupils, seed, calendar, asOf })) {
    batch.push(input);
    if (batch.length === batchSize) await flush();
  }
  if (batch.length > 0) await flush();
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  const wall = (performance.now() - started) / 1000;

  const n = (x: number) => Math.round(x).toLocaleString('en-GB');
  const rate = (count: number, ms: number) => count / (ms / 1000);
  const libraryRate = rate(generated, time.library);
  const baselineRate = rate(generated, time.baseline);
  const phaseTotal = time.parse + time.validate + time.evaluate;
  const pct = (part: number) => `${((100 * part) / phaseTotal).toFixed(0)}%`;

  console.log('');
  console.log(`Cohort: ${n(generated)} pupils, ${(bytes / 1024 / 1024).toFixed(0)} MB of NDJSON (${n(bytes / generated)} bytes a pupil), batches of ${n(batchSize)}`);
  console.log('');
  console.log('Triggers fired                                library    baseline');
  for (const [trigger, t] of [...byTrigger].sort(([a], [b]) => a.localeCompare(b))) console.log(`  ${trigger.padEnd(44)}${n(t.library).padStart(9)}${n(t.baseline).padStart(12)}`);
  console.log(`  ${'total'.padEnd(44)}${n(libraryFired).padStart(9)}${n(baselineFired).padStart(12)}`);
  if (libraryOnly > 0) console.log(`  (and ${n(libraryOnly)} triggers of rules the baseline does not implement)`);
  console.log('');
  console.log('Speed, from bytes to triggers (generation not timed)');
  console.log(`  library    ${n(libraryRate).padStart(9)} pupils/s  ${(time.library / 1000).toFixed(2)} s  ${(1000 * time.library / generated).toFixed(1)} µs/pupil  ${(bytes / 1024 / 1024 / (time.library / 1000)).toFixed(0)} MB/s`);
  console.log(`    of which (timed apart on every 10th batch, ${n(phasePupils)} pupils):`);
  console.log(`      parse (JSON.parse + repeated-key check)        ${pct(time.parse)}  ${(1000 * time.parse / phasePupils).toFixed(1)} µs/pupil`);
  console.log(`      validate (fast path; zod for the rest)         ${pct(time.validate)}  ${(1000 * time.validate / phasePupils).toFixed(1)} µs/pupil`);
  console.log(`      evaluate (facts, compiled rules, explanations) ${pct(time.evaluate)}  ${(1000 * time.evaluate / phasePupils).toFixed(1)} µs/pupil`);
  console.log(`  baseline   ${n(baselineRate).padStart(9)} pupils/s  ${(time.baseline / 1000).toFixed(2)} s  ${(1000 * time.baseline / generated).toFixed(1)} µs/pupil`);
  console.log(`  ratio (baseline / library)  ${(baselineRate / libraryRate).toFixed(2)}×   (target: within 3×)`);
  if (referenceDone > 0) {
    const referenceRate = rate(referenceDone, time.reference);
    console.log(`  before compilation (zod + json-rules-engine, first ${n(referenceDone)} pupils): ${n(referenceRate)} pupils/s, ${(baselineRate / referenceRate).toFixed(1)}× slower than the baseline; compiled is ${(libraryRate / referenceRate).toFixed(1)}× faster`);
  }
  console.log(`  wall clock, including generation, comparison and gc: ${wall.toFixed(1)} s`);
  console.log(`  peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  console.log('');
  console.log(`Mismatches: ${n(mismatches)} of ${n(generated)} pupils; refused: ${n(rejected)}`);
  for (const m of shown) console.log(`  ${m}`);
  if (mismatches > 0 || rejected > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
