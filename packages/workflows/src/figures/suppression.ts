/**
 * Withholding figures from a published report so that no small count can be read off it or
 * worked out from what is shown.
 *
 * Primary suppression hides the figures that are small in themselves; the caller says which
 * (counts of 1 or 2, as DfE statistics do). That alone leaks: a published total minus its
 * published parts gives back the hidden part — SEND "E = c" beside total 24, K 3 and none 20 is 1.
 * So the figures are treated as one linked table, tied together by sums: a total and each of its
 * breakdowns, the figure for all schools and each school's, a key stage and its year groups.
 * Secondary suppression then runs to a fixed point over those sums:
 *
 * - a sum with exactly one hidden figure (a part, or the whole) gets a second: the smallest
 *   non-zero part still shown, since hiding it loses least; the whole only when no part will do;
 * - a sum of counts whose whole is shown, and whose hidden parts therefore add up to a known
 *   number, gets another hidden part while that number is itself small (under 3) or leaves
 *   nothing to share (1 apiece): two hidden parts that add up to 2 are 1 and 1.
 *
 * Sums one at a time miss a figure pinned by several together (two blocks of hidden figures
 * joined by one hidden figure, which the blocks' totals give away), so each fixed point is
 * checked by exact elimination over every sum ({@link recoverableFigures}); a figure still
 * determined has a neighbour hidden too, and the sums are run again. Each round hides one more
 * figure, so it ends.
 */

/** One figure of the table. A figure that is not in the table is a zero, shown. */
export interface Figure {
  readonly value: number;
  /** Withheld in itself (a count of 1 or 2, or a figure about one or two pupils). */
  readonly primary: boolean;
}

/** `whole` is the sum of `parts`: one line of the linked table. */
export interface Sum {
  readonly whole: string;
  readonly parts: readonly string[];
  /**
   * The figures are whole counts (pupils, incidents), so hidden parts that add up to a small
   * number give themselves away. False for days lost, which are not counts of anyone.
   */
  readonly counts: boolean;
}

/** The smallest count a report shows (DfE statistics withhold 1 and 2). */
export const SMALLEST_SHOWN = 3;

/**
 * The figures to withhold: the primary ones, and enough others that none of them can be worked
 * out from the shown figures and the sums.
 * @example
 * const shown = (value: number) => ({ value, primary: false });
 * suppressFigures(new Map([['total', shown(24)], ['K', shown(3)], ['E', { value: 1, primary: true }], ['none', shown(20)]]),
 *   [{ whole: 'total', parts: ['K', 'E', 'none'], counts: true }]) // Set { 'E', 'K' }: 24 − 20 gives only E + K = 4
 */
export function suppressFigures(figures: ReadonlyMap<string, Figure>, sums: readonly Sum[]): Set<string> {
  const hidden = new Set<string>();
  for (const [key, figure] of figures) if (figure.primary) hidden.add(key);
  const lines = sums.filter((s) => s.parts.length > 0);
  const linesOf = new Map<string, Sum[]>();
  for (const line of lines) {
    for (const key of [line.whole, ...line.parts]) {
      const list = linesOf.get(key);
      if (list) list.push(line);
      else linesOf.set(key, [line]);
    }
  }
  const valueOf = (key: string) => figures.get(key)?.value ?? 0;
  const smallestFirst = (a: string, b: string) => valueOf(a) - valueOf(b) || (a < b ? -1 : a > b ? 1 : 0);

  /** What to hide next in a line: the smallest non-zero part shown, else the whole, else a zero. */
  const nextIn = (line: Sum): string | undefined => {
    const shown = line.parts.filter((p) => !hidden.has(p) && figures.has(p)).sort(smallestFirst);
    const nonZero = shown.find((p) => valueOf(p) !== 0);
    if (nonZero !== undefined) return nonZero;
    if (!hidden.has(line.whole) && figures.has(line.whole)) return line.whole;
    return shown[0];
  };

  const unsafe = (line: Sum): boolean => {
    const hiddenParts = line.parts.filter((p) => hidden.has(p));
    const wholeHidden = hidden.has(line.whole);
    const count = hiddenParts.length + (wholeHidden ? 1 : 0);
    if (count === 0) return false;
    if (count === 1) return true;
    if (wholeHidden || !line.counts) return false;
    const together = hiddenParts.reduce((n, p) => n + valueOf(p), 0);
    return together < Math.max(SMALLEST_SHOWN, hiddenParts.length + 1);
  };

  /** The nearest figure still shown in the lines around `key`, walking out through hidden figures. */
  const neighbourOf = (key: string): string | undefined => {
    const seen = new Set([key]);
    const queue = [key];
    for (let i = 0; i < queue.length; i++) {
      for (const line of linesOf.get(queue[i]!) ?? []) {
        const next = nextIn(line);
        if (next !== undefined) return next;
        for (const k of [line.whole, ...line.parts]) {
          if (hidden.has(k) && !seen.has(k)) {
            seen.add(k);
            queue.push(k);
          }
        }
      }
    }
    return undefined;
  };

  for (;;) {
    for (let changed = true; changed; ) {
      changed = false;
      for (const line of lines) {
        if (!unsafe(line)) continue;
        const next = nextIn(line);
        if (next === undefined) continue;
        hidden.add(next);
        changed = true;
      }
    }
    const pinned = recoverableFigures(lines, hidden);
    const next = pinned.map((key) => neighbourOf(key)).find((k) => k !== undefined);
    // Nothing left to hide around a pinned figure happens only for a figure the sums force to
    // zero whatever the data; there is then nothing more to protect.
    if (next === undefined) return hidden;
    hidden.add(next);
  }
}

