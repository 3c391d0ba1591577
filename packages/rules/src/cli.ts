#!/usr/bin/env node
/**
 * `rules` — the command line for the rules library: evaluate pupils, check a proposed
 * suspension, print the record schema, explain a rule, or read a calendar.
 *
 * Exit codes: 0 done · 2 bad input or usage (every problem listed) · 3 proposal refused · 1 other failure.
 */
import { parseArgs } from 'node:util';
import { loadCalendarFile } from './node/calendarFile.js';
import { loadRulePackFile } from './node/rulePackFile.js';
import type { SchoolCalendar } from './calendar/schoolCalendar.js';
import { evaluatePupils } from './cli/evaluatePupils.js';
import { WHAT_IF_FORMATS, whatIf } from './cli/whatIfCommand.js';
import { readRawRecords } from './cli/pupilFile.js';
import { FORMATS } from './cli/triggerOutput.js';
import { isIsoDate, longDate, type IsoDate } from './dates.js';
import { describeRule } from './describeRule.js';
import { JSON_SCHEMAS } from './schemas.js';
import { formatNumber } from './factCatalog.js';
import { formatProblem, InputError, quoted } from './problems.js';
import { assessProposedSuspension, describeAssessment } from './proposal.js';
import { parsePupilRecord } from './pupilRecord.js';
import { defaultRulePack, noRule, type RulePack } from './rulePack.js';

const USAGE = `rules — exclusion-prevention rules for English schools

Usage:
  rules evaluate --calendar FILE --pupils FILE|- [--as-of DATE] [--rules PACK] [--format json|ndjson|table|csv] [--threads N]
  rules check-suspension --calendar FILE --pupil FILE [--id PUPIL] --start DATE (--sessions N | --lunchtimes N)
                         [--session AM|PM] [--misses-public-exam] [--rules PACK] [--format text|json]
  rules schema [pupil-record|calendar|rule|rule-pack|trigger]
  rules explain [RULE_ID] [--rules PACK]
  rules calendar --calendar FILE [--format text|json]
  rules what-if --calendar FILE --pupils FILE|- [--rules CURRENT] --vs PROPOSED [--as-of DATE] [--format table|json|csv]

Files: calendars are JSON (school-calendar/1) or iCalendar (.ics); pupils are a JSON array, one
record, or NDJSON (one pupil-record/1 per line, streamed; --pupils - reads standard input);
PACK is a rule-pack/1 JSON file of parameter overrides. --format ndjson writes a trigger a line.
--threads: worker threads (default: one a core for a pipe or a file over 16 MB). Dates are YYYY-MM-DD; --as-of defaults to today.
Exit codes: 0 done, 2 bad input (every problem listed), 3 proposed suspension refused, 1 failure.`;

class UsageError extends Error {}

/**
 * What each command takes (and --help): an option it would ignore is refused, so a mistyped
 * command (`rules calendar --rules trust.json`) does not quietly do something else.
 */
const OPTIONS_TAKEN: Readonly<Record<string, readonly string[]>> = {
  evaluate: ['calendar', 'pupils', 'as-of', 'rules', 'format', 'threads'],
  'check-suspension': ['calendar', 'pupil', 'id', 'start', 'session', 'sessions', 'lunchtimes', 'misses-public-exam', 'rules', 'format'],
  schema: [],
  explain: ['rules'],
  calendar: ['calendar', 'format'],
  'what-if': ['calendar', 'pupils', 'rules', 'vs', 'as-of', 'format'],
};

function refuseOptionsNotTaken(command: string, given: Options): void {
  const taken = OPTIONS_TAKEN[command];
  if (!taken) return; // an unknown command is refused as such
  const extra = Object.keys(given).filter((name) => given[name] !== undefined && name !== 'help' && !taken.includes(name));
  if (extra.length === 0) return;
  const takes = taken.length ? `it takes ${taken.map((n) => `--${n}`).join(', ')}` : 'it takes no options';
  throw new UsageError(`rules ${command} does not take ${extra.map((n) => `--${n}`).join(', ')}; ${takes} (rules --help)`);
}

type Options = Record<string, string | boolean | undefined>;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      calendar: { type: 'string' },
      pupils: { type: 'string' },
      pupil: { type: 'string' },
      id: { type: 'string' },
      'as-of': { type: 'string' },
      rules: { type: 'string' },
      format: { type: 'string' },
      start: { type: 'string' },
      session: { type: 'string' },
      sessions: { type: 'string' },
      lunchtimes: { type: 'string' },
      'misses-public-exam': { type: 'boolean' },
      threads: { type: 'string' },
      vs: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || command === undefined || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return command === undefined && !values.help ? 2 : 0;
  }
  refuseOptionsNotTaken(command, values);
  switch (command) {
    case 'evaluate':
      return evaluate(values);
    case 'check-suspension':
      return checkSuspension(values);
    case 'schema':
      return schema(rest[0] ?? 'pupil-record');
    case 'explain':
      return explain(rest[0], values);
    case 'calendar':
      return calendar(values);
    case 'what-if':
      return whatIfCommand(values);
    default:
      throw new UsageError(`unknown command ${quoted(command)}; commands: evaluate, check-suspension, schema, explain, calendar, what-if`);
  }
}

