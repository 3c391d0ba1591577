/**
 * One batch of a pupils file, from text to triggers: each line parsed, validated (the fast
 * path first), fitted to the calendar and evaluated. The `rules evaluate` command runs batches
 * on its own thread for a small file and on worker threads for a large one; either way the
 * main thread gets back, in order, the triggers, each record's pupil id (for the duplicate
 * check across the whole file) and every problem, each named by file, line and field.
 */
import type { SchoolCalendar } from '../calendar/schoolCalendar.js';
import type { IsoDate } from '../dates.js';
import type { RulesEvaluator, Trigger } from '../evaluate.js';
import { derivePupilFacts } from '../facts.js';
import { InputError, type Problem } from '../problems.js';
import { parseNdjsonLine, type RawRecord } from '../pupilStream.js';
import { readPupilRecord } from '../wellFormedRecord.js';
import { pupilBlock, type Format } from './triggerOutput.js';

export interface BatchContext {
  readonly file: string;
  readonly calendar: SchoolCalendar;
  readonly asOf: IsoDate;
  readonly evaluator: RulesEvaluator;
  /** Given: each pupil's triggers come back as text in this format (`blocks`), not as objects. */
  readonly format?: Format;
}

/** A problem, with the line (or record number) it is on, for putting problems in file order. */
export interface PlacedProblem {
  readonly line: number;
  /** Found after the record was valid (its fit to the calendar): listed after a repeated id on the same line. */
  readonly afterIdCheck: boolean;
  readonly problem: Problem;
}

export interface BatchResult {
  /** The triggers, when no `format` was given. */
  readonly triggers: Trigger[];
  /** With a `format`: each pupil's triggers as text ({@link pupilBlock}), and the count of each trigger. */
  readonly blocks: string[];
  readonly counts: Record<string, number>;
  /** The pupil id of each valid record, and (same index) its line and where it is. */
  readonly ids: string[];
  readonly lines: number[];
  readonly locations: string[];
  readonly problems: PlacedProblem[];
  /** Records read (valid or not). */
  records: number;
}

/**
 * Evaluates NDJSON lines, the first being line `firstLine` of the file. With `evaluate` false
 * (a problem was already found: nothing will be written) records are only checked.
 */
export function evaluateLines(lines: readonly string[], firstLine: number, context: BatchContext, evaluate = true): Promise<BatchResult> {
  // Parsed one at a time as the loop reaches them: one record alive at a time stays young garbage (flat memory).
  function* parsed(): Generator<RawRecord | Problem | undefined> {
    for (let i = 0; i < lines.length; i++) yield parseNdjsonLine(lines[i]!, firstLine + i, context.file);
  }
  return evaluateRaw(parsed(), context, evaluate);
}

/** The number in a location (`line 7`, `record 3`), 0 when there is none. */
export function lineOf(location: string | undefined): number {
  const digits = location === undefined ? undefined : /\d+/.exec(location);
  return digits ? Number(digits[0]) : 0;
}

/** As {@link evaluateLines}, for records already read (a JSON array, one pretty-printed object). */
export async function evaluateRaw(items: Iterable<RawRecord | Problem | undefined>, context: BatchContext, evaluate = true): Promise<BatchResult> {
  const { file, calendar, asOf, evaluator } = context;
  const result: BatchResult = { triggers: [], blocks: [], counts: {}, ids: [], lines: [], locations: [], problems: [], records: 0 };
  const place = (problem: Problem, afterIdCheck = false) => result.problems.push({ line: lineOf(problem.location), afterIdCheck, problem });
  for (const raw of items) {
    if (raw === undefined) continue;
    if (!('json' in raw)) {
      place(raw);
      continue;
    }
    result.records++;
    const parsed = readPupilRecord(raw.json, { file, location: raw.location });
    if (!parsed.ok) {
      parsed.problems.forEach((p) => place(p));
      continue;
    }
    const { record } = parsed;
    result.ids.push(record.id);
    result.lines.push(lineOf(raw.location));
    result.locations.push(raw.location);
    try {
      // Deriving the facts checks the record against the calendar (and refuses what does not fit).
      const facts = derivePupilFacts(record, calendar, asOf);
      if (evaluate && result.problems.length === 0) {
        // A pack only json-rules-engine runs (see RulesEvaluator.compiled) is awaited pupil by pupil.
        const triggers = evaluator.compiled ? evaluator.triggersFor(facts) : await evaluator.evaluateFacts(facts);
        if (context.format === undefined) result.triggers.push(...triggers);
        else if (triggers.length > 0) {
          // Text is cheaper than objects to send back from a worker thread, and formats there in parallel.
          result.blocks.push(pupilBlock(context.format, triggers));
          for (const t of triggers) result.counts[t.trigger] = (result.counts[t.trigger] ?? 0) + 1;
        }
      }
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      const location = `${raw.location} (pupil ${record.id})`;
      for (const { location: _pupil, ...p } of error.problems) place({ ...p, file, location }, true);
    }
  }
  return result;
}
