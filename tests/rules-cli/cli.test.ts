/**
 * The `rules` command as a user runs it: the built bin on real files, checking what is
 * printed, the exit code, and that bad input is listed whole with nothing evaluated.
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
const ics = join(root, 'packages/rules/data/calendars/england-2025-26.example.ics');
const demoPupils = join(root, 'packages/rules/data/demo/pupils.ndjson');
const dir = mkdtempSync(join(tmpdir(), 'rules-cli-'));

function rules(...args: string[]) {
  const run = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: root });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const record = (id: string, extra: object = {}) => ({ id, schoolId: 'SCH1', ...extra });
const fixd = (id: string, startDate: string, sessions: number) => ({ id, category: 'FIXD', startDate, sessions, reasons: ['DB'] });

describe('rules evaluate', () => {
  it('evaluates the demo pupils as JSON, every trigger explained', () => {
    const { code, stdout, stderr } = rules('evaluate', '--calendar', calendar, '--pupils', demoPupils, '--as-of', '2026-03-20', '--format', 'json');
    expect(code).toBe(0);
    const triggers = JSON.parse(stdout) as { trigger: string; pupilId: string; explanation: string }[];
    expect(new Set(triggers.map((t) => t.trigger))).toEqual(
      new Set([
        'peap.required', 'statutory.notify-parents', 'statutory.notify-local-authority', 'statutory.notify-social-worker',
        'statutory.notify-virtual-school-head', 'statutory.notify-governing-board', 'statutory.governors-must-review',
        'statutory.governors-review-on-request', 'statutory.alternative-provision-from-day-6', 'statutory.annual-limit-approaching',
        'ebsna.referral-suggested', 'attendance.persistent-absence', 'attendance.severe-absence', 'send.consider-ehcp-review',
        'looked-after.contact-virtual-school',
        // Duties in force since 2023-24 that the demo pupils meet: a cancellation, 10 unauthorised sessions in 10 school weeks, 15 days' illness.
        'statutory.notify-cancellation', 'attendance.penalty-notice-threshold', 'attendance.illness-return',
      ]),
    );
    expect(triggers.find((t) => t.pupilId === 'DEMO-001' && t.trigger === 'peap.required')?.explanation).toBe(
      '2 suspensions started in the first half of the autumn term (2 Oct, 14 Oct); threshold 2',
    );
    expect(stderr).toMatch(/^30 pupils evaluated as of 2026-03-20 on England 2025\/26 \(example\) with rules "default": \d+ triggers/);
  });

  it('reads a JSON array and an .ics calendar, and writes CSV a spreadsheet opens', () => {
    const pupils = file('array.json', JSON.stringify([record('A1', { exclusions: [fixd('X1', '2025-10-02', 2), fixd('X2', '2025-10-14', 2)] }), record('A2')]));
    const { code, stdout } = rules('evaluate', '--calendar', ics, '--pupils', pupils, '--as-of', '2025-10-20', '--format', 'csv');
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\r\n');
    expect(lines[0]).toBe('pupilId,schoolId,trigger,period,exclusionIds,dueDate,grounds,explanation,ruleId,ruleVersion,source');
    expect(lines).toContain('A1,SCH1,peap.required,2025/26 autumn-1,X1 X2,,repeated-suspensions,"2 suspensions started in the first half of the autumn term (2 Oct, 14 Oct); threshold 2",peap.required,1,"Astrea Academy Trust, Pre-Exclusion Assessment Process: \'two or more suspensions in the same half-term, or … at risk of permanent exclusion\'"');
  });

  it('applies a trust rule pack', () => {
    const pupils = file('two.ndjson', `${JSON.stringify(record('B1', { exclusions: [fixd('X1', '2025-10-02', 2), fixd('X2', '2025-10-14', 2)] }))}\n`);
    const pack = file('trust.json', JSON.stringify({ format: 'rule-pack/1', name: 'Example Trust', parameters: { 'peap.required': { threshold: 3 } } }));
    const { code, stdout } = rules('evaluate', '--calendar', calendar, '--pupils', pupils, '--as-of', '2025-10-20', '--rules', pack, '--format', 'json');
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as { trigger: string }[]).some((t) => t.trigger === 'peap.required')).toBe(false);
  });

  it('lists every problem in a bad NDJSON file, with line and field, and evaluates nothing', () => {
    const pupils = file(
      'bad.ndjson',
      [
        JSON.stringify(record('C1', { exclusions: [fixd('X1', '2025-10-02', 2)] })),
        JSON.stringify(record('C2', { exclusions: [{ ...fixd('X1', '2025-10-02', 2), category: 'SUS' }] })),
        '{ not json',
        JSON.stringify(record('C1')),
        JSON.stringify(record('C4', { exclusions: [fixd('X1', '2025-10-27', 2)] })),
      ].join('\n'),
    );
    const { code, stdout, stderr } = rules('evaluate', '--calendar', calendar, '--pupils', pupils, '--as-of', '2025-11-20', '--format', 'json');
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.split('\n')).toEqual([
      `${pupils}: 4 problems; nothing was evaluated`,
      `  - ${pupils} line 2 (pupil C2), exclusions[0].category: "SUS" is not an exclusion category; accepted: PERM, FIXD, SUSP, LNCH`,
      expect.stringMatching(new RegExp(`^  - ${pupils} line 3: not valid JSON .*; expected one pupil record per line, or a JSON array of records$`)),
      `  - ${pupils} line 4 (pupil C1), id: pupil C1 already appears at line 1; one record per pupil`,
      `  - ${pupils} line 5 (pupil C4), exclusions[0].startDate: Monday 27 Oct 2025 is not a school day in the England 2025/26 (example) calendar (weekend, holiday, INSET day or closure)`,
      '',
    ]);
  });

  it('says what is wrong with the command line', () => {
    expect(rules('evaluate', '--calendar', calendar).stderr).toBe('rules: --pupils is required (rules --help for usage)\n');
    expect(rules('evaluate', '--calendar', calendar, '--pupils', demoPupils, '--format', 'xml').stderr).toBe('rules: --format xml is not accepted; use json, ndjson, table, csv\n');
    expect(rules('evaluate', '--calendar', calendar, '--pupils', demoPupils, '--as-of', '2025-07-01').stderr).toMatch(/before the England 2025\/26 \(example\) calendar starts/);
    // After the year's end its half-terms' triggers are gone: refused, not a quieter answer.
    expect(rules('evaluate', '--calendar', calendar, '--pupils', demoPupils, '--as-of', '2026-09-20')).toMatchObject({ code: 2, stdout: '', stderr: expect.stringMatching(/^rules: --as-of \(2026-09-20\) is after the England 2025\/26 \(example\) calendar ends \(2026-07-22\); pass --as-of a date in that year/) });
    expect(rules('frobnicate').code).toBe(2);
    // An option the command would ignore is refused, not ignored.
    expect(rules('calendar', '--calendar', calendar, '--rules', 'trust.json')).toMatchObject({ code: 2, stdout: '', stderr: 'rules: rules calendar does not take --rules; it takes --calendar, --format (rules --help)\n' });
    expect(rules('schema', 'rule', '--format', 'json').stderr).toBe('rules: rules schema does not take --format; it takes no options (rules --help)\n');
  });
});

describe('rules check-suspension', () => {
  const pupilFile = () => file('pupil.json', JSON.stringify(record('D1', { priorSchoolSuspensionDays: 38, exclusions: [fixd('X1', '2025-10-02', 6)] }, )));

  it('shows the consequences and dates of a proposal before the head decides', () => {
    const { code, stdout } = rules('check-suspension', '--calendar', calendar, '--pupil', pupilFile(), '--start', '2025-11-10', '--sessions', '6');
    expect(code).toBe(0);
    expect(stdout).toContain('Proposed suspension for pupil D1: 3 school days, from Monday 10 Nov 2025 to Wednesday 12 Nov 2025.');
    expect(stdout).toContain('Back in school: Thursday 13 Nov 2025.');
    expect(stdout).toContain('Suspension days this year: 41 now, 44 after (1 of 45 left).');
    expect(stdout).toMatch(/The governing board must consider reinstatement if the parents ask — due \w+day \d+ \w+ 2026/);
  });

  it('refuses one that would pass 45 days, with exit code 3', () => {
    const { code, stdout } = rules('check-suspension', '--calendar', calendar, '--pupil', pupilFile(), '--start', '2025-11-10', '--sessions', '10', '--format', 'json');
    expect(code).toBe(3);
    const assessment = JSON.parse(stdout) as { allowed: boolean; refusal: string; yearTotalAfter: number };
    expect(assessment).toMatchObject({ allowed: false, yearTotalAfter: 46 });
    expect(assessment.refusal).toMatch(/no more than 45: at most 4 more/);
  });
});

describe('rules schema, explain and calendar', () => {
  it('prints the JSON Schema of pupil-record/1', () => {
    const { code, stdout } = rules('schema');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      title: 'pupil-record/1',
      type: 'object',
      required: ['id', 'schoolId'],
      properties: { joinedOn: { type: 'string', description: expect.stringContaining('first day on roll') }, leftOn: { type: 'string', description: expect.stringContaining('last day on roll') } },
    });
  });

  it('prints the JSON Schemas of a rule file, a rule pack and a trigger', () => {
    const schema = (name: string) => {
      const run = rules('schema', name);
      expect(run.code, name).toBe(0);
      return JSON.parse(run.stdout) as { title: string; required: string[]; properties: Record<string, { description?: string }> };
    };
    expect(schema('rule')).toMatchObject({ title: 'rule', required: expect.arrayContaining(['id', 'trigger', 'version', 'effectiveFrom', 'source', 'conditions']) });
    expect(schema('rule-pack')).toMatchObject({ title: 'rule-pack/1', required: expect.arrayContaining(['format', 'name']) });
    const trigger = schema('trigger');
    expect(trigger.required).toEqual(expect.arrayContaining(['pupilId', 'trigger', 'ruleId', 'ruleVersion', 'key', 'explanation']));
    expect(trigger.properties.trigger?.description).toContain('statutory.notify-parents');
    expect(rules('schema', 'triggers').stderr).toMatch(/^rules: unknown schema "triggers"; schemas: pupil-record, calendar, rule, rule-pack, trigger/);
  });

  it('explains a rule: versions, sources and conditions in words', () => {
    const { code, stdout } = rules('explain', 'statutory.notify-local-authority');
    expect(code).toBe(0);
    expect(stdout).toContain('Version 1: in force 2012-09-01 to 2022-08-31');
    expect(stdout).toContain('Version 2: in force 2022-09-01 to now');
    expect(stdout).toContain('school days of suspension in the term once this exclusion is counted (a lunchtime is half a day) is more than 5');
    expect(rules('explain', 'peap.requird').stderr).toMatch(/^rules: no rule "peap\.requird"; rules: .*peap\.required/);
  });

  it('converts an .ics calendar to the JSON format', () => {
    const { code, stdout } = rules('calendar', '--calendar', ics, '--format', 'json');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ format: 'school-calendar/1', academicYear: '2025/26', nonSchoolDays: expect.arrayContaining(['2025-11-03']) });
  });
});

describe('rules refuses nonsense, names it, and never crashes (issue 15)', () => {
  it('prints the usage for an unknown option, exit 2, no stack', () => {
    for (const args of [['evaluate', '--kind', 'x'], ['calendar', '--profile'], ['explain', `--${'\u001b[2J'}x`]]) {
      const run = rules(...args);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^rules: Unknown option '--/);
      expect(run.stderr).toContain('Usage:\n  rules evaluate --calendar FILE');
      expect(run.stderr).not.toMatch(/ERR_PARSE_ARGS|\n\s+at |\u001b/);
    }
  });

  it('refuses a record of 10,000 lunchtime suspensions on one day in one line (its speed: pnpm bench:refusals)', () => {
    const lunchtimes = Array.from({ length: 10_000 }, (_, i) => ({ id: `L${i}`, category: 'LNCH', startDate: '2025-10-06', lunchtimes: 1, reasons: ['DB'] }));
    const pupils = file('lunchtimes.ndjson', `${JSON.stringify(record('P1', { exclusions: lunchtimes }))}\n`);
    const run = rules('evaluate', '--calendar', calendar, '--pupils', pupils, '--as-of', '2025-11-01');
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.split('\n')).toEqual([
      `${pupils}: 1 problem; nothing was evaluated`,
      `  - ${pupils} line 1 (pupil P1), exclusions: 10,000 exclusions in one record; accepted: at most 1,000 (a pupil's whole school life fits well within it)`,
      '',
    ]);
  });

  it('refuses an .ics whose VEVENT has no END:, naming the line, and a repeated key in a calendar', () => {
    const broken = file('broken.ics', 'BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20250903\nSUMMARY:Autumn 1\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20250915\nSUMMARY:INSET day\nEND:VEVENT\nEND:VCALENDAR\n');
    const run = rules('calendar', '--calendar', broken);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${broken} line 2: BEGIN:VEVENT at line 2 has no END:VEVENT before the next BEGIN:VEVENT at line 5; end each event`);
    const twice = file('twice.json', '{\n  "academicYear": "2025/26",\n  "halfTerms": [],\n  "halfTerms": []\n}\n');
    expect(rules('calendar', '--calendar', twice).stderr).toBe(`${twice} is not valid JSON\n  - ${twice} line 4: the key "halfTerms" appears twice in one object; give each field once\n`);
  });
});
