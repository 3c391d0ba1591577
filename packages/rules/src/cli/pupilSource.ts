/**
 * Where the pupils come from: a file, or `-` for standard input (a pipe). NDJSON is streamed
 * line by line; a JSON array, or one pretty-printed record, is read whole (it has to be).
 * The choice is made from the first line, so a pipe is read once, never sought.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { parseJsonText } from '../jsonText.js';
import { InputError } from '../problems.js';
import type { RawRecord } from '../pupilStream.js';

export type PupilSource =
  | { readonly kind: 'lines'; readonly lines: AsyncIterable<string> }
  | { readonly kind: 'records'; readonly records: readonly RawRecord[] };

const EXPECTED = 'a JSON array of pupil records, one record, or NDJSON (one record a line)';

/** The name problems give the input: the path, or `standard input`. */
export function sourceName(path: string): string {
  return path === '-' ? 'standard input' : path;
}

/** The size of a named file (to decide whether to use worker threads); undefined for a pipe. */
export async function sourceSize(path: string): Promise<number | undefined> {
  if (path === '-') return undefined;
  const info = await stat(path).catch(() => undefined);
  return info?.isFile() ? info.size : undefined;
}

/**
 * Opens the pupils at `path` (`-`: standard input).
 * @throws InputError when the file cannot be read, or whole JSON is not valid.
 */
export async function openPupilSource(path: string, stdin: Readable = process.stdin): Promise<PupilSource> {
  const name = sourceName(path);
  // A folder opens, then fails on the first read: say so before starting.
  if (path !== '-' && (await stat(path).catch(() => undefined))?.isDirectory()) {
    throw new InputError(`cannot read pupils file ${path}`, [{ file: path, message: 'a folder, not a file; give the pupils file (NDJSON, or a JSON array), or - for standard input' }]);
  }
  const input = path === '-' ? stdin : createReadStream(path);
  const opened = new Promise<void>((resolve, reject) => {
    if (path === '-') return resolve();
    input.once('open', () => resolve());
    input.once('error', (error: NodeJS.ErrnoException) =>
      reject(new InputError(`cannot read pupils file ${path}`, [{ file: path, message: error.code === 'ENOENT' ? 'no such file' : error.message }])),
    );
  });
  await opened;
  input.setEncoding('utf8');
  const reader = createInterface({ input, crlfDelay: Infinity })[Symbol.asyncIterator]();

  // The first line that is not blank decides (a byte-order mark, as Windows tools write, is not part of it).
  const blank: string[] = [];
  let first: string | undefined;
  for (let next = await reader.next(); !next.done; next = await reader.next()) {
    const line = blank.length === 0 ? next.value.replace(/^\uFEFF/, '') : next.value;
    if (line.trim() !== '') {
      first = line;
      break;
    }
    blank.push(line);
  }
  if (first === undefined) return { kind: 'records', records: [] };
  if (!first.trimStart().startsWith('[') && isJson(first)) {
    return {
      kind: 'lines',
      lines: (async function* () {
        yield* blank;
        yield first;
        for (let next = await reader.next(); !next.done; next = await reader.next()) yield next.value;
      })(),
    };
  }
  // Whole JSON: the rest of the text, with its lines kept so problems can name them.
  const text = [...blank, first];
  for (let next = await reader.next(); !next.done; next = await reader.next()) text.push(next.value);
  const json = parseJsonText(text.join('\n'), name, EXPECTED);
  if (Array.isArray(json)) return { kind: 'records', records: json.map((record, i) => ({ json: record, location: `record ${i + 1}` })) };
  return { kind: 'records', records: [{ json, location: 'record 1' }] };
}

function isJson(line: string): boolean {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}
