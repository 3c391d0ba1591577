/**
 * Reading a case back with the `cases` command, as an inclusion officer would: the whole record
 * in words (answers under their questions, a Yes changed to No shown as a change, the decision
 * and its rationale, notes) or as JSON; a list as JSON; a format it does not know refused.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CaseStore } from '../../packages/workflows/dist/index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'packages/workflows/dist/cli.js');

function folder() {
  const dir = mkdtempSync(join(tmpdir(), 'cases-show-'));
  const env: NodeJS.ProcessEnv = { ...process.env, AUDIT_ANCHOR_KEY: 'cli-show-anchor-key-0123456789' };
  for (const name of ['DATABASE_URL', 'CASES_DB', 'AUDIT_ANCHOR_FILE', 'QUESTIONS_FILE']) delete env[name];
  const cases = (...args: string[]) => {
    const r = spawnSync(process.execPath, [bin, '--db', join(dir, 'cases.db'), ...args], { cwd: dir, encoding: 'utf8', env });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  return { dir, cases };
}

describe('cases show and list read a case back', () => {
  it('prints the whole record in words and as JSON, and lists cases as JSON', async () => {
    const { dir, cases } = folder();
    const staff = join(dir, 'staff.json');
    writeFileSync(
      staff,
      JSON.stringify({
        schools: [{ id: 'DEMO-SCH', name: 'Demo' }, { id: 'SCH-B', name: 'B' }],
        staff: [
          { id: 'head', displayName: 'Head', role: 'headteacher', schoolIds: ['DEMO-SCH'] },
          { id: 'officer', displayName: 'Officer', role: 'inclusion-officer', schoolIds: ['DEMO-SCH'] },
          { id: 'head-b', displayName: 'Head B', role: 'headteacher', schoolIds: ['SCH-B'] },
        ],
      }),
    );
    expect(cases('staff', staff).code).toBe(0);
    expect(cases('import', '--pupils', join(root, 'packages/rules/data/demo/pupils.ndjson'), '--calendar', join(root, 'packages/rules/data/calendars/england-2025-26.example.json')).code).toBe(0);
    expect(cases('evaluate', '--as-of', '2026-03-20').code).toBe(0);

    const listed = cases('list', '--as', 'officer', '--format', 'json');
    expect(listed.code).toBe(0);
    const list = JSON.parse(listed.stdout) as { id: string; kind: string; pupilId: string; state: string }[];
    const peap = list.find((c) => c.kind === 'peap')!;
    expect(peap).toMatchObject({ id: expect.stringMatching(/^peap-/), state: 'triggered' });

    const act = (event: string, data: object) => expect(cases('act', peap.id, event, '--data', JSON.stringify(data), '--as', 'head').code).toBe(0);
    act('SCHEDULE_MEETING', { date: '2026-03-23' });
    act('ANSWER', { questionId: 'pupil-voice.likes', answer: 'Art, and my friends.' });
    act('ANSWER', { questionId: 'support.school-based', answer: 'A mentor since October.' });
    act('ANSWER', { questionId: 'support.exhausted', answer: true });
    act('ANSWER', { questionId: 'support.exhausted', answer: false });
    act('COMPLETE_REFLECTION', {});
    act('DECIDE', { decision: 'no-exclusion-support-plan', rationale: 'The mentoring is working.', followUpDate: '2026-05-01' });
    expect(cases('note', peap.id, 'Plan checked with the SENCO.', '--as', 'officer').code).toBe(0);

    const text = cases('show', peap.id, '--as', 'officer');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('What do you like about school?\n      Art, and my friends.');
    expect(text.stdout).toMatch(/I attest that all support mechanisms available to the pupil have been exhausted\.\n {6}No {2}— head, .*\n {6}\(changed from: Yes — head, /);
    expect(text.stdout).toContain('No exclusion: a support plan — head');
    expect(text.stdout).toContain('rationale: The mentoring is working.');
    expect(text.stdout).toContain('[ ] the attestation that all support mechanisms have been exhausted');
    expect(text.stdout).toMatch(/officer \(inclusion-officer\): Plan checked with the SENCO\./);
    expect(text.stdout).not.toMatch(/\bANSWER\b|\bDECIDE\b/);

    const json = cases('show', peap.id, '--as', 'officer', '--format', 'json');
    expect(json.code).toBe(0);
    const record = JSON.parse(json.stdout);
    expect(record.decision).toMatchObject({ decision: 'No exclusion: a support plan', rationale: 'The mentoring is working.' });
    expect(record.answers.find((a: { questionId: string }) => a.questionId === 'support.exhausted')).toMatchObject({ answer: 'No', earlier: [{ answer: 'Yes' }] });
    expect(record.notes).toEqual([expect.objectContaining({ text: 'Plan checked with the SENCO.', by: 'officer' })]);

    // Another school's head learns nothing; an unknown format is refused, never ignored.
    expect(cases('show', peap.id, '--as', 'head-b')).toMatchObject({ code: 2, stderr: `cases: no case ${peap.id} that you can see\n` });
    expect(cases('show', peap.id, '--as', 'officer', '--format', 'yaml')).toMatchObject({ code: 2, stderr: 'cases: --format yaml is not accepted here; use text or json\n' });

    // The figures read from the command line are audited like a case read: who, which period, which form.
    expect(cases('report', '--year', '2025/26', '--term', 'spring', '--as', 'officer', '--format', 'csv').code).toBe(0);
    const store = await CaseStore.open({ url: join(dir, 'cases.db'), anchorKey: 'cli-show-anchor-key-0123456789' });
    try {
      expect(await store.audit.entriesOf('report-read')).toEqual([expect.objectContaining({ actor: 'officer', data: expect.objectContaining({ academicYear: '2025/26', term: 'spring', form: 'csv' }) })]);
      expect(await store.audit.verify()).toMatchObject({ ok: true });
    } finally {
      await store.close();
    }
  });
});
