/**
 * What a person can ask for, typed in plain words or pressed as a button. Both reach the same
 * command: a typed "check suspension DEMO-010 23/03/2026 6" and the check form's button.
 *
 * Typed text is read as people write in a chat — any case, "please" and "thanks" around it, a
 * question mark on the end — and what it names is passed on as typed: the assistant resolves a
 * pupil id case-insensitively (`resolvePupilId`) and reads a date as people write it
 * (`parseDateInput`), where it knows the school date and what the person may see.
 */
import { z } from 'zod';
import { LETTER_KINDS, MOVEMENT_DUTIES, RECIPIENTS, type DutyKind, type LetterKind, type MovementDutyKind, type Recipient } from '@before-exclusion/workflows';
import { DATE_EXAMPLES } from './dates.js';

export type Command =
  /** The commands, with examples; `greeting` when it was a hello rather than a question (the menu suits it). */
  | { readonly verb: 'help'; readonly greeting?: true }
  /** "thanks": a word back, nothing else. */
  | { readonly verb: 'thanks' }
  /** "stop", "cancel", "quit": leave the form in hand. Nothing is lost: every answer is already saved. */
  | { readonly verb: 'stop' }
  /** A page of the person's open cases, or one pupil's (the id as typed). */
  | { readonly verb: 'cases.mine'; readonly page?: number | undefined; readonly pupilId?: string | undefined }
  | { readonly verb: 'cases.overview'; readonly page?: number | undefined; readonly pupilId?: string | undefined }
  | { readonly verb: 'case.status'; readonly caseId: string }
  | { readonly verb: 'peap.form' }
  | { readonly verb: 'peap.start'; readonly pupilId: string }
  | { readonly verb: 'peap.resume'; readonly caseId: string }
  | { readonly verb: 'peap.answer'; readonly caseId: string; readonly questionId: string; readonly revision: number; readonly answer: unknown }
  | { readonly verb: 'peap.change'; readonly caseId: string; readonly questionId?: string | undefined }
  | { readonly verb: 'peap.decide'; readonly caseId: string; readonly revision: number; readonly decision: unknown; readonly rationale: unknown; readonly followUpDate: unknown }
  | { readonly verb: 'suspension.form'; readonly pupilId?: string }
  /** As typed or as the form sent it: the pupil id in any case, the first day in any form `parseDateInput` reads. */
  | { readonly verb: 'suspension.check'; readonly pupilId: unknown; readonly startDate: unknown; readonly sessions: unknown }
  /** The form that records an exclusion; `values` fill it (from the check: the first day and length). */
  | { readonly verb: 'exclusion.form'; readonly pupilId: string; readonly values: FormValues }
  | { readonly verb: 'exclusion.record'; readonly pupilId: string; readonly confirmWithoutPeap?: boolean | undefined; readonly values: FormValues }
  | { readonly verb: 'duty.form'; readonly caseId: string; readonly duty: DutyKind; readonly recipient?: Recipient | undefined }
  | { readonly verb: 'duty.record'; readonly caseId: string; readonly duty: DutyKind; readonly recipient?: Recipient | undefined; readonly revision: number; readonly values: FormValues }
  /** A pupil-movement case's duty (a notice given, the LA or council told): its form, and recording it. */
  | { readonly verb: 'movement.form'; readonly caseId: string; readonly duty: MovementDutyKind }
  | { readonly verb: 'movement.record'; readonly caseId: string; readonly duty: MovementDutyKind; readonly revision: number; readonly values: FormValues }
  /** The form for a letter (the names it needs), and writing it. */
  | { readonly verb: 'letter.form'; readonly caseId: string; readonly kind: LetterKind }
  | { readonly verb: 'letter.make'; readonly caseId: string; readonly kind: LetterKind; readonly values: FormValues }
  /**
   * The form that records support tried for a pupil (the id as typed; none: ask for it). From a PEAP's
   * support question, `peapCaseId` and `questionId` lead back to that question once it is recorded.
   */
  | { readonly verb: 'support.form'; readonly pupilId?: string | undefined; readonly peapCaseId?: string | undefined; readonly questionId?: string | undefined }
  /**
   * The support form submitted: `formKey` is the form's own, so pressing it twice opens one case;
   * `caseId`, the pupil's support plan waiting for its plan when the form was drawn (one a
   * team-around-the-school action opened), which the form completes instead.
   */
  | { readonly verb: 'support.record'; readonly pupilId: string; readonly formKey: string; readonly caseId?: string | undefined; readonly peapCaseId?: string | undefined; readonly questionId?: string | undefined; readonly values: FormValues }
  /** The form that records a support plan's review: `target` is the plan's case id, or a pupil id as typed. */
  | { readonly verb: 'support.review-form'; readonly target: string }
  /** A support plan its review sent back to be revised: the form for the revised plan, and agreeing it. */
  | { readonly verb: 'support.replan-form'; readonly caseId: string }
  | { readonly verb: 'support.replan'; readonly caseId: string; readonly revision: number; readonly values: FormValues }
  | { readonly verb: 'support.review'; readonly caseId: string; readonly revision: number; readonly values: FormValues };

