/** The case list's reading of a query, its order of urgency and its pages, on their own. */
import { describe, expect, it } from 'vitest';
import { byUrgency, paginationItems, queryFor, readFilters, type CaseRow } from './caseList.js';

const row = (id: string, over: Partial<CaseRow> = {}): CaseRow => ({ id, kind: 'PEAP', pupilId: 'P', schoolId: 'S', state: 'triggered', closed: false, overdue: [], updatedAt: '2026-03-01T09:00:00Z', ...over });

describe('the case list', () => {
  it('reads the filters it can use and names each it cannot; a repeated parameter counts as its last', () => {
    expect(readFilters({ school: 'A', kind: 'peap', state: 'stage:meeting-scheduled', pupil: ' DEMO-002 ', overdue: 'yes', page: ['1', '2'] }, ['A'])).toEqual({
      filters: { school: 'A', kind: 'peap', state: 'stage:meeting-scheduled', pupil: 'DEMO-002', overdue: true, page: 2 },
      errors: [],
    });
    expect(readFilters({}, ['A']).filters).toEqual({ school: '', kind: '', state: '', pupil: '', overdue: false, page: 1 });
    const { errors } = readFilters({ school: 'B', kind: 'x', state: 'stage:', page: '1.5', pupil: 'a\u0007b' }, ['A']);
    expect(errors.map((e) => e.field)).toEqual(['school', 'kind', 'state', 'pupil', 'page']);
  });

  it('puts the longest overdue first, then the nearest deadline, then open cases without one, then closed ones', () => {
    const rows = [
      row('closed', { closed: true, updatedAt: '2026-03-19T09:00:00Z' }),
      row('none-old'),
      row('none-new', { updatedAt: '2026-03-10T09:00:00Z' }),
      row('next-later', { nextDeadline: { label: 'b', dueDate: '2026-04-20' } }),
      row('next-soon', { nextDeadline: { label: 'a', dueDate: '2026-03-25' } }),
      row('overdue-recent', { overdue: [{ label: 'x', dueDate: '2026-03-19' }] }),
      row('overdue-long', { overdue: [{ label: 'y', dueDate: '2026-03-09' }] }),
    ];
    expect(rows.sort(byUrgency).map((r) => r.id)).toEqual(['overdue-long', 'overdue-recent', 'next-soon', 'next-later', 'none-new', 'none-old', 'closed']);
  });

  it('pages with the first, the last, the current and its neighbours, and keeps the filters in every link', () => {
    const href = (n: number) => `/p${n}`;
    expect(paginationItems(1, 2, href)).toEqual([
      { number: 1, href: '/p1', current: true },
      { number: 2, href: '/p2', current: false },
    ]);
    expect(paginationItems(5, 9, href).map((i) => ('number' in i ? i.number : '…'))).toEqual([1, '…', 4, 5, 6, '…', 9]);
    expect(queryFor({ school: '', kind: 'peap', state: '', pupil: 'DEMO 2', overdue: true, page: 3 }, 2)).toBe('?kind=peap&pupil=DEMO+2&overdue=yes&page=2');
    expect(queryFor({ school: '', kind: '', state: '', pupil: '', overdue: false, page: 1 }, 1)).toBe('');
  });
});
