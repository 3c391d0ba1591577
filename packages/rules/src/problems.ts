/**
 * Problems with input a user supplied, each saying what was wrong, where, and what is accepted.
 * Loaders collect every problem they find and throw them together, so one run lists them all.
 */

/** One thing wrong with an input. */
export interface Problem {
  /** The file (or other source) the input came from, when there is one. */
  readonly file?: string;
  /** Where in it: "line 17", "record 3", "pupil P042", "VEVENT at line 40". */
  readonly location?: string;
  /** The field, as a path: `exclusions[0].category`. */
  readonly field?: string;
  /** What is wrong, and what would be accepted. */
  readonly message: string;
}

/** One line a person can read: `pupils.ndjson line 17, exclusions[0].category: "SUS" is …`. */
export function formatProblem(p: Problem): string {
  const where = [p.file, p.location].filter(Boolean).join(' ');
  const prefix = [where, p.field].filter(Boolean).join(', ');
  return prefix ? `${prefix}: ${p.message}` : p.message;
}

/** Thrown when input is rejected; carries every problem found, not just the first. */
export class InputError extends Error {
  readonly problems: readonly Problem[];

  constructor(summary: string, problems: readonly Problem[]) {
    const shown = problems.slice(0, 50).map((p) => `  - ${formatProblem(p)}`);
    const more = problems.length > 50 ? [`  … and ${problems.length - 50} more`] : [];
    super([summary, ...shown, ...more].join('\n'));
    this.name = 'InputError';
    this.problems = problems;
  }
}

/** A field path in the `a.b[0].c` form from zod-style path segments. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    // A key a user wrote is shown as written only when short and plain; otherwise quoted and cut.
    else if (typeof seg === 'string' && !/^[\w$.-]{1,40}$/.test(seg)) out += `[${quoted(seg)}]`;
    else out += out ? `.${String(seg)}` : String(seg);
  }
  return out;
}

/** "A, B or C" */
export function oneOf(values: readonly string[]): string {
  if (values.length <= 1) return values.join('');
  return `${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}`;
}

/** How much of a user's text a message quotes: enough to recognise it, never a 50 MB id. */
const QUOTE_MAX = 40;

/**
 * A user's text, quoted for a message: cut to 40 characters (with "…" and its length) and
 * JSON-escaped, so control characters and terminal escapes are shown, never obeyed.
 * @example quoted('P1') // '"P1"'
 */
export function quoted(text: string, max = QUOTE_MAX): string {
  const shown = escaped(text.length <= max ? text : text.slice(0, max));
  return text.length <= max ? shown : `${shown}… (${text.length} characters)`;
}

/** JSON's escaping, plus what JSON leaves raw but a terminal or a log obeys: C1 controls (CSI) and line separators. */
function escaped(text: string): string {
  return JSON.stringify(text).replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Any input value in a few words, for a message: strings quoted (cut), numbers and booleans as
 * written, arrays and objects by kind — never stringified whole (a deep array would not survive it).
 */
export function described(value: unknown): string {
  if (typeof value === 'string') return quoted(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  return Array.isArray(value) ? 'a list' : 'an object';
}

/**
 * A schema issue's message, bounded: unknown keys are listed quoted and cut (at most five), and
 * no message runs past 300 characters, whatever the input held.
 */
export function issueMessage(issue: { readonly code?: string; readonly message: string; readonly keys?: readonly string[] }): string {
  if (issue.code === 'unrecognized_keys' && issue.keys) {
    const more = issue.keys.length > 5 ? ` and ${issue.keys.length - 5} more` : '';
    return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.slice(0, 5).map((k) => quoted(k)).join(', ')}${more}`;
  }
  return issue.message.length > 300 ? `${issue.message.slice(0, 300)}…` : issue.message;
}

/** Another library's message about a user's input, made safe to print: control characters shown as "?", cut at `max`. */
export function printable(text: string, max = 160): string {
  const safe = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '?');
  return safe.length > max ? `${safe.slice(0, max)}…` : safe;
}
