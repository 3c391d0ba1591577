/**
 * `rules what-if`: the pupils of a file (or a pipe) under the rules in use and a proposed
 * rule pack, all-or-nothing like `rules evaluate`: which pupils would gain or lose which
 * triggers, in total and by group, as a table, JSON or CSV.
 */
import type { SchoolCalendar } from '../calendar/schoolCalendar.js';
import type { IsoDate } from '../dates.js';
import { derivePupilFacts } from '../facts.js';
import { InputError, type Problem } from '../problems.js';
import { parseNdjsonLine, type RawRecord } from '../pupilStream.js';
import type { RulePack } from '../rulePack.js';
import { readPupilRecord } from '../wellFormedRecord.js';
import { CHARACTERISTICS, RulePackComparer, type RulePackComparison, type Shown } from '../whatIf.js';
import { lineOf } from './evaluateBatch.js';
import { openPupilSource, sourceName } from './pupilSource.js';
import { SeenPupils } from './seenPupils.js';
import { csvCell } from './triggerOutput.js';

export const WHAT_IF_FORMATS = ['table', 'json', 'csv'] as const;

export interface WhatIfCommandOptions {
  readonly pupils: string;
  readonly calendar: SchoolCalendar;
  readonly current: RulePack;
  readonly proposed: RulePack;
  readonly asOf: IsoDate;
  readonly format: (typeof WHAT_IF_FORMATS)[number];
  readonly out?: NodeJS.WritableStream;
}

const PROBLEMS_LISTED = 1000;
/** Pupils listed in the table; JSON and CSV list them all. */
const PUPILS_LISTED = 20;

export async function whatIf(options: WhatIfCommandOptions): Promise<number> {
  const out = options.out ?? process.stdout;
  const file = sourceName(options.pupils);
  const comparer = new RulePackComparer({ asOf: options.asOf, current: options.current, proposed: options.proposed });
  const seen = new SeenPupils();
  const problems: Problem[] = [];
  let problemCount = 0;
  let records = 0;
  const problem = (p: Problem) => {
    problemCount++;
    if (problems.length < PROBLEMS_LISTED) problems.push(p);
  };

  const take = async (raw: RawRecord | Problem | undefined) => {
    if (raw === undefined) return;
    if (!('json' in raw)) return problem(raw);
    records++;
    const parsed = readPupilRecord(raw.json, { file, location: raw.location });
    if (!parsed.ok) return parsed.problems.forEach(problem);
    const { record } = parsed;
    const location = `${raw.location} (pupil ${record.id})`;
    const first = seen.see(record.id, lineOf(raw.location));
    if (first !== undefined) problem({ file, location, field: 'id', message: `pupil ${record.id} already appears at line ${first}; one record per pupil` });
    try {
      const facts = derivePupilFacts(record, options.calendar, options.asOf);
      if (problemCount === 0) await comparer.add(record, options.calendar, facts);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      for (const { location: _pupil, ...p } of error.problems) problem({ ...p, file, location });
    }
  };

  const source = await openPupilSource(options.pupils);
  if (source.kind === 'records') for (const raw of source.records) await take(raw);
  else {
    let n = 0;
    for await (const line of source.lines) await take(parseNdjsonLine(line, ++n, file));
  }
  if (records === 0 && problemCount === 0) problem({ file, message: 'no pupil records found' });
  if (problemCount > 0) {
    if (problemCount > problems.length) problems.push({ file, message: `… and ${(problemCount - problems.length).toLocaleString('en-GB')} more problems; fix these and run again` });
    throw new InputError(`${file}: ${problemCount.toLocaleString('en-GB')} problem${problemCount === 1 ? '' : 's'}; nothing was compared`, problems);
  }

  const comparison = comparer.result();
  const text = options.format === 'json' ? `${JSON.stringify(comparison, null, 2)}\n` : options.format === 'csv' ? csv(comparison) : table(comparison, options.calendar);
  if (!out.write(text)) await new Promise((resolve) => out.once('drain', resolve));
  return 0;
}

const shown = (v: Shown) => (typeof v === 'number' ? v.toLocaleString('en-GB') : v);
const rate = (v: Shown) => (typeof v === 'number' ? v.toFixed(1) : v);

