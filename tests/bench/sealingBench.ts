/**
 * Benchmark (not a test): what sealing free text per pupil costs. In one SQLite store, N answers
 * in words (each sealed with the pupil's key: a key lookup and AES-256-GCM) beside N yes/no answers
 * to the same questions on another pupil's case (the same audited write, nothing sealed) — the
 * baseline, measured in the same run, one of each in turn; then reading each case back (opening N sealed answers vs
 * none), a subject access export, and an erasure. Prints events/s, the ratio, and milliseconds.
 *
 *   pnpm bench:sealing [--answers 500]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { CaseStore, SYSTEM } from '../../packages/workflows/dist/index.js';

const { values: args } = parseArgs({ options: { answers: { type: 'string', default: '500' } }, strict: true });
const ANSWERS = Number(args.answers);
if (!Number.isInteger(ANSWERS) || ANSWERS < 1) {
  console.error(`--answers expects a whole number above 0, found "${args.answers}"`);
  process.exit(2);
}

const root = join(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'sealing-bench-'));
const store = await CaseStore.open({ url: join(dir, 'cases.db'), anchorKey: 'sealing-bench-anchor-key-0123456789', pupilDataKey: '5e'.repeat(32) });
await store.pupils.import(SYSTEM, { pupils: join(root, 'packages/rules/data/demo/pupils.ndjson'), calendar: join(root, 'packages/rules/data/calendars/england-2025-26.example.json') });
const open = async (pupilId: string) =>
  (await store.cases.open(SYSTEM, { kind: 'peap', schoolId: 'DEMO-SCH', pupilId, input: { pupilId, schoolId: 'DEMO-SCH', openedBy: 'headteacher', halfTerm: '2025/26 spring 2' } })).case.id;
const sealedCase = await open('DEMO-001');
const plainCase = await open('DEMO-002');

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}
// Interleaved, one of each in turn, so a busy machine slows both alike.
let plainMs = 0;
let sealedMs = 0;
for (let i = 0; i < ANSWERS; i++) {
  plainMs += await timed(() => store.cases.sendUnchecked(SYSTEM, plainCase, [{ type: 'ANSWER', questionId: `q-${i}`, answer: i % 2 === 0 }]));
  sealedMs += await timed(() => store.cases.sendUnchecked(SYSTEM, sealedCase, [{ type: 'ANSWER', questionId: `q-${i}`, answer: `Answer ${i}: what happened at lunch, in the head's own words.` }]));
}
const readPlainMs = await timed(() => store.cases.get(SYSTEM, plainCase));
const readSealedMs = await timed(() => store.cases.get(SYSTEM, sealedCase));
const exportMs = await timed(() => store.pupilData.subjectAccess(SYSTEM, 'DEMO-001'));
const eraseMs = await timed(() => store.pupilData.erase(SYSTEM, 'DEMO-001', 'request'));
const verified = await store.audit.verify();
await store.close();

const rate = (ms: number) => Math.round((ANSWERS / ms) * 1000);
console.log(`sealing bench: ${ANSWERS} answers a case, SQLite, one audited write each (node ${process.version})`);
console.log(`  yes/no answers (baseline, nothing sealed): ${rate(plainMs).toLocaleString('en-GB')} events/s`);
console.log(`  answers in words, sealed:                  ${rate(sealedMs).toLocaleString('en-GB')} events/s (${(sealedMs / plainMs).toFixed(2)}× the baseline's time)`);
console.log(`  read the case back: ${readPlainMs.toFixed(1)} ms with nothing sealed, ${readSealedMs.toFixed(1)} ms opening ${ANSWERS} sealed answers`);
console.log(`  subject access export of that pupil: ${exportMs.toFixed(0)} ms; erasure: ${eraseMs.toFixed(0)} ms; chain verified after: ${verified.ok} (${verified.rows} rows)`);
