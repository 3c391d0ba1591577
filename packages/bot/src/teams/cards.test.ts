/**
 * A case's status as an Adaptive Card: the decision and why, the PEAP gate as it stood, answers
 * under their questions with changes ("Yes → No"), duties, notes, the timeline and a link to the
 * web workspace — and, however much the case holds, a card Teams accepts (under ~28 KB), saying
 * how much more the workspace shows.
 */
import { describe, expect, it } from 'vitest';
import { largestStatus, sampleStatus } from '../testing/fixtures.js';
import { replyCard, STATUS_CARD_BYTES } from './cards.js';

type Element = Record<string, unknown>;

function elements(node: unknown): Element[] {
  if (Array.isArray(node)) return node.flatMap(elements);
  if (!node || typeof node !== 'object') return [];
  const e = node as Element;
  return [e, ...elements(e.body), ...elements(e.items), ...elements(e.actions)];
}
const texts = (card: unknown) => elements(card).flatMap((e) => (e.type === 'TextBlock' ? [String(e.text)] : []));
const bytes = (card: unknown) => Buffer.byteLength(JSON.stringify(card));

describe("a case's status in Teams", () => {
  it('reads the decision, its rationale, who decided and when, the gate, a changed answer, the duties, the note and the timeline in words', () => {
    const card = replyCard([sampleStatus()]);
    const lines = texts(card);
    expect(lines.slice(0, 3)).toEqual(['Pre-exclusion assessment — DEMO-003', 'decided — follow-up review next', 'Case peap-0123456789 · school DEMO-SCH']);
    expect(lines).toContain('**No exclusion: a support plan**');
    expect(lines).toContain('Decided by demo-head, Friday 20 Mar 2026 09:00 · follow-up review Friday 1 May 2026');
    expect(lines).toContain('A support plan with weekly mentoring; the family agreed.');
    expect(lines).toContain("✓ the pupil's voice");
    expect(lines).toContain('✗ the attestation that all support mechanisms have been exhausted — not recorded');
    // The answer under its question, with what it was.
    const attestation = lines.indexOf('I attest that all support mechanisms available to the pupil have been exhausted.');
    expect(lines[attestation + 1]).toBe('Yes → No');
    expect(lines).toContain('…and 14 more answers in the workspace.');
    expect(lines).toContain('full-time education from the sixth day — due Monday 16 Mar 2026: **overdue**');
    expect(lines).toContain('notify the parents in writing, without delay — due Monday 2 Mar 2026: **late** (Tuesday 3 Mar 2026 (email), recorded by demo-head)');
    expect(lines).toContain('Checked with the school: the mentoring starts on Monday.');
    expect(lines).toContain('…and 21 earlier entries in the workspace.');
    expect(lines.at(-1)).toBe('Friday 20 Mar 2026 09:00 · demo-officer (inclusion-officer) · added a note');
    expect(lines.join('\n')).not.toMatch(/\b(ANSWER|DECIDE)\b/);
    expect(elements(card).filter((e) => e.type === 'Action.OpenUrl')).toEqual([{ type: 'Action.OpenUrl', title: 'Open in the workspace', url: 'https://bx.example.org/workspace/cases/peap-0123456789' }]);
  });

  it('offers to continue an assessment still in progress, and no link when there is no workspace address', () => {
    const { workspaceUrl: _link, decision: _decision, ...status } = sampleStatus();
    const card = replyCard([{ ...status, case: { ...status.case, resumable: true }, actions: [{ title: 'Continue the assessment', data: { verb: 'peap.resume', caseId: 'peap-0123456789' }, primary: true }] }]);
    const actions = elements(card).filter((e) => String(e.type).startsWith('Action.'));
    expect(actions).toEqual([expect.objectContaining({ type: 'Action.Execute', title: 'Continue the assessment', data: { verb: 'peap.resume', caseId: 'peap-0123456789' } })]);
    expect(texts(card)).not.toContain('Decision');
  });

  it('keeps the largest status well under the 28 KB Teams accepts, saying how much more is in the workspace', () => {
    const status = largestStatus();
    expect(bytes(replyCard([{ ...status, answers: [], notes: [], timeline: [] }]))).toBeLessThan(STATUS_CARD_BYTES);
    const card = replyCard([status]);
    expect(bytes(card)).toBeLessThanOrEqual(STATUS_CARD_BYTES + 1000);
    const lines = texts(card);
    const answersMore = Number(lines.find((l) => /more answers in the workspace/.test(l))?.match(/…and (\d+)/)?.[1]);
    expect(answersMore).toBeGreaterThan(status.answersMore);
    expect(lines).toContainEqual(expect.stringMatching(/^…and \d+ earlier entries in the workspace\.$/));
    // What matters most stays: the decision, the changed answers shown first, the duties.
    expect(lines).toContain('**No exclusion: a support plan**');
    expect(lines.filter((l) => l.endsWith(': **overdue**'))).toHaveLength(8);
    expect(elements(card).some((e) => e.type === 'Action.OpenUrl')).toBe(true);
  });
});
