import { describe, expect, it } from 'vitest';
import { bundledCalendar } from './calendar/bundled.js';
import { evaluatePupil, RulesEvaluator } from './evaluate.js';
import { pupil, suspension } from './testing.js';

const calendar = bundledCalendar('2025/26');

describe('evaluatePupil', () => {
  it('explains a PEAP trigger with the facts and the threshold', async () => {
    const record = pupil({ exclusions: [suspension('S1', '2025-10-02', 2), suspension('S2', '2025-10-14', 2)] });
    const [peap] = (await evaluatePupil(record, calendar, { asOf: '2025-10-20' })).filter((t) => t.trigger === 'peap.required');
    expect(peap).toMatchObject({
      pupilId: 'P1',
      schoolId: 'SCH1',
      ruleId: 'peap.required',
      ruleVersion: 1,
      period: '2025/26 autumn-1',
      key: 'P1/peap.required/2025/26 autumn-1',
      grounds: ['repeated-suspensions'],
      exclusionIds: ['S1', 'S2'],
      explanation: '2 suspensions started in the first half of the autumn term (2 Oct, 14 Oct); threshold 2',
      source: { kind: 'seed' },
    });
  });

  it('gives the same keys when the same data is evaluated twice', async () => {
    const record = pupil({ hasSocialWorker: true, exclusions: [suspension('S1', '2025-10-02', 12)] });
    const evaluator = new RulesEvaluator();
    const first = await evaluator.evaluate(record, calendar, '2025-11-20');
    const second = await evaluator.evaluate(record, calendar, '2025-11-20');
    expect(second).toEqual(first);
    expect(new Set(first.map((t) => t.key)).size).toBe(first.length);
  });

  it('gives every caller its full result when evaluations overlap', async () => {
    // json-rules-engine keeps one run status per engine: a run that finishes while another is
    // starting makes the other skip its rules. Start the second at every offset to hit it.
    const evaluator = new RulesEvaluator();
    const record = pupil({ exclusions: [suspension('S1', '2025-10-02', 2), suspension('S2', '2025-10-14', 2)] });
    const expected = await evaluator.evaluate(record, calendar, '2025-10-20');
    for (let offset = 0; offset < 120; offset++) {
      const first = evaluator.evaluate(record, calendar, '2025-10-20');
      for (let i = 0; i < offset; i++) await Promise.resolve();
      const second = evaluator.evaluate(record, calendar, '2025-10-20');
      expect(await Promise.all([first, second])).toEqual([expected, expected]);
    }
  });

  it('dates a duty that falls after the end of the year as unknown, and says why', async () => {
    const record = pupil({ exclusions: [suspension('S1', '2026-07-06', 12)] });
    const [onRequest] = (await evaluatePupil(record, calendar, { asOf: '2026-07-20' })).filter((t) => t.trigger === 'statutory.governors-review-on-request');
    expect(onRequest?.dueDate).toBeUndefined();
    expect(onRequest?.explanation).toMatch(/past the end of the 2025\/26 calendar/);
  });
});
