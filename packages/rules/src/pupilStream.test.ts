import { describe, expect, it } from 'vitest';
import { bundledCalendar } from './calendar/bundled.js';
import { RulesEvaluator } from './evaluate.js';
import { InputError } from './problems.js';
import { evaluateMany, evaluateNdjson, linesOf, parseNdjsonLine } from './pupilStream.js';
import { pupil, suspension } from './testing.js';

const calendar = bundledCalendar('2025/26');
const asOf = '2025-10-20';
const records = Array.from({ length: 50 }, (_, i) =>
  pupil({ id: `P${i}`, exclusions: i % 3 === 0 ? [suspension('X1', '2025-10-02', 2), suspension('X2', '2025-10-14', 2)] : i % 3 === 1 ? [suspension('X1', '2025-10-06', 12)] : [] }),
);

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe('evaluateMany', () => {
  it('yields, in record order, exactly what evaluating each record gives, from an async iterable', async () => {
    const evaluator = new RulesEvaluator();
    const expected = (await Promise.all(records.map((r) => evaluator.evaluate(r, calendar, asOf)))).flat();
    async function* slowly() {
      for (const r of records) yield await Promise.resolve(r);
    }
    const triggers = await all(evaluateMany(slowly(), calendar, { asOf }));
    expect(triggers).toEqual(expected);
    expect(triggers.filter((t) => t.trigger === 'peap.required').map((t) => t.pupilId)).toEqual(records.filter((_, i) => i % 3 === 0).map((r) => r.id));
  });
});

describe('evaluateNdjson', () => {
  const text = `${records.map((r) => JSON.stringify(r)).join('\r\n')}\r\n\r\n`;

  it('reads NDJSON lines (CRLF and blank lines too) and gives the same triggers', async () => {
    const fromRecords = await all(evaluateMany(records, calendar, { asOf }));
    expect(await all(evaluateNdjson(linesOf(text), calendar, { asOf }))).toEqual(fromRecords);
  });

  it('stops at a line that is not a valid record, naming the line and field', async () => {
    const lines = [...linesOf(text)];
    lines[4] = JSON.stringify({ id: 'P4', schoolId: 'SCH1', send: 'yes' });
    const error = await all(evaluateNdjson(lines, calendar, { asOf, file: 'pupils.ndjson' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).problems).toMatchObject([{ file: 'pupils.ndjson', location: 'line 5 (pupil P4)', field: 'send' }]);
  });
});

describe('parseNdjsonLine', () => {
  it('refuses a key given twice, which JSON.parse would let through', () => {
    expect(parseNdjsonLine('{"id":"P1","schoolId":"S","id":"P2"}', 3, 'f.ndjson')).toEqual({
      file: 'f.ndjson',
      location: 'line 3',
      message: 'the key "id" appears twice in one object; give each field once',
    });
    // The same key in two different objects is not a repeat; nor is a value that looks like a key.
    expect(parseNdjsonLine('{"a":{"id":1},"b":{"id":2},"c":["id:"]}', 1)).toEqual({ json: { a: { id: 1 }, b: { id: 2 }, c: ['id:'] }, location: 'line 1' });
    expect(parseNdjsonLine('   ', 2)).toBeUndefined();
    expect(parseNdjsonLine('{ not json', 2)).toMatchObject({ location: 'line 2', message: expect.stringMatching(/^not valid JSON/) });
  });
});
