/**
 * Step down or escalate, as a user runs `cases` (each call its own process): an action agreed at the
 * team-around-the-school meeting opens the pupil's PEAP (or links to the one open) and says so; the
 * PEAP's record says which action opened it; a support plan review that escalates opens the
 * referral; social care opens nothing and says so; a step down takes the pupil off the weekly list
 * until a new reason brings them back, saying why.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { CALENDAR_2025_26, casesFolder } from '../support/casesCli.js';

const NOW = '--now=2026-03-16T09:00:00Z';

function workspace() {
  const { file, cases } = casesFolder('cases-escalations', { after: [NOW] });
  const staff = { schools: [{ id: 'SCH-A', name: 'School A' }], staff: [{ id: 'head-a', displayName: 'Head A', role: 'headteacher', schoolIds: ['SCH-A'] }] };
  expect(cases('staff', file('staff.json', JSON.stringify(staff))).code).toBe(0);
  // P1: two suspensions this half-term (a PEAP required); P2: nothing yet.
  const suspension = (id: string, startDate: string) => ({ id, category: 'FIXD', startDate, sessions: 2, reasons: ['DB'] });
  const pupils = [{ id: 'P1', schoolId: 'SCH-A', exclusions: [suspension('X1', '2026-02-23'), suspension('X2', '2026-03-03')] }, { id: 'P2', schoolId: 'SCH-A' }];
  expect(cases('import', '--pupils', file('pupils.ndjson', pupils.map((p) => JSON.stringify(p)).join('\n')), '--calendar', CALENDAR_2025_26).code).toBe(0);
  return cases;
}

const action = (a: string, owner = 'head-a') => JSON.stringify({ action: a, owner, dueDate: '2026-03-23' });

it('escalations open the right case, said on both; a step down holds the pupil off the list until a new reason', () => {
  const cases = workspace();
  const first = cases('open', 'tats-action', '--pupil', 'P1', '--as', 'head-a', '--data', action('escalate-peap'));
  const peap = /opened case (peap-[0-9a-f]+) \(Pre-exclusion assessment\)/.exec(first.stdout)?.[1];
  expect(peap, first.stdout + first.stderr).toBeDefined();
  const tats = first.stdout.split(':')[0];
  expect(cases('open', 'tats-action', '--pupil', 'P1', '--as', 'head-a', '--data', action('escalate-peap', 'SENCO')).stdout).toContain(`linked to the open case ${peap} (Pre-exclusion assessment)`);
  expect(cases('show', peap ?? '', '--as', 'head-a').stdout).toContain(`head-a (headteacher): opened from a team-around-the-school action ${tats}`);
  expect(cases('open', 'tats-action', '--pupil', 'P1', '--as', 'head-a', '--data', action('social-care-referral', 'DSL')).stdout).toContain('no case for social care here: the owner makes the referral');

  const plan = cases('open', 'support-plan', '--pupil', 'P2', '--as', 'head-a').stdout.split(':')[0] ?? '';
  const act = (event: string, data: object) => cases('act', plan, event, '--as', 'head-a', '--data', JSON.stringify(data));
  expect(act('ASSESS', { assessedOn: '2026-01-12' }).code).toBe(0);
  expect(act('AGREE_PLAN', { intervention: 'mentoring', provider: 'School', startDate: '2026-01-13', reviewDue: '2026-03-16' }).code).toBe(0);
  expect(act('HOLD_REVIEW', { heldOn: '2026-03-16', outcome: 'escalate', escalatedTo: 'nurture-outreach' }).stdout).toMatch(/escalated \(revision 4\)\n {2}opened case nurture-outreach-[0-9a-f]+ \(Nurture outreach\)/);

  expect(cases('open', 'tats-action', '--pupil', 'P1', '--as', 'head-a', '--data', action('step-down')).code).toBe(0);
  const held = cases('tats', '--week', '2026-03-16', '--as', 'head-a').stdout;
  expect(held).toContain('SCH-A P1 [OFF THE LIST] stepped down on 2026-03-16 — last week: peap.required');
  expect(held).not.toContain('SCH-A P1 [still]');
  // Said once: not again among those an earlier step down holds off (in text, and in the list's data).
  expect(held).not.toContain('SCH-A P1 [STEPPED DOWN');
  const data = JSON.parse(cases('tats', '--week', '2026-03-16', '--as', 'head-a', '--format', 'json').stdout) as { steppedOff: { pupilId: string }[]; heldOff: { pupilId: string }[] };
  expect(data.steppedOff.map((s) => s.pupilId)).toContain('P1');
  expect(data.heldOff.map((h) => h.pupilId)).not.toContain('P1');
});

it("lists the week by the trust's or council's rule pack (--rules), and names a pack it cannot read", () => {
  const cases = workspace();
  const pack = join(mkdtempSync(join(tmpdir(), 'cases-pack-')), 'trust.json');
  writeFileSync(pack, JSON.stringify({ format: 'rule-pack/1', name: 'Example Trust', parameters: { 'peap.required': { threshold: 3 } } }));
  const peapFor = (list: string) => /SCH-A P1 \[\w+\]\n {4}Hold a Pre-Exclusion Assessment/.test(list);
  expect(peapFor(cases('tats', '--week', '2026-03-16', '--as', 'head-a').stdout)).toBe(true);
  // Without --week: this week's meeting (the command's today, 16 March).
  expect(cases('tats', '--as', 'head-a').stdout).toBe(cases('tats', '--week', '2026-03-16', '--as', 'head-a').stdout);
  // Two suspensions this half-term fall short of the trust's three.
  const byPack = cases('tats', '--week', '2026-03-16', '--as', 'head-a', '--rules', pack);
  expect(byPack.code, byPack.stderr).toBe(0);
  expect(peapFor(byPack.stdout)).toBe(false);
  const missing = cases('tats', '--week', '2026-03-16', '--as', 'head-a', '--rules', join(tmpdir(), 'no-such-pack.json'));
  expect(missing.code).toBe(2);
  expect(missing.stderr).not.toMatch(/\n\s+at /);
});
