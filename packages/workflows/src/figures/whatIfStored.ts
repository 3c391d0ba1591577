/**
 * What-if over the pupils in the store: which of a reader's schools' pupils would gain or lose
 * which triggers if a setting changed (the rules library's `RulePackComparer`), for the officer's
 * workspace. Reading it is audited like the figures: who, which schools, what was proposed.
 */
import { InputError, OutsideCalendarError, RulePackComparer, type IsoDate, type RulePack, type RulePackComparison, type RulePackOverrides } from '@before-exclusion/rules';
import { assertCanRead, type Actor } from '../access.js';
import type { CaseStore } from '../store/caseStore.js';

export interface WhatIfOptions {
  readonly asOf: IsoDate;
  /** The pack in force. */
  readonly current: RulePack;
  /** The settings proposed, as a rule pack's `parameters` (checked against the pack's limits). */
  readonly proposed: NonNullable<RulePackOverrides['parameters']>;
  /** One school; else every school the reader covers. */
  readonly schoolId?: string;
}

export interface StoredWhatIf {
  readonly comparison: RulePackComparison;
  readonly schools: readonly string[];
  /** Schools with no calendar for the date, left out (said on the page). */
  readonly withoutCalendar: readonly string[];
  /** Pupils whose record does not fit the school's calendar for the date, left out (counted). */
  readonly notCompared: number;
}

/**
 * @throws AccessDenied for a school the reader does not cover; InputError for a setting the pack refuses.
 */
export async function whatIfOverStoredPupils(store: CaseStore, actor: Actor, options: WhatIfOptions): Promise<StoredWhatIf> {
  if (options.schoolId) assertCanRead(actor, options.schoolId);
  const proposed = options.current.withOverrides({ format: 'rule-pack/1', name: `${options.current.name} (proposed)`, parameters: options.proposed }, 'the proposed settings');
  const schools = options.schoolId ? [options.schoolId] : [...actor.schoolIds].sort();
  const comparer = new RulePackComparer({ asOf: options.asOf, current: options.current, proposed });
  const withoutCalendar: string[] = [];
  let notCompared = 0;
  for (const school of schools) {
    const calendar = await store.pupils.calendarFor(school, options.asOf);
    if (!calendar) {
      withoutCalendar.push(school);
      continue;
    }
    for (const record of await store.pupils.inSchools([school])) {
      try {
        await comparer.add(record, calendar);
      } catch (error) {
        if (!(error instanceof InputError || error instanceof OutsideCalendarError)) throw error;
        notCompared++;
      }
    }
  }
  await store.reportReads.recordWhatIf(actor, { asOf: options.asOf, schools, proposed: options.proposed });
  return { comparison: comparer.result(), schools, withoutCalendar, notCompared };
}
