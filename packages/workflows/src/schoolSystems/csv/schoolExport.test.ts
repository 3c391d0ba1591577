/**
 * A school system's export laid over what the store holds: the fields the files map are
 * replaced, an exclusions file is each pupil's whole list, attendance days replace those days, and
 * what no file maps (a pupil's movements, EBSNA indicators, a joining date) is kept.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCalendarFile } from '@before-exclusion/rules/node';
import { afterAll, describe, expect, it } from 'vitest';
import { SYSTEM } from '../../access.js';
import { closeTestStores, DEMO_FILES, testStore } from '../../testing.js';
import { pupilIdKey, pupilPseudonym } from '../pupilPseudonym.js';
import { loadMappingProfile, parseMappingProfile } from './mappingProfile.js';
import { flagOf, readSchoolExport, ukDate } from './schoolExport.js';

afterAll(closeTestStores);
const dir = mkdtempSync(join(tmpdir(), 'school-export-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('ukDate and flagOf', () => {
  it('reads day/month/year and ISO, never month/day, and ignores the time Excel adds', () => {
    expect(['23/03/2026', '3/3/2026', '23.03.2026', '2026-03-23', '23/03/2026 00:00', '2026-03-23T00:00:00Z'].map(ukDate)).toEqual(['2026-03-23', '2026-03-03', '2026-03-23', '2026-03-23', '2026-03-23', '2026-03-23']);
    expect(['03/23/2026', '31/02/2026', '23/03/26', 'next Tuesday', ''].map(ukDate)).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });

  it('reads yes/no in the spellings exports use, and nothing else', () => {
    expect(['Yes', 'y', 'TRUE', '1', 'No', 'n', 'false', '0'].map(flagOf)).toEqual([true, true, true, true, false, false, false, false]);
    expect(flagOf('maybe')).toBeUndefined();
  });
});

describe('an export over the stored record', () => {
  it('replaces what the files give and keeps what they do not', async () => {
    const { store } = await testStore();
    const calendar = await loadCalendarFile(DEMO_FILES.calendar);
    const profile = loadMappingProfile('generic');
    const stored = file('stored.ndjson', JSON.stringify({ id: 'P-9', schoolId: 'SCH-A', joinedOn: '2025-09-03', yearGroup: 8, ebsnaIndicators: ['anxiety'], exclusions: [{ id: 'OLD', category: 'FIXD', startDate: '2025-09-15', sessions: 2, reasons: ['DB'] }], attendance: [{ date: '2025-09-15', am: 'E', pm: 'E' }] }));
    await store.pupils.import(SYSTEM, { pupils: stored, calendar: DEMO_FILES.calendar });

    const read = readSchoolExport(
      {
        pupils: file('pupils.csv', 'id,schoolId,yearGroup\nP-9,SCH-A,9\n'),
        exclusions: file('exclusions.csv', 'pupilId,id,category,startDate,sessions,reason1\nP-9,NEW,FIXD,06/10/2025,2,VA\n'),
        attendance: file('attendance.csv', 'pupilId,date,session,mark\nP-9,16/09/2025,AM,/\nP-9,16/09/2025,PM,N\n'),
      },
      { profile, calendar },
    );
    const result = await store.pupils.importUpdates(SYSTEM, { updates: read.pupils, calendar, source: 'pupils.csv', files: read.files });
    expect(result.changed).toEqual(['P-9']);
    const record = await store.pupils.record(SYSTEM, 'P-9');
    expect(record.yearGroup).toBe(9);
    expect(record.joinedOn).toBe('2025-09-03');
    expect(record.ebsnaIndicators).toEqual(['anxiety']);
    expect(record.exclusions.map((e) => e.id)).toEqual(['NEW']);
    expect(record.attendance).toEqual([{ date: '2025-09-15', am: 'E', pm: 'E' }, { date: '2025-09-16', am: '/', pm: 'N' }]);
  });

  it('gives the keyed id to the pupil, their exclusions and marks, named in the export by the MIS id', () => {
    const key = pupilIdKey('0123456789abcdef0123456789abcdef');
    const profile = parseMappingProfile(
      { format: 'csv-profile/1', name: 'mis', pupilIds: 'pseudonymised', pupils: { id: 'UPN' }, exclusions: { pupilId: 'UPN', category: 'Type', startDate: 'Start', reason1: 'Reason', lunchtimes: 'Lunchtimes' } },
      'mis.json',
    );
    const pupils = file('mis-pupils.csv', 'UPN,Surname\nA999999900001,Testperson\n');
    const read = readSchoolExport({ pupils, exclusions: file('mis-exclusions.csv', 'UPN,Type,Start,Reason,Lunchtimes\nA999999900001,LNCH,06/10/2025,DB,2\n') }, { profile, key, schoolId: 'SCH-A' });
    expect(read.pupils.map((p) => [p.record.id, p.record.exclusions.length])).toEqual([[pupilPseudonym(key, 'SCH-A', 'A999999900001'), 1]]);
    expect(JSON.stringify(read.pupils)).not.toMatch(/A999999900001|Testperson/);

    // A record's own check (LNCH needs lunchtimes) is put back on the export's row and column.
    const broken = () => readSchoolExport({ pupils, exclusions: file('mis-broken.csv', 'UPN,Type,Start,Reason,Lunchtimes\nA999999900001,LNCH,06/10/2025,DB,\n') }, { profile, key, schoolId: 'SCH-A' });
    expect(broken).toThrow(/mis-broken\.csv row 2, Lunchtimes: a lunchtime suspension \(LNCH\) needs "lunchtimes"/);
  });
});
