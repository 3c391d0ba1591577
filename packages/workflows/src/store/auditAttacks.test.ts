/**
 * The attacks of issue 15 on the audit trail, as proofs: an attacker with the database (and the
 * anchor's folder, but not its key) deletes the anchor, cuts rows, rewrites the plain chain, puts
 * back an older anchor, forges a case's snapshot or edits a pupil's record. Each is refused at
 * the next write or found by verify (with the witness for an older state put back whole).
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SYSTEM } from '../access.js';
import { BACKENDS, closeTestStores, DEMO_FILES, openAgain, testStore, toyDefinitions } from '../testing.js';
import { AuditRefused } from './auditLog.js';
import { asAttacker, editPupilRecord, forgeSnapshot, rechain } from './tamper.js';

const opening = { kind: 'peap' as const, schoolId: 'SCH-A', pupilId: 'P1', input: { pupilId: 'P1', reviewBy: '2025-10-20' } };

afterEach(closeTestStores);

describe.each(BACKENDS)('%s', (backend) => {
  async function storeWithHistory(options: { witness?: string } = {}) {
    const t = await testStore({ definitions: toyDefinitions(), backend });
    const head = await t.store.staff.actorFor('head-a');
    const { case: opened } = await t.store.cases.open(head, opening);
    await t.store.cases.sendUnchecked(head, opened.id, [{ type: 'ANSWER', questionId: 'q1', answer: 'first answer' }]);
    await t.store.cases.sendUnchecked(head, opened.id, [{ type: 'DECIDE', decision: 'support-plan' }]);
    await t.store.close();
    // The same store as a service with a witness would open it.
    const store = await openAgain(t, { definitions: toyDefinitions(), ...(options.witness ? { witness: options.witness } : {}) });
    return { ...t, store, head, caseId: opened.id };
  }
  const reopen = (t: { url: string; anchorPath: string }, witness?: string) => openAgain(t, { definitions: toyDefinitions(), ...(witness ? { witness } : {}) });
  const witnessFile = () => join(mkdtempSync(join(tmpdir(), 'witness-')), 'anchors.ndjson');

  it('refuses every write once the anchor is deleted, naming the anchor and the recovery; reads go on', async () => {
    const t = await storeWithHistory();
    rmSync(t.anchorPath);
    const refused = t.store.cases.get(t.head, t.caseId); // an audited read is a write
    await expect(refused).rejects.toThrow(AuditRefused);
    await expect(t.store.cases.get(t.head, t.caseId)).rejects.toThrow(`the audit anchor ${t.anchorPath} is missing while the audit log holds 8 rows`);
    await expect(t.store.cases.get(t.head, t.caseId)).rejects.toThrow('cases audit re-anchor --as STAFF --reason TEXT');
    expect((await t.store.cases.get(SYSTEM, t.caseId)).revision).toBe(3);
    expect(await t.store.audit.verify()).toMatchObject({ ok: false, problem: { message: `no anchor found at ${t.anchorPath}: the end of the log cannot be checked` } });
    expect(await t.store.audit.verify()).toMatchObject({ rows: 8 }); // nothing was appended meanwhile
  });

  it('re-anchors on purpose after a real loss: one audited row naming who, why and the anchor as it was; writes go on', async () => {
    const t = await storeWithHistory();
    rmSync(t.anchorPath);
    const officer = await t.store.staff.actorFor('officer');
    await expect(t.store.audit.reAnchor(officer, ' ')).rejects.toThrow(/needs a reason/);
    expect(await t.store.audit.reAnchor(officer, 'the anchor volume was lost')).toMatchObject({ previous: 'missing', seq: 9 });
    expect((await t.store.audit.entriesOf('re-anchor')).map((r) => ({ actor: r.actor, role: r.role, data: r.data }))).toEqual([
      { actor: 'officer', role: 'inclusion-officer', data: { reason: 'the anchor volume was lost', previousAnchor: 'missing', logEnd: { seq: 8, hash: expect.any(String) } } },
    ]);
    await t.store.cases.get(t.head, t.caseId);
    expect(await t.store.audit.verify()).toMatchObject({ ok: true, rows: 10 });
  });

  it('refuses a re-anchor over a log that does not hold together on its own', async () => {
    const t = await storeWithHistory();
    await asAttacker(t.url, (raw) => raw.run(`UPDATE audit_log SET actor = 'someone-else' WHERE seq = 6`));
    rmSync(t.anchorPath);
    await expect(t.store.audit.reAnchor(SYSTEM, 'lost')).rejects.toThrow(/row 6 has been altered/);
  });

  it('finds the last rows deleted with the anchor: verify fails, writes are refused', async () => {
    const t = await storeWithHistory();
    await asAttacker(t.url, (raw) => raw.run('DELETE FROM audit_log WHERE seq >= 7'));
    rmSync(t.anchorPath);
    const store = await reopen(t);
    expect((await store.audit.verify()).ok).toBe(false);
    await expect(store.cases.get(t.head, t.caseId)).rejects.toThrow(AuditRefused);
  });

  it('finds a row edited, the plain chain recomputed and the anchor deleted', async () => {
    const t = await storeWithHistory();
    await asAttacker(t.url, async (raw) => {
      await raw.run(`UPDATE audit_log SET data = '{"answer":"changed","questionId":"q1"}' WHERE seq = 7`);
      await rechain(raw);
    });
    rmSync(t.anchorPath);
    const store = await reopen(t);
    expect(await store.audit.verify()).toMatchObject({ ok: false, problem: { message: expect.stringMatching(/no anchor found/) } });
    await expect(store.cases.note(t.head, t.caseId, 'a note')).rejects.toThrow(AuditRefused);
  });

  it('refuses writes over an older anchor put back, and over an anchor signed with another key', async () => {
    const t = await storeWithHistory();
    const older = readFileSync(t.anchorPath, 'utf8');
    await t.store.cases.get(t.head, t.caseId);
    writeFileSync(t.anchorPath, older);
    await expect(t.store.cases.get(t.head, t.caseId)).rejects.toThrow(/is older than the log \(it records row 8, the log ends at row 9\)/);
    expect(await t.store.audit.verify()).toMatchObject({ ok: false, problem: { seq: 9, message: 'the anchor records row 8 but the log runs on to row 9: the anchor is older than the log (an older anchor was put back, or rows were added round the store)' } });
    await t.store.close();
    rmSync(t.anchorPath);
    const foreign = await openAgain(t, { definitions: toyDefinitions(), anchorKey: 'another-key-0123456789abcdef' });
    await foreign.audit.reAnchor(SYSTEM, 'test: an anchor under another key');
    const ours = await reopen(t);
    await expect(ours.cases.get(t.head, t.caseId)).rejects.toThrow(/is not signed with this key/);
  });

  it('catches an older state put back with its older anchor, through the witness', async () => {
    const witness = witnessFile();
    const t = await storeWithHistory({ witness });
    await t.store.audit.witness();
    const older = readFileSync(t.anchorPath, 'utf8'); // the anchor at row 8
    await t.store.cases.note(t.head, t.caseId, 'a note the attacker wants gone');
    await t.store.cases.get(t.head, t.caseId);
    await t.store.audit.witness();
    await t.store.close();
    // The attacker cuts the log back to row 8 and puts back row 8's anchor: anchor and log agree.
    await asAttacker(t.url, (raw) => raw.run('DELETE FROM audit_log WHERE seq > 8'));
    writeFileSync(t.anchorPath, older);
    const store = await reopen(t, witness);
    expect(await store.audit.verify()).toMatchObject({ ok: true, rows: 8 });
    const entries = await store.audit.witnessed();
    expect(entries.map((e) => e.seq)).toContain(10);
    expect(await store.audit.verify({ witness: entries })).toMatchObject({
      ok: false,
      problem: { seq: 9, message: expect.stringMatching(/^the log ends at row 8 but the witness recorded row 10 at .*: rows have been removed, or an older copy of the store was put back$/) },
    });
  });

  it('catches a chain rewritten and re-anchored, through the witness; a forged witness line is refused', async () => {
    const witness = witnessFile();
    const t = await storeWithHistory({ witness });
    await t.store.audit.witness();
    await t.store.close();
    await asAttacker(t.url, async (raw) => {
      await raw.run(`UPDATE audit_log SET data = '{"answer":"changed","questionId":"q1"}' WHERE seq = 7`);
      await rechain(raw);
    });
    rmSync(t.anchorPath);
    const store = await reopen(t); // without the witness: the attacker's re-anchor reaches no witness
    await store.audit.reAnchor(SYSTEM, 'covering tracks');
    const entries = await store.audit.witnessed(witness);
    expect(await store.audit.verify({ witness: entries })).toMatchObject({ ok: false, problem: { seq: 8, message: expect.stringMatching(/^row 8 does not match the anchor the witness recorded at .*: the log has been rewritten$/) } });
    const forged = { ...entries[0]!, seq: 1 };
    expect(await store.audit.verify({ witness: [forged] })).toMatchObject({ ok: false, problem: { message: expect.stringMatching(/not signed with this key/) } });
  });

  it('copies the witness file as lines appended, one JSON line an anchor', async () => {
    const witness = witnessFile();
    const t = await storeWithHistory({ witness });
    await t.store.cases.get(t.head, t.caseId);
    await t.store.audit.witness();
    const lines = readFileSync(witness, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { seq: number });
    expect(lines.at(-1)).toMatchObject({ seq: 9, hash: expect.any(String), at: expect.any(String), mac: expect.any(String) });
    copyFileSync(witness, `${witness}.copy`);
    expect(await t.store.audit.verify({ witness: await t.store.audit.witnessed(`${witness}.copy`) })).toMatchObject({ ok: true, rows: 9, witnessed: lines.length });
  });

  it('finds a forged case snapshot, naming the case', async () => {
    const t = await storeWithHistory();
    await forgeSnapshot(t.url, t.caseId, (s) => ({ ...s, context: { ...(s.context as object), decision: 'permanent-exclusion' } }));
    expect((await t.store.cases.get(SYSTEM, t.caseId)).context).toMatchObject({ decision: 'permanent-exclusion' }); // what would be shown
    expect(await t.store.audit.verify()).toMatchObject({
      ok: false,
      problem: { caseId: t.caseId, seq: 8, message: `case ${t.caseId} has been altered: its stored state does not match the hash row 8 bound` },
    });
  });

  it('finds an edited pupil record, after an import or an amendment, naming the pupil', async () => {
    const t = await testStore({ backend });
    await t.store.pupils.import(SYSTEM, DEMO_FILES);
    expect(await t.store.audit.verify()).toMatchObject({ ok: true });
    await t.store.pupils.amend(SYSTEM, 'DEMO-002', { action: 'test-amend', data: {} }, (r) => ({ ...r, yearGroup: r.yearGroup }));
    expect(await t.store.audit.verify()).toMatchObject({ ok: true });
    await editPupilRecord(t.url, 'DEMO-002', (r) => ({ ...r, exclusions: [] }));
    expect(await t.store.audit.verify()).toMatchObject({ ok: false, problem: { pupilId: 'DEMO-002', message: expect.stringMatching(/^pupil DEMO-002's record has been altered: it does not match the hash row \d+ bound$/) } });
  });

  it('keeps the binding out of the data readers see', async () => {
    const t = await storeWithHistory();
    const rows = await t.store.audit.entriesFor(t.caseId);
    expect(rows.map((r) => r.data)).toEqual([{ kind: 'peap', input: opening.input }, { questionId: 'q1', answer: 'first answer' }, { decision: 'support-plan' }]);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.bound?.snapshot ?? ''))).toBe(true);
  });

  it('stops every audited write when told (a failed verification), and lets them run again', async () => {
    const t = await storeWithHistory();
    t.store.audit.stopWrites('the audit trail did not verify at 09:00');
    await expect(t.store.cases.get(t.head, t.caseId)).rejects.toThrow('writes are stopped: the audit trail did not verify at 09:00');
    t.store.audit.stopWrites(undefined);
    await t.store.cases.get(t.head, t.caseId);
  });
});
