/**
 * Mapping profiles: which column of a school system's CSV export holds which pupil-record field,
 * and how its values are spelt. Profiles are data files (`profiles/*.json` in this package, or a
 * school's own), so a new export layout needs no code; each is checked here with clear errors.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError, parseJsonText, printable } from '@before-exclusion/rules';
import { z } from 'zod';

export const PROFILE_FORMAT = 'csv-profile/1';

/** Pupil-record fields a pupils file can give (the generic profile's headings are these names). */
export const PUPIL_FIELDS = [
  'id', 'schoolId', 'joinedOn', 'leftOn', 'yearGroup', 'sex', 'ethnicity', 'send', 'lookedAfter', 'hasSocialWorker', 'fsm', 'atRiskOfPermanentExclusion', 'priorSchoolSuspensionDays',
] as const;
/** Exclusion fields (the census's), a row per exclusion; `schoolDays` is read as sessions, two a day. */
export const EXCLUSION_FIELDS = [
  'pupilId', 'id', 'category', 'startDate', 'startSession', 'sessions', 'schoolDays', 'lunchtimes', 'reason1', 'reason2', 'reason3', 'cancelled', 'missesPublicExam',
] as const;
/** Attendance fields: `am` and `pm` for a row per pupil and day, `session` and `mark` for a row per session. */
export const ATTENDANCE_FIELDS = ['pupilId', 'date', 'am', 'pm', 'session', 'mark'] as const;

export type PupilField = (typeof PUPIL_FIELDS)[number];
export type ExclusionField = (typeof EXCLUSION_FIELDS)[number];
export type AttendanceField = (typeof ATTENDANCE_FIELDS)[number];
type AnyField = PupilField | ExclusionField | AttendanceField;

const heading = z.string().trim().min(1, 'expected a column heading').max(200);
/** A field's column: one heading, or several the export may use (the first present is read). */
const columnSpec = z.union([heading.transform((h) => [h]), z.array(heading).min(1, 'expected at least one heading').max(20)], {
  error: 'expected a column heading, or a list of headings the export may use',
});

function columnsOf<const F extends readonly [string, ...string[]]>(fields: F, what: string) {
  const shape = Object.fromEntries(fields.map((f) => [f, columnSpec.optional()])) as { [K in F[number]]: z.ZodOptional<typeof columnSpec> };
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys' ? `${issue.keys.map((k) => JSON.stringify(printable(k, 40))).join(', ')} is not a field of ${what}; accepted: ${fields.join(', ')}` : `expected the columns of ${what}: an object of field → heading`,
  });
}

const ALL_FIELDS = [...new Set<string>([...PUPIL_FIELDS, ...EXCLUSION_FIELDS, ...ATTENDANCE_FIELDS])] as [string, ...string[]];

export const mappingProfileSchema = z.strictObject(
  {
    format: z.literal(PROFILE_FORMAT, { error: `expected "${PROFILE_FORMAT}"` }),
    name: z.string().trim().min(1).max(60),
    description: z.string().max(2000).default(''),
    /** What of the layout was checked against the supplier's published documentation, and where. */
    verified: z.array(z.string().max(1000)).max(50).default([]),
    /** What is assumed: column names a school should check against its own export. */
    assumed: z.array(z.string().max(1000)).max(50).default([]),
    /**
     * `as-given`: the export's ids are the product's ids (they must already be pseudonymous).
     * `pseudonymised`: ids are derived from the export's UPN or reference with the deployment key.
     */
    pupilIds: z.enum(['as-given', 'pseudonymised'], { error: 'expected "as-given" or "pseudonymised"' }),
    pupils: columnsOf(PUPIL_FIELDS as unknown as readonly [PupilField, ...PupilField[]], 'a pupils file'),
    exclusions: columnsOf(EXCLUSION_FIELDS as unknown as readonly [ExclusionField, ...ExclusionField[]], 'an exclusions file').optional(),
    attendance: columnsOf(ATTENDANCE_FIELDS as unknown as readonly [AttendanceField, ...AttendanceField[]], 'an attendance file').optional(),
    /** Per field, how the export spells a value → the code the product takes (e.g. sex: Female → F). */
    values: z
      .partialRecord(z.enum(ALL_FIELDS, { error: (issue) => `${JSON.stringify(printable(String(issue.input), 40))} is not a field; accepted: ${ALL_FIELDS.join(', ')}` }), z.record(z.string().max(200), z.string().max(200)))
      .default({}),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `${issue.keys.map((k) => JSON.stringify(printable(k, 40))).join(', ')} is not part of a profile; accepted: format, name, description, verified, assumed, pupilIds, pupils, exclusions, attendance, values`
        : 'expected a mapping profile (a JSON object)',
  },
);

