import { describe, expect, it } from 'vitest';
import { leftBefore, onRollDuring, parsePupilRecord, pupilRecordJsonSchema } from './pupilRecord.js';

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

describe('joining and leaving dates', () => {
  it('reads the first and last days on roll; a leaver\'s record is kept whole', () => {
    const parsed = parsePupilRecord({
      id: 'P1', schoolId: 'S1', joinedOn: '2025-09-03', leftOn: '2025-12-12',
      exclusions: [{ id: 'E1', category: 'FIXD', startDate: '2025-10-06', sessions: 2, reasons: ['DB'] }],
    });
    expect(parsed.ok && parsed.record).toMatchObject({ joinedOn: '2025-09-03', leftOn: '2025-12-12', exclusions: [{ id: 'E1' }] });
    // Either may be given alone, or neither (the defaults add none).
    expect(parsePupilRecord({ id: 'P1', schoolId: 'S1', leftOn: '2025-12-12' }).ok).toBe(true);
    expect(parsePupilRecord({ id: 'P1', schoolId: 'S1' })).not.toHaveProperty('record.leftOn');
  });

  it('refuses dates not written YYYY-MM-DD, and leaving before joining, saying which field and what is accepted', () => {
    const problems = (json: object) => {
      const parsed = parsePupilRecord({ id: 'P1', schoolId: 'S1', ...json }, { file: 'pupils.ndjson', location: 'line 2' });
      return parsed.ok ? [] : parsed.problems.map((p) => `${p.location}, ${p.field}: ${p.message}`);
    };
    expect(problems({ joinedOn: '3/9/2025', leftOn: '2026-02-30' })).toEqual([
      'line 2 (pupil P1), joinedOn: "3/9/2025" is not a date written YYYY-MM-DD',
      'line 2 (pupil P1), leftOn: "2026-02-30" is not a real date: February 2026 has 28 days',
    ]);
    expect(problems({ leftOn: null })).toEqual(['line 2 (pupil P1), leftOn: expected a date written YYYY-MM-DD']);
    expect(problems({ joinedOn: '2025-09-03', leftOn: '2025-09-02' })).toEqual([
      'line 2 (pupil P1), leftOn: 2025-09-02 is before "joinedOn" (2025-09-03): "leftOn" is the last day on roll, on or after the first',
    ]);
    // A pupil on roll for one day joins and leaves on it.
    expect(problems({ joinedOn: '2025-09-03', leftOn: '2025-09-03' })).toEqual([]);
  });

  it('says whether a pupil was on roll in a period: joined by its end, not left before its start', () => {
    const leaver = { leftOn: '2025-12-12' };
    const joiner = { joinedOn: '2026-01-06' };
    const autumn = ['2025-09-01', '2025-12-19'] as const;
    const summer = ['2026-04-13', '2026-07-22'] as const;
    const yearToSummer = ['2025-09-01', '2026-07-22'] as const;
    expect([onRollDuring(leaver, ...autumn), onRollDuring(leaver, ...yearToSummer), onRollDuring(leaver, ...summer)]).toEqual([true, true, false]);
    expect([onRollDuring(joiner, ...autumn), onRollDuring(joiner, ...yearToSummer), onRollDuring(joiner, ...summer)]).toEqual([false, true, true]);
    expect(onRollDuring({}, ...summer)).toBe(true);
    // Both ends count: the last day on roll, and the first.
    expect([onRollDuring(leaver, '2025-12-12'), onRollDuring(leaver, '2025-12-13'), onRollDuring(joiner, '2026-01-06'), onRollDuring(joiner, '2026-01-05')]).toEqual([true, false, true, false]);
    expect([leftBefore(leaver, '2025-12-12'), leftBefore(leaver, '2025-12-13'), leftBefore({}, '2099-01-01')]).toEqual([false, true, false]);
  });
});

describe('pupilRecordJsonSchema', () => {
  it('describes the format, its codes and that unknown fields are refused', () => {
    const schema = pupilRecordJsonSchema() as { title: string; additionalProperties: boolean; required: string[]; properties: Record<string, any> };
    expect(schema.title).toBe('pupil-record/1');
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(['id', 'schoolId']);
    expect(schema.properties.exclusions.items.properties.category.enum).toEqual(['PERM', 'FIXD', 'SUSP', 'LNCH']);
    expect(schema.properties.leftOn).toMatchObject({ type: 'string', description: expect.stringContaining('last day on roll') });
    expect(schema.properties.joinedOn).toMatchObject({ type: 'string', description: expect.stringContaining('first day on roll') });
  });
});

