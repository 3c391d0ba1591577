/**
 * For this package's tests: the demo school in a real store (a SQLite file in a temporary folder,
 * or a fresh PostgreSQL database with `backend: 'postgres'`), as of
 * the demo's school date, with the rules already run over its pupils — the state a head meets
 * on the first morning. Excluded from the build.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaseStore, SYSTEM, createPostgresDatabase, evaluateStoredPupils, type Actor } from '@before-exclusion/workflows';

import { Assistant, type AssistantOptions } from '../conversation/assistant.js';
import type { CaseStatus, Reply } from '../conversation/replies.js';
import { DEMO_SCHOOL_DATE, loadDemo } from '../service/demo.js';
import type { Logger } from '../service/log.js';

export const TODAY = DEMO_SCHOOL_DATE;

/** The backends the bot's suites run on: SQLite always, PostgreSQL when TEST_DATABASE_URL names a server. */
export const BACKENDS: readonly ('sqlite' | 'postgres')[] = process.env.TEST_DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];

/** Where a store is: its URL (a file or postgres://…) and its anchor. */
export interface StoreAt {
  readonly url: string;
  readonly anchorPath: string;
}

/** A fresh store holding the demo school, its pupils evaluated as of the demo date. */
export async function demoStore(options: { evaluate?: boolean; backend?: 'sqlite' | 'postgres'; now?: () => Date } = {}): Promise<{ store: CaseStore; at: StoreAt }> {
  const dir = mkdtempSync(join(tmpdir(), 'bot-'));
  const server = process.env.TEST_DATABASE_URL;
  if (options.backend === 'postgres' && !server) throw new Error('TEST_DATABASE_URL is not set: no PostgreSQL server to test on');
  const at: StoreAt =
    options.backend === 'postgres' ? { url: await createPostgresDatabase(server!, `bot_${randomBytes(6).toString('hex')}`), anchorPath: join(dir, 'audit.anchor') } : { url: join(dir, 'cases.db'), anchorPath: join(dir, 'cases.db.anchor') };
  const store = await openStore(at, options.now);
  await loadDemo(store);
  if (options.evaluate ?? true) await evaluateStoredPupils(store, { asOf: TODAY });
  return { store, at };
}

/** Opens the store at `at` (again): another process, or another device's request, on the same data; its clock the demo date's 09:00 unless `now` says. */
export function openStore(at: StoreAt, now: () => Date = () => new Date(`${TODAY}T09:00:00Z`)): Promise<CaseStore> {
  return CaseStore.open({ url: at.url, anchorPath: at.anchorPath, anchorKey: 'test-anchor-key-0123456789', clock: now });
}

/** The assistant as the service runs it on the demo date. */
export function demoAssistant(store: CaseStore, options: Partial<AssistantOptions> = {}): Assistant {
  return new Assistant(store, { today: () => TODAY, ...options });
}

