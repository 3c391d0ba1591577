/** How the case page arranges the record's answers: each change shown as "changed from …", by whoever made it. */
import { describe, expect, it } from 'vitest';
import type { AnswerLine } from '@before-exclusion/workflows';
import { answerSections, readNote } from './casePage.js';

describe('the case page', () => {
  it('shows each change to an answer, newest first, by whoever made it, under its section', () => {
    const answers: AnswerLine[] = [
      { questionId: 'a', section: 'Support', question: 'Exhausted?', answer: 'Yes', by: 'deputy', at: 't3', earlier: [{ answer: 'Yes', by: 'head', at: 't1' }, { answer: 'No', by: 'senco', at: 't2' }] },
      { questionId: 'b', section: 'Support', question: 'Tried?', answer: 'Mentoring', by: 'head', at: 't1', earlier: [] },
      { questionId: 'c', section: 'Voice', question: 'Likes?', answer: 'Art', by: 'head', at: 't1', earlier: [] },
    ];
    expect(answerSections(answers)).toEqual([
      {
        section: 'Support',
        answers: [
          {
            question: 'Exhausted?',
            answer: 'Yes',
            answered: { by: 'head', at: 't1' },
            changes: [
              { from: 'No', by: 'deputy', at: 't3' },
              { from: 'Yes', by: 'senco', at: 't2' },
            ],
          },
          { question: 'Tried?', answer: 'Mentoring', answered: { by: 'head', at: 't1' }, changes: [] },
        ],
      },
      { section: 'Voice', answers: [{ question: 'Likes?', answer: 'Art', answered: { by: 'head', at: 't1' }, changes: [] }] },
    ]);
  });

  it('takes a note with some text, up to 5,000 characters, and says what is wrong otherwise', () => {
    expect(readNote({ note: '  A note.\r\nSecond line.  ' })).toEqual({ ok: true, text: 'A note.\nSecond line.' });
    expect(readNote({ note: ' ' })).toMatchObject({ ok: false, error: 'Enter the note' });
    expect(readNote({})).toMatchObject({ ok: false, error: 'Enter the note' });
    expect(readNote({ note: ['a', 'b'] })).toMatchObject({ ok: false });
    expect(readNote({ note: 'x'.repeat(5001) })).toMatchObject({ ok: false, error: 'The note must be 5,000 characters or fewer' });
  });
});
