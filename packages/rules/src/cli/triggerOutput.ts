/**
 * Writing triggers as JSON, NDJSON, a table for people, or CSV for spreadsheets. Each pupil's
 * triggers are formatted as one block of text (on whichever thread evaluated the pupil), and a
 * writer joins the blocks in order, adding what goes between and around them.
 */
import type { Trigger } from '../evaluate.js';

export const FORMATS = ['json', 'ndjson', 'table', 'csv'] as const;
export type Format = (typeof FORMATS)[number];

const CSV_COLUMNS = ['pupilId', 'schoolId', 'trigger', 'period', 'exclusionIds', 'dueDate', 'grounds', 'explanation', 'ruleId', 'ruleVersion', 'source'] as const;
const TABLE_WIDTH = 42;

/** One pupil's triggers as text in `format` (empty when there are none). */
export function pupilBlock(format: Format, triggers: readonly Trigger[]): string {
  if (triggers.length === 0) return '';
  switch (format) {
    case 'json':
      return triggers.map((t) => JSON.stringify(t)).join(',\n');
    case 'ndjson':
      // One trigger a line, so a consumer can stream (and `head` can stop) as it goes.
      return triggers.map((t) => `${JSON.stringify(t)}\n`).join('');
    case 'csv':
      return triggers.map((t) => `${csvRow(t)}\r\n`).join('');
    case 'table': {
      const { pupilId, schoolId } = triggers[0]!;
      const lines = triggers.map((t) => `  ${t.trigger.padEnd(TABLE_WIDTH)} ${(t.dueDate ? `due ${t.dueDate}` : '').padEnd(14)} ${t.explanation}\n`);
      return `pupil ${pupilId} (school ${schoolId})\n${lines.join('')}`;
    }
  }
}

export interface TriggerWriter {
  /** A pupil's block from {@link pupilBlock}. */
  write(block: string): void;
  end(summary: string): void;
}

/** A writer for `format` on `out` (a writable with `write(text)`). */
export function triggerWriter(format: Format, out: { write(text: string): unknown }): TriggerWriter {
  let written = false;
  if (format === 'csv') out.write(`${CSV_COLUMNS.join(',')}\r\n`);
  return {
    write(block) {
      if (block === '') return;
      if (format === 'json') out.write(written ? ',\n' : '[\n');
      else if (format === 'table' && written) out.write('\n');
      out.write(block);
      written = true;
    },
    end(summary) {
      if (format === 'json') out.write(written ? '\n]\n' : '[]\n');
      if (format === 'table') out.write(`${written ? '\n' : ''}${summary}\n`);
    },
  };
}

function csvRow(t: Trigger): string {
  const cells: Record<(typeof CSV_COLUMNS)[number], string> = {
    pupilId: t.pupilId,
    schoolId: t.schoolId,
    trigger: t.trigger,
    period: t.period,
    exclusionIds: (t.exclusionIds ?? []).join(' '),
    dueDate: t.dueDate ?? '',
    grounds: t.grounds.join(' '),
    explanation: t.explanation,
    ruleId: t.ruleId,
    ruleVersion: String(t.ruleVersion),
    source: t.source.citation,
  };
  return CSV_COLUMNS.map((c) => csvCell(cells[c])).join(',');
}

/** RFC 4180 quoting, and a leading apostrophe where a spreadsheet would run a formula. */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
