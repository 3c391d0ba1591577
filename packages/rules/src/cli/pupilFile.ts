/**
 * Reading pupil records from a file: a JSON array, a single JSON object, or NDJSON (one
 * record a line, streamed so a large file never sits in memory whole).
 */
import { createReadStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { SchoolCalendar } from '../calendar/schoolCalendar.js';
import { checkRecordOnCalendar } from '../facts.js';
import { duplicateKey, parseJsonText } from '../jsonText.js';
import { InputError, printable, quoted, type Problem } from '../problems.js';
import type { CheckedRecord, RawRecord } from '../pupilStream.js';
import { readPupilRecord } from '../wellFormedRecord.js';

export type { CheckedRecord, RawRecord } from '../pupilStream.js';

/**
 * Yields each record in the file with its place (`record 3` or `line 7`), or a problem for a
 * line that is not JSON. A file starting with `[` is a JSON array; otherwise it is read line
 * by line as NDJSON, unless its first line is not JSON on its own (one pretty-printed object).
 */
export async function* readRawRecords(path: string): AsyncGenerator<RawRecord | Problem> {
  if ((await firstCharacter(path)) === '[') {
    const json = await readWholeJson(path);
    if (!Array.isArray(json)) throw new InputError(`${path} is not a JSON array`, [{ file: path, message: 'expected a JSON array of pupil records' }]);
    for (let i = 0; i < json.length; i++) yield { json: json[i], location: `record ${i + 1}` };
    return;
  }
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let n = 0;
  let first = true;
  for await (const read of lines) {
    n++;
    // A byte-order mark (what Windows tools write first) is not part of the first record.
    const line = n === 1 ? read.replace(/^\uFEFF/, '') : read;
    if (line.trim() === '') continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (error) {
      if (first) {
        lines.close();
        yield { json: await readWholeJson(path), location: 'record 1' };
        return;
      }
      yield { file: path, location: `line ${n}`, message: `not valid JSON (${printable((error as Error).message, 120)}); expected one pupil record per line, or a JSON array of records` };
      continue;
    }
    first = false;
    // JSON.parse keeps the last of a repeated key; a record saying two things is refused instead.
    const repeated = duplicateKey(line);
    if (repeated) {
      yield { file: path, location: `line ${n}`, message: `the key ${quoted(repeated.key)} appears twice in one object; give each field once` };
      continue;
    }
    yield { json, location: `line ${n}` };
  }
}

async function readWholeJson(path: string): Promise<unknown> {
  return parseJsonText(await readFile(path, 'utf8'), path, 'a JSON array of pupil records, one record, or NDJSON (one record a line)');
}

async function firstCharacter(path: string): Promise<string> {
  const handle = await open(path, 'r').catch((error: NodeJS.ErrnoException) => {
    throw new InputError(`cannot read pupils file ${path}`, [{ file: path, message: error.code === 'ENOENT' ? 'no such file' : error.message }]);
  });
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(4096), 0, 4096, 0);
    return buffer.subarray(0, bytesRead).toString('utf8').trimStart().charAt(0);
  } finally {
    await handle.close();
  }
}


/**
 * Yields the records of a file, all-or-nothing: the whole file is checked first (streamed,
 * without keeping records) and nothing is yielded unless every record is valid.
 * @throws InputError listing every problem in the file (all records, not just the first bad one).
 */
export async function* readPupilRecords(path: string, calendar: SchoolCalendar): AsyncGenerator<CheckedRecord> {
  await checkPupilFile(path, calendar);
  for await (const raw of readRawRecords(path)) {
    if (!('json' in raw)) continue;
    const parsed = readPupilRecord(raw.json, { file: path, location: raw.location });
    if (parsed.ok) yield { record: parsed.record, location: raw.location };
  }
}

/**
 * Checks every record of a pupils file without keeping them: shape, codes, duplicates and
 * fit to the calendar.
 * @returns the number of records.
 * @throws InputError listing every problem found.
 */
export async function checkPupilFile(path: string, calendar: SchoolCalendar): Promise<number> {
  const problems: Problem[] = [];
  const seen = new Map<string, string>();
  let count = 0;
  for await (const raw of readRawRecords(path)) {
    if (!('json' in raw)) {
      problems.push(raw);
      continue;
    }
    count++;
    const parsed = readPupilRecord(raw.json, { file: path, location: raw.location });
    if (!parsed.ok) {
      problems.push(...parsed.problems);
      continue;
    }
    const { record } = parsed;
    const where = { file: path, location: `${raw.location} (pupil ${record.id})` };
    const first = seen.get(record.id);
    if (first) problems.push({ ...where, field: 'id', message: `pupil ${record.id} already appears at ${first}; one record per pupil` });
    else seen.set(record.id, raw.location);
    problems.push(...checkRecordOnCalendar(record, calendar).map((p) => ({ ...where, ...p })));
  }
  if (count === 0 && problems.length === 0) problems.push({ file: path, message: 'no pupil records found' });
  if (problems.length > 0) throw new InputError(`${path}: ${problems.length} problem${problems.length === 1 ? '' : 's'}; nothing was evaluated`, problems);
  return count;
}
