/**
 * `cases letter` as a head runs it: a letter written from a suspension case to a .docx or a .pdf
 * (the format from the file name), with the names from a people file, kept with the case; bad
 * input refused in one line with exit code 2, and nothing written.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mammoth from 'mammoth';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'packages/workflows/dist/cli.js');
const calendar = join(root, 'packages/rules/data/calendars/england-2025-26.example.json');

/** A folder with a store holding one school, its head, another school's head, and one suspended pupil. */
function workspace() {
  const dir = mkdtempSync(join(tmpdir(), 'cases-letter-'));
  const env: NodeJS.ProcessEnv = { ...process.env, AUDIT_ANCHOR_KEY: 'cli-test-anchor-key-0123456789' };
  for (const name of ['DATABASE_URL', 'CASES_DB', 'AUDIT_ANCHOR_FILE', 'SCHOOL_DATE']) delete env[name];
  const file = (name: string, content: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };
  const cases = (...args: string[]) => {
    const result = spawnSync(process.execPath, [bin, '--db', join(dir, 'cases.db'), ...args], { cwd: dir, encoding: 'utf8', env });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };
  const staff = {
    schools: [{ id: 'SCH-A', name: 'Example Primary' }, { id: 'SCH-B', name: 'School B' }],
    staff: [
      { id: 'head-a', displayName: 'Head A', role: 'headteacher', schoolIds: ['SCH-A'] },
      { id: 'head-b', displayName: 'Head B', role: 'headteacher', schoolIds: ['SCH-B'] },
    ],
  };
  expect(cases('staff', file('staff.json', staff)).code).toBe(0);
  // Wednesday 12 and Thursday 13 November 2025: four sessions.
  const pupil = { id: 'P2', schoolId: 'SCH-A', exclusions: [{ id: 'X4', category: 'FIXD', startDate: '2025-11-12', sessions: 4, reasons: ['VA'] }] };
  expect(cases('import', '--pupils', file('pupils.ndjson', JSON.stringify(pupil)), '--calendar', calendar).code).toBe(0);
  expect(cases('evaluate', '--as-of', '2025-11-12').code).toBe(0);
  const caseId = /^(suspension-\w+)/m.exec(cases('list', '--as', 'head-a').stdout)![1]!;
  return { dir, file, cases, caseId };
}

const NOW = ['--now', '2025-11-12T15:00:00Z'];

describe('cases letter', () => {
  it('writes the parents’ notice as .docx and .pdf, with the names from the people file, and prints ids and the hash only', async () => {
    const { dir, file, cases, caseId } = workspace();
    const people = file('people.json', { pupilName: 'Robin Sample', parentNames: ['Kim Sample'], address: ['2 Sample Road', 'Sampleton'], headteacherName: 'Ms Lee' });
    const out = join(dir, 'notice.docx');
    const run = cases('letter', caseId, '--kind', 'parents-suspension', '--as', 'head-a', '--out', out, '--people', people, ...NOW);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^wrote ${out}: parents-suspension letter letter-\\w+ for case ${caseId}, template v1 \\(guidance August 2024\\), sha256 [0-9a-f]{64}\\n$`));
    expect(run.stdout).not.toContain('Robin');
    const text = (await mammoth.extractRawText({ buffer: readFileSync(out) })).value.replace(/\s+/g, ' ');
    expect(text).toContain('Dear Kim Sample,');
    expect(text).toContain('suspend Robin Sample from Example Primary for 2 school days (4 sessions)');
    expect(text).toContain('Robin Sample should come back to school on Friday 14 November 2025, at the start of the morning session.');
    expect(text).toContain('without reasonable justification: Wednesday 12 November 2025 and Thursday 13 November 2025.');

    const pdf = join(dir, 'notice.pdf');
    expect(cases('letter', caseId, '--kind', 'local-authority', '--as', 'head-a', '--out', pdf, ...NOW).code).toBe(0);
    expect(readFileSync(pdf).subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('refuses bad input in one line, exit code 2, and writes nothing', () => {
    const { dir, file, cases, caseId } = workspace();
    const out = join(dir, 'x.docx');
    const refused = (args: string[], message: string | RegExp) => {
      const run = cases('letter', ...args, ...NOW);
      expect(run.code).toBe(2);
      expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(message);
    };
    refused([caseId, '--kind', 'parents-letter', '--as', 'head-a', '--out', out], 'cases: --kind parents-letter is not a letter; letters: parents-suspension, parents-permanent, cancellation, local-authority, board-decision');
    refused([caseId, '--kind', 'parents-suspension', '--as', 'head-a', '--out', join(dir, 'x.txt')], /--out .*x\.txt: end the file name in \.docx or \.pdf/);
    refused([caseId, '--kind', 'parents-suspension', '--as', 'head-b', '--out', out], `cases: no case ${caseId} that you can see`);
    refused([caseId, '--kind', 'parents-permanent', '--as', 'head-a', '--out', out], 'cases: exclusion X4 is a suspension: write the parents-suspension letter');
    const trust = file('trust.json', { format: 'letter-overrides/1', name: 'Example Trust', paragraphs: { 'parents-suspension': { 'public-places': 'Anything.' } } });
    refused([caseId, '--kind', 'parents-suspension', '--as', 'head-a', '--out', out, '--overrides', trust], /paragraph "public-places" of the parents-suspension letter is locked \(statutory wording\) and cannot be overridden; editable: work-set/);
    refused([caseId, '--kind', 'parents-suspension', '--as', 'head-a', '--out', out, '--people', file('people.json', { pupil: 'x' })], /people\.json: its top level: Unrecognized key: "pupil"/);
    expect(existsSync(out)).toBe(false);
  });
});
