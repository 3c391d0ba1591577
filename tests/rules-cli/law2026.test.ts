/**
 * Issue 12 through the `rules` command, as an embedder or policy person runs it: a pupil file
 * with pupil movement evaluated on the 2026/27 calendar, a movement written wrongly refused
 * with its line and field, and `rules explain` setting a rule's versions side by side.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'packages/rules/dist/cli.js');
const calendar = join(root, 'packages/rules/data/calendars/england-2026-27.example.json');
const dir = mkdtempSync(join(tmpdir(), 'rules-law2026-'));

function rules(...args: string[]) {
  const run = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: root });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

function file(name: string, lines: readonly object[] | string): string {
  const path = join(dir, name);
  writeFileSync(path, typeof lines === 'string' ? lines : lines.map((l) => JSON.stringify(l)).join('\n'));
  return path;
}

describe('rules evaluate with pupil movement (2026/27)', () => {
  it('names the late notice of an off-site direction, its due date and the 2026 version', () => {
    const pupils = file('movement.ndjson', [
      { id: 'P1', schoolId: 'SCH1', offSiteDirections: [{ id: 'OSD1', startDate: '2026-10-05', provider: 'Riverside Learning Centre', noticeGivenOn: '2026-10-02' }] },
      { id: 'P2', schoolId: 'SCH1', managedMoves: [{ id: 'MM1', agreedOn: '2026-10-01', receivingSchool: 'Northfield Academy', plannedTrial: true }] },
    ]);
    const { code, stdout, stderr } = rules('evaluate', '--calendar', calendar, '--pupils', pupils, '--as-of', '2026-10-05', '--format', 'json');
    expect(stderr).toContain('2 triggers (managed-move.no-trial 1, off-site-direction.notice-to-parents 1)');
    expect(code).toBe(0);
    const triggers = JSON.parse(stdout) as { pupilId: string; trigger: string; ruleVersion: number; period: string; dueDate?: string; explanation: string }[];
    expect(triggers.map((t) => [t.pupilId, t.trigger, t.ruleVersion, t.period, t.dueDate])).toEqual([
      ['P1', 'off-site-direction.notice-to-parents', 2, 'OSD1', '2026-10-01'],
      ['P2', 'managed-move.no-trial', 1, 'MM1', undefined],
    ]);
  });

  it('refuses a direction ending before it starts, naming the line and field, and evaluates nothing', () => {
    const pupils = file('bad.ndjson', [
      { id: 'P1', schoolId: 'SCH1' },
      { id: 'P2', schoolId: 'SCH1', offSiteDirections: [{ id: 'OSD1', startDate: '2026-10-05', plannedEndDate: '2026-10-01', provider: 'Riverside' }] },
    ]);
    const { code, stdout, stderr } = rules('evaluate', '--calendar', calendar, '--pupils', pupils, '--as-of', '2026-10-05');
    expect(code).not.toBe(0);
    expect(stdout).toBe('');
    expect(stderr).toContain('line 2 (pupil P2), offSiteDirections[0].plannedEndDate: 2026-10-01 is before "startDate" (2026-10-05); accepted: the same day or later');
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});

describe('rules explain sets the versions of a changed rule side by side', () => {
  it('shows both versions of day 6 with their dates and sources, then what changed on 26 July 2026', () => {
    const { code, stdout } = rules('explain', 'statutory.alternative-provision-from-day-6');
    expect(code).toBe(0);
    expect(stdout).toContain('Version 1: in force 2012-09-01 to 2026-07-25');
    expect(stdout).toContain('Version 2: in force 2026-07-26 to now');
    expect(stdout).toContain('version 1 → 2, from 2026-07-26:');
    expect(stdout).toContain('now also: the pupil is in Year 11 and has no further public examinations to sit this year is false  [exams-ahead]');
    expect(stdout).toContain('(SI 2007/1870) regs. 3-4 and 5(2)(a)');
  });

  it('says where a rule rests on summaries rather than the text, and which number is a setting', () => {
    const separation = rules('explain', 'safeguarding-separation.tell-local-authority').stdout;
    expect(separation).toContain('the guidance\'s own wording was not seen');
    expect(separation).toContain('promptHead = true');
    const review = rules('explain', 'off-site-direction.review-due').stdout;
    expect(review).toContain('reviewIntervalSchoolDays = 30');
    expect(review).toContain('not a legal number');
  });
});
