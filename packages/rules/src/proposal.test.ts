import { describe, expect, it } from 'vitest';
import { bundledCalendar } from './calendar/bundled.js';
import { InputError } from './problems.js';
import { assessProposedSuspension } from './proposal.js';
import { pupil, suspension } from './testing.js';

const calendar = bundledCalendar('2025/26');

describe('assessProposedSuspension', () => {
  it('shows the duties, deadlines and days left before the head decides', async () => {
    const record = pupil({ lookedAfter: true, exclusions: [suspension('S1', '2025-10-02', 6)] });
    const a = await assessProposedSuspension(record, { startDate: '2025-10-13', sessions: 6 }, calendar);
    expect(a).toMatchObject({ allowed: true, lastDate: '2025-10-15', returnDate: '2025-10-16', schoolDays: 3, yearTotalBefore: 3, yearTotalAfter: 6, daysLeft: 39 });
    const byTrigger = Object.fromEntries(a.triggers.map((t) => [t.trigger, t]));
    expect(Object.keys(byTrigger).sort()).toEqual([
      'looked-after.contact-virtual-school',
      'peap.required',
      'statutory.governors-review-on-request',
      'statutory.notify-governing-board',
      'statutory.notify-local-authority',
      'statutory.notify-parents',
      'statutory.notify-virtual-school-head',
    ]);
    expect(byTrigger['statutory.governors-review-on-request']?.dueDate).toBe(calendar.addSchoolDays('2025-10-13', 50));
    expect(byTrigger['peap.required']?.exclusionIds).toEqual(['S1', 'proposed']);
  });

  it('refuses a suspension that would pass 45 days in the year, counting previous schools', async () => {
    const record = pupil({ priorSchoolSuspensionDays: 40, exclusions: [suspension('S1', '2025-10-02', 6)] });
    const a = await assessProposedSuspension(record, { startDate: '2025-11-10', sessions: 6 }, calendar);
    expect(a.allowed).toBe(false);
    expect(a.refusal).toBe(
      'This would bring suspensions in 2025/26 to 46 school days (43 already, including 40 at previous schools). The law allows no more than 45: at most 2 more can be given this year.',
    );
    expect(a.daysLeft).toBe(0);
  });

  it('gives the sixth day when the proposal reaches it back to back', async () => {
    const record = pupil({ exclusions: [suspension('S1', '2025-10-01', 6)] });
    const a = await assessProposedSuspension(record, { startDate: '2025-10-06', sessions: 6 }, calendar);
    expect(a.sixthDay).toBe('2025-10-08');
    expect(a.triggers.find((t) => t.trigger === 'statutory.alternative-provision-from-day-6')?.dueDate).toBe('2025-10-08');
  });

  it('gives the total in each term a proposal over the Easter holiday touches', async () => {
    const a = await assessProposedSuspension(pupil({ exclusions: [suspension('S1', '2026-01-13', 4)] }), { startDate: '2026-03-23', sessions: 24 }, calendar);
    expect(a.termTotalsAfter).toEqual([{ term: 'spring', days: 7 }, { term: 'summer', days: 7 }]);
    expect(a.lastDate).toBe('2026-04-21');
  });

  it('refuses a proposal that does not start on a school day', async () => {
    await expect(assessProposedSuspension(pupil(), { startDate: '2025-10-27', sessions: 2 }, calendar)).rejects.toThrow(InputError);
    await expect(assessProposedSuspension(pupil(), { startDate: '2025-10-27', sessions: 2 }, calendar)).rejects.toThrow(/Monday 27 Oct 2025 is not a school day/);
  });
});
