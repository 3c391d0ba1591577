/**
 * What-if: the same pupils under two rule packs — the settings in use and a proposed change
 * (a PEAP threshold of 3 instead of 2, an EBSNA attendance line of 85% instead of 90%) — and
 * which pupils would gain or lose which triggers, in total and by group of pupils (SEND, free
 * school meals, looked after, sex, ethnicity), so a policy change's effect on disadvantaged
 * groups is seen before it is made.
 *
 * Group figures are for sharing, so small numbers are withheld as the DfE's statistics and the
 * workflows' reports withhold them: a count of 1 or 2 pupils is shown as "c", and so is a rate
 * worked out from one; and, within each breakdown (whose groups add up to the total shown),
 * further counts are withheld until no hidden one can be worked out by subtraction. That is the
 * workflows' rule applied to one breakdown at a time (rules may not import workflows, whose
 * linked-table suppression also covers sums across schools and reports). The list of pupils
 * affected is for the officer's own use: pseudonymous ids, no names.
 */
import type { SchoolCalendar } from './calendar/schoolCalendar.js';
import type { IsoDate } from './dates.js';
import { RulesEvaluator, type Trigger } from './evaluate.js';
import { derivePupilFacts, type PupilFacts } from './facts.js';
import type { PupilRecord } from './pupilRecord.js';
import type { RulePack } from './rulePack.js';

export interface CompareRulePacksOptions {
  readonly asOf: IsoDate;
  /** The rules in use. */
  readonly current: RulePack;
  /** The rules proposed. */
  readonly proposed: RulePack;
}

/** A trigger one pupil would gain or lose. */
export interface TriggerChange {
  readonly trigger: string;
  readonly period: string;
  readonly explanation: string;
}

/** A pupil whose triggers differ between the packs. */
export interface PupilDifference {
  readonly pupilId: string;
  readonly schoolId: string;
  /** Fire under the proposed rules only. */
  readonly gained: readonly TriggerChange[];
  /** Fire under the current rules only. */
  readonly lost: readonly TriggerChange[];
}

/** A count as shared: the number, or "c" where it is withheld (small, or would reveal one that is). */
export type Shown = number | 'c';

export interface TriggerFigures {
  readonly trigger: string;
  /** Triggers fired under each pack. */
  readonly current: Shown;
  readonly proposed: Shown;
  /** Pupils who would gain it, and who would lose it. */
  readonly pupilsGaining: Shown;
  readonly pupilsLosing: Shown;
}

/** One group of pupils (e.g. SEND: EHC plan), and how many would gain or lose any trigger. */
export interface GroupFigures {
  readonly characteristic: Characteristic;
  readonly group: string;
  readonly pupils: Shown;
  readonly gaining: Shown;
  /** Per 100 pupils in the group, to one decimal place. */
  readonly gainingRate: Shown;
  readonly losing: Shown;
  readonly losingRate: Shown;
}

export interface RulePackComparison {
  readonly asOf: IsoDate;
  readonly current: string;
  readonly proposed: string;
  readonly pupils: number;
  readonly pupilsGaining: Shown;
  readonly pupilsLosing: Shown;
  readonly triggers: readonly TriggerFigures[];
  readonly groups: readonly GroupFigures[];
  /** Every pupil whose triggers would change, in the order given. */
  readonly differences: readonly PupilDifference[];
}

/** The characteristics a what-if breaks its figures down by, each with its groups' names. */
export const CHARACTERISTICS = {
  send: { title: 'SEND', groups: ['no SEND', 'SEN support', 'EHC plan'], groupOf: (r: PupilRecord) => ({ none: 'no SEND', K: 'SEN support', E: 'EHC plan' })[r.send] },
  fsm: { title: 'free school meals', groups: ['eligible', 'not eligible'], groupOf: (r: PupilRecord) => (r.fsm ? 'eligible' : 'not eligible') },
  lookedAfter: { title: 'looked after', groups: ['looked after', 'not looked after'], groupOf: (r: PupilRecord) => (r.lookedAfter ? 'looked after' : 'not looked after') },
  sex: { title: 'sex', groups: ['female', 'male', 'unknown'], groupOf: (r: PupilRecord) => ({ F: 'female', M: 'male', U: 'unknown' })[r.sex ?? 'U'] },
  // DfE codes in alphabetical order, then pupils with none recorded.
  ethnicity: { title: 'ethnicity', groups: [], groupOf: (r: PupilRecord) => r.ethnicity ?? 'not recorded' },
} as const satisfies Record<string, { title: string; groups: readonly string[]; groupOf: (r: PupilRecord) => string }>;
export type Characteristic = keyof typeof CHARACTERISTICS;

