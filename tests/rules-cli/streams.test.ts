/**
 * `rules evaluate` in a pipeline, as a user runs it: pupils piped in on standard input
 * (`--pupils -`), a trigger a line out (`--format ndjson`), output cut short by `head`, a large
 * input on worker threads giving exactly what one thread gives, and all-or-nothing kept for a
 * pipe (a bad line late in the input: nothing written but the problems).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'packages/rules/dist/cli.js');
const calendar = join(root, 'packages/rules/data/calendars/england-2025-26.example.json');
const demoPupils = join(root, 'packages/rules/data/demo/pupils.ndjson');
const dir = mkdtempSync(join(tmpdir(), 'rules-streams-'));

function rules(args: string[], input?: string) {
  const run = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: root, input, maxBuffer: 256 * 1024 * 1024 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** A shell pipeline, for `| head`. */
function shell(command: string) {
  const run = spawnSync('/bin/sh', ['-c', command], { encoding: 'utf8', cwd: root, maxBuffer: 64 * 1024 * 1024 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

const fixd = (id: string, startDate: string, sessions: number) => ({ id, category: 'FIXD', startDate, sessions, reasons: ['DB'] });
/** Pupils with two suspensions in the first half of the autumn term: a PEAP each, and notices. */
const pupilLines = (n: number) =>
  Array.from({ length: n }, (_, i) => JSON.stringify({ id: `P${i + 1}`, schoolId: 'SCH1', exclusions: [fixd('X1', '2025-10-02', 2), fixd('X2', '2025-10-14', 2)] }));

describe('rules evaluate in a pipeline', () => {
  it('reads the pupils from standard input and writes one trigger a line', () => {
    const fromFile = rules(['evaluate', '--calendar', calendar, '--pupils', demoPupils, '--as-of', '2026-03-20', '--format', 'json']);
    const piped = rules(['evaluate', '--calendar', calendar, '--pupils', '-', '--as-of', '2026-03-20', '--format', 'ndjson'], `${pupilsOfDemo()}`);
    expect(piped.code).toBe(0);
    const lines = piped.stdout.trimEnd().split('\n');
    // The same triggers, in the same order, as the file gives as a JSON array.
    expect(lines.map((l) => JSON.parse(l))).toEqual(JSON.parse(fromFile.stdout));
    expect(lines.length).toBeGreaterThan(30);
    expect(JSON.parse(lines[0]!)).toMatchObject({ pupilId: 'DEMO-001', trigger: 'peap.required', explanation: '2 suspensions started in the first half of the autumn term (2 Oct, 14 Oct); threshold 2' });
    expect(piped.stderr).toMatch(/^30 pupils evaluated as of 2026-03-20 on England 2025\/26 \(example\) with rules "default": \d+ triggers/);
  });

  it('reads a JSON array from standard input too', () => {
    const array = JSON.stringify(pupilLines(3).map((l) => JSON.parse(l)));
    const run = rules(['evaluate', '--calendar', calendar, '--pupils', '-', '--as-of', '2025-10-20', '--format', 'ndjson'], array);
    expect(run.code).toBe(0);
    expect(run.stdout.trimEnd().split('\n').filter((l) => JSON.parse(l).trigger === 'peap.required')).toHaveLength(3);
  });

  it('ends quietly when head stops reading, with no stack trace', () => {
    const big = join(dir, 'many.ndjson');
    writeFileSync(big, `${pupilLines(20_000).join('\n')}\n`);
    const run = shell(`cat ${big} | node ${bin} evaluate --calendar ${calendar} --pupils - --as-of 2025-10-20 --format ndjson | head -n 3`);
    expect(run.stdout.trimEnd().split('\n')).toHaveLength(3);
    expect(JSON.parse(run.stdout.split('\n')[0]!)).toMatchObject({ pupilId: 'P1', trigger: 'peap.required' });
    expect(run.stderr).not.toMatch(/EPIPE|ENOBUFS|\n\s+at |Error/);
    const table = shell(`node ${bin} evaluate --calendar ${calendar} --pupils ${big} --as-of 2025-10-20 | head -n 1`);
    expect(table.stdout).toBe('pupil P1 (school SCH1)\n');
    expect(table.stderr).toBe('');
  });

  it('gives the same output on worker threads as on one thread, in the same order', () => {
    const input = `${pupilLines(5_000).join('\n')}\n`;
    const one = rules(['evaluate', '--calendar', calendar, '--pupils', '-', '--as-of', '2025-10-20', '--format', 'csv', '--threads', '1'], input);
    const two = rules(['evaluate', '--calendar', calendar, '--pupils', '-', '--as-of', '2025-10-20', '--format', 'csv', '--threads', '2'], input);
    expect(one.code).toBe(0);
    expect(two.code).toBe(0);
    expect(two.stdout).toBe(one.stdout);
    expect(two.stderr).toBe(one.stderr);
    expect(one.stdout.split('\r\n').filter((l) => l.includes(',peap.required,'))).toHaveLength(5_000);
  });

  it('writes nothing but the problems when a line far into a pipe is bad, on worker threads too', () => {
    const lines = pupilLines(4_000);
    lines[3_499] = JSON.stringify({ id: 'P3500', schoolId: 'SCH1', send: 'yes' });
    lines.push(lines[9]!);
    const run = rules(['evaluate', '--calendar', calendar, '--pupils', '-', '--as-of', '2025-10-20', '--format', 'ndjson', '--threads', '2'], lines.join('\n'));
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.split('\n')).toEqual([
      'standard input: 2 problems; nothing was evaluated',
      '  - standard input line 3500 (pupil P3500), send: expected none, K (SEN support) or E (EHC plan)',
      '  - standard input line 4001 (pupil P10), id: pupil P10 already appears at line 10; one record per pupil',
      '',
    ]);
  });
});

describe('rules evaluate refuses what it cannot read', () => {
  it('a folder given as the pupils file, in one line, exit 2', () => {
    const run = rules(['evaluate', '--calendar', calendar, '--pupils', dir, '--as-of', '2025-10-20']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`cannot read pupils file ${dir}\n  - ${dir}: a folder, not a file; give the pupils file (NDJSON, or a JSON array), or - for standard input\n`);
  });

  it('nothing on standard input', () => {
    const run = rules(['evaluate', '--calendar', calendar, '--pupils', '-', '--as-of', '2025-10-20'], '');
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('standard input: 1 problem; nothing was evaluated\n  - standard input: no pupil records found\n');
  });
});

function pupilsOfDemo(): string {
  return spawnSync('cat', [demoPupils], { encoding: 'utf8' }).stdout;
}
