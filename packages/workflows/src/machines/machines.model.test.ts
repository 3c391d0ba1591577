/**
 * Model-based tests: xstate/graph walks every machine with its sample events, and every path
 * to every reachable state is replayed against the real store (SQLite, audit, deadlines),
 * which must end in the same state the model predicted.
 */
import { getShortestPaths } from 'xstate/graph';
import { afterEach, describe, expect, it } from 'vitest';
import { SYSTEM } from '../access.js';
import type { CaseEvent } from '../cases/caseService.js';
import { followOnOf } from '../cases/escalations.js';
import { auditedWriteTo, BACKENDS, closeTestStores, testStore } from '../testing.js';
import { CASE_KINDS, type CaseKind } from './caseDefinition.js';
import { CASE_DEFINITIONS } from './index.js';
import { SAMPLE_EVENTS, SAMPLE_INPUTS } from './samples.js';

const stamp = { by: 'head-a', at: '2025-10-06T09:00:00.000Z' };

/** Every state node id of a machine, leaves and parents, as dotted paths. */
function allStatePaths(kind: CaseKind): string[] {
  const out: string[] = [];
  const walk = (node: { states: Record<string, unknown> }, prefix: string) => {
    for (const [name, child] of Object.entries(node.states)) {
      const path = prefix ? `${prefix}.${name}` : name;
      out.push(path);
      walk(child as { states: Record<string, unknown> }, path);
    }
  };
  walk(CASE_DEFINITIONS[kind].machine.root as never, '');
  return out;
}

function shape(value: unknown): unknown {
  if (Array.isArray(value)) return Math.min(value.length, 2);
  if (typeof value === 'number') return Math.min(value, 2);
  if (value && typeof value === 'object') return Object.fromEntries(Object.keys(value).sort().map((k) => [k, shape((value as Record<string, unknown>)[k])]));
  return value;
}

function statePaths(value: unknown, prefix = ''): string[] {
  if (typeof value === 'string') return [prefix ? `${prefix}.${value}` : value];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => [prefix ? `${prefix}.${k}` : k, ...statePaths(v, prefix ? `${prefix}.${k}` : k)]);
}

afterEach(closeTestStores);

describe.each(CASE_KINDS)('the %s machine', (kind) => {
  const definition = CASE_DEFINITIONS[kind];
  const paths = SAMPLE_INPUTS[kind].flatMap((input) =>
    getShortestPaths(definition.machine, {
      input,
      events: SAMPLE_EVENTS[kind].map((e) => ({ ...e, ...stamp })) as never,
      // Growing lists and counters would make the graph endless: tell states apart by their
      // value and the shape of their context, with lengths and numbers capped at 2.
      serializeState: (snapshot: { value: unknown; context: unknown }) => JSON.stringify([snapshot.value, shape(snapshot.context)]),
    } as never).map((path) => ({ input, path })),
  );

  it('reaches every state with its sample events', () => {
    const reached = new Set(paths.flatMap(({ path }) => statePaths(path.state.value)));
    // Transient states (`always` only) are passed through, never rested in.
    const transient = allStatePaths(kind).filter((p) => /(^|\.)checking$|(^|\.)reviewed$/.test(p));
    expect(allStatePaths(kind).filter((p) => !reached.has(p) && !transient.includes(p))).toEqual([]);
  });

  it.each(BACKENDS)('ends in the predicted state on every path, replayed through the %s store', async (backend) => {
    // Today after every sample's dates: a path records what was done, and nothing is done before it is.
    const t = await testStore({ backend, now: () => new Date('2027-08-31T09:00:00Z') });
    const { store } = t;
    const head = await store.staff.actorFor('head-a');
    // The scheduler's way in, for DEADLINE_REACHED with whichever key the path takes.
    const scheduler = await auditedWriteTo(t);
    const before = (await store.audit.verify()).rows;
    let events = 0;
    // The cases the paths should lead to, by escalations.ts's table: an action that opens one, a review that escalates.
    let expectedFollowOns = 0;
    const replay = async ({ input, path }: (typeof paths)[number]) => {
      const { case: opened } = await store.cases.open(SYSTEM, { kind, schoolId: 'SCH-A', pupilId: 'P1', input });
      if (followOnOf(kind, { input })) expectedFollowOns++;
      // A person's events run together go in one send (one transaction, each event still
      // validated, applied to the snapshot read back from the row, and audited): far fewer
      // commits, the same replay.
      let pending: CaseEvent[] = [];
      const flush = async () => {
        if (pending.length) await store.cases.sendUnchecked(head, opened.id, pending);
        pending = [];
      };
      for (const step of path.steps) {
        const { type, by: _by, at: _at, ...payload } = step.event as { type: string; by: string; at: string };
        if (type === 'DEADLINE_REACHED') {
          await flush();
          const moved = await scheduler.write((tx) => store.cases.transitionInTransaction(tx, opened.id, { type, ...payload }, SYSTEM, stamp.at));
          expect(moved).toBeDefined();
        } else if (type !== 'xstate.init') {
          pending.push({ type, ...payload });
          if (followOnOf(kind, { event: { type, ...payload } })) expectedFollowOns++;
        }
      }
      await flush();
      expect((await store.cases.get(SYSTEM, opened.id)).state).toEqual(path.state.value);
      events += path.steps.filter((step) => step.event.type !== 'xstate.init').length;
    };
    try {
      // Each path is a case of its own: several are replayed side by side (each in order).
      for (let i = 0; i < paths.length; i += 16) await Promise.all(paths.slice(i, i + 16).map(replay));
    } finally {
      await scheduler.close();
    }
    // Each follow-on written once, on the case that led there, naming a case of the kind the table says.
    const followOns = await store.audit.entriesOf('follow-on');
    expect(followOns).toHaveLength(expectedFollowOns);
    // Every path's opening, and every event of every path, audited once; a case an escalation
    // opened (or linked) in the same write two rows more: its link and its opening (escalations.ts).
    expect(await store.audit.verify()).toMatchObject({ ok: true, rows: before + paths.length + events + 2 * expectedFollowOns });
    for (const row of followOns) {
      const led = row.data as { kind: CaseKind; caseId: string };
      expect((await store.cases.get(SYSTEM, led.caseId)).kind).toBe(led.kind);
    }
  });
});
