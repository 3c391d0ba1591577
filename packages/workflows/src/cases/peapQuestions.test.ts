/**
 * The PEAP question set as a head meets it: the seed's questions by default (domain.md §6), a
 * trust's rewording and additions placed where the trust asked, and a trust's file refused with
 * every problem named and what would be accepted.
 */
import { PEAP_QUESTIONS } from '../machines/peapCase.js';
import { describe, expect, it } from 'vitest';
import { DEFAULT_QUESTIONS, MEETING_DATE, QuestionSetError, questionSet, type Question } from './peapQuestions.js';

const byId = (questions: readonly Question[], id: string): Question | undefined => questions.find((q) => q.id === id);
const ids = (questions: readonly Question[]): string[] => questions.map((q) => q.id);

/** The problems a question file is refused with (fails the test when it is accepted). */
function problemsOf(file: unknown): { problems: readonly string[]; message: string } {
  try {
    questionSet(file, 'trust-questions.json');
  } catch (error) {
    expect(error).toBeInstanceOf(QuestionSetError);
    const e = error as QuestionSetError;
    return { problems: e.problems, message: e.message };
  }
  throw new Error('the question file was accepted');
}

describe('the default question set', () => {
  it('asks the four pupil-voice questions of the seed, in its words', () => {
    const voice = DEFAULT_QUESTIONS.filter((q) => q.id.startsWith(PEAP_QUESTIONS.pupilVoicePrefix));
    expect(voice.map((q) => q.text)).toEqual([
      'What do you like about school?',
      'Are you happy when you are here?',
      expect.stringMatching(/^Can you describe a time when you have not been happy,? and what happened\?$/),
      'Is there anything the teachers could do better to help you if you are angry?',
    ]);
  });

  it("asks the head's three questions under the ids the PEAP gate reads", () => {
    expect(byId(DEFAULT_QUESTIONS, PEAP_QUESTIONS.factorsConsidered)?.text).toMatch(/Have I considered factors .*SEND, family circumstances, bereavement.*taken these factors sufficiently into account\?/);
    expect(byId(DEFAULT_QUESTIONS, PEAP_QUESTIONS.sanctionAppropriate)?.text).toMatch(/Is exclusion the most appropriate and reasonable sanction, and consistent with the academy's behaviour policy\?/);
    expect(byId(DEFAULT_QUESTIONS, PEAP_QUESTIONS.reasonsRecorded)?.text).toMatch(/Are all the exclusion reasons clearly recorded, including the impact on others\?/);
  });

  it('records the support tried, school-based and external, and ends with the yes-or-no attestation', () => {
    expect(byId(DEFAULT_QUESTIONS, PEAP_QUESTIONS.schoolBasedSupport)).toMatchObject({ kind: 'text', text: expect.stringMatching(/school-based interventions/) });
    expect(byId(DEFAULT_QUESTIONS, PEAP_QUESTIONS.externalSupport)).toMatchObject({ kind: 'text', text: expect.stringMatching(/external interventions/) });
    expect(DEFAULT_QUESTIONS.at(-1)).toMatchObject({ id: PEAP_QUESTIONS.supportExhausted, kind: 'yes-no', text: expect.stringMatching(/all support mechanisms .* exhausted/) });
  });

  it('opens with the meeting date, then the exclusions and needs pre-filled from the record', () => {
    expect(DEFAULT_QUESTIONS.slice(0, 3).map((q) => [q.id, q.kind, q.prefill])).toEqual([
      [MEETING_DATE, 'date', undefined],
      ['exclusion.details', 'text', 'exclusions'],
      ['pupil.needs', 'text', 'needs'],
    ]);
  });

  it('asks how each contributing factor was taken into account only when it was present', () => {
    const present = byId(DEFAULT_QUESTIONS, 'factors.present');
    expect(present?.options?.map((o) => o.value)).toEqual(['send', 'family', 'bereavement', 'other', 'none']);
    const followUps = DEFAULT_QUESTIONS.filter((q) => q.askedWhen);
    expect(followUps.map((q) => [q.id, q.askedWhen?.includes])).toEqual([
      ['factors.send.how', 'send'],
      ['factors.family.how', 'family'],
      ['factors.bereavement.how', 'bereavement'],
      ['factors.other.how', 'other'],
    ]);
  });

  it('gives every question a distinct id, so no two answers overwrite each other', () => {
    expect(new Set(ids(DEFAULT_QUESTIONS)).size).toBe(DEFAULT_QUESTIONS.length);
  });

  it('is what a service without a trust file uses', () => {
    expect(questionSet()).toBe(DEFAULT_QUESTIONS);
    expect(questionSet({ format: 'peap-questions/1' })).toEqual(DEFAULT_QUESTIONS);
  });
});

describe("a trust's question file", () => {
  it('rewords a question in place, keeping its id, kind and position', () => {
    const questions = questionSet({
      format: 'peap-questions/1',
      reword: { 'pupil-voice.likes': { text: 'What is the best thing about school?', hint: 'Write down what they say.' } },
    });
    const at = ids(DEFAULT_QUESTIONS).indexOf('pupil-voice.likes');
    expect(questions[at]).toMatchObject({ id: 'pupil-voice.likes', kind: 'text', section: "The pupil's voice", text: 'What is the best thing about school?', hint: 'Write down what they say.' });
    expect(ids(questions)).toEqual(ids(DEFAULT_QUESTIONS));
  });

  it("may reword a gate question's text while its id — what the gate reads — stays", () => {
    const questions = questionSet({ format: 'peap-questions/1', reword: { [PEAP_QUESTIONS.supportExhausted]: { text: 'All support has been tried.' } } });
    expect(byId(questions, PEAP_QUESTIONS.supportExhausted)).toMatchObject({ kind: 'yes-no', text: 'All support has been tried.', hint: expect.stringMatching(/permanent exclusion/) });
  });

  it('adds a question straight after the one named in `after`, in its section', () => {
    const questions = questionSet({
      format: 'peap-questions/1',
      add: [{ id: 'trust.restorative-meeting', after: 'pupil-voice.help-when-angry', kind: 'text', text: 'What would put things right?' }],
    });
    const order = ids(questions);
    expect(order.indexOf('trust.restorative-meeting')).toBe(order.indexOf('pupil-voice.help-when-angry') + 1);
    expect(order.filter((id) => id !== 'trust.restorative-meeting')).toEqual(ids(DEFAULT_QUESTIONS));
    expect(byId(questions, 'trust.restorative-meeting')).toMatchObject({ section: "The pupil's voice", kind: 'text', text: 'What would put things right?' });
    expect(byId(questions, 'trust.restorative-meeting')).not.toHaveProperty('after');
  });

  it('adds a question without `after` at the end of the section it names', () => {
    const questions = questionSet({
      format: 'peap-questions/1',
      add: [{ id: 'trust.alternative-provision', section: 'Support tried', kind: 'yes-no', text: 'Has alternative provision been tried?' }],
    });
    const order = ids(questions);
    expect(order.indexOf('trust.alternative-provision')).toBe(order.indexOf(PEAP_QUESTIONS.externalSupport) + 1);
  });

  it('adds several questions in the order given, each after its anchor', () => {
    const questions = questionSet({
      format: 'peap-questions/1',
      add: [
        { id: 'trust.first', after: MEETING_DATE, kind: 'text', text: 'Who came to the meeting?' },
        { id: 'trust.second', after: 'trust.first', kind: 'choice', text: 'Did the parents attend?', options: [{ value: 'in-person', title: 'In person' }, { value: 'online', title: 'Online' }] },
      ],
    });
    expect(ids(questions).slice(0, 3)).toEqual([MEETING_DATE, 'trust.first', 'trust.second']);
    expect(byId(questions, 'trust.second')?.options).toEqual([{ value: 'in-person', title: 'In person' }, { value: 'online', title: 'Online' }]);
  });

  it('is refused with every problem named at once, each saying what would do instead', () => {
    const { problems, message } = problemsOf({
      format: 'peap-questions/1',
      reword: { 'pupil-voice.favourite-lesson': { text: 'What is your favourite lesson?' } },
      add: [
        { id: 'pupil-voice.likes', kind: 'text', text: 'Again?' },
        { id: 'trust.mood', kind: 'choice', text: 'How do you feel?' },
        { id: PEAP_QUESTIONS.supportExhausted, kind: 'text', text: 'Has support been exhausted?' },
        { id: 'trust.orphan', after: 'no.such.question', kind: 'text', text: 'Where do I go?' },
      ],
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^reword\.pupil-voice\.favourite-lesson: no default question has that id; ids: meeting\.date, .*pupil-voice\.likes.*support\.exhausted$/),
        expect.stringMatching(/^add\.0 \(pupil-voice\.likes\): a question with this id already exists; choose another id$/),
        expect.stringMatching(/^add\.1 \(trust\.mood\): options are given for choice and choices questions/),
        expect.stringMatching(/^add\.2 \(support\.exhausted\): this id is reserved$/),
        expect.stringMatching(/^add\.3 \(trust\.orphan\)\.after: no question "no\.such\.question" to place it after$/),
      ]),
    );
    expect(message).toMatch(/^trust-questions\.json is not a usable question set:\n {2}- /);
    for (const p of problems) expect(message).toContain(p);
  });

  it('is refused when it is not a peap-questions/1 file, saying which format is expected', () => {
    const { problems } = problemsOf({ format: 'peap-questions/2', add: [] });
    expect(problems).toEqual(['format: expected "peap-questions/1"']);
    expect(problemsOf({ reword: {} }).problems).toEqual(['format: expected "peap-questions/1"']);
  });

  it('names each malformed field by its path, with what is accepted', () => {
    const { problems } = problemsOf({
      format: 'peap-questions/1',
      add: [
        { id: 'Trust Question', kind: 'text', text: 'x' },
        { id: 'trust.scale', kind: 'slider', text: 'How much?' },
        { id: 'trust.blank', kind: 'text', text: '   ' },
        { id: 'trust.one-option', kind: 'choice', text: 'Pick', options: [{ value: 'only', title: 'Only' }] },
      ],
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^add\.0\.id: expected lower-case letters, digits, dots and dashes/),
        'add.1.kind: expected one of date, text, yes-no, choice, choices',
        'add.2.text: a question needs its text',
        'add.3.options: a choice needs at least two options',
      ]),
    );
    expect(problems).toHaveLength(4);
  });

  it('refuses options on a question that is not a choice', () => {
    const { problems } = problemsOf({
      format: 'peap-questions/1',
      add: [{ id: 'trust.free-text', kind: 'text', text: 'Anything else?', options: [{ value: 'a', title: 'A' }, { value: 'b', title: 'B' }] }],
    });
    expect(problems).toEqual([expect.stringMatching(/^add\.0 \(trust\.free-text\): options are given for choice and choices questions, and only for them$/)]);
  });

  it('refuses a field it does not know rather than ignoring it', () => {
    const { problems } = problemsOf({ format: 'peap-questions/1', remove: ['pupil-voice.likes'] });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/remove/);
  });
});
