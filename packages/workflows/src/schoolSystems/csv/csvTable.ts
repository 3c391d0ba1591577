/**
 * A CSV file as a school system or Excel writes it, read into rows of named cells — with what
 * Windows tools add: a byte-order mark, CRLF line ends, a `sep=;` first line, `;` or tab as the
 * separator, `="00123"` (Excel's way of keeping leading zeros), and trailing empty columns.
 * Every refusal names the file, the row (as a spreadsheet counts it: the heading is row 1) and
 * the column. Parsing is csv-parse's (RFC 4180 quoting, newlines inside quoted fields).
 */
import { readFileSync, statSync } from 'node:fs';
import { CsvError, parse } from 'csv-parse/sync';
import { InputError, printable, type Problem } from '@before-exclusion/rules';

/** One data row: its place, and its cells in the headings' order (trimmed; an empty cell is ''). */
export interface CsvRow {
  /** The row as a spreadsheet shows it: the heading row is 1, so the first data row is 2. */
  readonly row: number;
  /** The line in the file the row starts on (differs from `row` after a `sep=` line or a quoted newline). */
  readonly line: number;
  readonly cells: readonly string[];
}

export interface CsvTable {
  readonly file: string;
  /** The headings as written (trimmed), in order. */
  readonly headings: readonly string[];
  readonly rows: readonly CsvRow[];
}

/** The cell of a row under a heading ('' when empty or when there is no such heading). */
export function cellOf(table: CsvTable, row: CsvRow, heading: string): string {
  const index = table.headings.indexOf(heading);
  return index < 0 ? '' : (row.cells[index] ?? '');
}

/** Larger than any school's export (a year of session marks for 2,000 pupils is ~40 MB). */
export const MAX_CSV_BYTES = 200 * 1024 * 1024;
/** One row longer than this is not a school export: refused rather than held in memory. */
const MAX_ROW_CHARACTERS = 100_000;

/** Where a row is, for a problem: `row 5`, or `row 5 (line 6)` when the file's lines differ. */
export function rowLocation(row: Pick<CsvRow, 'row' | 'line'>): string {
  return row.row === row.line ? `row ${row.row}` : `row ${row.row} (line ${row.line})`;
}

/**
 * Reads a CSV file whole (school exports are small) and checks its shape.
 * @throws InputError naming the file, row and column of every problem.
 */