/** The smallest count shown (DfE statistics withhold 1 and 2). */
const SMALLEST_SHOWN = 3;

interface Tally {
  pupils: number;
  gaining: number;
  losing: number;
}

/**
 * Adds pupils one at a time (bounded memory: counts, and the pupils who differ), then gives the
 * comparison. {@link compareRulePacks} is this over an iterable.
 */
export class RulePackComparer {
  readonly #options: CompareRulePacksOptions;
  readonly #current: RulesEvaluator;
  readonly #proposed: RulesEvaluator;
  readonly #groups = new Map<string, Tally>();
  readonly #triggers = new Map<string, { current: number; proposed: number; pupilsGaining: number; pupilsLosing: number }>();
  readonly #differences: PupilDifference[] = [];
  #pupils = 0;

  constructor(options: CompareRulePacksOptions) {
    this.#options = options;
    this.#current = new RulesEvaluator(options.current);
    this.#proposed = new RulesEvaluator(options.proposed);
  }

  /** Adds one pupil (facts derived here unless given). @throws InputError when the record does not fit the calendar. */
  async add(record: PupilRecord, calendar: SchoolCalendar, facts: PupilFacts = derivePupilFacts(record, calendar, this.#options.asOf)): Promise<void> {
    const [before, after] = await Promise.all([this.#current.evaluateFacts(facts), this.#proposed.evaluateFacts(facts)]);
    this.#pupils++;
    const keysBefore = new Map(before.map((t) => [t.key, t]));
    const keysAfter = new Map(after.map((t) => [t.key, t]));
    const gained = after.filter((t) => !keysBefore.has(t.key));
    const lost = before.filter((t) => !keysAfter.has(t.key));
    for (const t of before) this.#trigger(t.trigger).current++;
    for (const t of after) this.#trigger(t.trigger).proposed++;
    // Pupils, not triggers: a pupil gaining PEAP in two half-terms is one pupil gaining PEAP.
    for (const trigger of new Set(gained.map((t) => t.trigger))) this.#trigger(trigger).pupilsGaining++;
    for (const trigger of new Set(lost.map((t) => t.trigger))) this.#trigger(trigger).pupilsLosing++;
    for (const [characteristic, { groupOf }] of Object.entries(CHARACTERISTICS)) {
      const key = `${characteristic}\u0000${groupOf(record)}`;
      const tally = this.#groups.get(key) ?? { pupils: 0, gaining: 0, losing: 0 };
      tally.pupils++;
      if (gained.length) tally.gaining++;
      if (lost.length) tally.losing++;
      this.#groups.set(key, tally);
    }
    if (gained.length || lost.length) {
      this.#differences.push({ pupilId: record.id, schoolId: record.schoolId, gained: gained.map(change), lost: lost.map(change) });
    }
  }

  #trigger(trigger: string) {
    let figures = this.#triggers.get(trigger);
    if (!figures) this.#triggers.set(trigger, (figures = { current: 0, proposed: 0, pupilsGaining: 0, pupilsLosing: 0 }));
    return figures;
  }

  /** The comparison of the pupils added so far, small numbers withheld. */
  result(): RulePackComparison {
    const gaining = this.#differences.filter((d) => d.gained.length > 0).length;
    const losing = this.#differences.filter((d) => d.lost.length > 0).length;
    const triggers = [...this.#triggers].sort(([a], [b]) => a.localeCompare(b)).map(([trigger, f]) => ({ trigger, ...f }));
    const groups: GroupFigures[] = [];
    for (const [characteristic, { groups: order }] of Object.entries(CHARACTERISTICS) as [Characteristic, { groups: readonly string[] }][]) {
      const rank = (group: string) => (order.includes(group) ? order.indexOf(group) : group === 'not recorded' ? Infinity : -1);
      const rows = [...this.#groups]
        .filter(([key]) => key.startsWith(`${characteristic}\u0000`))
        .map(([key, tally]) => ({ group: key.slice(characteristic.length + 1), ...tally }))
        .sort((a, b) => rank(a.group) - rank(b.group) || a.group.localeCompare(b.group));
      // Each column's groups add up to the total shown: withhold within the breakdown.
      const hide = {
        pupils: withheld(rows.map((r) => r.pupils)),
        gaining: withheld(rows.map((r) => r.gaining)),
        losing: withheld(rows.map((r) => r.losing)),
      };
      rows.forEach((r, i) => {
        const pupilsHidden = hide.pupils.has(i);
        const show = (n: number, hidden: boolean): Shown => (hidden ? 'c' : n);
        const rate = (n: number, hidden: boolean): Shown => (hidden || pupilsHidden ? 'c' : Math.round((1000 * n) / r.pupils) / 10);
        groups.push({
          characteristic,
          group: r.group,
          pupils: show(r.pupils, pupilsHidden),
          gaining: show(r.gaining, hide.gaining.has(i)),
          gainingRate: rate(r.gaining, hide.gaining.has(i)),
          losing: show(r.losing, hide.losing.has(i)),
          losingRate: rate(r.losing, hide.losing.has(i)),
        });
      });
    }
    return {
      asOf: this.#options.asOf,
      current: this.#options.current.name,
      proposed: this.#options.proposed.name,
      pupils: this.#pupils,
      pupilsGaining: small(gaining),
      pupilsLosing: small(losing),
      triggers: triggers.map((t) => ({ trigger: t.trigger, ...linkedRow(t) })),
      groups,
      differences: this.#differences,
    };
  }
}

function change(t: Trigger): TriggerChange {
  return { trigger: t.trigger, period: t.period, explanation: t.explanation };
}

/**
 * A trigger's row as shared: its four counts are linked (now + gaining − losing gives the proposed
 * number), so with one withheld the others, with that sum and the "1 or 2" a "c" means, could pin it
 * down — a row with any count withheld has every count but its zeros withheld.
 */
function linkedRow(t: { current: number; proposed: number; pupilsGaining: number; pupilsLosing: number }): { current: Shown; proposed: Shown; pupilsGaining: Shown; pupilsLosing: Shown } {
  const anyHidden = [t.current, t.proposed, t.pupilsGaining, t.pupilsLosing].some((n) => small(n) === 'c');
  const shown = (n: number): Shown => (anyHidden && n > 0 ? 'c' : n); // a zero gives nothing away
  return { current: shown(t.current), proposed: shown(t.proposed), pupilsGaining: shown(t.pupilsGaining), pupilsLosing: shown(t.pupilsLosing) };
}

/** A count as shared on its own: 1 and 2 are withheld. */
function small(n: number): Shown {
  return n > 0 && n < SMALLEST_SHOWN ? 'c' : n;
}

/**
 * Which parts of a breakdown to withhold: counts of 1 or 2, then — while exactly one is hidden,
 * or the hidden ones add up to under 3 — the smallest non-zero part still shown, so that none
 * can be worked out from the total (shown) minus the parts shown.
 */
export function withheld(parts: readonly number[]): Set<number> {
  const hidden = new Set<number>();
  parts.forEach((n, i) => n > 0 && n < SMALLEST_SHOWN && hidden.add(i));
  for (;;) {
    if (hidden.size === 0) return hidden;
    const hiddenSum = [...hidden].reduce((sum, i) => sum + parts[i]!, 0);
    if (hidden.size > 1 && hiddenSum >= SMALLEST_SHOWN) return hidden;
    const next = parts.map((n, i) => ({ n, i })).filter(({ n, i }) => n > 0 && !hidden.has(i)).sort((a, b) => a.n - b.n || a.i - b.i)[0];
    if (!next) return hidden;
    hidden.add(next.i);
  }
}

/**
 * Which pupils would gain or lose which triggers if the rules changed from `current` to
 * `proposed`, in total and by group of pupils.
 * @example
 * const proposed = defaultRulePack().withOverrides({ format: 'rule-pack/1', name: 'PEAP at 3', parameters: { 'peap.required': { threshold: 3 } } });
 * const comparison = await compareRulePacks(records, calendar, { asOf: '2026-03-20', current: defaultRulePack(), proposed });
 * // comparison.differences: [{ pupilId: 'DEMO-001', gained: [], lost: [{ trigger: 'peap.required', … }] }, …]
 * @throws InputError when a record does not fit the calendar.
 */
export async function compareRulePacks(
  records: Iterable<PupilRecord> | AsyncIterable<PupilRecord>,
  calendar: SchoolCalendar,
  options: CompareRulePacksOptions,
): Promise<RulePackComparison> {
  const comparer = new RulePackComparer(options);
  for await (const record of records) await comparer.add(record, calendar);
  return comparer.result();
}
