/**
 * The nurture outreach caseload keeps to its capacity and its referral order inside the write that
 * gives a place: however the place is given (`giveNurturePlace`, a library's own `cases.send`), and
 * however many are given at once — by one service or by two on one database.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '../access.js';
import { nurtureCaseload, giveNurturePlace } from './nurtureCaseload.js';
import type { CaseStore } from '../store/caseStore.js';
import { BACKENDS, closeTestStores, openAgain, testStore } from '../testing.js';

const START = { startedOn: '2025-10-06', followUpDue: '2025-12-08' };
const FULL = /START_WORK is refused: the caseload is full: (\d+) of \1 places taken \(NURTURE_OUTREACH_CAPACITY\)/;
const AHEAD = /START_WORK is refused: \d+ child\(ren\) referred earlier are waiting ahead of this one for \d+ free place\(s\): places go in referral order/;

let capacityBefore: string | undefined;
beforeEach(() => {
  capacityBefore = process.env.NURTURE_OUTREACH_CAPACITY;
});
afterEach(async () => {
  if (capacityBefore === undefined) delete process.env.NURTURE_OUTREACH_CAPACITY;
  else process.env.NURTURE_OUTREACH_CAPACITY = capacityBefore;
  await closeTestStores();
});

/** Referrals with consent given, waiting for a place: the first referred first. */
async function waiting(store: CaseStore, head: Actor, referredOn: readonly string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const [i, on] of referredOn.entries()) {
    const { case: c } = await store.cases.open(head, { kind: 'nurture-outreach', schoolId: 'SCH-A', pupilId: `N${i + 1}`, input: { pupilId: `N${i + 1}`, schoolId: 'SCH-A', route: 'school-caseload', referredOn: on } });
    await store.cases.send(head, { id: c.id, kind: 'nurture-outreach' }, { type: 'RECORD_CONSENT', given: true, on: '2025-09-30' });
    ids.push(c.id);
  }
  return ids;
}

describe.each(BACKENDS)('the nurture outreach caseload on %s', (backend) => {
  async function service(capacity: number) {
    process.env.NURTURE_OUTREACH_CAPACITY = String(capacity);
    const t = await testStore({ backend });
    return { ...t, head: await t.store.staff.actorFor('head-a') };
  }

  it('refuses a place sent straight through cases.send out of referral order, and when full, saying why', async () => {
    const { store, head } = await service(1);
    const [first, second] = await waiting(store, head, ['2025-09-10', '2025-09-20']);
    await expect(store.cases.send(head, { id: second ?? '', kind: 'nurture-outreach' }, { type: 'START_WORK', ...START })).rejects.toThrow(
      'START_WORK is refused: 1 child(ren) referred earlier are waiting ahead of this one for 1 free place(s): places go in referral order',
    );
    expect((await giveNurturePlace(store, head, first ?? '', START)).state).toBe('baseline');
    await expect(store.cases.sendUnchecked(head, second ?? '', [{ type: 'START_WORK', ...START }])).rejects.toThrow(
      'START_WORK is refused: the caseload is full: 1 of 1 places taken (NURTURE_OUTREACH_CAPACITY); the child stays at place 1 on the waiting list',
    );
    // Nothing was written for the refusals: the second child still waits, first in line.
    const load = await nurtureCaseload(store, head);
    expect({ taken: load.placesTaken, capacity: load.capacity, waiting: load.waiting.map((w) => [w.caseId, w.position]) }).toEqual({ taken: 1, capacity: 1, waiting: [[second, 1]] });
    const trail = await store.audit.entriesFor(second ?? '');
    expect(trail.filter((r) => r.event === 'START_WORK')).toEqual([]);
  });

  it('two places given at once with one place free: exactly one succeeds — the first referred — the other is refused', async () => {
    const { store, head } = await service(1);
    const [first, second] = await waiting(store, head, ['2025-09-10', '2025-09-20']);
    // Asked for together (the later referral first), as two heads pressing at the same moment.
    const results = await Promise.allSettled([second, first].map((id) => store.cases.send(head, { id: id ?? '', kind: 'nurture-outreach' }, { type: 'START_WORK', ...START })));
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled']);
    expect(String((results[0] as PromiseRejectedResult).reason)).toMatch(new RegExp(`${FULL.source}|${AHEAD.source}`));
    expect((await nurtureCaseload(store, head)).placesTaken).toBe(1);
  });

  it('two services on one database giving places at once never pass the capacity, and give them in referral order', async () => {
    const { store, head, url, anchorPath } = await service(3);
    const other = await openAgain({ url, anchorPath });
    const otherHead = await other.staff.actorFor('head-a');
    const ids = await waiting(store, head, ['2025-09-01', '2025-09-02', '2025-09-03', '2025-09-04', '2025-09-05', '2025-09-06']);
    // Every child asked for at once, alternately through each service, the latest referrals first.
    const asked = [...ids].reverse().map((id, i) => (i % 2 === 0 ? store : other).cases.send(i % 2 === 0 ? head : otherHead, { id, kind: 'nurture-outreach' }, { type: 'START_WORK', ...START }));
    const results = await Promise.allSettled(asked);
    const given = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.id] : []));
    expect(given.sort()).toEqual(ids.slice(0, 3).sort());
    for (const r of results) if (r.status === 'rejected') expect(String(r.reason)).toMatch(new RegExp(`${FULL.source}|${AHEAD.source}`));
    const load = await nurtureCaseload(other, otherHead);
    expect({ taken: load.placesTaken, waiting: load.waiting.map((w) => w.caseId) }).toEqual({ taken: 3, waiting: ids.slice(3) });
  });
});
