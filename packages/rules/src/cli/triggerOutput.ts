/**
 * Writing triggers as JSON, NDJSON, a table for people, or CSV for spreadsheets — one trigger at a
 * time, so output streams as evaluation goes.
 */
import type { Trigger } from '../evaluate.js';

export const FORMATS = ['json', 'ndjson', 'table', 'csv'] as const;
export type Format = (typeof FORMATS)[number];

export interface TriggerWriter {
  write(trigger: Trigger): void;
  end(summary: string): void;
}

const CSV_COLUMNS = ['pupilId', 'schoolId', 'trigger', 'period', 'exclusionIds', 'dueDate', 'grounds', 'explanation', 'ruleId', 'ruleVersion', 'source'] as const;

/** A writer for `format` on `out` (a writable with `write(text)`). */
export function triggerWriter(format: Format, out: { write(text: string): unknown }): TriggerWriter {
  switch (format) {
    case 'json': {
      let first = true;
      return {
        write(t) {
          out.write(`${first ? '[\n' : ',\n'}${JSON.stringify(t)}`);
          first = false;
        },
        end() {
          out.write(first ? '[]\n' : '\n]\n');
        },
      };
    }
    case 'ndjson':
      // One trigger a line, so a consumer can stream (and `head` can stop) as it goes.
      return {
        write(t) {
          out.write(`${JSON.stringify(t)}\n`);
        },
        end() {},
      };
    case 'csv':
      out.write(`${CSV_COLUMNS.join(',')}\r\n`);
      return {
        write(t) {
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
          out.write(`${CSV_COLUMNS.map((c) => csvCell(cells[c])).join(',')}\r\n`);
        },
        end() {},
      };
    case 'table': {
      let pupil: string | undefined;
      const width = 42;
      return {
        write(t) {
          if (t.pupilId !== pupil) {
            out.write(`${pupil === undefined ? '' : '\n'}pupil ${t.pupilId} (school ${t.schoolId})\n`);
            pupil = t.pupilId;
          }
          const due = t.dueDate ? `due ${t.dueDate}` : '';
          out.write(`  ${t.trigger.padEnd(width)} ${due.padEnd(14)} ${t.explanation}\n`);
        },
        end(summary) {
          out.write(`${pupil === undefined ? '' : '\n'}${summary}\n`);
        },
      };
    }
  }
}

/** RFC 4180 quoting, and a leading apostrophe where a spreadsheet would run a formula. */
function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
