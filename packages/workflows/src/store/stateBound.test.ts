/**
 * A store written before the audit log bound cases and pupils by hash: on first opening it, the
 * state as it stands is bound once (a `state-bound` row), so it verifies from then on and a later
 * forgery is caught. Simulated by stripping every binding from a store's rows (and re-chaining,
 * re-anchoring), as the older version would have written them.
 */
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { SYSTEM } from '../access.js';
import { BACKENDS, closeTestStores, DEMO_FILES, openAgain, TEST_ANCHOR_KEY, testStore } from '../testing.js';
import { AuditAnchor } from './auditLog.js';
import { asAttacker, forgeSnapshot, rawQuery, rechain } from './tamper.js';

afterEach(closeTestStores);

describe.each(BACKENDS)('%s', (backend) => {
  it('binds an older store once, as it stands, and catches a forgery made after', async () => {
    const t = await testStore({ backend, now: () => new Date('2026-03-20T09:00:00Z') });
    await t.store.pupils.import(SYSTEM, DEMO_FILES);
    const { case: opened } = await t.store.cases.open(SYSTEM, {
      kind: 'peap',
      schoolId: 'DEMO-SCH',
      pupilId: 'DEMO-001',
      input: { pupilId: 'DEMO-001', schoolId: 'DEMO-SCH', openedBy: 'trigger', trigger: { key: 'k', ruleId: 'peap.required', ruleVersion: 1, explanation: 'a test' }, halfTerm: '2025/26 spring-2' },
    });
    await t.store.close();
    // As the older version wrote it: no row binds anything.
    await asAttacker(t.url, async (raw) => {
      for (const row of await raw.all<{ seq: number; data: string }>('SELECT seq, data FROM audit_log ORDER BY seq')) {
        const data = JSON.parse(row.data) as Record<string, unknown> | null;
        if (data && typeof data === 'object' && '@bound' in data) {
          delete data['@bound'];
          await raw.run('UPDATE audit_log SET data = ? WHERE seq = ?', [JSON.stringify(data), row.seq]);
        }
      }
      await rechain(raw);
    });
    const before = Number((await rawQuery<{ n: number | string }>(t.url, 'SELECT COUNT(*) AS n FROM audit_log'))[0]!.n);
    // The older version's anchor over that log (it signed with the same key).
    const last = (await rawQuery<{ seq: number | string; hash: string }>(t.url, 'SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1'))[0]!;
    rmSync(t.anchorPath);
    await AuditAnchor.at(t.anchorPath, TEST_ANCHOR_KEY).write(Number(last.seq), last.hash, { create: true });

    const store = await openAgain(t);
    const bound = await store.audit.entriesOf('state-bound');
    expect(bound).toHaveLength(1);
    expect(bound[0]!.data).toMatchObject({ cases: 1, pupils: 30 });
    expect(await store.audit.verify()).toMatchObject({ ok: true, rows: before + 1 });
    // Once: opening again binds nothing more.
    await store.close();
    const again = await openAgain(t);
    expect(await again.audit.entriesOf('state-bound')).toHaveLength(1);
    await again.close();

    await forgeSnapshot(t.url, opened.id, (s) => ({ ...s, value: 'decided' }));
    const forged = await openAgain(t);
    expect(await forged.audit.verify()).toMatchObject({ ok: false, problem: { caseId: opened.id } });
  });
});
