/**
 * The interview's pure parts: what a head's typed or chosen answer is read as (or what is wrong
 * with it, in words), where a stopped interview resumes, which factor follow-ups are asked, what
 * the record pre-fills, and how the decision form is read. The full conversation over a real
 * store is in assistant.test.ts.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parsePupilRecord, type PupilRecord } from '@before-exclusion/rules';
import { PEAP_QUESTIONS, type CaseView, type PeapContext } from '@before-exclusion/workflows';
import { describe, expect, it } from 'vitest';
import { applicableQuestions, nextStep, parseAnswer, parseDecision, suggestedAnswer, type AnswerValue } from './interview.js';
import type { SupportLine } from '@before-exclusion/workflows';
import { DEFAULT_QUESTIONS, MEETING_DATE, displayAnswer, type Question } from '@before-exclusion/workflows';

const question = (id: string): Question => {
  const q = DEFAULT_QUESTIONS.find((x) => x.id === id);
  if (!q) throw new Error(`no default question ${id}`);
  return q;
};
const TEXT = question('pupil-voice.likes');
const DATE = question(MEETING_DATE);
const YES_NO = question(PEAP_QUESTIONS.supportExhausted);
const CHOICES = question('factors.present');
const CHOICE: Question = {
  id: 'trust.parents-attended',
  section: 'The meeting',
  kind: 'choice',
  text: 'How did the parents attend?',
  options: [
    { value: 'in-person', title: 'In person' },
    { value: 'online', title: 'Online' },
  ],
};

/** A demo pupil's record, read from the bundled demo file as the import reads it. */
function demoPupil(id: string): PupilRecord {
  const path = fileURLToPath(import.meta.resolve('@before-exclusion/rules/data/demo/pupils.ndjson'));
  const line = readFileSync(path, 'utf8')
    .split('\n')
    .find((l) => l.includes(`"id":"${id}"`));
  const parsed = parsePupilRecord(JSON.parse(line ?? 'null'));
  if (!parsed.ok) throw new Error(`demo pupil ${id} does not parse`);
  return parsed.record;
}

function context(over: Partial<PeapContext> & { answered?: Record<string, AnswerValue> } = {}): PeapContext {
  const { answered = {}, ...rest } = over;
  return {
    pupilId: 'DEMO-001',
    schoolId: 'DEMO-SCH',
    openedBy: 'headteacher',
    halfTerm: '2025/26 spring-2',
    exclusionIds: [],
    gateSuspensions: false,
    answers: Object.fromEntries(Object.entries(answered).map(([id, value]) => [id, { value, by: 'demo-head', at: '2026-03-20T09:00:00Z' }])),
    reopened: 0,
    ...rest,
  };
}

/** The events the PEAP machine accepts in each state, as the case service lists them in `nextEvents`. */
const NEXT_EVENTS: Readonly<Record<string, readonly string[]>> = {
  triggered: ['SCHEDULE_MEETING', 'ANSWER', 'FURTHER_SUSPENSION'],
  'meeting-scheduled': ['SCHEDULE_MEETING', 'ANSWER', 'FURTHER_SUSPENSION'],
  'pupil-voice-captured': ['ANSWER', 'COMPLETE_REFLECTION', 'FURTHER_SUSPENSION'],
  'head-reflection': ['ANSWER', 'DECIDE', 'FURTHER_SUSPENSION'],
  decided: ['FURTHER_SUSPENSION'],
  'follow-up-review': ['CLOSE_FOLLOW_UP', 'FURTHER_SUSPENSION'],
  closed: [],
};

function view(c: PeapContext, state = 'meeting-scheduled', status: 'active' | 'done' = 'active'): CaseView<'peap'> {
  const nextEvents = status === 'done' ? [] : (NEXT_EVENTS[state] ?? []);
  return { id: 'peap-1', kind: 'peap', schoolId: c.schoolId, pupilId: c.pupilId, state, status, revision: 3, context: c, openedAt: '', updatedAt: '', deadlines: [], nextEvents };
}

describe('parseAnswer: a text answer', () => {
  it('is saved trimmed', () => {
    expect(parseAnswer(TEXT, '  Art and PE.\n')).toEqual({ value: 'Art and PE.' });
  });

  it('cannot be empty or only spaces', () => {
    expect(parseAnswer(TEXT, '   ')).toEqual({ error: 'Please write an answer.' });
    expect(parseAnswer(TEXT, undefined)).toEqual({ error: 'Please write an answer.' });
  });

  it('is kept under 4,000 characters, saying how long it is', () => {
    expect(parseAnswer(TEXT, 'x'.repeat(4000))).toEqual({ value: 'x'.repeat(4000) });
    expect(parseAnswer(TEXT, 'x'.repeat(4001))).toEqual({ error: 'Please keep the answer under 4,000 characters (it has 4001).' });
  });
});

describe('parseAnswer: a date', () => {
  it('accepts a real date written YYYY-MM-DD', () => {
    expect(parseAnswer(DATE, ' 2026-03-23 ')).toEqual({ value: '2026-03-23' });
  });

  it.each(['23/03/2026', '2026-02-30', '2026-3-23', 'next Monday', ''])('refuses %j, saying how to write it', (raw) => {
    expect(parseAnswer(DATE, raw)).toEqual({ error: 'Please give a date, written YYYY-MM-DD.' });
  });
});

