/**
 * `cases import --profile …`: a school system's CSV export into the store, all-or-nothing, then
 * the rules run again for the pupils it changed — so a suspension entered in the MIS and exported
 * opens its case on import, not at the next nightly evaluation.
 */
import { basename } from 'node:path';
import { formatProblem, printable, type IsoDate, type Problem } from '@before-exclusion/rules';
import { loadCalendarFile } from '@before-exclusion/rules/node';
import { SYSTEM } from '../../access.js';
import { evaluateStoredPupils } from '../../cases/openCases.js';
import type { CaseStore } from '../../store/caseStore.js';
import { DEMO_PUPIL_ID_KEY, PupilIdKeyRefused, pupilIdKey, type PupilIdKey } from '../pupilPseudonym.js';
import { loadMappingProfile, mappingProfileSchema } from './mappingProfile.js';
import { readSchoolExport } from './schoolExport.js';

export interface ImportCommand {
  readonly profile: string;
  readonly pupils: string;
  readonly calendar: string;
  readonly exclusions?: string | undefined;
  readonly attendance?: string | undefined;
  readonly school?: string | undefined;
  readonly rules?: string | undefined;
  /** Overrides the profile's choice: keep the export's ids, or derive keyed pseudonyms from them. */
  readonly pupilIds?: string | undefined;
  readonly asOf: IsoDate;
}

/**
 * Runs the import and prints what it did.
 * @returns the exit code (0).
 * @throws InputError naming every problem (nothing is imported then).
 */
export async function importSchoolExport(store: CaseStore, command: ImportCommand, out: (line: string) => void): Promise<number> {
  const chosen = loadMappingProfile(command.profile);
  const override = command.pupilIds === undefined ? undefined : mappingProfileSchema.shape.pupilIds.safeParse(command.pupilIds);
  if (override && !override.success) {
    throw new PupilIdKeyRefused(`--pupil-ids ${JSON.stringify(printable(command.pupilIds ?? '', 40))}: accepted: as-given (the export's ids are already pseudonymous) or pseudonymised (derived from UPNs or MIS references with PUPIL_ID_KEY)`);
  }
  const profile = override ? { ...chosen, pupilIds: override.data! } : chosen;
  const notices: Problem[] = [];
  const calendar = await loadCalendarFile(command.calendar, notices);
  for (const notice of notices) out(`note: ${formatProblem(notice)}`);
  let key: PupilIdKey | undefined;
  if (profile.pupilIds === 'pseudonymised') {
    if (process.env.PUPIL_ID_KEY === undefined && process.env.DEMO === 'on') {
      key = DEMO_PUPIL_ID_KEY;
      out('note: PUPIL_ID_KEY is not set and DEMO=on: pupil ids are derived with the public demo key, which protects nothing');
    } else key = pupilIdKey(process.env.PUPIL_ID_KEY, 'PUPIL_ID_KEY');
  }
  const read = readSchoolExport(
    { pupils: command.pupils, ...(command.exclusions ? { exclusions: command.exclusions } : {}), ...(command.attendance ? { attendance: command.attendance } : {}) },
    { profile, calendar, ...(command.school ? { schoolId: command.school } : {}), ...(key ? { key } : {}) },
  );
  const result = await store.pupils.importUpdates(SYSTEM, { updates: read.pupils, calendar, source: basename(command.pupils), files: read.files });
  const schools = `${result.schools.length} school(s) (${result.schools.join(', ')})`;
  if (result.changed.length === 0) {
    out(`nothing changed: the ${result.pupils} pupil(s) of ${schools} in this ${profile.name} export are as the store holds them${result.calendarChanged ? '; the calendar was updated' : ''}`);
    return 0;
  }
  out(`imported the ${profile.name} export: ${result.pupils} pupil(s) of ${schools}, ${result.changed.length} new or changed, ${result.pupils - result.changed.length} unchanged, with the ${result.academicYear} calendar`);
  let evaluated: Awaited<ReturnType<typeof evaluateStoredPupils>>;
  try {
    evaluated = await evaluateStoredPupils(store, { asOf: command.asOf, pupilIds: result.changed, ...(command.rules ? { rulesFile: command.rules } : {}) });
  } catch (error) {
    // The import is committed: say so, so that a refusal of the rules is not read as a refused import.
    out('the import is kept, but the rules could not run for the changed pupils (below); `cases evaluate` or the service\'s next evaluation runs them');
    throw error;
  }
  if (!evaluated) out('another instance is evaluating the rules now: the changed pupils are evaluated with its next run');
  else {
    out(
      `the rules ran for the ${result.changed.length} changed pupil(s) as of ${command.asOf}: ${evaluated.triggers} trigger(s); opened ${evaluated.opened} case(s), updated ${evaluated.updated}, ${evaluated.unchanged} already open` +
        (evaluated.skipped ? `; ${evaluated.skipped} skipped (no calendar for their school on that date)` : ''),
    );
  }
  return 0;
}
