/**
 * A trust's or council's own wording for the editable paragraphs of the letters (format
 * `letter-overrides/1`): work set, contact, free advice, the day-6 details… Statutory wording is
 * locked: an override touching a locked paragraph is refused, naming it, and so is a paragraph no
 * template has — each refusal says which paragraphs may be changed.
 *
 * ```json
 * { "format": "letter-overrides/1", "name": "Example Trust",
 *   "paragraphs": { "parents-suspension": { "contact": "Call Ms Khan on 01234 567890." } } }
 * ```
 */
import { readFileSync } from 'node:fs';
import { duplicateKey, printable, quoted } from '@before-exclusion/rules';
import { z } from 'zod';
import { LETTER_KINDS, PLACEHOLDERS, letterTemplates, placeholdersIn, type LetterKind, type LetterTemplate } from './letterTemplates.js';
import { LetterRefused } from './letterRefused.js';

const overridesSchema = z.strictObject({
  format: z.literal('letter-overrides/1', { error: 'expected "format": "letter-overrides/1"' }),
  /** Whose wording this is: "Example Trust". */
  name: z.string().min(1, 'name the trust or council whose wording this is'),
  /** New text by letter kind, then paragraph id. */
  paragraphs: z.record(z.string(), z.record(z.string(), z.string().trim().min(1, 'expected the new wording'))),
});

/** Checked overrides: who they are from, and new wording by kind and paragraph. */
export interface LetterOverrides {
  readonly name: string;
  readonly paragraphs: Readonly<Partial<Record<LetterKind, Readonly<Record<string, string>>>>>;
}

/**
 * Checks overrides against the templates: only editable paragraphs, only known placeholders.
 * @param where — the file name, for messages.
 * @throws LetterRefused naming every paragraph refused and what is accepted.
 * @example parseLetterOverrides({ format: 'letter-overrides/1', name: 'Trust', paragraphs: { 'parents-suspension': { contact: 'Call us.' } } })
 */
export function parseLetterOverrides(json: unknown, where = 'overrides', templates: readonly LetterTemplate[] = letterTemplates()): LetterOverrides {
  const parsed = overridesSchema.safeParse(json);
  if (!parsed.success) throw new LetterRefused(`${where}: ${parsed.error.issues.map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`).join('; ')}`);
  const problems: string[] = [];
  for (const [kind, paragraphs] of Object.entries(parsed.data.paragraphs)) {
    if (!isLetterKind(kind)) {
      problems.push(`paragraphs.${kind}: no letter "${kind}"; expected a letter kind: ${LETTER_KINDS.join(', ')}`);
      continue;
    }
    const versions = templates.filter((t) => t.id === kind);
    const editable = [...new Set(versions.flatMap((t) => t.paragraphs.filter((p) => p.kind === 'editable').map((p) => p.id)))];
    for (const [id, text] of Object.entries(paragraphs)) {
      const at = `paragraphs.${kind}.${id}`;
      const locked = versions.some((t) => t.paragraphs.some((p) => p.id === id && p.kind === 'locked'));
      if (locked) problems.push(`${at}: paragraph "${id}" of the ${kind} letter is locked (statutory wording) and cannot be overridden; editable: ${editable.join(', ')}`);
      else if (!editable.includes(id)) problems.push(`${at}: the ${kind} letter has no paragraph "${id}"; editable: ${editable.join(', ')}`);
      const unknown = placeholdersIn(text).filter((name) => !(name in PLACEHOLDERS));
      if (unknown.length) problems.push(`${at}: unknown placeholder${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `{${n}}`).join(', ')}`);
    }
  }
  if (problems.length) throw new LetterRefused(`${where}: ${problems.join('; ')}`);
  return { name: parsed.data.name, paragraphs: parsed.data.paragraphs as LetterOverrides['paragraphs'] };
}

function isLetterKind(kind: string): kind is LetterKind {
  return (LETTER_KINDS as readonly string[]).includes(kind);
}

/** Reads and checks an overrides file. @throws LetterRefused when it cannot be read or is refused. */
export function loadLetterOverrides(file: string): LetterOverrides {
  let json: unknown;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new LetterRefused(`${file} is not a JSON file of letter overrides (${printable((error as Error).message)})`);
  }
  // The last of a repeated key would win silently: a paragraph given twice is refused instead.
  const repeated = duplicateKey(text);
  if (repeated) throw new LetterRefused(`${file} line ${repeated.line}: the key ${quoted(repeated.key)} appears twice in one object; give each once`);
  return parseLetterOverrides(json, file);
}