/**
 * The hidden figures that the shown ones determine exactly through the sums: `x` is determined
 * when some combination of the sums leaves `x` alone beside shown figures. Found by Gaussian
 * elimination over the hidden figures, one connected group at a time, in arithmetic modulo a
 * prime of 26 bits (exact in doubles). The sums' coefficients are 0 and ±1, so a prime that large
 * dividing one of the determinants involved — the only way the answer could differ from
 * elimination over the rationals — does not happen at the sizes of a report.
 */
export function recoverableFigures(sums: readonly Sum[], hidden: ReadonlySet<string>): string[] {
  const index = new Map<string, number>();
  const keys: string[] = [];
  const equations: Map<number, number>[] = [];
  for (const sum of sums) {
    const row = new Map<number, number>();
    const add = (key: string, sign: number) => {
      if (!hidden.has(key)) return;
      let i = index.get(key);
      if (i === undefined) {
        i = keys.length;
        index.set(key, i);
        keys.push(key);
      }
      row.set(i, mod((row.get(i) ?? 0) + sign));
    };
    add(sum.whole, 1);
    for (const part of sum.parts) add(part, -1);
    for (const [i, c] of row) if (c === 0) row.delete(i);
    if (row.size > 0) equations.push(row);
  }

  // Unknowns joined by an equation are solved together; groups apart cannot inform each other.
  const parent = keys.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  for (const row of equations) {
    const [first, ...rest] = [...row.keys()];
    for (const other of rest) parent[find(other)] = find(first!);
  }
  const groups = new Map<number, { unknowns: number[]; rows: Map<number, number>[] }>();
  keys.forEach((_, i) => {
    const root = find(i);
    const group = groups.get(root) ?? { unknowns: [], rows: [] };
    group.unknowns.push(i);
    groups.set(root, group);
  });
  for (const row of equations) groups.get(find(row.keys().next().value!))!.rows.push(row);

  const determined: string[] = [];
  for (const { unknowns, rows } of groups.values()) {
    const column = new Map(unknowns.map((u, c) => [u, c]));
    const matrix = rows.map((row) => {
      const dense = new Float64Array(unknowns.length);
      for (const [u, c] of row) dense[column.get(u)!] = c;
      return dense;
    });
    for (const c of solvedColumns(matrix, unknowns.length)) determined.push(keys[unknowns[c]!]!);
  }
  return determined.sort();
}

const PRIME = 67_108_859; // 2^26 - 5: products of two residues stay below 2^53

function mod(n: number): number {
  const r = n % PRIME;
  return r < 0 ? r + PRIME : r;
}

function inverse(a: number): number {
  // Fermat: a^(p-2) mod p, by squaring; every product below 2^53.
  let result = 1;
  let base = a;
  for (let e = PRIME - 2; e > 0; e = Math.floor(e / 2)) {
    if (e % 2 === 1) result = (result * base) % PRIME;
    base = (base * base) % PRIME;
  }
  return result;
}

/** The columns of `matrix` that reduced row echelon form leaves alone in their row: the unknowns the equations fix. */
function solvedColumns(matrix: Float64Array[], width: number): number[] {
  const pivotRow: number[] = [];
  const pivots: number[] = [];
  let next = 0;
  for (let col = 0; col < width && next < matrix.length; col++) {
    const found = matrix.findIndex((row, r) => r >= next && row[col] !== 0);
    if (found < 0) continue;
    [matrix[next], matrix[found]] = [matrix[found]!, matrix[next]!];
    const pivot = matrix[next]!;
    const scale = inverse(pivot[col]!);
    for (let c = col; c < width; c++) if (pivot[c] !== 0) pivot[c] = (pivot[c]! * scale) % PRIME;
    for (let r = 0; r < matrix.length; r++) {
      const row = matrix[r]!;
      const factor = row[col]!;
      if (r === next || factor === 0) continue;
      for (let c = col; c < width; c++) if (pivot[c] !== 0) row[c] = mod(row[c]! - ((factor * pivot[c]!) % PRIME));
    }
    pivots.push(col);
    pivotRow.push(next);
    next++;
  }
  return pivots.filter((col, i) => {
    const row = matrix[pivotRow[i]!]!;
    for (let c = 0; c < width; c++) if (c !== col && row[c] !== 0) return false;
    return true;
  });
}