/** What a form's inputs held, by field id. */
export type FormValues = Readonly<Record<string, unknown>>;

export const HELP_TEXT = `What I can do:
• **my cases** — your open cases, a page at a time: PEAPs first, then overdue duties; **my cases PUPIL-ID** for one pupil's
• **start peap PUPIL-ID** — start (or continue) a pre-exclusion assessment, e.g. _start peap DEMO-002_
• **check suspension PUPIL-ID FIRST-DAY SESSIONS** — the duties and dates a proposed suspension would set, before you decide, e.g. _check suspension DEMO-010 23/03/2026 6_ (6 sessions is 3 days; _3 days_ works too)
• **record support PUPIL-ID** — record support tried (the intervention, who provides it, from when, its review date) in one form, e.g. _record support DEMO-002_
• **review support CASE-ID** — record a support plan's review: how it ended or goes on, with a Boxall, SDQ or Thrive score if one was taken; a pupil id works too, e.g. _review support DEMO-002_
• **status CASE-ID** — a case read back: the decision and why, the answers, duties, notes and timeline, with a link to the workspace, e.g. _status peap-0a1b2c3d4e_
• **continue CASE-ID** — carry on a pre-exclusion assessment where it stopped
• **stop** — leave the form you are in; nothing is lost (every answer is saved as you give it)
• **overview** — for inclusion officers: cases across your schools, overdue first
Pupil ids can be typed in any case (_demo-010_); dates as ${DATE_EXAMPLES}.`;

const TEXT_COMMANDS: readonly [RegExp, (m: RegExpMatchArray) => Command][] = [
  [/^(?:help(?: me)?|menu|commands|options|what can you do|what can i (?:do|ask|say)|how does this work)$/i, () => ({ verb: 'help' })],
  [/^(?:hi|hello|hey|hiya|good (?:morning|afternoon|evening)|start)(?: there)?$/i, () => ({ verb: 'help', greeting: true })],
  [/^(?:stop|cancel|quit|exit|not now|later|never ?mind|(?:stop|cancel|leave) (?:this|it|that|here|now|for now|the form))$/i, () => ({ verb: 'stop' })],
  [/^(?:(?:my|our) )?(?:open )?cases$/i, () => ({ verb: 'cases.mine' })],
  [/^(?:(?:my|our) )?(?:open )?cases (?:for |of )?(?:pupil )?(\S+)$/i, (m) => ({ verb: 'cases.mine', pupilId: m[1]! })],
  [/^(?:the )?overview$|^all (?:the )?cases$/i, () => ({ verb: 'cases.overview' })],
  [/^(?:status|case)(?: of| for)? (\S+)$/i, (m) => ({ verb: 'case.status', caseId: m[1]! })],
  [/^(?:continue|resume|carry on)(?: with)? (\S+)$/i, (m) => ({ verb: 'peap.resume', caseId: m[1]! })],
  [/^(?:start|begin|new) (?:a )?peap$/i, () => ({ verb: 'peap.form' })],
  [/^(?:start|begin|new) (?:a )?peap (?:for )?(?:pupil )?(\S+)$/i, (m) => ({ verb: 'peap.start', pupilId: m[1]! })],
  // Before "support PUPIL-ID": "review support …" and "support review …" name a review.
  [/^(?:review (?:the |a )?support(?: plan)?|record (?:the |a )?(?:support(?: plan)? )?review|support(?: plan)? review)(?: of| for)?(?: (?:pupil|case|plan))? (\S+)$/i, (m) => ({ verb: 'support.review-form', target: m[1]! })],
  [/^(?:(?:record|add|log) )?(?:the |some )?support(?: tried)?$/i, () => ({ verb: 'support.form' })],
  [/^(?:(?:record|add|log) )?(?:the |some )?support(?: tried)?(?: for| of)?(?: pupil)? (\S+)$/i, (m) => ({ verb: 'support.form', pupilId: m[1]! })],
  [/^check (?:a )?suspension$/i, () => ({ verb: 'suspension.form' })],
  [/^check (?:a )?suspension (?:for )?(?:pupil )?(\S+)$/i, (m) => ({ verb: 'suspension.form', pupilId: m[1]! })],
  // The first day may be several words ("Mon 23 Mar"); the length ends the message, in sessions or days.
  [/^check (?:a )?suspension (?:for )?(?:pupil )?(\S+) (?:from |starting |on )?(.+?) (?:for )?(\d{1,3}(?:\.5)?)(?: ?(sessions?|days?))?$/i, (m) => ({
    verb: 'suspension.check',
    pupilId: m[1]!,
    startDate: m[2]!,
    sessions: /^days?$/i.test(m[4] ?? '') ? String(Number(m[3]) * 2) : m[3]!,
  })],
];

