import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SYSTEM } from '../access.js';
import { evaluateStoredPupils } from '../cases/openCases.js';
import { BACKENDS, closeTestStores, DEMO_FILES, freshStoreUrl, openAgain, TEST_ANCHOR_KEY, testStore } from '../testing.js';
import type { CaseStore } from './caseStore.js';
import { copyStore } from './copyStore.js';
import { rawExec } from './tamper.js';

afterEach(closeTestStores);

/** A store with some history in every table: pupils, cases opened by the rules, answers, a note, messages sent and delivered. */
async function populated(backend: (typeof BACKENDS)[number]) {
  const t = await testStore({ backend });
  const { store } = t;
  await store.pupils.import(SYSTEM, DEMO_FILES);
  await store.staff.upsert({ id: 'demo-head', displayName: 'Demo Head', role: 'headteacher', schoolIds: ['DEMO-SCH'] }, SYSTEM);
  expect(await evaluateStoredPupils(store, { asOf: '2026-03-20' })).toMatchObject({ opened: expect.any(Number) });
  const head = await store.staff.actorFor('demo-head');
  const peap = (await store.cases.list(head)).find((c) => c.kind === 'peap')!;
  await store.cases.send(head, { id: peap.id, kind: 'peap' }, [
    { type: 'SCHEDULE_MEETING', date: '2026-03-23' },
    { type: 'ANSWER', questionId: 'pupil-voice.happy-here', answer: 'Sometimes' },
  ]);
  await store.cases.note(head, peap.id, 'Parents invited.');
  await store.staff.setAddress('demo-head', 'teams', { conversation: 'c1' });
  await store.deliverOutbox(
    {
      'prompt-headteacher': async (m) => {
        if (!(await store.outbox.delivered(m.id, 'teams', 'demo-head'))) await store.outbox.markDelivered(m.id, 'teams', 'demo-head', new Date('2026-03-20T09:00:00Z'));
      },
    },
    new Date('2026-03-20T09:00:00Z'),
  );
  return t;
}

/** What a copy must keep: the cases as people see them, the audit trail, the outbox and its deliveries. */
async function contents(store: CaseStore) {
  const cases = await store.cases.list(SYSTEM);
  return {
    cases,
    audit: (await store.audit.verify()).rows,
    trails: await Promise.all(cases.map((c) => store.audit.entriesFor(c.id))),
    outbox: await store.outbox.entries(),
    deliveries: await store.outbox.deliveries(),
    schools: await store.staff.schools(),
    pupils: (await store.pupils.inSchools(['DEMO-SCH'])).length,
  };
}

describe.each(BACKENDS)('copying a %s store', (from) => {
  it.each(BACKENDS)('into an empty %s database: everything copied, the chain verified, and the copy carries on', async (to) => {
    const source = await populated(from);
    const before = await contents(source.store);
    expect(before.cases.length).toBeGreaterThan(0);
    expect(before.deliveries.length).toBeGreaterThan(0);
    await source.store.close();

    const target = await freshStoreUrl(to);
    const result = await copyStore(
      { url: source.url, anchorPath: source.anchorPath, anchorKey: TEST_ANCHOR_KEY },
      { url: target.url, anchorPath: target.anchorPath, anchorKey: TEST_ANCHOR_KEY },
    );
    expect(result.verified).toMatchObject({ ok: true, rows: before.audit });
    expect(result.rows).toMatchObject({ cases: before.cases.length, audit_log: before.audit, outbox: before.outbox.length, deliveries: before.deliveries.length, pupils: 30 });

    const copy = await openAgain(target);
    expect(copy.backend.dialect).toBe(to);
    expect(await contents(copy)).toEqual(before);
    expect(await copy.audit.verify()).toMatchObject({ ok: true, rows: before.audit });

    // The copy is a working store: a new case gets new outbox and audit rows after the copied ones.
    for (const pupilId of ['P8', 'P9']) {
      // Opened by the rules (a PEAP a head starts by hand prompts nobody), so each queues a prompt.
      const trigger = { key: `${pupilId}/copy`, ruleId: 'peap.required', ruleVersion: 1, explanation: 'a test' };
      await copy.cases.open(SYSTEM, { kind: 'peap', schoolId: 'SCH-A', pupilId, input: { pupilId, schoolId: 'SCH-A', openedBy: 'trigger', trigger, halfTerm: '2025/26 spring-2' } });
    }
    const outbox = await copy.outbox.entries();
    expect(outbox).toHaveLength(before.outbox.length + 2);
    expect(new Set(outbox.map((m) => m.id)).size).toBe(outbox.length);
    expect(await copy.audit.verify()).toMatchObject({ ok: true, rows: before.audit + 2 });
  });

  it.each(BACKENDS)('refuses a non-empty %s target, saying so, and writes nothing there', async (to) => {
    const source = await populated(from);
    await source.store.close();
    const existing = await testStore({ backend: to });
    const head = await existing.store.staff.actorFor('head-a');
    await existing.store.cases.open(head, { kind: 'ebsna', schoolId: 'SCH-A', pupilId: 'P9', input: { pupilId: 'P9', schoolId: 'SCH-A', referredBy: 'head-a', attendanceAtReferral: 80, indicators: ['anxiety'] } });
    const before = await contents(existing.store);
    const copyAnchor = join(existing.dir, 'copy.anchor');

    await expect(
      copyStore({ url: source.url, anchorPath: source.anchorPath, anchorKey: TEST_ANCHOR_KEY }, { url: existing.url, anchorPath: copyAnchor, anchorKey: TEST_ANCHOR_KEY }),
    ).rejects.toThrow(/the target already holds data \(table \w+ is not empty\); copy into an empty database/);

    expect(await contents(existing.store)).toEqual(before);
    expect(await existing.store.audit.verify()).toMatchObject({ ok: true, rows: before.audit });
    expect(existsSync(copyAnchor)).toBe(false);
  });

  it('refuses a source whose audit trail does not verify, and writes nothing', async () => {
    const source = await populated(from);
    await source.store.close();
    await rawExec(source.url, `UPDATE audit_log SET actor = 'someone else' WHERE seq = 3`);
    const target = await freshStoreUrl(from);
    await expect(
      copyStore({ url: source.url, anchorPath: source.anchorPath, anchorKey: TEST_ANCHOR_KEY }, { url: target.url, anchorPath: target.anchorPath, anchorKey: TEST_ANCHOR_KEY }),
    ).rejects.toThrow("the source's audit trail does not verify (row 3 has been altered: its contents do not match its hash); fix that before copying");
    expect(existsSync(target.anchorPath)).toBe(false);
  });
});

