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

export interface BatchContext {
  readonly file: string;
  readonly calendar: SchoolCalendar;
  readonly asOf: IsoDate;
  readonly evaluator: RulesEvaluator;
}

export interface BatchResult {
  readonly triggers: Trigger[];
  /** The pupil id of each valid record, and (same index) where it is. */
  readonly ids: string[];
  readonly locations: string[];
  readonly problems: Problem[];
  /** Records read (valid or not). */
  records: number;
}

/**
 * Evaluates NDJSON lines, the first being line `firstLine` of the file. With `evaluate` false
 * (a problem was already found: nothing will be written) records are only checked.
 */
export function evaluateLines(lines: readonly string[], firstLine: number, context: BatchContext, evaluate = true): Promise<BatchResult> {
  const items: (RawRecord | Problem | undefined)[] = lines.map((line, i) => parseNdjsonLine(line, firstLine + i, context.file));
  return evaluateRaw(items, context, evaluate);
}

/** As {@link evaluateLines}, for records already read (a JSON array, one pretty-printed object). */
export async function evaluateRaw(items: readonly (RawRecord | Problem | undefined)[], context: BatchContext, evaluate = true): Promise<BatchResult> {
  const { file, calendar, asOf, evaluator } = context;
  const result: BatchResult = { triggers: [], ids: [], locations: [], problems: [], records: 0 };
  for (const raw of items) {
    if (raw === undefined) continue;
    if (!('json' in raw)) {
      result.problems.push(raw);
      continue;
    }
    result.records++;
    const parsed = readPupilRecord(raw.json, { file, location: raw.location });
    if (!parsed.ok) {
      result.problems.push(...parsed.problems);
      continue;
    }
    const { record } = parsed;
    result.ids.push(record.id);
    result.locations.push(raw.location);
    try {
      // Deriving the facts checks the record against the calendar (and refuses what does not fit).
      const facts = derivePupilFacts(record, calendar, asOf);
      if (evaluate && result.problems.length === 0) {
        // A pack only json-rules-engine runs (see RulesEvaluator.compiled) is awaited pupil by pupil.
        for (const t of evaluator.compiled ? evaluator.triggersFor(facts) : await evaluator.evaluateFacts(facts)) result.triggers.push(t);
      }
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      const location = `${raw.location} (pupil ${record.id})`;
      result.problems.push(...error.problems.map(({ location: _pupil, ...p }) => ({ ...p, file, location })));
    }
  }
  return result;
}