async function evaluate(options: Options): Promise<number> {
  const calendarPath = required(options, 'calendar');
  const pupils = required(options, 'pupils');
  const format = choice(options, 'format', FORMATS, 'table');
  const cal = await loadCalendarFile(calendarPath);
  return evaluatePupils({
    pupils,
    calendarPath,
    calendar: cal,
    rulesPath: typeof options.rules === 'string' ? options.rules : undefined,
    rules: await rulePack(options),
    asOf: asOfDate(options, cal),
    format,
    ...(options.threads === undefined ? {} : { threads: whole(options, 'threads') }),
  });
}

/** Which pupils would gain or lose which triggers under a proposed rule pack (--vs) instead of the rules in use. */
async function whatIfCommand(options: Options): Promise<number> {
  const cal = await loadCalendarFile(required(options, 'calendar'));
  const pupils = required(options, 'pupils');
  const proposedPath = required(options, 'vs');
  return whatIf({
    pupils,
    calendar: cal,
    current: await rulePack(options),
    proposed: await loadRulePackFile(proposedPath),
    asOf: asOfDate(options, cal),
    format: choice(options, 'format', WHAT_IF_FORMATS, 'table'),
  });
}

function whole(options: Options, name: string): number {
  const text = String(options[name]);
  if (!/^\d+$/.test(text)) throw new UsageError(`--${name} ${text} is not a whole number`);
  return Number(text);
}

async function checkSuspension(options: Options): Promise<number> {
  const cal = await loadCalendarFile(required(options, 'calendar'));
  const record = await onePupil(required(options, 'pupil'), options.id as string | undefined);
  const format = choice(options, 'format', ['text', 'json'] as const, 'text');
  const start = required(options, 'start');
  if (!isIsoDate(start)) throw new UsageError(`--start ${start} is not a date written YYYY-MM-DD`);
  if ((options.sessions === undefined) === (options.lunchtimes === undefined)) {
    throw new UsageError('give the length as --sessions N (two a school day) or, for a lunchtime suspension, --lunchtimes N');
  }
  const whole = (name: 'sessions' | 'lunchtimes') => {
    const text = String(options[name]);
    if (!/^\d+$/.test(text)) throw new UsageError(`--${name} ${text} is not a whole number`);
    return Number(text);
  };
  const assessment = await assessProposedSuspension(
    record,
    {
      startDate: start,
      startSession: choice(options, 'session', ['AM', 'PM'] as const, 'AM'),
      ...(options.sessions !== undefined ? { sessions: whole('sessions') } : { category: 'LNCH' as const, lunchtimes: whole('lunchtimes') }),
      missesPublicExam: options['misses-public-exam'] === true,
    },
    cal,
    { rules: await rulePack(options) },
  );
  if (format === 'json') {
    process.stdout.write(`${JSON.stringify({ pupilId: record.id, ...assessment }, null, 2)}\n`);
  } else {
    const a = assessment;
    const out = describeAssessment(a, record.id);
    out.push('', a.triggers.length ? 'This would trigger:' : 'This would trigger no duties beyond the record.');
    for (const t of a.triggers) {
      out.push(`  • ${t.title}${t.dueDate ? ` — due ${longDate(t.dueDate)}` : ''}`, `      ${t.explanation}`);
    }
    process.stdout.write(`${out.join('\n')}\n`);
  }
  return assessment.allowed ? 0 : 3;
}

function schema(which: string): number {
  const make = Object.hasOwn(JSON_SCHEMAS, which) ? JSON_SCHEMAS[which] : undefined;
  if (!make) throw new UsageError(`unknown schema ${quoted(which)}; schemas: ${Object.keys(JSON_SCHEMAS).join(', ')}`);
  process.stdout.write(`${JSON.stringify(make(), null, 2)}\n`);
  return 0;
}

async function explain(id: string | undefined, options: Options): Promise<number> {
  const pack = await rulePack(options);
  if (id === undefined) {
    const lines = pack.ids.map((ruleId) => {
      const versions = pack.versionsOf(ruleId);
      return `  ${ruleId.padEnd(42)} ${versions[versions.length - 1]!.title}`;
    });
    process.stdout.write(`Rules in pack "${pack.name}" (rules explain RULE_ID for one in full):\n${lines.join('\n')}\n`);
    return 0;
  }
  const versions = pack.versionsOf(id);
  if (versions.length === 0) throw new UsageError(noRule(id, pack.ids));
  process.stdout.write(`${describeRule(versions)}\n`);
  return 0;
}

