/**
 * The PEAP case (Astrea's Pre-Exclusion Assessment Process, seed 004:2620-2657): triggered →
 * meeting scheduled → pupil voice captured → head's reflection → decision → follow-up review →
 * closed. Answers to the structured questions can be given (and changed) at any point before
 * the decision. The PEAP gate refuses a permanent exclusion until the pupil has been heard,
 * the head's three questions answered, the support tried recorded and its exhaustion attested.
 */
import { assign, setup } from 'xstate';
import { z } from 'zod';
import { ACTING, DECIDING, effectActions, type CaseDefinition, type DeadlineReached, type EventsOf } from './caseDefinition.js';

/** Question ids the gate reads; a trust's question set may add others. */
export const PEAP_QUESTIONS = {
  pupilVoicePrefix: 'pupil-voice.',
  factorsConsidered: 'head.factors-considered',
  sanctionAppropriate: 'head.sanction-appropriate',
  reasonsRecorded: 'head.reasons-recorded',
  schoolBasedSupport: 'support.school-based',
  externalSupport: 'support.external',
  supportExhausted: 'support.exhausted',
} as const;

export const PEAP_DECISIONS = ['no-exclusion-support-plan', 'suspension', 'permanent-exclusion', 'permanent-exclusion-overturned'] as const;
export type PeapDecision = (typeof PEAP_DECISIONS)[number];

/** Each decision in words. */
export const PEAP_DECISION_TITLES: Readonly<Record<PeapDecision, string>> = {
  'no-exclusion-support-plan': 'No exclusion: a support plan',
  suspension: 'Suspension',
  'permanent-exclusion': 'Permanent exclusion',
  'permanent-exclusion-overturned': 'Permanent exclusion considered and overturned',
};

type AnswerValue = string | string[] | boolean;

export interface PeapContext {
  readonly pupilId: string;
  readonly schoolId: string;
  readonly openedBy: 'trigger' | 'headteacher';
  readonly trigger?: { key: string; ruleId: string; ruleVersion: number; explanation: string };
  readonly halfTerm: string;
  readonly exclusionIds: string[];
  /** A trust setting: the gate also holds back a further suspension. */
  readonly gateSuspensions: boolean;
  readonly meetingDate?: string;
  readonly answers: Record<string, { value: AnswerValue; by: string; at: string }>;
  readonly decision?: { decision: PeapDecision; rationale: string; followUpDate: string; by: string; at: string };
  readonly followUp?: { outcome: string; by: string; at: string };
  readonly reopened: number;
}

const peapInput = z.strictObject({
  pupilId: z.string().min(1),
  schoolId: z.string().min(1),
  openedBy: z.enum(['trigger', 'headteacher']),
  trigger: z.strictObject({ key: z.string(), ruleId: z.string(), ruleVersion: z.int(), explanation: z.string() }).optional(),
  halfTerm: z.string().min(1),
  exclusionIds: z.array(z.string()).default([]),
  gateSuspensions: z.boolean().default(false),
});
type PeapInput = z.input<typeof peapInput>;

const isoDate = z.iso.date({ error: 'expected a date written YYYY-MM-DD' });
const answerValue = z.union([z.string().min(1, 'an answer cannot be empty'), z.array(z.string().min(1)).min(1, 'list at least one item'), z.boolean()]);

export const peapEvents = {
  // The meeting is held in school, with the pupil and parents: a day the school is closed is refused.
  SCHEDULE_MEETING: { payload: z.strictObject({ date: isoDate }), by: ACTING, onSchoolDays: ['date'] },
  ANSWER: { payload: z.strictObject({ questionId: z.string().min(1), answer: answerValue }), by: ACTING, freeText: ['answer'] },
  COMPLETE_REFLECTION: { payload: z.strictObject({}), by: ACTING },
  DECIDE: {
    payload: z.strictObject({ decision: z.enum(PEAP_DECISIONS), rationale: z.string().trim().min(1, 'give the rationale for the decision'), followUpDate: isoDate }),
    by: DECIDING,
    does: 'records the decision',
    freeText: ['rationale'],
  },
  CLOSE_FOLLOW_UP: { payload: z.strictObject({ outcome: z.string().trim().min(1) }), by: ACTING, freeText: ['outcome'] },
  FURTHER_SUSPENSION: { payload: z.strictObject({ exclusionId: z.string().min(1) }), by: ACTING },
};

type PeapEvent = EventsOf<typeof peapEvents> | DeadlineReached;

const answered = (c: PeapContext, id: string) => {
  const v = c.answers[id]?.value;
  return v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0);
};
const hasPupilVoice = (c: PeapContext) => Object.keys(c.answers).some((id) => id.startsWith(PEAP_QUESTIONS.pupilVoicePrefix));

/** Each thing the PEAP gate needs, in words, and whether the case holds it. */
export function peapGateItems(c: PeapContext): { item: string; met: boolean }[] {
  return [
    { item: "the pupil's voice", met: hasPupilVoice(c) },
    { item: "the head's answer on contributing factors (SEND, family circumstances, bereavement)", met: answered(c, PEAP_QUESTIONS.factorsConsidered) },
    { item: "the head's answer on whether exclusion is the most appropriate and reasonable sanction", met: answered(c, PEAP_QUESTIONS.sanctionAppropriate) },
    { item: "the head's answer on whether all reasons, and the impact on others, are recorded", met: answered(c, PEAP_QUESTIONS.reasonsRecorded) },
    { item: 'the support tried (school-based or external)', met: answered(c, PEAP_QUESTIONS.schoolBasedSupport) || answered(c, PEAP_QUESTIONS.externalSupport) },
    {
      item: c.answers[PEAP_QUESTIONS.supportExhausted]?.value === false ? 'the attestation that all support mechanisms have been exhausted (answered No)' : 'the attestation that all support mechanisms have been exhausted',
      met: c.answers[PEAP_QUESTIONS.supportExhausted]?.value === true,
    },
  ];
}

