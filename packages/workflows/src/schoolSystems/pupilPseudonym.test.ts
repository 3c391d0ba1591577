import { describe, expect, it } from 'vitest';
import { identifier } from '@before-exclusion/rules';
import { DEMO_PUPIL_ID_KEY, PupilIdKeyRefused, pupilIdKey, pupilPseudonym } from './pupilPseudonym.js';

const key = pupilIdKey('0123456789abcdef0123456789abcdef', 'PUPIL_ID_KEY');
const otherKey = pupilIdKey('fedcba9876543210fedcba9876543210', 'PUPIL_ID_KEY');

describe('pupilPseudonym', () => {
  it('gives a pupil the same id on every import, whatever the spacing or case of the UPN', () => {
    const first = pupilPseudonym(key, 'URN-100001', 'A123456789012');
    expect(pupilPseudonym(key, 'URN-100001', ' a123456789012 ')).toBe(first);
    expect(first).toMatch(/^px-[0-9a-f]{32}$/);
  });

  it('gives different ids to different pupils, to one UPN in two schools, and under another key', () => {
    const first = pupilPseudonym(key, 'URN-100001', 'A123456789012');
    expect(pupilPseudonym(key, 'URN-100001', 'A123456789013')).not.toBe(first);
    expect(pupilPseudonym(key, 'URN-100002', 'A123456789012')).not.toBe(first);
    expect(pupilPseudonym(otherKey, 'URN-100001', 'A123456789012')).not.toBe(first);
    // A school and pupil that run together the same way stay apart.
    expect(pupilPseudonym(key, 'AB', 'C')).not.toBe(pupilPseudonym(key, 'A', 'BC'));
  });

  it('does not carry the MIS id into the product id', () => {
    const id = pupilPseudonym(key, 'URN-100001', 'A123456789012');
    expect(id).not.toContain('123456789012');
  });

  it('fits the store\'s id rules, even for a long, odd school reference', () => {
    const id = pupilPseudonym(DEMO_PUPIL_ID_KEY, 'URN-1', `ref with spaces and é ${'x'.repeat(500)}`);
    expect(identifier('a pupil id').safeParse(id).success).toBe(true);
  });

  it('refuses a missing, short or public key, naming the setting and what is accepted', () => {
    expect(() => pupilIdKey(undefined, 'PUPIL_ID_KEY')).toThrow(/PUPIL_ID_KEY is not set; accepted: a secret of at least 32 characters/);
    expect(() => pupilIdKey('short', 'PUPIL_ID_KEY')).toThrow(/PUPIL_ID_KEY is 5 characters long; accepted: at least 32/);
    expect(() => pupilIdKey(DEMO_PUPIL_ID_KEY.secret)).toThrow(PupilIdKeyRefused);
    expect(() => pupilPseudonym(key, 'URN-1', '  ')).toThrow(/UPN or reference/);
  });
});
