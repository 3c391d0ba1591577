/**
 * How the product words a case: every state and every event of every machine has words (a new
 * one without them fails here), and titles, rules, recipients, codes and half-terms read as a
 * head would say them.
 */
import { describe, expect, it } from 'vitest';
import type { CaseView } from './caseService.js';
import {
  EVENT_WORDS,
  STATE_WORDS,
  TIMELINE_WORDS,
  caseTitle,
  categoryWords,
  eventWords,
  halfTermWords,
  openedByWords,
  reasonWords,
  recipientWords,
  ruleWords,
  stateWords,
  timelineWords,
} from './caseWords.js';
import { CASE_KINDS, type CaseKind } from '../machines/caseDefinition.js';
import { CASE_DEFINITIONS, RECIPIENTS } from '../machines/index.js';
import { SAMPLE_EVENTS } from '../machines/samples.js';

interface StateNodeLike {
  readonly states: Readonly<Record<string, StateNodeLike>>;
  readonly events: readonly string[];
}
const root = (kind: CaseKind) => CASE_DEFINITIONS[kind].machine.root as unknown as StateNodeLike;

/** The dotted path of every state a machine can rest in: its leaves (a parallel state's parts too). */
function leafPaths(node: StateNodeLike, prefix = ''): string[] {
  return Object.entries(node.states).flatMap(([name, child]) => {
    const path = prefix ? `${prefix}.${name}` : name;
    return Object.keys(child.states).length ? leafPaths(child, path) : [path];
  });
}

/** Every event a machine accepts anywhere (but xstate's own, such as a parallel state's done event), and every event people may send it. */
const eventTypes = (kind: CaseKind) => [...new Set([...root(kind).events.filter((t) => !t.startsWith('xstate.')), ...Object.keys(CASE_DEFINITIONS[kind].events)])];