export type MappingProfile = z.output<typeof mappingProfileSchema>;

/** The profiles that come with the product, by name. */
export const BUILT_IN_PROFILES = ['generic', 'sims', 'arbor', 'bromcom'] as const;

/** Where the built-in profiles are: `profiles/` beside `src/` and `dist/`. */
function profilesFolder(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'profiles');
}

/**
 * A profile by built-in name (`generic`, `sims`, `arbor`, `bromcom`) or by path to a JSON file.
 * @throws InputError naming the file and each field that is wrong, with what is accepted.
 */
export function loadMappingProfile(nameOrPath: string): MappingProfile {
  const builtIn = (BUILT_IN_PROFILES as readonly string[]).includes(nameOrPath);
  const path = builtIn ? join(profilesFolder(), `${nameOrPath}.json`) : nameOrPath;
  if (!builtIn && !existsSync(path)) {
    throw new InputError(`no profile ${nameOrPath}`, [{ file: nameOrPath, message: `no such file; accepted: ${BUILT_IN_PROFILES.join(', ')}, or the path of a profile JSON file (see packages/workflows/profiles/generic.json)` }]);
  }
  const text = readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
  return parseMappingProfile(parseJsonText(text, nameOrPath, 'a mapping profile (a JSON object)'), nameOrPath);
}

/** Checks a profile's JSON, including that every file it maps names the fields it needs. */
export function parseMappingProfile(json: unknown, file: string): MappingProfile {
  const parsed = mappingProfileSchema.safeParse(json);
  if (!parsed.success) {
    throw new InputError(`${file} is not a valid mapping profile`, parsed.error.issues.map((i) => ({ file, field: i.path.map((p) => printable(String(p), 40)).join('.') || '(profile)', message: i.message })));
  }
  const profile = parsed.data;
  const missing: { field: string; message: string }[] = [];
  if (!profile.pupils.id) missing.push({ field: 'pupils.id', message: 'the pupils file needs the column of the pupil\'s id (UPN or reference)' });
  const ex = profile.exclusions;
  if (ex) {
    for (const f of ['pupilId', 'category', 'startDate'] as const) if (!ex[f]) missing.push({ field: `exclusions.${f}`, message: `the exclusions file needs a "${f}" column` });
    if (!ex.reason1) missing.push({ field: 'exclusions.reason1', message: 'the exclusions file needs a "reason1" column (the first reason code)' });
  }
  const at = profile.attendance;
  if (at) {
    for (const f of ['pupilId', 'date'] as const) if (!at[f]) missing.push({ field: `attendance.${f}`, message: `the attendance file needs a "${f}" column` });
    // Both layouts may be mapped: the file's headings say which one it is.
    if (!(at.am && at.pm) && !(at.session && at.mark)) missing.push({ field: 'attendance', message: 'map "am" and "pm" (a row per pupil and day), or "session" and "mark" (a row per session), or both' });
    if (Boolean(at.am) !== Boolean(at.pm)) missing.push({ field: 'attendance', message: 'a row per day needs both "am" and "pm"' });
    if (Boolean(at.session) !== Boolean(at.mark)) missing.push({ field: 'attendance', message: 'a row per session needs both "session" and "mark"' });
  }
  if (missing.length > 0) throw new InputError(`${file} is not a valid mapping profile`, missing.map((m) => ({ file, ...m })));
  return profile;
}

/** The value the product takes for what the export wrote: the profile's spelling first (any case). */
export function valueFor(profile: MappingProfile, field: AnyField, written: string): string {
  const map = profile.values[field];
  if (!map) return written;
  const want = written.trim().toLowerCase();
  for (const [from, to] of Object.entries(map)) if (from.trim().toLowerCase() === want) return to;
  return written;
}