export function readCsvFile(path: string, shownAs = path): CsvTable {
  let bytes: Buffer;
  try {
    if (statSync(path).size > MAX_CSV_BYTES) {
      throw new InputError(`${shownAs} is too large`, [{ file: shownAs, message: `larger than ${MAX_CSV_BYTES / 1024 / 1024} MB; accepted: a school's export (split a larger one by term)` }]);
    }
    bytes = readFileSync(path);
  } catch (error) {
    if (error instanceof InputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(`cannot read ${shownAs}`, [{ file: shownAs, message: code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder; expected a CSV file' : printable((error as Error).message, 200) }]);
  }
  return readCsvText(decode(bytes), shownAs);
}

/** UTF-8 (with or without a BOM), or UTF-16 as Excel's "Unicode text" writes it. */
function decode(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return Buffer.from(bytes.subarray(2)).swap16().toString('utf16le');
  return bytes.toString('utf8');
}

/**
 * Reads CSV text (see the module's note for what is accepted).
 * @param file the name to give in problems
 * @throws InputError naming the file, row and column of every problem.
 */
export function readCsvText(text: string, file: string): CsvTable {
  let body = text.replace(/^\uFEFF/, '');
  let lineOffset = 0;
  // Excel's `sep=;` first line says the separator; Excel itself hides it.
  const sep = /^sep=(.)\r?\n/i.exec(body);
  if (sep) {
    body = body.slice(sep[0].length);
    lineOffset = 1;
  }
  if (body.trim() === '') throw new InputError(`${file} is empty`, [{ file, message: 'no heading row and no data; expected a heading row naming the columns, then a row per record' }]);
  const delimiter = sep?.[1] ?? guessDelimiter(body);

  let records: string[][];
  try {
    records = parse(body, {
      delimiter,
      bom: true,
      // `="00123"` has a quote mid-field; it is unwrapped below instead of refused.
      relax_quotes: true,
      relax_column_count: true,
      max_record_size: MAX_ROW_CHARACTERS,
    });
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    throw new InputError(`${file} is not a readable CSV file; nothing was imported`, [csvProblem(error, file, lineOffset)]);
  }

  // Lines are counted here (csv-parse's per-record info doubles its time): a record takes its line
  // and one more per line break inside a quoted value; a blank line is a record of one empty cell.
  // Rows are counted as a spreadsheet does: every record, blank or not, from 1.
  let line = 1 + lineOffset;
  const placed = records.map((cells, i) => {
    const at = { row: i + 1, line };
    line += 1 + lineBreaksIn(cells);
    for (let c = 0; c < cells.length; c++) cells[c] = cell(cells[c]!);
    return { ...at, cells };
  });
  const first = placed.findIndex((r) => r.cells.some((c) => c !== ''));
  const head = placed[first];
  const data = placed.slice(first + 1);
  if (!head) throw new InputError(`${file} is empty`, [{ file, message: 'no heading row; expected a heading row naming the columns' }]);
  const problems: Problem[] = [];
  const headingRow = { row: head.row, line: head.line };
  const written = head.cells;
  // Excel leaves empty headings after the last column; those columns must be empty too.
  let width = written.length;
  while (width > 0 && written[width - 1] === '') width--;
  const headings = written.slice(0, width);
  const seen = new Map<string, number>();
  headings.forEach((heading, i) => {
    const column = `column ${columnLetter(i)}`;
    if (heading === '') problems.push({ file, location: rowLocation(headingRow), field: column, message: 'this column has no heading; accepted: a heading naming every column that holds data' });
    const key = headingKey(heading);
    const before = seen.get(key);
    if (heading !== '' && before !== undefined) problems.push({ file, location: rowLocation(headingRow), field: column, message: `the heading ${JSON.stringify(printable(heading, 60))} is also column ${columnLetter(before)}'s; accepted: each heading once` });
    else seen.set(key, i);
  });

  const rows: CsvRow[] = [];
  for (const place of data) {
    const { cells } = place;
    if (cells.every((c) => c === '')) continue; // a blank row, or one of empty cells (`,,,`): Excel's padding
    const extra = cells.slice(width).findIndex((c) => c !== '');
    if (extra >= 0) {
      problems.push({ file, location: rowLocation(place), field: `column ${columnLetter(width + extra)}`, message: `a value beyond the last heading (${width} columns); accepted: a value under a heading only (a comma inside a value needs the value in double quotes)` });
      continue;
    }
    if (cells.length > width) cells.length = width;
    rows.push(place);
  }
  if (problems.length > 0) throw new InputError(`${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'} in its layout; nothing was imported`, problems);
  return { file, headings, rows };
}

/** The key a heading is matched by: case, spaces, underscores and punctuation do not matter. */
export function headingKey(heading: string): string {
  return heading.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** A spreadsheet's column letter: 0 → A, 26 → AA. */
export function columnLetter(index: number): string {
  let n = index + 1;
  let letters = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    letters = String.fromCharCode(65 + r) + letters;
    n = Math.floor((n - 1) / 26);
  }
  return letters;
}

/** A cell as meant: trimmed, and Excel's `="00123"` text-forcing unwrapped. */
function cell(value: string): string {
  const trimmed = value.trim();
  // Most cells are plain: only one starting `="` is looked at again (this runs for every cell).
  if (!trimmed.startsWith('="') || !trimmed.endsWith('"') || trimmed.length < 3) return trimmed;
  return trimmed.slice(2, -1).replace(/""/g, '"').trim();
}

/** The separator of the heading line: a comma unless the heading holds more semicolons or tabs (Excel in other locales). */
function guessDelimiter(body: string): string {
  const firstLine = body.slice(0, body.search(/\r?\n|$/));
  const count = (c: string) => firstLine.split(c).length - 1;
  const [best] = [',', ';', '\t'].sort((a, b) => count(b) - count(a));
  return count(best!) > 0 ? best! : ',';
}

/** Line breaks inside a record's quoted values (a CRLF is one). */
function lineBreaksIn(record: readonly string[]): number {
  let breaks = 0;
  for (const value of record) for (let at = value.indexOf('\n'); at >= 0; at = value.indexOf('\n', at + 1)) breaks++;
  return breaks;
}

function csvProblem(error: CsvError, file: string, lineOffset: number): Problem {
  const line = (typeof (error as { lines?: unknown }).lines === 'number' ? (error as unknown as { lines: number }).lines : 0) + lineOffset;
  const location = line > 0 ? `line ${line}` : undefined;
  const message: Record<string, string> = {
    CSV_QUOTE_NOT_CLOSED: 'a value opened with a double quote is never closed; accepted: a quoted value ends with a double quote (a quote inside it is written twice: "")',
    CSV_INVALID_CLOSING_QUOTE: 'text follows the closing double quote of a value; accepted: a separator or the end of the line right after it',
    CSV_MAX_RECORD_SIZE: `a row longer than ${MAX_ROW_CHARACTERS.toLocaleString('en-GB')} characters (often an unclosed double quote); accepted: one record a row`,
    CSV_RECORD_INCONSISTENT_FIELDS_LENGTH: 'a row with a different number of values from the heading row',
  };
  return { file, ...(location ? { location } : {}), message: message[error.code] ?? `${printable(error.message, 200)}; expected a CSV file with a heading row` };
}
