/**
 * The `cases` command as a user runs it: each call its own process, on a store in a fresh folder,
 * with none of this machine's store or support settings leaking in (a developer's CASES_DB or
 * SCHOOL_DATE would change what a test sees).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'packages/workflows/dist/cli.js');
/** The example 2025/26 calendar the demo uses. */
export const CALENDAR_2025_26 = join(root, 'packages/rules/data/calendars/england-2025-26.example.json');

/** Settings read from the environment that a test sets itself, or not at all. */
const MACHINE_SETTINGS = ['DATABASE_URL', 'CASES_DB', 'AUDIT_ANCHOR_FILE', 'SCHOOL_DATE', 'RULES_FILE', 'NURTURE_OUTREACH_CAPACITY', 'EHC_LOCAL_TARGET_WEEKS_CIC'];

export interface CasesFolder {
  readonly dir: string;
  /** Writes a file in the folder (text as given, anything else as JSON) and gives its path. */
  file(name: string, content: unknown): string;
  /** Runs `cases --db FOLDER/cases.db ARGS… [then the folder's own args]`. */
  cases(...args: string[]): { code: number | null; stdout: string; stderr: string };
}

/**
 * A folder named `name-…` with an empty store; `env` adds settings (after the machine's are
 * cleared), `after` is appended to every call (e.g. `--now=…`).
 */
export function casesFolder(name: string, options: { readonly env?: NodeJS.ProcessEnv; readonly after?: readonly string[] } = {}): CasesFolder {
  const dir = mkdtempSync(join(tmpdir(), `${name}-`));
  const env: NodeJS.ProcessEnv = { ...process.env, AUDIT_ANCHOR_KEY: `${name}-test-anchor-key-0123456789` };
  for (const setting of MACHINE_SETTINGS) delete env[setting];
  Object.assign(env, options.env);
  return {
    dir,
    file(fileName, content) {
      const path = join(dir, fileName);
      writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
      return path;
    },
    cases(...args) {
      const r = spawnSync(process.execPath, [bin, '--db', join(dir, 'cases.db'), ...args, ...(options.after ?? [])], { cwd: dir, encoding: 'utf8', env });
      return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    },
  };
}
