/**
 * What a typed message or a pressed button asks for: the same commands either way, and a
 * helpful word for data no card of ours would send.
 */
import { describe, expect, it } from 'vitest';
import { HELP_TEXT, parseAction, parseText } from './commands.js';

describe('parseText: typed commands', () => {
  it('reads "check suspension" with the pupil, first day and length, as the check form would send them', () => {
    expect(parseText('check suspension DEMO-010 2026-03-23 6')).toEqual({ verb: 'suspension.check', pupilId: 'DEMO-010', startDate: '2026-03-23', sessions: '6' });
    expect(parseText('Check  suspension DEMO-010 2026-03-23 6 sessions')).toEqual({ verb: 'suspension.check', pupilId: 'DEMO-010', startDate: '2026-03-23', sessions: '6' });
  });

  it('opens the check form, filled in as far as the message goes', () => {
    expect(parseText('check suspension')).toEqual({ verb: 'suspension.form' });
    expect(parseText('check suspension DEMO-010')).toEqual({ verb: 'suspension.form', pupilId: 'DEMO-010' });
  });

  it('reads "start peap" for a pupil, with or without "for", and without one as the start form', () => {
    expect(parseText('start peap DEMO-003')).toEqual({ verb: 'peap.start', pupilId: 'DEMO-003' });
    expect(parseText('  START PEAP for DEMO-003 ')).toEqual({ verb: 'peap.start', pupilId: 'DEMO-003' });
    expect(parseText('start peap')).toEqual({ verb: 'peap.form' });
  });

  it('reads the other commands the help text offers', () => {
    expect(parseText('my cases')).toEqual({ verb: 'cases.mine' });
    expect(parseText('cases')).toEqual({ verb: 'cases.mine' });
    expect(parseText('overview')).toEqual({ verb: 'cases.overview' });
    expect(parseText('status peap-0123456789')).toEqual({ verb: 'case.status', caseId: 'peap-0123456789' });
    expect(parseText('continue peap-0123456789')).toEqual({ verb: 'peap.resume', caseId: 'peap-0123456789' });
    expect(parseText('Hello')).toEqual({ verb: 'help' });
    expect(parseText('help')).toEqual({ verb: 'help' });
  });

  it('returns undefined for text that is not a command, so the channel can say it did not understand', () => {
    expect(parseText('please exclude DEMO-003')).toBeUndefined();
    expect(parseText('start peap DEMO-003 tomorrow')).toBeUndefined();
    expect(parseText('check suspension DEMO-010 2026-03-23')).toBeUndefined();
    expect(parseText('')).toBeUndefined();
  });

  it('offers in its help text every command it reads', () => {
    for (const phrase of ['my cases', 'start peap PUPIL-ID', 'check suspension PUPIL-ID YYYY-MM-DD SESSIONS', 'status CASE-ID', 'overview']) expect(HELP_TEXT).toContain(phrase);
  });
});

describe('parseAction: button data', () => {
  it("reads a card's answer button with its inputs merged in, the revision as a number", () => {
    expect(parseAction({ verb: 'peap.answer', caseId: 'peap-1', questionId: 'pupil-voice.likes', revision: '4', answer: 'Art.' })).toEqual({
      command: { verb: 'peap.answer', caseId: 'peap-1', questionId: 'pupil-voice.likes', revision: 4, answer: 'Art.' },
    });
  });

  it('reads the same check a typed message does', () => {
    expect(parseAction({ verb: 'suspension.check', pupilId: 'DEMO-010', startDate: '2026-03-23', sessions: 6 })).toEqual({
      command: { verb: 'suspension.check', pupilId: 'DEMO-010', startDate: '2026-03-23', sessions: 6 },
    });
  });

  it('refuses a verb no button carries, pointing to "help"', () => {
    expect(parseAction({ verb: 'case.delete', caseId: 'peap-1' })).toEqual({ error: 'I do not know that button. Type "help" to see what I can do.' });
    expect(parseAction({ caseId: 'peap-1' })).toEqual({ error: 'I do not know that button. Type "help" to see what I can do.' });
    expect(parseAction('peap.answer')).toEqual({ error: 'I do not know that button. Type "help" to see what I can do.' });
  });

  it("says what is missing from a known button's data", () => {
    const result = parseAction({ verb: 'peap.start', pupilId: '  ' });
    expect(result).toEqual({ error: "That button's data is incomplete: Please give the pupil id." });
    expect(parseAction({ verb: 'peap.answer', caseId: 'peap-1', questionId: 'q', revision: -1 })).toMatchObject({ error: expect.stringMatching(/^That button's data is incomplete: /) });
  });
});
