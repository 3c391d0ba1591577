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
      explanation: '2 suspensions started in autumn-1 (2 Oct, 14 Oct); threshold 2',
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
    const evaluator = new RulesEvaluator();
    const records = Array.from({ length: 20 }, (_, i) => pupil({ id: `P${i}`, exclusions: [suspension('S1', '2025-10-02', 2), suspension('S2', '2025-10-14', 2)] }));
    const results = await Promise.all(records.map((r) => evaluator.evaluate(r, calendar, '2025-10-20')));
    for (const triggers of results) expect(triggers.map((t) => t.trigger).filter((t) => t === 'peap.required')).toHaveLength(1);
    expect(new Set(results.map((r) => r.length))).toEqual(new Set([5]));
  });

  it('dates a duty that falls after the end of the year as unknown, and says why', async () => {
    const record = pupil({ exclusions: [suspension('S1', '2026-07-06', 12)] });
    const [onRequest] = (await evaluatePupil(record, calendar, { asOf: '2026-07-20' })).filter((t) => t.trigger === 'statutory.governors-review-on-request');
    expect(onRequest?.dueDate).toBeUndefined();
    expect(onRequest?.explanation).toMatch(/past the end of the 2025\/26 calendar/);
  });
});
