/**
 * A pupil-movement case opened by hand puts its movement on the pupil's record too — the off-site
 * direction, part-time timetable or safeguarding separation, as the school system would hold it —
 * so the figures (which count the records) and the rules (which read them) see what the case does.
 * A case for a movement the record already holds (named by its id, or the same placement: same
 * first day, and for a direction the same provider) adds nothing: it is that movement's one case.
 */
import { EventRefused } from '../errors.js';
import { InputError, offSiteDirectionSchema, partTimeTimetableSchema, safeguardingSeparationSchema, type PupilRecord } from '@before-exclusion/rules';
import type { z } from 'zod';
import type { MovementKind } from './openMovementCases.js';

/** The case input's field that names the movement on the record, by kind. */
const MOVEMENT_ID_FIELD = { 'off-site-direction': 'directionId', 'part-time-timetable': 'timetableId', 'safeguarding-separation': 'separationId' } as const;
const WHAT = { 'off-site-direction': 'off-site direction', 'part-time-timetable': 'part-time timetable', 'safeguarding-separation': 'safeguarding separation' } as const;

interface OnRecord {
  readonly id: string;
  readonly startDate: string;
  readonly provider?: string;
}

/** The movements of a kind on a pupil's record. */
export function onRecord(kind: MovementKind, record: PupilRecord): readonly OnRecord[] {
  switch (kind) {
    case 'off-site-direction':
      return record.offSiteDirections ?? [];
    case 'part-time-timetable':
      return record.partTimeTimetables ?? [];
    case 'safeguarding-separation':
      return record.safeguardingSeparations ?? [];
  }
}

/**
 * The movement on the record a request's `data` names by its id (`directionId`, `timetableId` or
 * `separationId`), if it names one: its case is the record's, so nothing else may be given.
 * @throws EventRefused when the record holds no movement with that id, or `data` gives more than the id.
 */
export function namedMovement(kind: MovementKind, record: PupilRecord, data: Readonly<Record<string, unknown>>): string | undefined {
  const field = MOVEMENT_ID_FIELD[kind];
  const named = data[field];
  if (named === undefined) return undefined;
  const entries = onRecord(kind, record);
  if (typeof named !== 'string' || !entries.some((e) => e.id === named)) {
    const held = entries.map((e) => e.id).join(', ');
    throw new EventRefused(`${field} ${JSON.stringify(named)}: the pupil's record holds no ${WHAT[kind]} with that id (${held ? `it holds ${held}` : `it holds none`}); leave ${field} out to put a new one on the record`);
  }
  const others = Object.keys(data).filter((key) => key !== field);
  if (others.length > 0) throw new EventRefused(`${field} ${named} opens the case for the ${WHAT[kind]} as the pupil's record holds it: give no other data (given: ${others.join(', ')})`);
  return named;
}

/** The movement on the record that is the same placement as a request's `input` — same first day, and for a direction the same provider — if any. */
export function samePlacement(kind: MovementKind, record: PupilRecord, input: Readonly<Record<string, unknown>>): string | undefined {
  const provider = typeof input.provider === 'string' ? normalised(input.provider) : undefined;
  return onRecord(kind, record).find((e) => e.startDate === input.startDate && (kind !== 'off-site-direction' || (e.provider !== undefined && normalised(e.provider) === provider)))?.id;
}

/**
 * A direction on the record from the same first day at another provider, still running: most likely
 * the same placement with its provider typed another way, so a second is not put beside it unasked.
 * @throws EventRefused naming it, and how to open its case (or say it is another placement).
 */
export function refuseLikelySame(kind: MovementKind, record: PupilRecord, input: Readonly<Record<string, unknown>>): void {
  if (kind !== 'off-site-direction') return;
  const running = (record.offSiteDirections ?? []).find((d) => d.startDate === input.startDate && d.endedOn === undefined);
  if (running) {
    throw new EventRefused(
      `the pupil's record holds ${running.id}, an off-site direction from ${running.startDate}${running.provider ? ` at ${running.provider}` : ''}: give {"directionId":"${running.id}"} to open its case, or add "anotherPlacement":true if this is another placement from the same day`,
    );
  }
}

/** A provider's name as typed, compared without case or extra spaces. */
function normalised(name: string): string {
  return name.trim().replace(/\s+/g, ' ').toLowerCase();
}

export interface MovementEntry {
  /** The case input's field that names the movement on the record. */
  readonly idField: 'directionId' | 'timetableId' | 'separationId';
  readonly id: string;
  /** The record with the movement added. */
  change(record: PupilRecord): PupilRecord;
}

/**
 * The movement a hand-opened case's `input` describes, validated as the record holds it.
 * @throws InputError naming each field the record would refuse.
 */
export function movementEntry(kind: MovementKind, record: PupilRecord, input: Readonly<Record<string, unknown>>): MovementEntry {
  switch (kind) {
    case 'off-site-direction': {
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
      const id = nextId('SEP', String(input.startDate), (record.safeguardingSeparations ?? []).map((s) => s.id));
      const entry = parsed(safeguardingSeparationSchema, 'the safeguarding separation', {
        id,
        startDate: input.startDate,
        ...(input.plannedEnd !== undefined ? { endDate: input.plannedEnd } : {}),
        dslDecidedOn: input.dslDecidedOn,
      });
      return { idField: 'separationId', id, change: (r) => ({ ...r, safeguardingSeparations: [...(r.safeguardingSeparations ?? []), entry] }) };
    }
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
