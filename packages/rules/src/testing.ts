/** Helpers for this package's tests: a pupil record from the few fields a test cares about. */
import { InputError } from './problems.js';
import { parsePupilRecord, type PupilRecord, type PupilRecordInput } from './pupilRecord.js';

export function pupil(fields: Partial<PupilRecordInput> = {}): PupilRecord {
  const parsed = parsePupilRecord({ id: 'P1', schoolId: 'SCH1', ...fields });
  if (!parsed.ok) throw new Error(parsed.problems.map((p) => `${p.field}: ${p.message}`).join('\n'));
  return parsed.record;
}

export function suspension(id: string, startDate: string, sessions: number, extra: Record<string, unknown> = {}) {
  return { id, category: 'FIXD' as const, startDate, sessions, reasons: ['DB' as const], ...extra };
}

/** The problems an input was refused for, as `field: message` lines; fails unless it was refused. */
export function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof InputError) return error.problems.map((p) => `${p.field ?? ''}: ${p.message}`);
    throw error;
  }
  throw new Error('expected an InputError');
}