describe.each(BACKENDS)('backing up a %s store', (backend) => {
  if (backend === 'sqlite') {
    it('writes FILE and FILE.anchor while the store is in use: the backup verifies on its own', async () => {
      const t = await populated(backend);
      const before = await contents(t.store);
      const file = join(t.dir, 'backups', 'cases-backup.db');

      await t.store.backup(file);
      // The store carries on after the backup; the backup keeps the moment it was taken.
      await t.store.cases.note(await t.store.staff.actorFor('demo-head'), before.cases[0]!.id, 'After the backup.');

      expect(existsSync(file)).toBe(true);
      expect(existsSync(`${file}.anchor`)).toBe(true);
      const restored = await openAgain({ url: file, anchorPath: `${file}.anchor` });
      expect(await restored.audit.verify()).toMatchObject({ ok: true, rows: before.audit });
      expect(await contents(restored)).toEqual(before);
      expect(await t.store.audit.verify()).toMatchObject({ ok: true, rows: before.audit + 1 });
    });
  } else {
    it('is refused, pointing to pg_dump', async () => {
      const t = await testStore({ backend });
      const file = join(t.dir, 'cases-backup.db');
      await expect(t.store.backup(file)).rejects.toThrow(/pg_dump/);
      expect(existsSync(file)).toBe(false);
      expect(existsSync(`${file}.anchor`)).toBe(false);
    });
  }
});

describe.each(BACKENDS)('copying a running %s store', (backend) => {
  it('copies one moment of it: every copied case matches its copied trail while answers keep arriving', async () => {
    const { store, url, anchorPath } = await populated(backend);
    const head = await store.staff.actorFor('demo-head');
    const peaps = (await store.cases.list(head)).filter((c) => c.kind === 'peap');
    const target = await freshStoreUrl('sqlite');
    let writing = true;
    const writer = (async () => {
      for (let n = 0; writing; n++) {
        const c = peaps[n % peaps.length]!;
        await store.cases.send(head, { id: c.id, kind: 'peap' }, { type: 'ANSWER', questionId: `pupil-voice.extra-${n}`, answer: `answer ${n}` });
      }
    })();
    const copied = await copyStore({ url, anchorPath, anchorKey: TEST_ANCHOR_KEY }, { url: target.url, anchorPath: target.anchorPath, anchorKey: TEST_ANCHOR_KEY });
    writing = false;
    await writer;
    expect(copied.verified).toMatchObject({ ok: true });
    const copy = await openAgain(target);
    for (const view of await copy.cases.list(SYSTEM)) {
      const events = (await copy.audit.entriesFor(view.id)).filter((r) => r.action === 'event');
      expect(view.revision).toBe(1 + events.length);
    }
  });

  it('refuses to copy a store onto itself', async () => {
    const { url, anchorPath } = await populated(backend);
    await expect(copyStore({ url, anchorPath, anchorKey: TEST_ANCHOR_KEY }, { url, anchorPath, anchorKey: TEST_ANCHOR_KEY })).rejects.toThrow(/same database/);
  });
});
