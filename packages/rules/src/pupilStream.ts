/**
 * Streams of pupils: NDJSON lines in (one `pupil-record/1` a line), triggers out, in order,
 * one record at a time — so a cohort of any size evaluates in bounded memory. Browser-safe:
 * the lines may come from a file, a pipe, a fetch body or an array.
 */
import type { SchoolCalendar } from './calendar/schoolCalendar.js';
import type { IsoDate } from './dates.js';
import { RulesEvaluator, type Trigger } from './evaluate.js';
import { derivePupilFacts } from './facts.js';
import { duplicateKey } from './jsonText.js';
import { InputError, printable, quoted, type Problem } from './problems.js';
import type { PupilRecord } from './pupilRecord.js';
import type { RulePack } from './rulePack.js';
import { readPupilRecord } from './wellFormedRecord.js';

/** One record as read, with where it came from (`line 7`, `record 3`). */
export interface RawRecord {
  readonly json: unknown;
  readonly location: string;
}

/** A record that passed every check, with where it came from. */
export interface CheckedRecord {
  readonly record: PupilRecord;
  readonly location: string;
}

export interface EvaluateManyOptions {
  /** The evaluation date. */
  readonly asOf: IsoDate;
  /** The rules; the built-in pack by default. */
  readonly rules?: RulePack;
  /** An evaluator to reuse (its pack wins over `rules`). */
  readonly evaluator?: RulesEvaluator;
}

/**
 * The JSON of one NDJSON line, or a problem naming the line; undefined for a blank line.
 * A key given twice in one object is refused (JSON.parse would keep the last silently).
 */
export function parseNdjsonLine(line: string, lineNumber: number, file?: string): RawRecord | Problem | undefined {
  const where = { ...(file === undefined ? {} : { file }), location: `line ${lineNumber}` };
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (error) {
    if (line.trim() === '') return undefined;
    return { ...where, message: `not valid JSON (${printable((error as Error).message, 120)}); expected one pupil record per line, or a JSON array of records` };
  }
  if (keysRepeated(line, json)) {
    const repeated = duplicateKey(line);
    if (repeated) return { ...where, message: `the key ${quoted(repeated.key)} appears twice in one object; give each field once` };
  }
  return { json, location: where.location };
}

/**
 * Whether the text may give a key twice: it names more keys than the parsed value holds.
 * Counting is one pass without sets, so the common case (no repeats) costs little; the caller
 * then finds the repeated key with {@link duplicateKey}.
 */
function keysRepeated(text: string, json: unknown): boolean {
  return keysInText(text) !== keysIn(json);
}

function keysInText(text: string): number {
  let keys = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    if (text.charCodeAt(i) !== 34) continue;
    for (i++; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c === 92) i++;
      else if (c === 34) break;
    }
    let j = i + 1;
    while (j < n) {
      const c = text.charCodeAt(j);
      if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break;
      j++;
    }
    if (text.charCodeAt(j) === 58) keys++;
  }
  return keys;
}

function keysIn(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  let keys = 0;
  if (Array.isArray(value)) {
    for (const item of value) keys += keysIn(item);
    return keys;
  }
  for (const key in value) keys += 1 + keysIn((value as Record<string, unknown>)[key]);
  return keys;
}

/**
 * Validated records from NDJSON lines, in order, each with its line; a line that is not a
 * valid record yields its problems instead (the caller decides whether to go on).
 */
export async function* recordsFromNdjson(lines: Iterable<string> | AsyncIterable<string>, file?: string): AsyncGenerator<CheckedRecord | { problems: Problem[] }> {
  let n = 0;
  for await (const line of lines) {
    n++;
    const raw = parseNdjsonLine(line, n, file);
    if (raw === undefined) continue;
    if (!('json' in raw)) {
      yield { problems: [raw] };
      continue;
    }
    const parsed = readPupilRecord(raw.json, { ...(file === undefined ? {} : { file }), location: raw.location });
    yield parsed.ok ? { record: parsed.record, location: raw.location } : { problems: parsed.problems };
  }
}

/**
 * The triggers for many pupils, in the order of the records and, per pupil, in the stable
 * order {@link RulesEvaluator.evaluate} gives — one record in memory at a time.
 * @throws InputError (from the iteration) for a record that does not fit the calendar, naming the pupil.
 * @example
 * for await (const t of evaluateMany(records, calendar, { asOf: '2026-03-20' })) console.log(t.key);
 */
export async function* evaluateMany(
  records: Iterable<PupilRecord> | AsyncIterable<PupilRecord>,
  calendar: SchoolCalendar,
  options: EvaluateManyOptions,
): AsyncGenerator<Trigger> {
  const evaluator = options.evaluator ?? new RulesEvaluator(options.rules);
  for await (const record of records) {
    const facts = derivePupilFacts(record, calendar, options.asOf);
    yield* evaluator.compiled ? evaluator.triggersFor(facts) : await evaluator.evaluateFacts(facts);
  }
}

/**
 * The triggers for the pupils of NDJSON lines, in order; all-or-nothing is the caller's to
 * keep (a line that is not a valid record, or does not fit the calendar, throws when reached).
 * @throws InputError naming the line and what is wrong with it.
 */
export async function* evaluateNdjson(
  lines: Iterable<string> | AsyncIterable<string>,
  calendar: SchoolCalendar,
  options: EvaluateManyOptions & { readonly file?: string },
): AsyncGenerator<Trigger> {
  const evaluator = options.evaluator ?? new RulesEvaluator(options.rules);
  for await (const item of recordsFromNdjson(lines, options.file)) {
    if ('problems' in item) throw new InputError(`${options.file ?? 'the pupils'}: a record is not valid`, item.problems);
    yield* evaluateMany([item.record], calendar, { ...options, evaluator });
  }
}

/** Lines of a text, without their line breaks (`\n` or `\r\n`). */
export function* linesOf(text: string): Generator<string> {
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    yield text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end);
    start = end + 1;
  }
}