function table(c: RulePackComparison, calendar: SchoolCalendar): string {
  const lines = [
    `What if the rules were "${c.proposed}" instead of "${c.current}": ${c.pupils.toLocaleString('en-GB')} pupils as of ${c.asOf} on ${calendar.name}`,
    `Pupils who would gain a trigger: ${shown(c.pupilsGaining)}; who would lose one: ${shown(c.pupilsLosing)}   (c: 1 or 2 pupils, or a figure that would reveal one; withheld)`,
    '',
    `  ${'trigger'.padEnd(44)} ${'now'.padStart(8)} ${'proposed'.padStart(9)} ${'pupils gaining'.padStart(15)} ${'pupils losing'.padStart(14)}`,
  ];
  for (const t of c.triggers) {
    lines.push(`  ${t.trigger.padEnd(44)} ${shown(t.current).padStart(8)} ${shown(t.proposed).padStart(9)} ${shown(t.pupilsGaining).padStart(15)} ${shown(t.pupilsLosing).padStart(14)}`);
  }
  lines.push('', `  By group: pupils, and those who would gain or lose any trigger (number, per 100 in the group)`);
  let last = '';
  for (const g of c.groups) {
    const title = g.characteristic === last ? '' : CHARACTERISTICS[g.characteristic].title;
    last = g.characteristic;
    lines.push(`  ${title.padEnd(18)} ${g.group.padEnd(17)} ${shown(g.pupils).padStart(9)}   gain ${shown(g.gaining).padStart(7)} ${rate(g.gainingRate).padStart(6)}   lose ${shown(g.losing).padStart(7)} ${rate(g.losingRate).padStart(6)}`);
  }
  const listed = c.differences.slice(0, PUPILS_LISTED);
  lines.push('', c.differences.length === 0 ? 'No pupil would gain or lose a trigger.' : `Pupils affected${c.differences.length > listed.length ? ` (the first ${listed.length} of ${c.differences.length.toLocaleString('en-GB')}; --format csv or json for all)` : ''}:`);
  for (const d of listed) {
    const changes = [...d.gained.map((t) => `gains ${t.trigger} (${t.period})`), ...d.lost.map((t) => `loses ${t.trigger} (${t.period})`)];
    lines.push(`  ${d.pupilId} (school ${d.schoolId}): ${changes.join('; ')}`);
  }
  return `${lines.join('\n')}\n`;
}

const CSV_COLUMNS = ['section', 'characteristic', 'group', 'trigger', 'period', 'pupilId', 'schoolId', 'change', 'pupils', 'now', 'proposed', 'gaining', 'gainingRate', 'losing', 'losingRate'] as const;

function csv(c: RulePackComparison): string {
  const rows: Partial<Record<(typeof CSV_COLUMNS)[number], string | number>>[] = [
    { section: 'total', pupils: c.pupils, gaining: c.pupilsGaining, losing: c.pupilsLosing },
    ...c.triggers.map((t) => ({ section: 'trigger', trigger: t.trigger, now: t.current, proposed: t.proposed, gaining: t.pupilsGaining, losing: t.pupilsLosing })),
    ...c.groups.map((g) => ({ section: 'group', characteristic: CHARACTERISTICS[g.characteristic].title, group: g.group, pupils: g.pupils, gaining: g.gaining, gainingRate: g.gainingRate, losing: g.losing, losingRate: g.losingRate })),
    ...c.differences.flatMap((d) => [
      ...d.gained.map((t) => ({ section: 'pupil', pupilId: d.pupilId, schoolId: d.schoolId, change: 'gains', trigger: t.trigger, period: t.period })),
      ...d.lost.map((t) => ({ section: 'pupil', pupilId: d.pupilId, schoolId: d.schoolId, change: 'loses', trigger: t.trigger, period: t.period })),
    ]),
  ];
  return [CSV_COLUMNS.join(','), ...rows.map((r) => CSV_COLUMNS.map((k) => csvCell(String(r[k] ?? ''))).join(','))].join('\r\n') + '\r\n';
}