describe('parseAnswer: yes or no', () => {
  it.each([['yes'], ['Yes'], ['Y'], ['true'], [true]])('reads %j as yes', (raw) => {
    expect(parseAnswer(YES_NO, raw)).toEqual({ value: true });
  });

  it.each([['no'], ['NO'], ['n'], ['false'], [false]])('reads %j as no', (raw) => {
    expect(parseAnswer(YES_NO, raw)).toEqual({ value: false });
  });

  it('refuses anything else rather than guessing', () => {
    expect(parseAnswer(YES_NO, 'maybe')).toEqual({ error: 'Please choose yes or no.' });
    expect(parseAnswer(YES_NO, '')).toEqual({ error: 'Please choose yes or no.' });
  });
});

describe('parseAnswer: options', () => {
  it('reads a multi-select card value (comma-separated) or a list, without repeats', () => {
    expect(parseAnswer(CHOICES, 'send,family')).toEqual({ value: ['send', 'family'] });
    expect(parseAnswer(CHOICES, ['bereavement', 'send', 'bereavement'])).toEqual({ value: ['bereavement', 'send'] });
  });

  it('names the values that are not options, and lists the ones that are', () => {
    expect(parseAnswer(CHOICES, 'send, poverty')).toEqual({ error: 'Not an option: poverty. Options: send, family, bereavement, other, none.' });
  });

  it('asks for at least one choice when none was made', () => {
    expect(parseAnswer(CHOICES, '')).toEqual({ error: 'Please choose at least one.' });
    expect(parseAnswer(CHOICE, [])).toEqual({ error: 'Please choose one.' });
  });

  it('takes exactly one value for a single choice', () => {
    expect(parseAnswer(CHOICE, 'online')).toEqual({ value: 'online' });
    expect(parseAnswer(CHOICE, 'online,in-person')).toEqual({ error: 'Please choose only one.' });
  });
});

describe('displayAnswer', () => {
  it('shows answers as a person reads them: yes/no, a long date, option titles', () => {
    expect(displayAnswer(YES_NO, false)).toBe('No');
    expect(displayAnswer(DATE, '2026-03-23')).toBe('Monday 23 Mar 2026');
    expect(displayAnswer(CHOICES, ['send', 'bereavement'])).toBe('Special educational needs or disability (SEND); Bereavement');
    expect(displayAnswer(TEXT, undefined)).toBe('(not answered)');
  });
});

describe('applicableQuestions: contributing factors', () => {
  it('asks no factor follow-up before the factors are answered, or when the answer is "none"', () => {
    const none = applicableQuestions(DEFAULT_QUESTIONS, context({ answered: { 'factors.present': ['none'] } }));
    expect(applicableQuestions(DEFAULT_QUESTIONS, context()).some((q) => q.askedWhen)).toBe(false);
    expect(none.some((q) => q.askedWhen)).toBe(false);
  });

  it('asks how each factor present was taken into account, right after the factors question', () => {
    const asked = applicableQuestions(DEFAULT_QUESTIONS, context({ answered: { 'factors.present': ['bereavement', 'send'] } })).map((q) => q.id);
    const at = asked.indexOf('factors.present');
    expect(asked.slice(at, at + 3)).toEqual(['factors.present', 'factors.send.how', 'factors.bereavement.how']);
    expect(asked).not.toContain('factors.family.how');
  });
});

describe('nextStep: where a stopped interview resumes', () => {
  it('starts at question 1, the meeting date', () => {
    const step = nextStep(view(context(), 'triggered'), DEFAULT_QUESTIONS);
    expect(step).toMatchObject({ kind: 'question', question: { id: MEETING_DATE }, number: 1, total: DEFAULT_QUESTIONS.filter((q) => !q.askedWhen).length });
  });

  it('resumes at the first unanswered question, even when later ones are answered', () => {
    const c = context({ meetingDate: '2026-03-23', answered: { 'exclusion.details': 'As recorded.', 'pupil-voice.happy': 'Sometimes.' } });
    expect(nextStep(view(c), DEFAULT_QUESTIONS)).toMatchObject({ kind: 'question', question: { id: 'pupil.needs' }, number: 3 });
  });

  it('counts a factor follow-up in the total once the factor is present', () => {
    const answered = Object.fromEntries(DEFAULT_QUESTIONS.filter((q) => q.id !== MEETING_DATE && !q.askedWhen).map((q) => [q.id, q.kind === 'yes-no' ? true : q.kind === 'choices' ? ['family'] : 'An answer.']));
    const step = nextStep(view(context({ meetingDate: '2026-03-23', answered })), DEFAULT_QUESTIONS);
    const base = DEFAULT_QUESTIONS.filter((q) => !q.askedWhen).length;
    expect(step).toMatchObject({ kind: 'question', question: { id: 'factors.family.how' }, total: base + 1 });
  });

  it('goes to the review when every question that applies is answered', () => {
    const answered = Object.fromEntries(DEFAULT_QUESTIONS.filter((q) => q.id !== MEETING_DATE && !q.askedWhen).map((q) => [q.id, q.kind === 'yes-no' ? false : q.kind === 'choices' ? ['none'] : 'An answer.']));
    expect(nextStep(view(context({ meetingDate: '2026-03-23', answered }), 'pupil-voice-captured'), DEFAULT_QUESTIONS)).toEqual({ kind: 'review' });
  });

  it('asks nothing more once the decision is recorded', () => {
    expect(nextStep(view(context(), 'decided'), DEFAULT_QUESTIONS)).toEqual({ kind: 'decided' });
    expect(nextStep(view(context(), 'closed', 'done'), DEFAULT_QUESTIONS)).toEqual({ kind: 'decided' });
  });
});

