/**
 * Problems with input a user supplied, each saying what was wrong, where, and what is accepted.
 * Loaders collect every problem they find and throw them together, so one run lists them all.
 */

/**
 * The stable, machine-readable kinds of problem, with what each means. A program branches on
 * `code`, never on the wording of `message` (which may change in any release). New codes may be
 * added in a minor version; a code's meaning never changes.
 */
export const PROBLEM_CODES = {
  invalid: 'the input does not have the accepted shape (the message says which field and what is accepted)',
  'file.unreadable': 'the file cannot be read (no such file, a folder, no permission)',
  'json.syntax': 'the text is not JSON',
  'json.duplicate-key': 'a key appears twice in one JSON object',
  'date.not-real': 'not a real date written YYYY-MM-DD (2025-10-32, 2026-02-30)',
  'calendar.outside': 'a date outside the calendar\'s academic year where one within it is needed',
  'record.not-a-school-day': 'an exclusion or attendance mark on a day that is not a school day in the calendar',
  'record.out-of-reach': 'a date in a record too far from the calendar\'s year (more than a school life before it, or a year after)',
  'record.overlapping-exclusions': 'two exclusions cover the same session or lunchtime',
  'pack.unknown-rule': 'a rule pack names a rule that is not in the pack',
  'pack.unknown-parameter': 'a rule pack sets a parameter the rule does not have',
  'pack.parameter-value': 'a parameter value of the wrong type, or outside its bounds',
  'pack.overlapping-versions': 'two versions of one rule are in force on the same day',
  'pack.statutory-rule': 'a change would remove or replace a statutory rule (one whose source is the law)',
  'pack.rule-exists': 'a custom rule has the id of a rule already in the pack',
  'pack.reserved-trigger': 'a custom rule uses a trigger id the package defines',
  'pack.module': 'a rule-pack module (.mjs, .js) failed to load or gives no RulePack as its default export',
  'rule.unknown-fact': 'a rule names a fact that does not exist for its scope',
  'rule.unknown-operator': 'a rule uses an operator json-rules-engine does not have',
  'rule.unknown-parameter': 'a rule refers to a parameter it does not declare',
  'rule.unknown-placeholder': 'an explanation template uses a {word} that does not exist',
  'rule.condition': 'a condition is malformed (not an object, no name, no value)',
  'fact.reserved': 'a custom fact has the name of a built-in fact',
  'fact.invalid': 'a custom fact definition is malformed (name, scope, description)',
} as const;
export type ProblemCode = keyof typeof PROBLEM_CODES;

/** One thing wrong with an input. */
export interface Problem {
  /**
   * What kind of problem, stable across releases ({@link PROBLEM_CODES}; other modules add
   * their own, documented where they are made). Left out, it is `invalid`.
   */
  readonly code?: string;
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

/** A problem as an {@link InputError} carries it: always with a code. */
export type CodedProblem = Problem & { readonly code: string };

/** Thrown when input is rejected; carries every problem found, not just the first. */
export class InputError extends Error {
  /** Every problem, each with its `code` (`invalid` when the maker gave none). */
  readonly problems: readonly CodedProblem[];

  constructor(summary: string, problems: readonly Problem[]) {
    const shown = problems.slice(0, 50).map((p) => `  - ${formatProblem(p)}`);
    const more = problems.length > 50 ? [`  … and ${problems.length - 50} more`] : [];
    super([summary, ...shown, ...more].join('\n'));
    this.name = 'InputError';
    this.problems = problems.map((p) => (p.code === undefined ? { code: 'invalid', ...p } : (p as CodedProblem)));
  }
}

/**
 * The code of a schema issue: the one a check names in its `params` (`{ code: 'date.not-real' }`),
 * else `invalid`.
 */
export function issueCode(issue: { readonly code?: string; readonly params?: Readonly<Record<string, unknown>> | undefined }): string {
  const named = issue.code === 'custom' ? issue.params?.code : undefined;
  return typeof named === 'string' ? named : 'invalid';
}

/** A field path in the `a.b[0].c` form from zod-style path segments. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    // A key a user wrote is shown as written only when short and plain; otherwise quoted and cut.
    // A key with a dot (rule ids: `peap.required`) is bracketed too, so a path reads one way:
    // `parameters["peap.required"].threshold`.
    else if (typeof seg === 'string' && !/^[\w$-]{1,40}$/.test(seg)) out += `[${quoted(seg)}]`;
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
