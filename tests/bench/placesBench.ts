/**
 * Benchmark (not a test): what checking the nurture outreach capacity and referral order inside the
 * write costs. In one SQLite store, M referrals each get the parents' consent (RECORD_CONSENT: an
 * audited write with no check — the baseline) and then a place (START_WORK: the same write plus the
 * check, which reads every open referral in the transaction), one of each in turn; then the same
 * again with N other open cases in the store (the check reads the open referrals by kind and status,
 * through migration 7's index, so other cases should not slow it).
 * Prints events/s for each and the ratio to the baseline measured in the same run.
 *
 *   pnpm bench:places [--places 300] [--others 20000]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { CaseStore, SYSTEM } from '../../packages/workflows/dist/index.js';

const { values: args } = parseArgs({ options: { places: { type: 'string', default: '300' }, others: { type: 'string', default: '20000' } }, strict: true });
const PLACES = Number(args.places);
const OTHERS = Number(args.others);
for (const [name, n] of [['--places', PLACES], ['--others', OTHERS]] as const) {
  if (!Number.isInteger(n) || n < 1) {
    console.error(`${name} expects a whole number above 0, found "${name === '--places' ? args.places : args.others}"`);
    process.exit(2);
  }
}

async function run(others: number): Promise<{ consentMs: number; placeMs: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'places-bench-'));
  // Every referral gets a place: the capacity is not what is measured, the check's reads are.
  const store = await CaseStore.open({ url: join(dir, 'cases.db'), anchorKey: 'places-bench-anchor-key-0123456789', pupilDataKey: '5e'.repeat(32), nurtureCapacity: PLACES });
  await store.staff.upsertSchool({ id: 'SCH-A', name: 'School A' }, SYSTEM);
  const open = (kind: 'support-plan' | 'nurture-outreach', i: number, extra: Record<string, unknown>) =>
    store.cases.open(SYSTEM, { kind, schoolId: 'SCH-A', pupilId: `P${i}`, input: { pupilId: `P${i}`, schoolId: 'SCH-A', ...extra } });
  // Opened together: group commit makes one transaction of each burst.
  for (let i = 0; i < others; i += 500) await Promise.all(Array.from({ length: Math.min(500, others - i) }, (_, j) => open('support-plan', i + j, {})));
  const referrals: string[] = [];
  for (let i = 0; i < PLACES; i++) referrals.push((await open('nurture-outreach', others + i, { route: 'school-caseload', referredOn: '2026-01-05' })).case.id);
  let consentMs = 0;
  let placeMs = 0;
  for (const id of referrals) {
    let started = performance.now();
    await store.cases.sendUnchecked(SYSTEM, id, [{ type: 'RECORD_CONSENT', given: true, on: '2026-01-06' }]);
    consentMs += performance.now() - started;
    started = performance.now();
    await store.cases.sendUnchecked(SYSTEM, id, [{ type: 'START_WORK', startedOn: '2026-01-12', followUpDue: '2026-03-16' }]);
    placeMs += performance.now() - started;
  }
  await store.close();
  return { consentMs, placeMs };
}

const rate = (ms: number) => Math.round((PLACES / ms) * 1000).toLocaleString('en-GB');
console.log(`places bench: ${PLACES} referrals given consent, then a place, one audited write each, SQLite (node ${process.version})`);
for (const others of [0, OTHERS]) {
  const { consentMs, placeMs } = await run(others);
  console.log(`  with ${others.toLocaleString('en-GB')} other open cases: consent (baseline, no check) ${rate(consentMs)} events/s; place (checked in the write) ${rate(placeMs)} events/s — ${(placeMs / consentMs).toFixed(2)}× the baseline's time`);
}
