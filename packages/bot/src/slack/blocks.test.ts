/**
 * A case's status in Block Kit: the same reading as in Teams, within Slack's limits — at most 50
 * blocks a message and 3,000 characters a text — saying how much more the workspace shows, and
 * what a person typed shown as text, never as Slack markup.
 */
import { describe, expect, it } from 'vitest';
import { largestStatus, sampleStatus } from '../testing/fixtures.js';
import { fallbackText, messageBlocks, STATUS_BLOCKS } from './blocks.js';

type Block = Record<string, any>;
const textsOf = (blocks: Block[]): string[] =>
  blocks.flatMap((b) => [...(b.text ? [String(b.text.text)] : []), ...(b.type === 'context' ? b.elements.map((e: { text: string }) => e.text) : [])]);

describe("a case's status in Slack", () => {
  it('reads the decision, its rationale, the gate, a changed answer, the duties, the note, the timeline and the link', () => {
    const blocks = messageBlocks([sampleStatus()]);
    const all = textsOf(blocks).join('\n');
    expect(blocks[0]).toMatchObject({ type: 'header', text: { text: 'Pre-exclusion assessment — DEMO-003' } });
    expect(all).toContain('Case peap-0123456789 · school DEMO-SCH');
    expect(all).toContain('*Decision: No exclusion: a support plan*\nDecided by demo-head, Friday 20 Mar 2026 09:00 · follow-up review Friday 1 May 2026');
    expect(all).toContain('*Rationale*\nA support plan with weekly mentoring; the family agreed.');
    expect(all).toContain(':x: the attestation that all support mechanisms have been exhausted — not recorded');
    expect(all).toContain('_I attest that all support mechanisms available to the pupil have been exhausted._\nYes → No');
    expect(all).toContain('…and 14 more answers in the workspace.');
    expect(all).toContain('• full-time education from the sixth day — due Monday 16 Mar 2026: :warning: *overdue*');
    expect(all).toContain('Checked with the school: the mentoring starts on Monday.\n— demo-officer (inclusion-officer), Friday 20 Mar 2026 09:00');
    expect(all).toContain('…and 21 earlier entries in the workspace.');
    expect(all).toContain('<https://bx.example.org/workspace/cases/peap-0123456789|Open case peap-0123456789 in the workspace>');
    expect(fallbackText([sampleStatus()])).toBe('Pre-exclusion assessment — DEMO-003 (case peap-0123456789)');
    // The link is text, not a button: a URL button would still send the app an action it has no verb for.
    expect(blocks.filter((b) => b.type === 'actions')).toEqual([]);
  });

  it('shows what a person typed as text: Slack markup in a note or answer is escaped', () => {
    const status = sampleStatus();
    const blocks = messageBlocks([{ ...status, notes: [{ ...status.notes[0]!, text: 'Tell <!channel> & <@U123>' }] }]);
    const all = textsOf(blocks).join('\n');
    expect(all).toContain('Tell &lt;!channel&gt; &amp; &lt;@U123&gt;');
    expect(all).not.toContain('<!channel>');
  });

  it('keeps the largest status within 50 blocks and 3,000 characters a text, saying how much more is in the workspace', () => {
    const blocks = messageBlocks([largestStatus()]);
    expect(blocks.length).toBeLessThanOrEqual(STATUS_BLOCKS);
    const texts = textsOf(blocks);
    for (const t of texts) expect(t.length).toBeLessThanOrEqual(3000);
    expect(texts).toContainEqual(expect.stringMatching(/^…and \d+ more answers in the workspace\.$/));
    expect(texts).toContainEqual(expect.stringMatching(/^…and \d+ earlier entries in the workspace\.$/));
    expect(texts.join('\n')).toContain('*Decision: No exclusion: a support plan*');
    // A note before the status in the same turn still fits one message.
    expect(messageBlocks([{ type: 'message', text: 'A note first.' }, largestStatus()]).at(-1)).toMatchObject({ type: 'section', text: { text: expect.stringContaining('in the workspace') } });
  });
});
