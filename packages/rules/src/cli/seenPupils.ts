/**
 * The pupils already seen in a file, for "one record per pupil", in a few bytes a pupil: each
 * id is kept as a 64-bit hash (two independent 32-bit hashes) with its line, in typed arrays,
 * not as a string in a Set — 2 million pupils take about 30 MB, not several hundred. The table is
 * cut into 64 segments that grow one at a time, so growing never holds two copies of it all.
 *
 * Two different ids share a 64-bit hash with odds of about 1 in 10 million for a file of
 * 2 million pupils; were that to happen, the file would be refused naming both lines, which a
 * person can check at once. A real duplicate is never missed.
 */
const SEGMENTS = 64;

interface Segment {
  /** Two hash halves a slot; a second half of 0 marks an empty slot. */
  slots: Uint32Array;
  lines: Uint32Array;
  size: number;
}

export class SeenPupils {
  readonly #segments: Segment[];
  #size = 0;

  constructor(capacityPerSegment = 1024) {
    this.#segments = Array.from({ length: SEGMENTS }, () => ({ slots: new Uint32Array(capacityPerSegment * 2), lines: new Uint32Array(capacityPerSegment), size: 0 }));
  }

  /** Records `id` at `line`; returns the line it was first seen at, or undefined the first time. */
  see(id: string, line: number): number | undefined {
    const a = fnv1a(id);
    // 0 marks an empty slot: a hash that is 0 is stored as 1 (both halves must match anyway).
    const b = murmur(id) || 1;
    const segment = this.#segments[a >>> 26]!;
    const capacity = segment.lines.length;
    for (let i = a % capacity; ; i = i + 1 === capacity ? 0 : i + 1) {
      const slotB = segment.slots[2 * i + 1]!;
      if (slotB === 0) {
        segment.slots[2 * i] = a;
        segment.slots[2 * i + 1] = b;
        segment.lines[i] = line;
        this.#size++;
        // Linear probing stays quick to 80% full; growing by half (not doubling) keeps the table tight.
        if (++segment.size * 5 > capacity * 4) grow(segment);
        return undefined;
      }
      if (slotB === b && segment.slots[2 * i] === a) return segment.lines[i];
    }
  }

  get size(): number {
    return this.#size;
  }
}

function grow(segment: Segment): void {
  const { slots, lines } = segment;
  const capacity = Math.ceil(lines.length * 1.5);
  segment.slots = new Uint32Array(capacity * 2);
  segment.lines = new Uint32Array(capacity);
  for (let j = 0; j < lines.length; j++) {
    const b = slots[2 * j + 1]!;
    if (b === 0) continue;
    const a = slots[2 * j]!;
    let i = a % capacity;
    while (segment.slots[2 * i + 1] !== 0) i = i + 1 === capacity ? 0 : i + 1;
    segment.slots[2 * i] = a;
    segment.slots[2 * i + 1] = b;
    segment.lines[i] = lines[j]!;
  }
}

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** MurmurHash3's mixing over the characters, with a different seed: independent of FNV-1a. */
function murmur(text: string): number {
  let h = 0x9747b28c;
  for (let i = 0; i < text.length; i++) {
    let k = Math.imul(text.charCodeAt(i), 0xcc9e2d51);
    k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
    h ^= k;
    h = Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64;
  }
  h ^= text.length;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
