import { InputError } from '@before-exclusion/rules';
import { describe, expect, it } from 'vitest';
import { cellOf, readCsvText } from './csvTable.js';

function refusal(text: string): string[] {
  try {
    readCsvText(text, 'export.csv');
  } catch (error) {
    if (error instanceof InputError) return error.problems.map((p) => `${p.location ?? ''} ${p.field ?? ''}: ${p.message}`);
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('readCsvText', () => {
  it('reads what Excel on Windows writes: a BOM, CRLF, ="00123", trailing empty columns and a sep= line', () => {
    const table = readCsvText('\uFEFFsep=;\r\nid;year;;\r\n="00123";9;;\r\n;;;\r\n', 'export.csv');
    expect(table.headings).toEqual(['id', 'year']);
    expect(table.rows).toHaveLength(1);
    expect(cellOf(table, table.rows[0]!, 'id')).toBe('00123');
    // Row 2 as Excel shows it (it hides the sep= line); line 3 in the file.
    expect([table.rows[0]!.row, table.rows[0]!.line]).toEqual([2, 3]);
  });

  it('keeps a quoted comma and a quoted line break inside one value, and counts rows as a spreadsheet does', () => {
    const table = readCsvText('id,form\nP1,"9A, North"\nP2,"10B\nSouth"\nP3,7C\n', 'export.csv');
    expect(table.rows.map((r) => cellOf(table, r, 'form'))).toEqual(['9A, North', '10B\nSouth', '7C']);
    expect(table.rows.map((r) => [r.row, r.line])).toEqual([[2, 2], [3, 3], [4, 5]]);
  });

  it('counts a blank line as a spreadsheet row, and skips it', () => {
    const table = readCsvText('\r\nid,year\r\nP1,9\r\n\r\nP2,10\r\n', 'export.csv');
    expect(table.headings).toEqual(['id', 'year']);
    expect(table.rows.map((r) => [cellOf(table, r, 'id'), r.row, r.line])).toEqual([['P1', 3, 3], ['P2', 5, 5]]);
  });

  it('guesses ; or tab as the separator from the heading row', () => {
    for (const text of ['id;year\nP1;9\n', 'id\tyear\nP1\t9\n']) {
      const table = readCsvText(text, 'x');
      expect(cellOf(table, table.rows[0]!, 'year')).toBe('9');
    }
  });

  it('refuses a value beyond the headings, naming row and column, and says why it may be', () => {
    expect(refusal('id,year\nP1,9\nP2,Smith, Jo\n')).toEqual([
      'row 3 column C: a value beyond the last heading (2 columns); accepted: a value under a heading only (a comma inside a value needs the value in double quotes)',
    ]);
  });

  it('refuses an unclosed quote naming the line, a repeated heading and a column without one', () => {
    expect(refusal('id,year\nP1,"9\nP2,10\n')[0]).toMatch(/^line \d+ : a value opened with a double quote is never closed/);
    expect(refusal('id,Year,year\nP1,9,9\n')).toEqual(['row 1 column C: the heading "year" is also column B\'s; accepted: each heading once']);
    expect(refusal('id,,year\nP1,x,9\n')).toEqual(['row 1 column B: this column has no heading; accepted: a heading naming every column that holds data']);
    expect(refusal('\uFEFF\r\n')).toEqual([' : no heading row and no data; expected a heading row naming the columns, then a row per record']);
  });
});