/** A decided PEAP's status as the assistant gives it: the attestation changed Yes → No, an officer's note. */
export function sampleStatus(): CaseStatus {
  const when = 'Friday 20 Mar 2026 09:00';
  return {
    type: 'case-status',
    case: {
      id: 'peap-0123456789',
      kind: 'peap',
      title: 'Pre-exclusion assessment — DEMO-003',
      pupilId: 'DEMO-003',
      schoolId: 'DEMO-SCH',
      state: 'decided',
      stateText: 'decided — follow-up review next',
      closed: false,
      overdue: [],
      nextDeadline: { label: 'PEAP follow-up review', dueDate: '2026-05-01' },
      resumable: false,
    },
    openedBy: 'Opened because: staff have flagged the pupil at risk of permanent exclusion (Spring 2)',
    decision: {
      decision: 'No exclusion: a support plan',
      rationale: 'A support plan with weekly mentoring; the family agreed.',
      by: 'demo-head',
      when,
      followUpDate: '2026-05-01',
      gate: [
        { item: "the pupil's voice", met: true },
        { item: 'the attestation that all support mechanisms have been exhausted', met: false },
      ],
    },
    answers: [
      { section: "The pupil's voice", answers: [{ question: 'What do you like about school?', answer: 'Drama, and seeing friends.', earlier: [], by: 'demo-head', when }] },
      { section: 'Attestation', answers: [{ question: 'I attest that all support mechanisms available to the pupil have been exhausted.', answer: 'No', earlier: ['Yes'], by: 'demo-head', when }] },
    ],
    answersMore: 14,
    duties: [
      { what: 'PEAP follow-up review', dueDate: '2026-05-01', status: 'to do' },
      { what: 'notify the parents in writing, without delay', dueDate: '2026-03-02', status: 'late', done: 'Tuesday 3 Mar 2026 (email), recorded by demo-head' },
      { what: 'full-time education from the sixth day', dueDate: '2026-03-16', status: 'overdue' },
    ],
    notes: [{ text: 'Checked with the school: the mentoring starts on Monday.', by: 'demo-officer (inclusion-officer)', when }],
    notesMore: 0,
    timeline: [
      { when, who: 'demo-head (headteacher)', what: 'answered "I attest that all support mechanisms available to the pupil have been exhausted."' },
      { when, who: 'demo-head (headteacher)', what: 'decided: No exclusion: a support plan' },
      { when, who: 'demo-officer (inclusion-officer)', what: 'added a note' },
    ],
    timelineMore: 21,
    workspaceUrl: 'https://bx.example.org/workspace/cases/peap-0123456789',
    actions: [],
  };
}

/** A status as large as the assistant makes one: every list at its longest, every text at its longest, in words with accents. */
export function largestStatus(): CaseStatus {
  const long = (n: number, word = 'détail ') => word.repeat(Math.ceil(n / word.length)).slice(0, n);
  const base = sampleStatus();
  return {
    ...base,
    decision: { ...base.decision!, rationale: long(4000, 'rationale — ') },
    answers: Array.from({ length: 6 }, (_, s) => ({
      section: `Section ${s + 1}`,
      answers: Array.from({ length: 2 }, (_, i) => ({ question: `${long(180, 'question ')} ${s}.${i}`, answer: long(400), earlier: [long(80), long(80), long(80)], by: 'demo-head', when: 'Friday 20 Mar 2026 09:00' })),
    })),
    answersMore: 6,
    duties: Array.from({ length: 8 }, (_, i) => ({ what: `duty ${i} ${long(80)}`, dueDate: '2026-03-16', status: 'overdue' as const })),
    notes: Array.from({ length: 5 }, (_, i) => ({ text: `${i}: ${long(600)}`, by: 'demo-officer (inclusion-officer)', when: 'Friday 20 Mar 2026 09:00' })),
    notesMore: 3,
    timeline: Array.from({ length: 15 }, (_, i) => ({ when: 'Friday 20 Mar 2026 09:00', who: 'demo-head (headteacher)', what: `answered "${long(220, 'question ')}" ${i}` })),
    timelineMore: 40,
  };
}

/** A second school with its own head, to check that one school's cases stay its own. */
export async function addOtherSchool(store: CaseStore): Promise<Actor> {
  await store.staff.upsertSchool({ id: 'OTHER', name: 'Other School (fictional)' }, SYSTEM);
  await store.staff.upsert({ id: 'other-head', displayName: 'Other Head (fictional)', role: 'headteacher', schoolIds: ['OTHER'], teamsAadId: 'other-head-aad' }, SYSTEM);
  return store.staff.actorFor('other-head');
}

/** The replies of one type, asserting there is exactly one. */
export function only<T extends Reply['type']>(replies: readonly Reply[], type: T): Extract<Reply, { type: T }> {
  const found = replies.filter((r): r is Extract<Reply, { type: T }> => r.type === type);
  if (found.length !== 1) throw new Error(`expected one ${type} reply, got: ${replies.map((r) => r.type).join(', ') || 'none'}`);
  return found[0]!;
}

/** The messages among replies, as text. */
export function messages(replies: readonly Reply[]): string[] {
  return replies.flatMap((r) => (r.type === 'message' ? [r.text] : []));
}

/** A logger that drops every line. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
