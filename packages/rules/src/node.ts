/**
 * @before-exclusion/rules/node — the file readers, for Node only: calendars, rule packs and
 * pupil files read from disk. The main entry is the browser-safe core (no `node:` imports);
 * everything here reads a file and hands its text or records to that core.
 */
export { loadCalendarFile } from './node/calendarFile.js';
export { loadRulePackFile } from './node/rulePackFile.js';
export { checkPupilFile, readPupilRecords, readRawRecords } from './cli/pupilFile.js';
export type { CheckedRecord, RawRecord } from './cli/pupilFile.js';
