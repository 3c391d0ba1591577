import { describe, expect, it } from 'vitest';
import { recoverableFigures, suppressFigures, type Figure, type Sum } from './suppression.js';

const shown = (value: number): Figure => ({ value, primary: false });
const small = (value: number): Figure => ({ value, primary: true });

describe('secondary suppression', () => {
  it('withholds the next smallest part beside a lone withheld one (SEND: 24 = none 20 + K 3 + E 1)', () => {
    const figures = new Map([['total', shown(24)], ['none', shown(20)], ['K', shown(3)], ['E', small(1)]]);
    const sums: Sum[] = [{ whole: 'total', parts: ['none', 'K', 'E'], counts: true }];
    expect(recoverableFigures(sums, new Set(['E']))).toEqual(['E']);
    const hidden = suppressFigures(figures, sums);
    expect([...hidden].sort()).toEqual(['E', 'K']);
    expect(recoverableFigures(sums, hidden)).toEqual([]);
  });

  it('withholds a part when the whole is withheld and every part shown would add up to it', () => {
    const figures = new Map([['total', small(2)], ['F', shown(0)], ['M', shown(2)]]);
    const hidden = suppressFigures(figures, [{ whole: 'total', parts: ['F', 'M'], counts: true }]);
    expect(hidden).toEqual(new Set(['total', 'M']));
  });

  it('withholds another part when the withheld ones add up to a small count (1 + 1 = 2 gives both away)', () => {
    const figures = new Map([['total', shown(12)], ['a', small(1)], ['b', small(1)], ['c', shown(4)], ['d', shown(6)]]);
    const sums: Sum[] = [{ whole: 'total', parts: ['a', 'b', 'c', 'd'], counts: true }];
    expect([...suppressFigures(figures, sums)].sort()).toEqual(['a', 'b', 'c']);
    // Days lost are not counts of pupils: two withheld parts are enough.
    expect([...suppressFigures(figures, [{ ...sums[0]!, counts: false }])].sort()).toEqual(['a', 'b']);
  });

  it('carries a withheld figure across linked sums to a fixed point (a school, and all schools)', () => {
    const figures = new Map([
      ['A|total', shown(10)], ['A|F', small(2)], ['A|M', shown(8)],
      ['B|total', shown(5)], ['B|F', shown(0)], ['B|M', shown(5)],
      ['all|total', shown(15)], ['all|F', small(2)], ['all|M', shown(13)],
    ]);
    const sums: Sum[] = [
      ...['A', 'B', 'all'].map((s) => ({ whole: `${s}|total`, parts: [`${s}|F`, `${s}|M`], counts: true })),
      ...['total', 'F', 'M'].map((c) => ({ whole: `all|${c}`, parts: [`A|${c}`, `B|${c}`], counts: true })),
    ];
    const hidden = suppressFigures(figures, sums);
    expect(hidden.has('A|M')).toBe(true);
    expect(hidden.has('all|M')).toBe(true);
    expect(recoverableFigures(sums, hidden)).toEqual([]);
  });

  it('finds a figure pinned by several sums together, which no single sum gives away, and withholds more', () => {
    // A 4 × 4 table with its margins: two 2 × 2 blocks of withheld 2s, joined by r2c3.
    const withheld = new Set(['r1c1', 'r1c2', 'r2c1', 'r2c2', 'r3c3', 'r3c4', 'r4c3', 'r4c4', 'r2c3']);
    const cell = (i: number, j: number) => `r${i}c${j}`;
    const value = (i: number, j: number) => (withheld.has(cell(i, j)) ? 2 : 10);
    const rows = [1, 2, 3, 4];
    const figures = new Map<string, Figure>();
    for (const i of rows) for (const j of rows) figures.set(cell(i, j), { value: value(i, j), primary: withheld.has(cell(i, j)) });
    for (const i of rows) figures.set(`r${i}`, shown(rows.reduce((n, j) => n + value(i, j), 0)));
    for (const j of rows) figures.set(`c${j}`, shown(rows.reduce((n, i) => n + value(i, j), 0)));
    const sums: Sum[] = [
      ...rows.map((i) => ({ whole: `r${i}`, parts: rows.map((j) => cell(i, j)), counts: true })),
      ...rows.map((j) => ({ whole: `c${j}`, parts: rows.map((i) => cell(i, j)), counts: true })),
    ];
    // Every sum has two withheld figures or more, yet rows 1 and 2 less columns 1 and 2 leave r2c3 alone:
    const v = (k: string) => figures.get(k)!.value;
    const r2c3 = v('r1') + v('r2') - v('c1') - v('c2') - v('r1c3') - v('r1c4') - v('r2c4') + v('r3c1') + v('r4c1') + v('r3c2') + v('r4c2');
    expect(r2c3).toBe(2);
    expect(recoverableFigures(sums, withheld)).toEqual(['r2c3']);

    const hidden = suppressFigures(figures, sums);
    expect(hidden.size).toBeGreaterThan(withheld.size);
    expect(recoverableFigures(sums, hidden)).toEqual([]);
  });
});