/** What the PEAP gate still needs before a permanent exclusion can be decided, in words. */
export function peapGateMissing(c: PeapContext): string[] {
  return peapGateItems(c)
    .filter((i) => !i.met)
    .map((i) => i.item);
}

const gated = (c: PeapContext, decision: PeapDecision) => decision === 'permanent-exclusion' || (decision === 'suspension' && c.gateSuspensions);

/** Why the PEAP gate holds back `decision` now, in words; undefined when it lets it through. */
export function peapGateRefusal(c: PeapContext, decision: PeapDecision): string | undefined {
  const missing = gated(c, decision) ? peapGateMissing(c) : [];
  return missing.length ? `a ${decision.replace(/-/g, ' ')} cannot be decided until the PEAP has ${missing.join('; ')}` : undefined;
}

export const peapMachine = setup({
  types: { context: {} as PeapContext, events: {} as PeapEvent, input: {} as PeapInput },
  actions: {
    ...effectActions,
    recordAnswer: assign({
      answers: ({ context, event }) =>
        event.type === 'ANSWER' ? { ...context.answers, [event.questionId]: { value: event.answer, by: event.by, at: event.at } } : context.answers,
    }),
    addExclusion: assign({
      exclusionIds: ({ context, event }) =>
        event.type === 'FURTHER_SUSPENSION' && !context.exclusionIds.includes(event.exclusionId) ? [...context.exclusionIds, event.exclusionId] : context.exclusionIds,
    }),
  },
  guards: {
    gateOpen: ({ context, event }) => event.type !== 'DECIDE' || peapGateRefusal(context, event.decision) === undefined,
    pupilHeard: ({ context }) => hasPupilVoice(context),
    isFollowUp: ({ event }) => event.type === 'DEADLINE_REACHED' && event.key === 'follow-up',
  },
}).createMachine({
  id: 'peap-case',
  context: ({ input }) => {
    const i = peapInput.parse(input);
    return { ...i, ...(i.trigger ? { trigger: i.trigger } : {}), answers: {}, reopened: 0 } as PeapContext;
  },
  initial: 'triggered',
  on: { FURTHER_SUSPENSION: { actions: 'addExclusion' } },
  states: {
    triggered: {
      // A head who starts a PEAP by hand is already in it: only the rules, or a further suspension, prompt.
      entry: {
        type: 'enqueue',
        params: ({ context }) => ({ kind: 'prompt-headteacher', key: `opened-${context.reopened}`, payload: { pupilId: context.pupilId, schoolId: context.schoolId, caseKind: 'peap' }, skip: context.openedBy === 'headteacher' && context.reopened === 0 }),
      },
      on: {
        SCHEDULE_MEETING: { target: 'meeting-scheduled', actions: assign({ meetingDate: ({ event }) => event.date }) },
        ANSWER: { actions: 'recordAnswer' },
      },
    },
    'meeting-scheduled': {
      always: { guard: 'pupilHeard', target: 'pupil-voice-captured' },
      on: {
        SCHEDULE_MEETING: { actions: assign({ meetingDate: ({ event }) => event.date }) },
        ANSWER: { actions: 'recordAnswer' },
      },
    },
    'pupil-voice-captured': {
      on: { ANSWER: { actions: 'recordAnswer' }, COMPLETE_REFLECTION: 'head-reflection' },
    },
    'head-reflection': {
      on: {
        ANSWER: { actions: 'recordAnswer' },
        DECIDE: {
          guard: 'gateOpen',
          target: 'decided',
          actions: [
            assign({ decision: ({ event }) => ({ decision: event.decision, rationale: event.rationale, followUpDate: event.followUpDate, by: event.by, at: event.at }) }),
            { type: 'scheduleDeadline', params: ({ event }) => ({ key: 'follow-up', dueDate: event.followUpDate, label: 'PEAP follow-up review' }) },
          ],
        },
      },
    },
    decided: {
      on: {
        DEADLINE_REACHED: { guard: 'isFollowUp', target: 'follow-up-review' },
        FURTHER_SUSPENSION: { target: 'meeting-scheduled', actions: ['addExclusion', assign({ reopened: ({ context }) => context.reopened + 1 }), { type: 'cancelDeadline', params: { key: 'follow-up' } }] },
      },
    },
    'follow-up-review': {
      on: {
        CLOSE_FOLLOW_UP: { target: 'closed', actions: assign({ followUp: ({ event }) => ({ outcome: event.outcome, by: event.by, at: event.at }) }) },
        FURTHER_SUSPENSION: { target: 'meeting-scheduled', actions: ['addExclusion', assign({ reopened: ({ context }) => context.reopened + 1 })] },
      },
    },
    closed: { type: 'final' },
  },
});

export const peapCase: CaseDefinition<typeof peapMachine, typeof peapEvents> = {
  kind: 'peap',
  version: 1,
  openedBy: ACTING,
  machine: peapMachine,
  input: peapInput,
  events: peapEvents,
  explainRefusal(snapshot, event) {
    const s = snapshot as unknown as { value: string; context: PeapContext };
    const e = event as { type: string; decision?: PeapDecision };
    const refusal = e.type === 'DECIDE' && s.value === 'head-reflection' && e.decision ? peapGateRefusal(s.context, e.decision) : undefined;
    if (refusal) return refusal;
    if (e.type === 'DECIDE' && s.value !== 'head-reflection') return `the decision comes after the head's reflection; the case is at ${s.value}`;
    return undefined;
  },
};
