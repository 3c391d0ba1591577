import { describe, expect, it } from 'vitest';
import { parsePupilRecord, pupilRecordJsonSchema } from './pupilRecord.js';

describe('parsePupilRecord', () => {
  it('fills in sensible defaults for optional fields', () => {
    const parsed = parsePupilRecord({ id: 'P1', schoolId: 'S1' });
    expect(parsed).toEqual({
      ok: true,
      record: {
        id: 'P1', schoolId: 'S1', send: 'none', lookedAfter: false, hasSocialWorker: false, fsm: false,
        atRiskOfPermanentExclusion: false, priorSchoolSuspensionDays: 0, exclusions: [], attendance: [], ebsnaIndicators: [],
      },
    });
  });

  it('reads SUSP as a suspension (FIXD) and defaults the start session to AM', () => {
    const parsed = parsePupilRecord({ id: 'P1', schoolId: 'S1', exclusions: [{ id: 'E1', category: 'SUSP', startDate: '2025-10-02', sessions: 2, reasons: ['DB'] }] });
    expect(parsed.ok && parsed.record.exclusions[0]).toMatchObject({ category: 'FIXD', startSession: 'AM', cancelled: false });
  });

  it('lists every problem with where it is and what is accepted', () => {
    const parsed = parsePupilRecord(
      {
        id: 'P9', schoolId: 'S1', send: 'yes', colour: 'red',
        exclusions: [
          { id: 'E1', category: 'SUS', startDate: '2025-10-02', sessions: 2, reasons: ['DB'] },
          { id: 'E2', category: 'LNCH', startDate: '2025-10-03', sessions: 2, reasons: [] },
          { id: 'E2', category: 'FIXD', startDate: '2025-10-06', reasons: ['PD', 'OT', 'DB', 'DM'] },
        ],
        attendance: [{ date: '2025-10-02', am: '/', pm: 'Y9' }],
      },
      { file: 'pupils.ndjson', location: 'line 4' },
    );
    expect(parsed.ok).toBe(false);
    const lines = parsed.ok ? [] : parsed.problems.map((p) => `${p.file} ${p.location}, ${p.field}: ${p.message}`);
    expect(lines).toEqual(
      expect.arrayContaining([
        'pupils.ndjson line 4 (pupil P9), send: expected none, K (SEN support) or E (EHC plan)',
        'pupils.ndjson line 4 (pupil P9), exclusions[0].category: "SUS" is not an exclusion category; accepted: PERM, FIXD, SUSP, LNCH',
        'pupils.ndjson line 4 (pupil P9), exclusions[1].reasons: expected 1 to 3 reason codes',
        'pupils.ndjson line 4 (pupil P9), exclusions[2].reasons: expected 1 to 3 reason codes',
        expect.stringMatching(/^pupils\.ndjson line 4 \(pupil P9\), attendance\[0\]\.pm: "Y9" is not an attendance mark; accepted: \/, \\, L, K/),
        expect.stringMatching(/^pupils\.ndjson line 4 \(pupil P9\), \(record\): unknown field "colour" in a pupil record; accepted fields: format, id, schoolId/),
      ]),
    );
  });

  it('checks what each category needs, and ids and dates appear once', () => {
    const parsed = parsePupilRecord({
      id: 'P1', schoolId: 'S1',
      exclusions: [
        { id: 'E1', category: 'LNCH', startDate: '2025-10-03', sessions: 2, reasons: ['DB'] },
        { id: 'E1', category: 'FIXD', startDate: '2025-10-06', reasons: ['DB'] },
      ],
      attendance: [{ date: '2025-10-02', am: '/' }, { date: '2025-10-02', pm: '\\' }],
    });
    expect(parsed.ok ? [] : parsed.problems.map((p) => `${p.field}: ${p.message}`)).toEqual([
      'exclusions[0].lunchtimes: a lunchtime suspension (LNCH) needs "lunchtimes"',
      'exclusions[0].sessions: a lunchtime suspension (LNCH) counts "lunchtimes", not "sessions"',
      'exclusions[1].sessions: a suspension (FIXD) needs "sessions": its length in registration sessions, two a school day',
      'exclusions[1].id: exclusion id "E1" appears twice',
      'attendance[1].date: 2025-10-02 is recorded twice',
    ]);
  });
});

describe('pupilRecordJsonSchema', () => {
  it('describes the format, its codes and that unknown fields are refused', () => {
    const schema = pupilRecordJsonSchema() as { title: string; additionalProperties: boolean; required: string[]; properties: Record<string, any> };
    expect(schema.title).toBe('pupil-record/1');
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(['id', 'schoolId']);
    expect(schema.properties.exclusions.items.properties.category.enum).toEqual(['PERM', 'FIXD', 'SUSP', 'LNCH']);
  });
});
