/**
 * A pupil-movement case opened by hand puts its movement on the pupil's record too — the off-site
 * direction, part-time timetable or safeguarding separation, as the school system would hold it —
 * so the figures (which count the records) and the rules (which read them) see what the case does.
 * A case opened from the record (the movement's id in its input) adds nothing.
 */
import { InputError, offSiteDirectionSchema, partTimeTimetableSchema, safeguardingSeparationSchema, type PupilRecord } from '@before-exclusion/rules';
import type { z } from 'zod';
import type { CaseKind } from '../machines/caseDefinition.js';

type MovementKind = Extract<CaseKind, 'off-site-direction' | 'part-time-timetable' | 'safeguarding-separation'>;

export interface MovementEntry {
  /** The case input's field that names the movement on the record. */
  readonly idField: 'directionId' | 'timetableId' | 'separationId';
  readonly id: string;
  /** The record with the movement added. */
  change(record: PupilRecord): PupilRecord;
}

/**
 * The movement a hand-opened case's `input` describes, validated as the record holds it; undefined
 * for another kind, or when the input already names a movement on the record.
 * @throws InputError naming each field the record would refuse.
 */
export function movementEntry(kind: CaseKind, record: PupilRecord, input: Readonly<Record<string, unknown>>): MovementEntry | undefined {
  const k = kind as MovementKind;
  switch (k) {
    case 'off-site-direction': {
      if (input.directionId !== undefined) return undefined;
      const id = nextId('OSD', String(input.startDate), (record.offSiteDirections ?? []).map((d) => d.id));
      const entry = parsed(offSiteDirectionSchema, 'the off-site direction', {
        id,
        startDate: input.startDate,
        ...(input.plannedEnd !== undefined ? { plannedEndDate: input.plannedEnd } : {}),
        provider: input.provider,
        ...(input.precedesManagedMove !== undefined ? { precedesManagedMove: input.precedesManagedMove } : {}),
      });
      return { idField: 'directionId', id, change: (r) => ({ ...r, offSiteDirections: [...(r.offSiteDirections ?? []), entry] }) };
    }
    case 'part-time-timetable': {
      if (input.timetableId !== undefined) return undefined;
      const id = nextId('PTT', String(input.startDate), (record.partTimeTimetables ?? []).map((t) => t.id));
      const entry = parsed(partTimeTimetableSchema, 'the part-time timetable', {
        id,
        startDate: input.startDate,
        ...(input.plannedEnd !== undefined ? { plannedEndDate: input.plannedEnd } : {}),
        ...(input.hoursPerWeek !== undefined ? { hoursPerWeek: input.hoursPerWeek } : {}),
        ...(input.parentsAgreedOn !== undefined ? { parentsConsentedOn: input.parentsAgreedOn } : {}),
      });
      return { idField: 'timetableId', id, change: (r) => ({ ...r, partTimeTimetables: [...(r.partTimeTimetables ?? []), entry] }) };
    }
    case 'safeguarding-separation': {
      if (input.separationId !== undefined) return undefined;
      const id = nextId('SEP', String(input.startDate), (record.safeguardingSeparations ?? []).map((s) => s.id));
      const entry = parsed(safeguardingSeparationSchema, 'the safeguarding separation', {
        id,
        startDate: input.startDate,
        ...(input.plannedEnd !== undefined ? { endDate: input.plannedEnd } : {}),
        dslDecidedOn: input.dslDecidedOn,
      });
      return { idField: 'separationId', id, change: (r) => ({ ...r, safeguardingSeparations: [...(r.safeguardingSeparations ?? []), entry] }) };
    }
    default:
      return undefined;
  }
}

function parsed<S extends z.ZodType>(schema: S, what: string, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new InputError(`${what} is not valid`, result.error.issues.map((i) => ({ location: what, field: i.path.map(String).join('.'), message: i.message })));
  return result.data;
}

/** "OSD-2026-10-05", then "OSD-2026-10-05-2"… */
function nextId(prefix: string, date: string, taken: readonly string[]): string {
  for (let n = 1; ; n++) {
    const id = n === 1 ? `${prefix}-${date}` : `${prefix}-${date}-${n}`;
    if (!taken.includes(id)) return id;
  }
}
