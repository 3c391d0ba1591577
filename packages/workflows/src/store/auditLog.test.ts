import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { BACKENDS, closeTestStores, openAgain, testStore, toyDefinitions } from '../testing.js';
import { canonicalJson } from './canonicalJson.js';
import { asAttacker, rawExec, rawQuery } from './tamper.js';

const opening = { kind: 'peap' as const, schoolId: 'SCH-A', pupilId: 'P1', input: { pupilId: 'P1', reviewBy: '2025-10-20' } };

afterEach(closeTestStores);

describe.each(BACKENDS)('%s', (backend) => {
  async function storeWithHistory() {
    const t = await testStore({ definitions: toyDefinitions(), backend });
    const head = await t.store.staff.actorFor('head-a');
    const { case: opened } = await t.store.cases.open(head, opening);
    await t.store.cases.sendUnchecked(head, opened.id, [{ type: 'ANSWER', questionId: 'q1', answer: 'first answer' }]);
    await t.store.cases.sendUnchecked(head, opened.id, [{ type: 'ANSWER', questionId: 'q2', answer: 'second answer' }]);
    await t.store.cases.sendUnchecked(head, opened.id, [{ type: 'DECIDE', decision: 'support-plan' }]);
    return { ...t, caseId: opened.id };
  }

  /** The store at `t` opened again after an attacker has been at its database. */
  const reopen = (t: { url: string; anchorPath: string }, anchorKey?: string) => openAgain(t, { definitions: toyDefinitions(), ...(anchorKey ? { anchorKey } : {}) });

  describe('the audit log', () => {
    it('verifies an untouched log', async () => {
      const { store } = await storeWithHistory();
      expect(await store.audit.verify()).toMatchObject({ ok: true, rows: 9 }); // 2 schools, 3 staff, an opening and 3 events
    });

    it('refuses updates, deletes and truncation through SQL', async () => {
      const t = await storeWithHistory();
      await expect(rawExec(t.url, "UPDATE audit_log SET actor = 'someone' WHERE seq = 1", { keepProtection: true })).rejects.toThrow(/append-only/);
      await expect(rawExec(t.url, 'DELETE FROM audit_log WHERE seq = 1', { keepProtection: true })).rejects.toThrow(/append-only/);
      await expect(rawExec(t.url, backend === 'postgres' ? 'TRUNCATE audit_log' : 'DELETE FROM audit_log', { keepProtection: true })).rejects.toThrow(/append-only/);
      expect(await t.store.audit.verify()).toMatchObject({ ok: true, rows: 9 });
    });

    it('finds the first row edited through a raw connection', async () => {
      const t = await storeWithHistory();
      await t.store.close();
      await rawExec(t.url, `UPDATE audit_log SET data = '{"answer":"changed","questionId":"q1"}' WHERE seq = 7`);
      const reopened = await reopen(t);
      expect(await reopened.audit.verify()).toMatchObject({ ok: false, problem: { seq: 7, message: 'row 7 has been altered: its contents do not match its hash' } });
    });

    it('finds a row deleted from the middle', async () => {
      const t = await storeWithHistory();
      await t.store.close();
      await rawExec(t.url, 'DELETE FROM audit_log WHERE seq = 4');
      const reopened = await reopen(t);
      expect(await reopened.audit.verify()).toMatchObject({ ok: false, problem: { seq: 4, message: 'row 4 is missing (the next row is 5)' } });
    });

    it('finds rows cut off the end, through the anchor', async () => {
      const t = await storeWithHistory();
      const rows = (await t.store.audit.verify()).rows;
      await t.store.close();
      await rawExec(t.url, `DELETE FROM audit_log WHERE seq = ${rows}`);
      const reopened = await reopen(t);
      expect(await reopened.audit.verify()).toMatchObject({
        ok: false,
        problem: { message: `the log ends at row ${rows - 1} but the anchor records row ${rows}: rows have been removed from the end` },
      });
    });

    it('finds a truncated log, through the anchor', async () => {
      const t = await storeWithHistory();
      await t.store.close();
      await rawExec(t.url, backend === 'postgres' ? 'TRUNCATE audit_log' : 'DELETE FROM audit_log');
      const reopened = await reopen(t);
      expect(await reopened.audit.verify()).toMatchObject({
        ok: false,
        rows: 0,
        problem: { seq: 1, message: 'the log ends at row 0 but the anchor records row 9: rows have been removed from the end' },
      });
    });

    it('finds a rewritten chain: an edit with every later hash recomputed still disagrees with the anchor', async () => {
      const t = await storeWithHistory();
      await t.store.close();
      await asAttacker(t.url, async (raw) => {
        await raw.run(`UPDATE audit_log SET data = '{"answer":"changed","questionId":"q1"}' WHERE seq = 7`);
        let prev = '0'.repeat(64);
        for (const row of await raw.all('SELECT * FROM audit_log ORDER BY seq')) {
          const { hash: _old, prev_hash: _prev, ...fields } = row;
          const hash = createHash('sha256').update(prev).update(canonicalJson(fields)).digest('hex');
          await raw.run('UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?', [prev, hash, row.seq as number]);
          prev = hash;
        }
      });
      // The attacker's chain is internally consistent: only the anchor gives it away.
      expect(await rawQuery<{ data: string }>(t.url, 'SELECT data FROM audit_log WHERE seq = 7')).toEqual([{ data: '{"answer":"changed","questionId":"q1"}' }]);
      const reopened = await reopen(t);
      expect(await reopened.audit.verify()).toMatchObject({ ok: false, problem: { seq: 9, message: "row 9 does not match the anchor's hash: the log has been rewritten" } });
    });

    it('refuses an anchor signed with another key, or edited', async () => {
      const t = await storeWithHistory();
      await t.store.close();
      const wrongKey = await reopen(t, 'another-key-0123456789');
      expect(await wrongKey.audit.verify()).toMatchObject({ ok: false, problem: { message: expect.stringMatching(/is not signed with this key/) } });
      await wrongKey.close();
      const anchor = JSON.parse(readFileSync(t.anchorPath, 'utf8')) as { seq: number };
      writeFileSync(t.anchorPath, JSON.stringify({ ...anchor, seq: anchor.seq - 1 }));
      const edited = await reopen(t);
      expect((await edited.audit.verify()).ok).toBe(false);
    });
  });
});
