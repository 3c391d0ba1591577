/**
 * The JSON Schemas of the package's public formats, made by zod 4's `toJSONSchema` from the very
 * schemas that validate them — so a schema cannot drift from what is accepted. `rules schema NAME`
 * prints each.
 */
import { z } from 'zod';
import { calendarFileSchema } from './calendar/calendarFile.js';
import type { Trigger } from './evaluate.js';
import { TRIGGER_IDS } from './generated/ruleFiles.js';
import { pupilRecordJsonSchema } from './pupilRecord.js';
import { ruleFileSchema, rulePackFileSchema, ruleSourceSchema } from './rulePack.js';

const BASE = 'https://before-exclusion.example/schemas';

/** A trigger as the library returns it and `rules evaluate --format json` writes it. */
export const triggerSchema = z.strictObject({
  pupilId: z.string(),
  schoolId: z.string(),
  trigger: z.string().describe(`the public trigger id; the package's own: ${TRIGGER_IDS.join(', ')} (a pack's custom rules add their own)`),
  ruleId: z.string(),
  ruleVersion: z.int().min(1),
  title: z.string(),
  source: ruleSourceSchema,
  period: z.string().describe('an exclusion id, a half-term (2025/26 autumn-1) or an academic year (2025/26)'),
  key: z.string().describe('pupil/trigger/period: the same every time the same data is evaluated'),
  grounds: z.array(z.string()).readonly().describe('the names of the conditions that held'),
  exclusionIds: z.array(z.string()).readonly().optional(),
  dueDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
  explanation: z.string(),
});
// Every trigger the library makes fits the schema (checked by the compiler).
const _fits = (t: Trigger): z.input<typeof triggerSchema> => t;

function jsonSchema(name: string, title: string, description: string, schema: z.ZodType): Record<string, unknown> {
  return { $id: `${BASE}/${name}.json`, title, description, ...z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) };
}

/** The JSON Schemas `rules schema NAME` prints, by name. */
export const JSON_SCHEMAS: Readonly<Record<string, () => Record<string, unknown>>> = {
  'pupil-record': pupilRecordJsonSchema,
  calendar: () => jsonSchema('school-calendar-1', 'school-calendar/1', 'A school calendar: six half-terms and the non-school days.', calendarFileSchema),
  rule: () => jsonSchema('rule', 'rule', 'One rule version as a file under rules/: json-rules-engine conditions with its id, dates, source, parameters and explanations.', ruleFileSchema),
  'rule-pack': () => jsonSchema('rule-pack-1', 'rule-pack/1', "A trust's or council's settings: parameter overrides by rule id.", rulePackFileSchema),
  trigger: () => jsonSchema('trigger', 'trigger', 'A rule that fired for a pupil: what must or should happen, why, and by when.', triggerSchema),
};

/** The JSON Schema of a rule file (`rules/*.json`). */
export const ruleJsonSchema = (): Record<string, unknown> => JSON_SCHEMAS.rule!();
/** The JSON Schema of a rule-pack/1 file. */
export const rulePackJsonSchema = (): Record<string, unknown> => JSON_SCHEMAS['rule-pack']!();
/** The JSON Schema of a trigger. */
export const triggerJsonSchema = (): Record<string, unknown> => JSON_SCHEMAS.trigger!();
