import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { CaseStore } from '../caseStore.js';
import { canonicalJson } from './canonicalJson.js';
import { testStore, toyDefinitions } from '../testing.js';

const opening = { kind: 'peap' as const, schoolId: 'SCH-A', pupilId: 'P1', input: { pupilId: 'P1', reviewBy: '2025-10-20' } };

function storeWithHistory() {
  const t = testStore({ definitions: toyDefinitions() });
  const head = t.store.staff.actorFor('head-a');
  const { case: opened } = t.store.cases.open(head, opening);
  t.store.cases.send(head, opened.id, { type: 'ANSWER', questionId: 'q1', answer: 'first answer' });
  t.store.cases.send(head, opened.id, { type: 'ANSWER', questionId: 'q2', answer: 'second answer' });
  t.store.cases.send(head, opened.id, { type: 'DECIDE', decision: 'support-plan' });
  return { ...t, caseId: opened.id };
}

/** A raw connection, as someone with file access would use, with the append-only triggers dropped. */
function tamper(path: string, sql: string): void {
  const raw = new Database(path);
  raw.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;');
  raw.exec(sql);
  raw.close();
}

describe('the audit log', () => {
  it('verifies an untouched log', () => {
    const { store } = storeWithHistory();
    expect(store.audit.verify()).toMatchObject({ ok: true, rows: 9 }); // 2 schools, 3 staff, an opening and 3 events
  });

  it('refuses updates and deletes through SQL', () => {
    const { store } = storeWithHistory();
    expect(() => store.db.prepare("UPDATE audit_log SET actor = 'someone' WHERE seq = 1").run()).toThrow(/append-only/);
    expect(() => store.db.prepare('DELETE FROM audit_log WHERE seq = 1').run()).toThrow(/append-only/);
  });

  it('finds the first row edited through a raw connection', () => {
    const { store, path } = storeWithHistory();
    store.close();
    tamper(path, `UPDATE audit_log SET data = '{"answer":"changed","questionId":"q1"}' WHERE seq = 7`);
    const reopened = CaseStore.open({ path, anchorKey: 'test-anchor-key-0123456789', definitions: toyDefinitions() });
    expect(reopened.audit.verify()).toMatchObject({ ok: false, problem: { seq: 7, message: 'row 7 has been altered: its contents do not match its hash' } });
  });

  it('finds rows cut off the end, through the anchor', () => {
    const { store, path } = storeWithHistory();
    const rows = store.db.prepare('SELECT * FROM audit_log ORDER BY seq').all() as { seq: number }[];
    store.close();
    tamper(path, `DELETE FROM audit_log WHERE seq = ${rows.length}`);
    const reopened = CaseStore.open({ path, anchorKey: 'test-anchor-key-0123456789', definitions: toyDefinitions() });
    expect(reopened.audit.verify()).toMatchObject({
      ok: false,
      problem: { message: `the log ends at row ${rows.length - 1} but the anchor records row ${rows.length}: rows have been removed from the end` },
    });
  });

  it('finds a rewritten chain: an edit with every later hash recomputed still disagrees with the anchor', () => {
    const { store, path } = storeWithHistory();
    store.close();
    const raw = new Database(path);
    raw.exec('DROP TRIGGER audit_log_no_update;');
    raw.prepare(`UPDATE audit_log SET data = '{"answer":"changed","questionId":"q1"}' WHERE seq = 7`).run();
    let prev = '0'.repeat(64);
    for (const row of raw.prepare('SELECT * FROM audit_log ORDER BY seq').all() as Record<string, unknown>[]) {
      const { hash: _old, prev_hash: _prev, ...fields } = row;
      const hash = createHash('sha256').update(prev).update(canonicalJson(fields)).digest('hex');
      raw.prepare('UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?').run(prev, hash, row.seq);
      prev = hash;
    }
    raw.close();
    const reopened = CaseStore.open({ path, anchorKey: 'test-anchor-key-0123456789', definitions: toyDefinitions() });
    expect(reopened.audit.verify()).toMatchObject({ ok: false, problem: { seq: 9, message: "row 9 does not match the anchor's hash: the log has been rewritten" } });
  });

  it('refuses an anchor signed with another key, or edited', () => {
    const { store, path } = storeWithHistory();
    store.close();
    const wrongKey = CaseStore.open({ path, anchorKey: 'another-key-0123456789', definitions: toyDefinitions() });
    expect(wrongKey.audit.verify()).toMatchObject({ ok: false, problem: { message: expect.stringMatching(/is not signed with this key/) } });
    wrongKey.close();
    const anchor = JSON.parse(readFileSync(`${path}.anchor`, 'utf8')) as { seq: number };
    writeFileSync(`${path}.anchor`, JSON.stringify({ ...anchor, seq: anchor.seq - 1 }));
    const edited = CaseStore.open({ path, anchorKey: 'test-anchor-key-0123456789', definitions: toyDefinitions() });
    expect(edited.audit.verify().ok).toBe(false);
  });
});