describe.each(CASE_KINDS)('the words for a %s case', (kind) => {
  it('word every state the machine has', () => {
    const paths = leafPaths(root(kind));
    expect(paths.length).toBeGreaterThan(2);
    expect(paths.filter((p) => !STATE_WORDS[kind][p])).toEqual([]);
    for (const p of paths) {
      const words = STATE_WORDS[kind][p]!;
      expect(typeof words === 'string' ? words : words.settled).toMatch(/^[a-zA-Z]/);
    }
  });

  it('word every event the machine accepts, as what happened and as what someone did', () => {
    const types = eventTypes(kind);
    expect(types).toContain('DEADLINE_REACHED');
    expect(types.filter((t) => !EVENT_WORDS[kind][t])).toEqual([]);
    expect(types.filter((t) => !TIMELINE_WORDS[kind][t])).toEqual([]);
  });

  it('word each sample event with its data, with no code or gap left showing', () => {
    for (const { type, ...data } of SAMPLE_EVENTS[kind]) {
      const words = timelineWords(kind, type, data, (id) => `the question ${id}`);
      expect(words).not.toMatch(/undefined|\[object|[A-Z]{2,}_[A-Z]/);
      expect(words).not.toContain(type);
    }
  });
});

describe('stateWords', () => {
  it('says where a case stands in words', () => {
    expect(stateWords('peap', 'pupil-voice-captured')).toBe("pupil's voice heard — head's reflection next");
    expect(stateWords('reintegration', { 'on-pathway': 'escalated' })).toBe('past week 12 — escalated');
  });

  it("says what a suspension case still needs, leaving out the parts that need nothing", () => {
    expect(stateWords('suspension', { open: { notices: 'pending', provision: 'not-required', review: 'not-required' } })).toBe('notices to send');
    expect(stateWords('suspension', { open: { notices: 'pending', provision: 'overdue', review: 'due' } })).toBe(
      'notices to send, full-time education from the sixth day overdue, governing board review to hold',
    );
    expect(stateWords('suspension', { open: { notices: 'all-sent', provision: 'arranged', review: 'on-request' } })).toBe(
      'notices sent, full-time education arranged, the governing board reviews if the parents ask',
    );
    expect(stateWords('suspension', 'closed')).toBe('every duty done');
  });

  it("gives a state it has no words for in the machine's own names, rather than nothing", () => {
    expect(stateWords('peap', 'open')).toBe('open');
    expect(stateWords('suspension', { open: { notices: 'lost' } })).toBe('open (notices: lost)');
  });
});

describe('eventWords and timelineWords', () => {
  it('say what happened, and for a deadline which one', () => {
    expect(eventWords('peap', 'SCHEDULE_MEETING')).toBe('meeting scheduled');
    expect(eventWords('suspension', 'RECORD_NOTICE')).toBe('notice recorded as sent');
    expect(eventWords('suspension', 'DEADLINE_REACHED', 'provision')).toBe('deadline reached: full-time education from the sixth day');
    expect(eventWords('peap', 'DEADLINE_REACHED', 'follow-up')).toBe('deadline reached: PEAP follow-up review');
  });

  it('say what someone did, with dates, people and outcomes in words', () => {
    expect(timelineWords('peap', 'SCHEDULE_MEETING', { date: '2026-03-23' })).toBe('set the meeting for Monday 23 Mar 2026');
    expect(timelineWords('peap', 'DECIDE', { decision: 'no-exclusion-support-plan' })).toBe('decided: No exclusion: a support plan');
    expect(timelineWords('peap', 'ANSWER', { questionId: 'q1' }, () => 'What do you like about school?')).toBe('answered "What do you like about school?"');
    expect(timelineWords('suspension', 'RECORD_NOTICE', { recipient: 'social-worker', method: 'email', sentOn: '2026-03-02' })).toBe(
      "recorded the notice to the pupil's social worker (email, Monday 2 Mar 2026)",
    );
    expect(timelineWords('suspension', 'RECORD_BOARD_REVIEW', { outcome: 'reinstated', heldOn: '2026-03-10' })).toBe("recorded the governing board's decision: pupil reinstated (Tuesday 10 Mar 2026)");
  });
});

describe('caseTitle', () => {
  const view = (kind: CaseKind, pupilId: string, context: object): CaseView =>
    ({ id: `${kind}-1`, kind, schoolId: 'DEMO-SCH', pupilId, state: 'x', status: 'active', revision: 1, context, openedAt: '', updatedAt: '', deadlines: [], nextEvents: [] }) as unknown as CaseView;
  const suspension = (category: string, extra: object = {}) => view('suspension', 'DEMO-005', { exclusion: { id: 'X1', category, startDate: '2026-03-02', ...extra } });

  it('names an exclusion by its category, the pupil, its length and its first day', () => {
    expect(caseTitle(suspension('FIXD'), { sessions: 6 })).toBe('Suspension — DEMO-005, 3 days from Mon 2 Mar');
    expect(caseTitle(suspension('FIXD', { sessions: 1 }))).toBe('Suspension — DEMO-005, half a day from Mon 2 Mar');
    expect(caseTitle(suspension('FIXD', { sessions: 5 }))).toBe('Suspension — DEMO-005, 2.5 days from Mon 2 Mar');
    expect(caseTitle(suspension('FIXD', { sessions: 2 }))).toBe('Suspension — DEMO-005, 1 day from Mon 2 Mar');
    expect(caseTitle(suspension('LNCH'), { lunchtimes: 10 })).toBe('Lunchtime suspension — DEMO-005, 10 lunchtimes from Mon 2 Mar');
    expect(caseTitle(suspension('PERM'))).toBe('Permanent exclusion — DEMO-005 from Mon 2 Mar');
    expect(caseTitle(suspension('FIXD'))).toBe('Suspension — DEMO-005 from Mon 2 Mar'); // a case opened before cases held the length
  });

  it('names the other cases by their kind and the pupil', () => {
    expect(caseTitle(view('peap', 'DEMO-002', {}))).toBe('Pre-exclusion assessment — DEMO-002');
    expect(caseTitle(view('ebsna', 'DEMO-007', {}))).toBe('EBSNA — DEMO-007');
    expect(caseTitle(view('reintegration', 'DEMO-003', { startDate: '2026-01-12' }))).toBe('Reintegration — DEMO-003 from Mon 12 Jan');
  });
});

describe('the rules and codes in words', () => {
  it('names a rule by its title in the rule pack, with a reference', () => {
    expect(ruleWords('peap.required', 1)).toEqual({ title: 'Hold a Pre-Exclusion Assessment (PEAP) meeting', reference: 'rule peap.required, version 1' });
    expect(ruleWords('trust.unknown')).toEqual({ title: 'trust.unknown', reference: 'rule trust.unknown' });
  });

  it('says why the rules opened a case', () => {
    expect(openedByWords('peap', { ruleId: 'peap.required', ruleVersion: 1, explanation: '2 suspensions started in the first half of the autumn term (2 Oct, 14 Oct); threshold 2' })).toBe(
      'Opened because: 2 suspensions started in the first half of the autumn term (2 Oct, 14 Oct); threshold 2 (rule peap.required, version 1)',
    );
    expect(openedByWords('suspension', { ruleId: 'statutory.notify-parents', ruleVersion: 1 })).toBe(
      'Opened because the exclusion sets statutory duties, the first: Notify the parents in writing (rule statutory.notify-parents, version 1)',
    );
  });

  it('words every recipient, category and reason code', () => {
    expect(RECIPIENTS.map(recipientWords)).toEqual(['the parents', 'the local authority', "the pupil's social worker", 'the virtual school head', 'the governing board']);
    expect(['FIXD', 'SUSP', 'LNCH', 'PERM'].map(categoryWords)).toEqual(['suspension', 'suspension', 'lunchtime suspension', 'permanent exclusion']);
    expect(reasonWords('PA')).toBe('physical assault against an adult');
    expect(reasonWords('ZZ')).toBe('ZZ');
  });

  it('words a half-term id, with its school year when it has one', () => {
    expect(halfTermWords('spring-1')).toBe('Spring 1 (first half of the spring term)');
    expect(halfTermWords('2025/26 autumn-2')).toBe('Autumn 2, 2025/26 (second half of the autumn term)');
    expect(halfTermWords('before term')).toBe('before term');
  });
});