describe('suggestedAnswer: what the record pre-fills', () => {
  it("lists the case's exclusions with their dates, lengths and reasons, and why the PEAP opened", () => {
    const record = demoPupil('DEMO-001');
    const c = context({ exclusionIds: ['DEMO-001-X1', 'DEMO-001-X2'], openedBy: 'trigger', trigger: { key: 'k', ruleId: 'peap.required', ruleVersion: 1, explanation: 'two suspensions in autumn-1' } });
    const text = suggestedAnswer(question('exclusion.details'), record, c);
    expect(String(text).split('\n')).toEqual([
      'Why the PEAP: two suspensions in autumn-1.',
      expect.stringMatching(/^DEMO-001-X1: FIXD from Thursday 2 Oct 2025, 2 session\(s\); reasons: PA \(.+\)$/),
      expect.stringMatching(/^DEMO-001-X2: FIXD from Tuesday 14 Oct 2025, 2 session\(s\); reasons: VA \(.+\), DB \(.+\)$/),
    ]);
  });

  it('says what the record holds on SEND, care, a social worker and free school meals', () => {
    const needs = suggestedAnswer(question('pupil.needs'), demoPupil('DEMO-007'), context());
    expect(needs).toMatch(/^SEND: an Education, Health and Care plan \(E\)$/m);
    expect(needs).toMatch(/^Looked after \(in care\): (yes|no)$/m);
    expect(needs).toMatch(/^Has a social worker: (yes|no)$/m);
    expect(suggestedAnswer(question('pupil.needs'), demoPupil('DEMO-003'), context())).toMatch(/^SEND: none recorded$/m);
  });

  it('offers SEND as a contributing factor only when the record shows SEND', () => {
    expect(suggestedAnswer(question('factors.present'), demoPupil('DEMO-007'), context())).toEqual(['send']);
    expect(suggestedAnswer(question('factors.present'), demoPupil('DEMO-003'), context())).toBeUndefined();
    expect(suggestedAnswer(TEXT, demoPupil('DEMO-007'), context())).toBeUndefined();
  });

  it("fills the support tried from the support record, school-based and external apart, and leaves it blank when there is none", () => {
    const school: SupportLine = { caseId: 'support-plan-1', kind: 'support-plan', what: 'a nurture group', provider: 'School nurture group', from: '2026-02-24', outcome: 'running, review due 2026-03-24', measures: ['Boxall Profile developmental strands 62 → 78 (improved)'], external: false, inHand: true };
    const outreach: SupportLine = { caseId: 'nurture-outreach-1', kind: 'nurture-outreach', what: 'nurture outreach (a school new to this complexity)', from: '2026-01-12', outcome: 'Amber — early days, starting to respond to the strategies', measures: [], external: true, inHand: true };
    expect(suggestedAnswer(question('support.school-based'), demoPupil('DEMO-002'), context(), [outreach, school])).toBe(
      'from 2026-02-24: a nurture group with School nurture group — running, review due 2026-03-24; Boxall Profile developmental strands 62 → 78 (improved)',
    );
    expect(suggestedAnswer(question('support.external'), demoPupil('DEMO-002'), context(), [outreach, school])).toBe('from 2026-01-12: nurture outreach (a school new to this complexity) — Amber — early days, starting to respond to the strategies');
    expect(suggestedAnswer(question('support.school-based'), demoPupil('DEMO-002'), context(), [])).toBeUndefined();
  });
});

describe('parseDecision', () => {
  const form = { decision: 'no-exclusion-support-plan', rationale: '  A support plan with the SENCo.  ', followUpDate: '2026-05-01' };

  it('reads the decision, the trimmed rationale and the follow-up date', () => {
    expect(parseDecision(form)).toEqual({ decision: 'no-exclusion-support-plan', rationale: 'A support plan with the SENCo.', followUpDate: '2026-05-01' });
  });

  it('says which part of the form is missing or wrong', () => {
    expect(parseDecision({ ...form, decision: 'expel' })).toEqual({ error: 'Please choose the decision.' });
    expect(parseDecision({ ...form, rationale: ' ' })).toEqual({ error: 'Please give the rationale for the decision.' });
    expect(parseDecision({ ...form, followUpDate: '1 May' })).toEqual({ error: 'Please give the follow-up review date, written YYYY-MM-DD.' });
  });
});
