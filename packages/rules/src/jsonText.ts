/**
 * Reading JSON that people and systems write, strictly: JSON.parse's syntax check, then what
 * JSON.parse lets through silently — a key given twice in one object, where the last would win.
 */
import { InputError, printable, quoted, type Problem } from './problems.js';

/** A key repeated in one object, with the 1-based line it is repeated on. */
export interface DuplicateKey {
  readonly key: string;
  readonly line: number;
}

/**
 * The first key that appears twice in one object of `text`, which must already be valid JSON.
 * One pass with an explicit stack, so deep nesting cannot overflow the call stack.
 * @example duplicateKey('{"id":"P1",\n"id":"P2"}') // { key: 'id', line: 2 }
 */
export function duplicateKey(text: string): DuplicateKey | undefined {
  // One entry per open bracket: the keys seen so far in an object, or null in an array.
  const stack: (Set<string> | null)[] = [];
  let line = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) line++;
    else if (c === 123) stack.push(new Set());
    else if (c === 91) stack.push(null);
    else if (c === 125 || c === 93) stack.pop();
    else if (c === 34) {
      const start = i;
      for (i++; i < text.length && text.charCodeAt(i) !== 34; i++) if (text.charCodeAt(i) === 92) i++;
      const keys = stack[stack.length - 1];
      if (!keys) continue;
      let j = i + 1;
      while (j < text.length && /\s/.test(text.charAt(j))) j++;
      if (text.charAt(j) !== ':') continue;
      const raw = text.slice(start, i + 1);
      // Escapes spell the same key two ways ("id" and "\u0069d"): compare decoded keys.
      const key = raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1);
      if (keys.has(key)) return { key, line };
      keys.add(key);
    }
  }
  return undefined;
}

/**
 * Parses JSON text, refusing a syntax error or a repeated key with the line it is on.
 * @param file — the file to name in the problem; `firstLine` — the text's first line in it (NDJSON).
 * @throws InputError naming the file, line and what is accepted.
 */
export function parseJsonText(text: string, file: string, expected: string, firstLine = 1): unknown {
  const refuse = (problem: Omit<Problem, 'file'>) => {
    throw new InputError(`${file} is not valid JSON`, [{ file, ...problem }]);
  };
  // A byte-order mark (what Windows tools write first) is not part of the JSON.
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const at = /position (\d+)/.exec(message);
    // Without a position ("Unexpected end of JSON input") the fault is at the end of the text.
    const line = firstLine + countLines(text, at ? Number(at[1]) : text.length);
    refuse({ code: 'json.syntax', location: `line ${line}`, message: `${printable(message)}; expected ${expected}` });
  }
  const repeated = duplicateKey(text);
  if (repeated) {
    refuse({
      code: 'json.duplicate-key',
      location: `line ${firstLine + repeated.line - 1}`,
      message: `the key ${quoted(repeated.key)} appears twice in one object; give each field once`,
    });
  }
  return json;
}

function countLines(text: string, upTo: number): number {
  let n = 0;
  for (let i = 0; i < upTo && i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

