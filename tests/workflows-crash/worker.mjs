// A process that applies case transitions as fast as it can, printing an acknowledgement
// after each one commits. The crash test kills it with SIGKILL at random moments.
//
//   node worker.mjs DATABASE ANCHOR CASES   (DATABASE: a SQLite file or postgres://…)
import { writeSync } from 'node:fs';
import { CaseStore, SYSTEM } from '../../packages/workflows/dist/index.js';

const [url, anchorPath, casesArg] = process.argv.slice(2);
const store = await CaseStore.open({ url, anchorPath, anchorKey: 'crash-test-anchor-key-0123456789' });
await store.staff.upsertSchool({ id: 'SCH-A', name: 'School A' }, SYSTEM);
await store.staff.upsert({ id: 'head-a', displayName: 'Head A', role: 'headteacher', schoolIds: ['SCH-A'] }, SYSTEM);
const head = await store.staff.actorFor('head-a');
const ids = [];
for (let i = 0; i < Number(casesArg); i++) {
  const { case: opened } = await store.cases.open(SYSTEM, {
    kind: 'peap',
    schoolId: 'SCH-A',
    pupilId: `P${i}`,
    openKey: `P${i}/peap.required/2025/26 autumn-1`,
    input: { pupilId: `P${i}`, schoolId: 'SCH-A', openedBy: 'trigger', halfTerm: '2025/26 autumn-1', exclusionIds: ['X1', 'X2'] },
  });
  ids.push(opened.id);
}
writeSync(1, 'ready\n');
for (let n = 0; ; n++) {
  const id = ids[n % ids.length];
  const view = await store.cases.send(head, { id, kind: 'peap' }, { type: 'ANSWER', questionId: `pupil-voice.${process.pid}-${n}`, answer: `answer ${n}` });
  // Synchronous write: the acknowledgement leaves only after the commit returned.
  writeSync(1, `ack ${id} ${view.revision}\n`);
}
