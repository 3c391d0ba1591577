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
    else out += out ? `.${String(seg)}` : String(seg);
  }
  return out;
}

/** "A, B or C" */
export function oneOf(values: readonly string[]): string {
  if (values.length <= 1) return values.join('');
  return `${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}`;
}
