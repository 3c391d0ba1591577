/**
 * Letter templates as versioned data (`packages/workflows/letters/*.json`, format
 * `letter-template/1`): each names the guidance edition it follows and the dates that edition is
 * in force, the sources it cites (and what could not be verified), and its paragraphs — `locked`
 * (statutory wording, each citing its source) or `editable` (the school's own sections, which a
 * trust or council may override). A template is re-issued as a new version when the guidance
 * changes, and every letter records the version it was made from, as the rules record theirs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { described, InputError, isIsoDate, type IsoDate, type Problem } from '@before-exclusion/rules';
import { z } from 'zod';

/** The letters the product writes. */
export const LETTER_KINDS = ['parents-suspension', 'parents-permanent', 'cancellation', 'local-authority', 'board-decision'] as const;
export type LetterKind = (typeof LETTER_KINDS)[number];

/**
 * What a template may say, filled from the letter's facts: `{name}` in a paragraph. A template
 * naming anything else is refused when loaded, so a typo never reaches a parent.
 */
export const PLACEHOLDERS = {
  letterDate: 'the date of the letter',
  pupilName: "the pupil's name, as the head typed it",
  parentNames: "the parents' names, as the head typed them",
  headteacherName: "the headteacher's name",
  schoolName: "the school's name",
  schoolId: "the school's id",
  pupilId: "the pupil's (pseudonymous) id",
  yearGroup: 'the national curriculum year',
  caseId: 'the case the letter belongs to',
  exclusionId: "the exclusion's id in the school's system",
  exclusionType: 'suspension, lunchtime suspension or permanent exclusion',
  categoryCode: 'FIXD, LNCH or PERM',
  period: 'the length in school days (and sessions or lunchtimes)',
  firstDay: 'the first day of the exclusion',
  firstSession: 'morning or afternoon',
  lastDay: 'the last school day of a suspension',
  lastSession: 'morning, afternoon or lunchtime',
  returnDate: 'the day the pupil comes back',
  returnSession: 'morning or afternoon',
  reasons: 'the reasons, in words',
  reasonLines: 'the reasons, one a line, with their codes',
  publicPlaceDates: "the named school days of the parents' public-place duty",
  provisionFrom: 'the sixth school day of exclusion, from which full-time education is due',
  provisionFromOrNone: 'the sixth day, or that it is not reached',
  boardLatestDate: 'the latest date the governing board can meet',
  boardReason: 'why the governing board must meet',
  boardReviewWords: 'whether and by when the governing board reviews',
  termDays: 'school days of suspension this term, this one included',
  term: 'the term of the exclusion',
  missesPublicExam: 'yes or no',
  send: 'special educational needs in words',
  lookedAfter: 'yes or no',
  socialWorker: 'yes or no',
  nonSchoolDays: 'the non-school days inside the exclusion, named',
  calendarName: "the school calendar's name",
  cancelReason: 'why the exclusion was cancelled',
  cancelReturnDate: 'the day a pupil whose exclusion is cancelled may come back',
  recipients: 'who was told of the exclusion and is told of the cancellation',
  boardHeldOn: 'the day the governing board met',
  boardReasons: "the board's reasons, as the clerk typed them",
  irpApplyBy: 'the last day to apply for an independent review',
} as const;
export type Placeholder = keyof typeof PLACEHOLDERS;

/** The facts a paragraph's `when` may test; a paragraph is in the letter when every test holds. */
const conditionSchema = z.strictObject({
  category: z.array(z.enum(['FIXD', 'LNCH', 'PERM'])).min(1).optional(),
  boardReview: z.array(z.enum(['none', 'on-request', 'must'])).min(1).optional(),
  fullTimeProvision: z.boolean().optional(),
  boardOutcome: z.array(z.enum(['upheld', 'reinstated'])).min(1).optional(),
});
export type ParagraphCondition = z.output<typeof conditionSchema>;

const isoDate = z.string().refine(isIsoDate, { error: (issue) => `${described(issue.input)} is not a date written YYYY-MM-DD` });
const paragraphId = z.string().regex(/^[a-z][a-z0-9-]*$/, 'expected a paragraph id in lower case with hyphens, e.g. work-set');

const paragraphSchema = z.strictObject({
  id: paragraphId,
  kind: z.enum(['locked', 'editable']),
  heading: z.string().min(1).optional(),
  text: z.string().min(1),
  when: conditionSchema.optional(),
  /** The source (its id in `sources`) of a locked paragraph's wording. */
  source: z.string().optional(),
});
export type TemplateParagraph = z.output<typeof paragraphSchema>;