describe('pupil movement (issue 12): off-site directions, managed moves, safeguarding separations, part-time timetables', () => {
  const problems = (json: object) => {
    const parsed = parsePupilRecord({ id: 'P1', schoolId: 'S1', ...json }, { file: 'pupils.ndjson', location: 'line 3' });
    return parsed.ok ? [] : parsed.problems.map((p) => `${p.field}: ${p.message}`);
  };

  it('a record written before them reads exactly as it did: no new fields appear', () => {
    const parsed = parsePupilRecord({ id: 'P1', schoolId: 'S1' });
    for (const field of ['offSiteDirections', 'managedMoves', 'safeguardingSeparations', 'partTimeTimetables', 'hasFurtherPublicExams']) {
      expect(parsed).not.toHaveProperty(`record.${field}`);
    }
  });

  it('reads each kind with its defaults', () => {
    const parsed = parsePupilRecord({
      id: 'P1', schoolId: 'S1', yearGroup: 11, hasFurtherPublicExams: false,
      offSiteDirections: [{ id: 'OSD1', startDate: '2026-10-05', plannedEndDate: '2026-11-27', sessionsPerWeek: 6, provider: 'Riverside Learning Centre', noticeGivenOn: '2026-09-30', reviews: [{ heldOn: '2026-10-16', attendees: ['headteacher', 'parents', 'trust-nominee'] }] }],
      managedMoves: [{ id: 'MM1', agreedOn: '2026-12-01', receivingSchool: 'SCH2', offRollOn: '2027-01-05' }],
      safeguardingSeparations: [{ id: 'SG1', startDate: '2026-11-02', endDate: '2026-11-06', dslDecidedOn: '2026-10-30' }],
      partTimeTimetables: [{ id: 'PT1', startDate: '2026-09-14', plannedEndDate: '2026-10-23', hoursPerWeek: 15, parentsConsentedOn: '2026-09-10' }],
    });
    expect(parsed.ok && parsed.record).toMatchObject({
      hasFurtherPublicExams: false,
      offSiteDirections: [{ id: 'OSD1', reviewRequests: [], precedesManagedMove: false, reviews: [{ attendees: ['headteacher', 'parents', 'trust-nominee'] }] }],
      managedMoves: [{ id: 'MM1', plannedTrial: false }],
      safeguardingSeparations: [{ id: 'SG1', dslDecidedOn: '2026-10-30' }],
      partTimeTimetables: [{ id: 'PT1', reviewsHeldOn: [] }],
    });
  });

  it('refuses what a kind cannot hold, naming the field and what is accepted', () => {
    expect(problems({
      offSiteDirections: [
        { id: 'OSD1', startDate: '2026-10-05', plannedEndDate: '2026-10-02', provider: 'AP\nsecond line', sessionsPerWeek: 12, reviews: [{ heldOn: '2026-10-16', attendees: ['social-worker'] }] },
        { id: 'OSD1', startDate: '2026-10-05', provider: 'AP', reviewRequests: [{ requestedOn: '2026-10-20', by: 'pupil' }] },
      ],
      managedMoves: [{ id: 'MM1', agreedOn: '2026-12-01' }],
      safeguardingSeparations: [{ id: 'SG1', startDate: '2026-11-02' }],
      partTimeTimetables: [{ id: 'PT1', startDate: '2026-09-14', hoursPerWeek: 40, colour: 'red' }],
    })).toEqual([
      'offSiteDirections[0].sessionsPerWeek: expected 1 to 10 sessions a week',
      "offSiteDirections[0].provider: the provider's name must be one line of printable text; accepted: letters, digits, spaces and punctuation",
      'offSiteDirections[0].reviews[0].attendees[0]: "social-worker" is not a review attendee; accepted: headteacher, parents, trust-nominee, local-authority, governing-board, management-committee',
      'offSiteDirections[1].reviewRequests[0].by: "pupil" is not who asked for the review; accepted: parents, local-authority',
      "managedMoves[0].receivingSchool: expected the receiving school's name or id",
      'safeguardingSeparations[0].dslDecidedOn: expected a date written YYYY-MM-DD',
      'partTimeTimetables[0].hoursPerWeek: expected 0 to 32.5 hours a week (the school week is 32.5 hours)',
      'partTimeTimetables[0]: unknown field "colour" in a part-time timetable; accepted fields: id, startDate, plannedEndDate, endedOn, hoursPerWeek, parentsConsentedOn, reviewsHeldOn, reportedToLocalAuthorityOn',
    ]);
    expect(problems({
      offSiteDirections: [
        { id: 'OSD1', startDate: '2026-10-05', plannedEndDate: '2026-10-02', provider: 'AP' },
        { id: 'OSD1', startDate: '2026-10-05', provider: 'AP' },
      ],
      managedMoves: [{ id: 'MM1', agreedOn: '2026-12-01', receivingSchool: 'SCH2', offRollOn: '2026-11-30' }],
    })).toEqual([
      'offSiteDirections[0].plannedEndDate: 2026-10-02 is before "startDate" (2026-10-05); accepted: the same day or later',
      'managedMoves[0].offRollOn: 2026-11-30 is before "agreedOn" (2026-12-01); accepted: the same day or later',
      'offSiteDirections[1].id: id "OSD1" appears twice in "offSiteDirections"',
    ]);
  });

  it('a managed move recorded as a trial, or with a return, is read (the rules flag it), not refused', () => {
    expect(problems({ managedMoves: [{ id: 'MM1', agreedOn: '2026-12-01', receivingSchool: 'SCH2', plannedTrial: true, returnedOn: '2027-01-20' }] })).toEqual([]);
  });

  it('the JSON Schema describes the new kinds, so other systems can validate them', () => {
    const schema = pupilRecordJsonSchema() as { required: string[]; properties: Record<string, any> };
    expect(schema.required).toEqual(['id', 'schoolId']);
    expect(schema.properties.offSiteDirections.items.required).toEqual(['id', 'startDate', 'provider']);
    expect(schema.properties.offSiteDirections.items.properties.reviews.items.properties.attendees.items.enum).toContain('trust-nominee');
    expect(schema.properties.managedMoves.items.additionalProperties).toBe(false);
    expect(schema.properties.safeguardingSeparations.items.required).toEqual(['id', 'startDate', 'dslDecidedOn']);
    expect(schema.properties.partTimeTimetables.items.properties.hoursPerWeek).toMatchObject({ type: 'number', maximum: 32.5 });
    expect(schema.properties.hasFurtherPublicExams).toMatchObject({ type: 'boolean' });
  });
});
