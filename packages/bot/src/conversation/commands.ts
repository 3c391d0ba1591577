/**
 * What a person can ask for, typed in plain words or pressed as a button. Both reach the same
 * command: a typed "check suspension DEMO-010 2026-03-23 6" and the check form's button.
 */
import { z } from 'zod';

export type Command =
  | { readonly verb: 'help' }
  | { readonly verb: 'cases.mine' }
  | { readonly verb: 'cases.overview' }
  | { readonly verb: 'case.status'; readonly caseId: string }
  | { readonly verb: 'peap.form' }
  | { readonly verb: 'peap.start'; readonly pupilId: string }
  | { readonly verb: 'peap.resume'; readonly caseId: string }
  | { readonly verb: 'peap.answer'; readonly caseId: string; readonly questionId: string; readonly revision: number; readonly answer: unknown }
  | { readonly verb: 'peap.change'; readonly caseId: string; readonly questionId?: string | undefined }
  | { readonly verb: 'peap.decide'; readonly caseId: string; readonly revision: number; readonly decision: unknown; readonly rationale: unknown; readonly followUpDate: unknown }
  | { readonly verb: 'suspension.form'; readonly pupilId?: string }
  | { readonly verb: 'suspension.check'; readonly pupilId: unknown; readonly startDate: unknown; readonly sessions: unknown };

export const HELP_TEXT = `What I can do:
• **my cases** — your open cases, overdue duties first
• **start peap PUPIL-ID** — start (or continue) a pre-exclusion assessment
• **check suspension PUPIL-ID YYYY-MM-DD SESSIONS** — the duties and dates a proposed suspension would set, before you decide
• **status CASE-ID** — a case read back: the decision and why, the answers, duties, notes and timeline, with a link to the workspace
• **overview** — for inclusion officers: cases across your schools, overdue first`;

const TEXT_COMMANDS: readonly [RegExp, (m: RegExpMatchArray) => Command][] = [
  [/^(help|hi|hello|hey|menu|start|\?)$/i, () => ({ verb: 'help' })],
  [/^(my )?(open )?cases$/i, () => ({ verb: 'cases.mine' })],
  [/^overview$/i, () => ({ verb: 'cases.overview' })],
  [/^status\s+(\S+)$/i, (m) => ({ verb: 'case.status', caseId: m[1]! })],
  [/^(continue|resume)\s+(\S+)$/i, (m) => ({ verb: 'peap.resume', caseId: m[2]! })],
  [/^start peap$/i, () => ({ verb: 'peap.form' })],
  [/^start peap\s+(?:for\s+)?(\S+)$/i, (m) => ({ verb: 'peap.start', pupilId: m[1]! })],
  [/^check suspension$/i, () => ({ verb: 'suspension.form' })],
  [/^check suspension\s+(\S+)$/i, (m) => ({ verb: 'suspension.form', pupilId: m[1]! })],
  [/^check suspension\s+(\S+)\s+(\S+)\s+(\S+)(?:\s+sessions?)?$/i, (m) => ({ verb: 'suspension.check', pupilId: m[1]!, startDate: m[2]!, sessions: m[3]! })],
];

/** The command a typed message asks for, or undefined when it is not one. */
export function parseText(text: string): Command | undefined {
  const clean = text.replace(/\s+/g, ' ').trim();
  for (const [pattern, command] of TEXT_COMMANDS) {
    const m = clean.match(pattern);
    if (m) return command(m);
  }
  return undefined;
}

const id = z.string().min(1).max(100);
const revision = z.coerce.number().int().min(0);
const actionSchema = z.discriminatedUnion('verb', [
  z.object({ verb: z.literal('help') }),
  z.object({ verb: z.literal('cases.mine') }),
  z.object({ verb: z.literal('cases.overview') }),
  z.object({ verb: z.literal('case.status'), caseId: id }),
  z.object({ verb: z.literal('peap.form') }),
  z.object({ verb: z.literal('peap.start'), pupilId: z.string().trim().min(1, 'Please give the pupil id.').max(100) }),
  z.object({ verb: z.literal('peap.resume'), caseId: id }),
  z.object({ verb: z.literal('peap.answer'), caseId: id, questionId: id, revision, answer: z.unknown() }),
  z.object({ verb: z.literal('peap.change'), caseId: id, questionId: id.optional() }),
  z.object({ verb: z.literal('peap.decide'), caseId: id, revision, decision: z.unknown(), rationale: z.unknown(), followUpDate: z.unknown() }),
  z.object({ verb: z.literal('suspension.form'), pupilId: id.optional() }),
  z.object({ verb: z.literal('suspension.check'), pupilId: z.unknown(), startDate: z.unknown(), sessions: z.unknown() }),
]);

/** The verbs buttons may carry. */
export const VERBS = actionSchema.options.map((o) => o.shape.verb.value);

/**
 * The command a button press carries (its verb and data, with the card's inputs merged in).
 * Returns what is wrong, in words, for data no card of ours would send.
 */
export function parseAction(data: unknown): { command: Command } | { error: string } {
  const parsed = actionSchema.safeParse(data);
  if (parsed.success) return { command: parsed.data as Command };
  const verb = typeof data === 'object' && data && 'verb' in data ? String((data as { verb: unknown }).verb) : undefined;
  return { error: verb && VERBS.includes(verb as never) ? `That button's data is incomplete: ${parsed.error.issues.map((i) => i.message).join('; ')}` : 'I do not know that button. Type "help" to see what I can do.' };
}
