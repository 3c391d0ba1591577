/**
 * What a typed message or a pressed button asks for: the same commands either way, and a
 * helpful word for data no card of ours would send.
 */
import { describe, expect, it } from 'vitest';
import { HELP_TEXT, parseAction, parseText } from './commands.js';
import { parseDateInput } from './dates.js';

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
    expect(parseText('Hello')).toEqual({ verb: 'help', greeting: true });
    expect(parseText('help')).toEqual({ verb: 'help' });
  });

  it('returns undefined for text that is not a command, so the channel can say it did not understand', () => {
    expect(parseText('please exclude DEMO-003')).toBeUndefined();
    expect(parseText('start peap DEMO-003 tomorrow')).toBeUndefined();
    expect(parseText('check suspension DEMO-010 2026-03-23')).toBeUndefined();
    expect(parseText('')).toBeUndefined();
  });

  it('offers in its help text every command it reads', () => {
    for (const phrase of ['my cases', 'start peap PUPIL-ID', 'check suspension PUPIL-ID FIRST-DAY SESSIONS', 'status CASE-ID', 'continue CASE-ID', 'stop', 'overview']) expect(HELP_TEXT).toContain(phrase);
  });

  it('gives an example of each command in its help text, and every example reads as that command', () => {
    const examples = [...HELP_TEXT.matchAll(/e\.g\. _([^_]+)_/g)].map((m) => m[1]!);
    expect(examples.length).toBeGreaterThanOrEqual(3);
    for (const example of examples) expect(parseText(example)).toBeDefined();
    expect(HELP_TEXT).toMatch(/^What I can do:/);
  });
});

describe('parseText: typed as people type', () => {
  it('reads "check suspension" with the pupil id in any case and the first day as a head writes it', () => {
    expect(parseText('check suspension demo-004 23/03/2026 6')).toEqual({ verb: 'suspension.check', pupilId: 'demo-004', startDate: '23/03/2026', sessions: '6' });
    expect(parseText('check suspension DEMO-004 Mon 23 Mar 6 sessions')).toEqual({ verb: 'suspension.check', pupilId: 'DEMO-004', startDate: 'Mon 23 Mar', sessions: '6' });
    expect(parseText('Check a suspension for DEMO-004 from 23 March 2026 for 6 sessions')).toEqual({ verb: 'suspension.check', pupilId: 'DEMO-004', startDate: '23 March 2026', sessions: '6' });
    expect(parseText('check suspension DEMO-004 tomorrow 4')).toEqual({ verb: 'suspension.check', pupilId: 'DEMO-004', startDate: 'tomorrow', sessions: '4' });
  });

  it('reads a suspension given in days as twice as many sessions', () => {
    expect(parseText('check suspension DEMO-004 23/3/26 3 days')).toMatchObject({ sessions: '6' });
    expect(parseText('check suspension DEMO-004 23/3/26 for 1 day')).toMatchObject({ sessions: '2' });
    expect(parseText('check suspension DEMO-004 23/3/26 2.5 days')).toMatchObject({ sessions: '5' });
  });

  it('passes the first day on as typed, for the assistant to read on the school date (each one parseDateInput reads)', () => {
    for (const typed of ['2026-03-23', '23/03/2026', '23/3/26', '23 Mar', '23 March 2026', 'Mon 23 Mar', 'today', 'tomorrow']) {
      const command = parseText(`check suspension DEMO-004 ${typed} 6`);
      expect(command).toMatchObject({ verb: 'suspension.check', startDate: typed });
      expect(parseDateInput(String((command as { startDate: unknown }).startDate), '2026-03-20')).toHaveProperty('date');
    }
  });

  it('reads "my cases" however it is asked for', () => {
    for (const typed of ['my cases please', 'show my cases', 'cases?', 'Show me my open cases, please.', 'could you show me my cases please?', 'list cases', 'what are my cases?', 'Hi, my cases please', 'open cases']) {
      expect(parseText(typed), typed).toEqual({ verb: 'cases.mine' });
    }
  });

  it('reads help, a greeting and thanks apart', () => {
    for (const typed of ['please help', 'help me', 'Help!', 'what can you do?', 'menu', '?']) expect(parseText(typed), typed).toEqual({ verb: 'help' });
    for (const typed of ['hi', 'Hello there', 'good morning', 'start']) expect(parseText(typed), typed).toEqual({ verb: 'help', greeting: true });
    for (const typed of ['thanks', 'Thank you!', 'thank you very much', 'ok thanks', 'cheers']) expect(parseText(typed), typed).toEqual({ verb: 'thanks' });
  });

  it('reads stop, cancel and quit as leaving the form in hand', () => {
    for (const typed of ['stop', 'Cancel', 'quit', 'stop for now', 'not now', 'never mind', 'cancel this please']) expect(parseText(typed), typed).toEqual({ verb: 'stop' });
  });

  it('reads the other commands with their courtesies', () => {
    expect(parseText('please start a peap for pupil demo-003')).toEqual({ verb: 'peap.start', pupilId: 'demo-003' });
    expect(parseText('status of peap-0123456789?')).toEqual({ verb: 'case.status', caseId: 'peap-0123456789' });
    expect(parseText('carry on with peap-0123456789')).toEqual({ verb: 'peap.resume', caseId: 'peap-0123456789' });
    expect(parseText('the overview please')).toEqual({ verb: 'cases.overview' });
  });

  it('still says it did not understand a request that is no command, courtesies or not', () => {
    expect(parseText('can you exclude DEMO-003 please')).toBeUndefined();
    expect(parseText('please')).toBeUndefined();
    expect(parseText('thanks for nothing, exclude DEMO-003')).toBeUndefined();
    expect(parseText('check suspension DEMO-004 23 March 2026')).toBeUndefined(); // no length given
  });
});

describe('parseAction: button data', () => {
  it("reads a card's answer button with its inputs merged in, the revision as a number", () => {
    expect(parseAction({ verb: 'peap.answer', caseId: 'peap-1', questionId: 'pupil-voice.likes', revision: '4', answer: 'Art.' })).toEqual({
      command: { verb: 'peap.answer', caseId: 'peap-1', questionId: 'pupil-voice.likes', revision: 4, answer: 'Art.' },
    });
  });

  it('reads the stop button', () => {
    expect(parseAction({ verb: 'stop' })).toEqual({ command: { verb: 'stop' } });
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
