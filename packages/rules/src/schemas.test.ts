import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bundledCalendar } from './calendar/bundled.js';
import { RulesEvaluator } from './evaluate.js';
import { TRIGGER_IDS } from './generated/ruleFiles.js';
import { parsePupilRecord } from './pupilRecord.js';
import { defaultRulePack, ruleFileSchema } from './rulePack.js';
import { JSON_SCHEMAS, triggerSchema } from './schemas.js';

describe('the JSON Schemas', () => {
  it('describe every trigger the demo pupils give, and every shipped rule file', async () => {
    const calendar = bundledCalendar('2025/26');
    const evaluator = new RulesEvaluator();
    const lines = readFileSync(new URL('../data/demo/pupils.ndjson', import.meta.url), 'utf8').split('\n').filter(Boolean);
    let checked = 0;
    for (const line of lines) {
      const parsed = parsePupilRecord(JSON.parse(line));
      if (!parsed.ok) throw new Error('demo pupil refused');
      for (const trigger of await evaluator.evaluate(parsed.record, calendar, '2026-03-20')) {
        expect(triggerSchema.safeParse(trigger).success, trigger.key).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
    for (const rule of defaultRulePack().rules) expect(ruleFileSchema.safeParse(JSON.parse(JSON.stringify({ ...rule, values: undefined, resolvedConditions: undefined, file: undefined, facts: undefined }))).success, rule.id).toBe(true);
  });

  it('names every field of a trigger and a rule, and lists the built-in trigger ids', () => {
    const trigger = JSON_SCHEMAS.trigger!() as { required: string[]; properties: Record<string, { description?: string }> };
    expect(trigger.required).toEqual(expect.arrayContaining(['pupilId', 'trigger', 'ruleId', 'ruleVersion', 'source', 'key', 'explanation']));
    expect(trigger.properties.trigger?.description).toContain('peap.required');
    const rule = JSON_SCHEMAS.rule!() as { required: string[] };
    expect(rule.required).toEqual(expect.arrayContaining(['id', 'trigger', 'version', 'scope', 'effectiveFrom', 'source', 'conditions', 'explain']));
    expect(TRIGGER_IDS).toContain('statutory.notify-parents');
  });
});