const THANKS = /^(?:(?:ok|okay|great|brilliant|perfect|lovely|that's great|that's helpful),? )?(?:thanks|thank you|thankyou|many thanks|cheers|ta|thx)(?: (?:very much|so much|a lot))?$/i;
/** Courtesies around a command, stripped one at a time from either end: "could you show me my cases please?" is "my cases". */
const COURTESY_BEFORE = /^(?:(?:please|pls|can you|could you|would you|can i (?:see|have)|could i (?:see|have)|show me|show|list|give me|let me see|i'd like|i would like|what are) +|(?:hi|hello|hey|good (?:morning|afternoon|evening))(?: there)?, +)/i;
const COURTESY_AFTER = /,? +(?:please|pls|thanks|thank you)$/i;

/** A message without its courtesies and closing punctuation. */
function plainWords(text: string): string {
  let words = text;
  for (let before = ''; before !== words; ) {
    before = words;
    words = words.replace(/[?.!]+$/, '').replace(COURTESY_BEFORE, '').replace(COURTESY_AFTER, '').trim();
  }
  return words;
}

/** The command a typed message asks for, or undefined when it is not one. */
export function parseText(text: string): Command | undefined {
  const clean = text.replace(/\s+/g, ' ').trim().replace(/[.!]+$/, '');
  if (THANKS.test(clean)) return { verb: 'thanks' };
  if (clean === '?') return { verb: 'help' };
  const words = plainWords(clean);
  for (const [pattern, command] of TEXT_COMMANDS) {
    const m = words.match(pattern);
    if (m) return command(m);
  }
  return undefined;
}

const id = z.string().min(1).max(100);
const DUTIES = ['notice', 'cancellation-notice', 'provision', 'review-request', 'board-meeting', 'board-outcome', 'irp-request', 'irp-decision', 'cancel'] as const satisfies readonly DutyKind[];
const revision = z.coerce.number().int().min(0);
const actionSchema = z.discriminatedUnion('verb', [
  z.object({ verb: z.literal('help') }),
  z.object({ verb: z.literal('stop') }),
  z.object({ verb: z.literal('cases.mine'), page: z.coerce.number().int().min(1).optional(), pupilId: id.optional() }),
  z.object({ verb: z.literal('cases.overview'), page: z.coerce.number().int().min(1).optional(), pupilId: id.optional() }),
  z.object({ verb: z.literal('case.status'), caseId: id }),
  z.object({ verb: z.literal('peap.form') }),
  z.object({ verb: z.literal('peap.start'), pupilId: z.string().trim().min(1, 'Please give the pupil id.').max(100) }),
  z.object({ verb: z.literal('peap.resume'), caseId: id }),
  z.object({ verb: z.literal('peap.answer'), caseId: id, questionId: id, revision, answer: z.unknown().optional() }),
  z.object({ verb: z.literal('peap.change'), caseId: id, questionId: id.optional() }),
  // Nothing chosen is still a decision form submitted: the assistant says which field is missing.
  z.object({ verb: z.literal('peap.decide'), caseId: id, revision, decision: z.unknown().optional(), rationale: z.unknown().optional(), followUpDate: z.unknown().optional() }),
  z.object({ verb: z.literal('suspension.form'), pupilId: id.optional() }),
  z.object({ verb: z.literal('suspension.check'), pupilId: z.unknown().optional(), startDate: z.unknown().optional(), sessions: z.unknown().optional() }),
  // A form's inputs ride beside its ids: kept loose, and gathered as `values` below.
  z.looseObject({ verb: z.literal('exclusion.form'), pupilId: id }),
  z.looseObject({ verb: z.literal('exclusion.record'), pupilId: id, confirmWithoutPeap: z.boolean().optional() }),
  z.object({ verb: z.literal('duty.form'), caseId: id, duty: z.enum(DUTIES), recipient: z.enum(RECIPIENTS).optional() }),
  z.looseObject({ verb: z.literal('duty.record'), caseId: id, duty: z.enum(DUTIES), recipient: z.enum(RECIPIENTS).optional(), revision }),
  z.object({ verb: z.literal('movement.form'), caseId: id, duty: z.enum(MOVEMENT_DUTIES) }),
  z.looseObject({ verb: z.literal('movement.record'), caseId: id, duty: z.enum(MOVEMENT_DUTIES), revision }),
  z.object({ verb: z.literal('letter.form'), caseId: id, kind: z.enum(LETTER_KINDS) }),
  z.looseObject({ verb: z.literal('letter.make'), caseId: id, kind: z.enum(LETTER_KINDS) }),
  z.object({ verb: z.literal('support.form'), pupilId: id.optional(), peapCaseId: id.optional(), questionId: id.optional() }),
  z.looseObject({ verb: z.literal('support.record'), pupilId: id, formKey: id, caseId: id.optional(), peapCaseId: id.optional(), questionId: id.optional() }),
  z.object({ verb: z.literal('support.review-form'), target: id }),
  z.object({ verb: z.literal('support.replan-form'), caseId: id }),
  z.looseObject({ verb: z.literal('support.replan'), caseId: id, revision }),
  z.looseObject({ verb: z.literal('support.review'), caseId: id, revision }),
]);

/** The ids a form's button carries; everything else it sends is what was entered. */
const FORM_IDS = new Set(['verb', 'pupilId', 'caseId', 'duty', 'recipient', 'revision', 'confirmWithoutPeap', 'kind', 'formKey', 'peapCaseId', 'questionId']);
const FORM_VERBS = new Set(['exclusion.form', 'exclusion.record', 'duty.record', 'movement.record', 'letter.make', 'support.record', 'support.review', 'support.replan']);

/** The verbs buttons may carry. */
export const VERBS = actionSchema.options.map((o) => o.shape.verb.value);

/**
 * The command a button press carries (its verb and data, with the card's inputs merged in).
 * Returns what is wrong, in words, for data no card of ours would send.
 */
export function parseAction(data: unknown): { command: Command } | { error: string } {
  const parsed = actionSchema.safeParse(data);
  if (parsed.success) {
    const d = parsed.data as Record<string, unknown> & { verb: string };
    if (!FORM_VERBS.has(d.verb)) return { command: d as unknown as Command };
    const ids = Object.fromEntries(Object.entries(d).filter(([k]) => FORM_IDS.has(k)));
    const values = Object.fromEntries(Object.entries(d).filter(([k]) => !FORM_IDS.has(k)));
    return { command: { ...ids, values } as unknown as Command };
  }
  const verb = typeof data === 'object' && data && 'verb' in data ? String((data as { verb: unknown }).verb) : undefined;
  return { error: verb && VERBS.includes(verb as never) ? `That button's data is incomplete: ${parsed.error.issues.map((i) => i.message).join('; ')}` : 'I do not know that button. Type "help" to see what I can do.' };
}