const guidanceSchema = z.strictObject({
  title: z.string().min(1),
  publisher: z.string().min(1),
  edition: z.string().min(1),
  effectiveFrom: isoDate,
  /** The last day in force; open-ended when omitted. */
  effectiveTo: isoDate.optional(),
});
export type GuidanceEdition = z.output<typeof guidanceSchema>;

export const letterTemplateSchema = z
  .strictObject({
    format: z.literal('letter-template/1', { error: 'expected "letter-template/1"' }),
    id: z.enum(LETTER_KINDS, { error: `expected one of ${LETTER_KINDS.join(', ')}` }),
    version: z.int().min(1),
    title: z.string().min(1),
    to: z.string().min(1),
    subject: z.string().min(1),
    signedBy: z.string().min(1),
    guidance: guidanceSchema,
    /** What the locked wording rests on, and where each was read. */
    sources: z.array(z.strictObject({ id: z.string().min(1), citation: z.string().min(1), seen: z.string().min(1) })).min(1),
    /** Points that could not be verified in a primary text, said plainly. */
    unverified: z.array(z.string()),
    paragraphs: z.array(paragraphSchema).min(1),
  })
  .superRefine((t, ctx) => {
    const sources = new Set(t.sources.map((s) => s.id));
    const seen = new Set<string>();
    const check = (text: string, path: (string | number)[]) => {
      for (const name of placeholdersIn(text)) {
        if (!(name in PLACEHOLDERS)) ctx.addIssue({ code: 'custom', path, message: `unknown placeholder {${name}}; known: ${Object.keys(PLACEHOLDERS).join(', ')}` });
      }
    };
    check(t.subject, ['subject']);
    t.paragraphs.forEach((p, i) => {
      if (seen.has(p.id)) ctx.addIssue({ code: 'custom', path: ['paragraphs', i, 'id'], message: `paragraph id "${p.id}" appears twice` });
      seen.add(p.id);
      if (p.kind === 'locked' && !p.source) ctx.addIssue({ code: 'custom', path: ['paragraphs', i, 'source'], message: 'a locked paragraph names the source of its wording' });
      if (p.source && !sources.has(p.source)) ctx.addIssue({ code: 'custom', path: ['paragraphs', i, 'source'], message: `no source "${p.source}"; sources: ${[...sources].join(', ')}` });
      check(p.text, ['paragraphs', i, 'text']);
      if (p.heading) check(p.heading, ['paragraphs', i, 'heading']);
    });
  });
export type LetterTemplate = z.output<typeof letterTemplateSchema>;

/** The `{name}`s in a text. */
export function placeholdersIn(text: string): string[] {
  return [...text.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1] ?? '');
}

/** Where the templates shipped with the package are: `letters/` beside `src/` and `dist/`. */
export const BUILT_IN_TEMPLATES_DIR = new URL('../../letters/', import.meta.url);

let builtIn: readonly LetterTemplate[] | undefined;

/**
 * The templates shipped with the package, every version, checked once.
 * @throws InputError listing every problem with its file and field (a broken package, not a user's mistake).
 */
export function letterTemplates(): readonly LetterTemplate[] {
  builtIn ??= loadLetterTemplates(BUILT_IN_TEMPLATES_DIR);
  return builtIn;
}

/** Reads and checks every `*.json` template in `dir`. @throws InputError listing every problem. */
export function loadLetterTemplates(dir: URL): LetterTemplate[] {
  const problems: Problem[] = [];
  const templates: LetterTemplate[] = [];
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
    const parsed = letterTemplateSchema.safeParse(JSON.parse(readFileSync(new URL(name, dir), 'utf8')));
    if (parsed.success) templates.push(parsed.data);
    else for (const issue of parsed.error.issues) problems.push({ file: name, field: issue.path.join('.'), message: issue.message });
  }
  for (const t of templates) {
    const overlapping = templates.find((o) => o !== t && o.id === t.id && o.guidance.effectiveFrom <= (t.guidance.effectiveTo ?? '9999-12-31') && t.guidance.effectiveFrom <= (o.guidance.effectiveTo ?? '9999-12-31'));
    if (overlapping && overlapping.version > t.version) problems.push({ file: `${t.id} v${t.version}`, message: `its guidance dates overlap v${overlapping.version}'s: one version of a letter is in force on any date` });
  }
  if (problems.length > 0) throw new InputError('the letter templates are not valid', problems);
  return templates;
}

/** The version of a letter that follows the guidance in force on `date` (an exclusion's first day), if any. */
export function templateFor(kind: LetterKind, date: IsoDate, templates: readonly LetterTemplate[] = letterTemplates()): LetterTemplate | undefined {
  return templates.find((t) => t.id === kind && t.guidance.effectiveFrom <= date && (t.guidance.effectiveTo === undefined || date <= t.guidance.effectiveTo));
}