async function calendar(options: Options): Promise<number> {
  const cal = await loadCalendarFile(required(options, 'calendar'));
  if (choice(options, 'format', ['text', 'json'] as const, 'text') === 'json') {
    process.stdout.write(`${JSON.stringify({ format: 'school-calendar/1', ...cal.toSpec() }, null, 2)}\n`);
    return 0;
  }
  const lines = [`${cal.name}${cal.example ? ' — an EXAMPLE calendar: load your school\'s own for real use' : ''}`, `${cal.schoolDayCount} school days, ${cal.firstDay} to ${cal.lastDay}`];
  for (const h of cal.halfTerms) lines.push(`  ${h.name.padEnd(10)} ${h.start} to ${h.end}  ${cal.schoolDaysIn(h).length} school days`);
  const closures = cal.toSpec().nonSchoolDays;
  lines.push(`Non-school weekdays in term: ${closures.length ? closures.join(', ') : 'none'}`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

async function onePupil(path: string, id: string | undefined) {
  const matches = [];
  for await (const raw of readRawRecords(path)) {
    if (!('json' in raw)) throw new InputError(`${path} is not valid`, [raw]);
    const json = raw.json as { id?: unknown };
    if (id === undefined || json?.id === id) matches.push(raw);
  }
  if (matches.length !== 1) {
    throw new UsageError(
      id === undefined ? `${path} holds ${matches.length} records; choose one with --id PUPIL` : `${path} holds ${matches.length} records with id ${quoted(id)}`,
    );
  }
  const parsed = parsePupilRecord(matches[0]!.json, { file: path, location: matches[0]!.location });
  if (!parsed.ok) throw new InputError(`${path}: the pupil record is not valid`, parsed.problems);
  return parsed.record;
}

async function rulePack(options: Options): Promise<RulePack> {
  return typeof options.rules === 'string' ? loadRulePackFile(options.rules) : defaultRulePack();
}

function asOfDate(options: Options, cal: SchoolCalendar): IsoDate {
  const given = options['as-of'];
  const asOf = typeof given === 'string' ? given : new Date().toISOString().slice(0, 10);
  if (!isIsoDate(asOf)) throw new UsageError(`--as-of ${asOf} is not a date written YYYY-MM-DD`);
  if (asOf < cal.firstDay) {
    throw new UsageError(`${given === undefined ? 'today' : '--as-of'} (${asOf}) is before the ${cal.name} calendar starts (${cal.firstDay}); pass --as-of a date in that year or use that year's calendar`);
  }
  // Past the year's end its half-terms are over and their triggers gone: as silent as a wrong answer.
  if (asOf > cal.lastDay) {
    throw new UsageError(`${given === undefined ? 'today' : '--as-of'} (${asOf}) is after the ${cal.name} calendar ends (${cal.lastDay}); pass --as-of a date in that year (its last day for the year as it ended) or use the next year's calendar`);
  }
  return asOf;
}

function required(options: Options, name: string): string {
  const value = options[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required (rules --help for usage)`);
  return value;
}

function choice<const T extends readonly string[]>(options: Options, name: string, accepted: T, fallback: T[number]): T[number] {
  const value = options[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !accepted.includes(value)) throw new UsageError(`--${name} ${String(value)} is not accepted; use ${accepted.join(', ')}`);
  return value as T[number];
}

// Output piped into `head` and closed early is not an error (ENOBUFS: the same, seen on some pipes).
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE' || error.code === 'ENOBUFS') process.exit(0);
  // Any other failure to write (ENOBUFS, a full disk) is said in one line, not a stack.
  process.stderr.write(`rules: cannot write the output (${error.code ?? error.message})\n`);
  process.exit(1);
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof InputError) {
      process.stderr.write(`${error.message.split('\n')[0]}\n${error.problems.map((p) => `  - ${formatProblem(p)}`).join('\n')}\n`);
      process.exitCode = 2;
    } else if (error instanceof UsageError) {
      process.stderr.write(`rules: ${error.message}\n`);
      process.exitCode = 2;
    } else if ((error as { code?: unknown }).code?.toString().startsWith('ERR_PARSE_ARGS')) {
      // An option we do not know (or one missing its value): say which, then how to call us.
      const said = (error as Error).message.split('\n')[0]!.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?').slice(0, 200);
      process.stderr.write(`rules: ${said}\n\n${USAGE}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`rules: ${(error as Error).stack ?? String(error)}\n`);
      process.exitCode = 1;
    }
  },
);

