/** A named file's text, read whole, or an InputError naming the file — never a stack trace. */
import { readFile } from 'node:fs/promises';
import { InputError } from '../problems.js';

/** `what` names the kind of file in the message: `cannot read calendar term.ics`. */
export async function readText(path: string, what: string): Promise<string> {
  return readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new InputError(`cannot read ${what} ${path}`, [{ code: 'file.unreadable', file: path, message: error.code === 'ENOENT' ? 'no such file' : error.message }]);
  });
}
