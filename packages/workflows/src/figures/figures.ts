/**
 * The shape of a report's table: each figure sits in one school's table (or the table for all
 * the schools) at a measure, a breakdown and a category; and some figures are sums of others —
 * which is what lets a hidden figure be worked out, so suppression has to know them.
 */

/** One figure in one school's (or all schools') table. */
export interface MeasureRow {
  readonly measure: string;
  readonly breakdown: string;
  readonly category: string;
  readonly value: number;
}

/** Where a figure sits within one table. */
export type Address = Pick<MeasureRow, 'measure' | 'breakdown' | 'category'>;

/** Within one table, `whole` is the sum of `parts`. */
export interface MeasureSum {
  readonly whole: Address;
  readonly parts: readonly Address[];
  /** Counts of pupils or events, not days lost: hidden parts adding up to a small count give themselves away. */
  readonly counts: boolean;
}

/** A figure's key across the whole report: its school (or `all`) and its address. */
export function figureKey(school: string, a: Address): string {
  return `${school}|${a.measure}|${a.breakdown}|${a.category}`;
}

/** The address of a row (dropping its value and anything else). */
export function addressOf(row: Address): Address {
  return { measure: row.measure, breakdown: row.breakdown, category: row.category };
}

/**
 * The sums that say `breakdowns` each add up to `whole`: every pupil (or event) is in exactly
 * one of a breakdown's categories. Parts are the rows present; a category absent is a zero.
 */
export function breakdownSums(rows: readonly Address[], whole: Address, breakdowns: readonly string[], counts: boolean): MeasureSum[] {
  return breakdowns.map((breakdown) => ({
    whole,
    parts: rows.filter((r) => r.measure === whole.measure && r.breakdown === breakdown).map(addressOf),
    counts,
  }));
}
