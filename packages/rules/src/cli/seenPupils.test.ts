import { describe, expect, it } from 'vitest';
import { SeenPupils } from './seenPupils.js';

describe('SeenPupils, the compact duplicate-id check', () => {
  it('finds every repeated id, with the line it was first seen on, as the table grows', { timeout: 60_000 }, () => {
    const seen = new SeenPupils(4);
    for (let i = 0; i < 200_000; i++) if (seen.see(`S${i % 7}-P${i}`, i + 1) !== undefined) throw new Error(`S${i % 7}-P${i} reported as seen before`);
    expect(seen.size).toBe(200_000);
    expect(seen.see('S3-P10', 300_000)).toBe(11);
    expect(seen.see('S0-P0', 300_001)).toBe(1);
    expect(seen.see('S2-P199999', 300_002)).toBe(200_000);
    // Ids that differ by one character, or only in order, are different pupils.
    expect(seen.see('S3-P1O', 300_003)).toBeUndefined();
    expect(seen.see('P10-S3', 300_004)).toBeUndefined();
  });
});
