/**
 * A fake Assembly Platform API (version 1.1) on loopback, serving the response shapes its public
 * reference documents: lists as JSON arrays paged by `page`/`per_page` with `Next-Page`,
 * `Total-Pages` and friends in the headers; `Last-Modified` on attendances and a 304 for an
 * `If-Modified-Since` with nothing newer; a 429 `{"error":"too many requests","data":{"count",
 * "period","limit"}}` past the rate limit; and on demand a 500. Its page size is small (`pageSize`)
 * so that a handful of students spans pages. Only this edge is fake: the adapter, the store and
 * the rules under test are the product's own. Students carry names, as Assembly's do, so a test
 * can show they never reach the store.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeStudent {
  id: number;
  upn: string | null;
  mis_id: string;
  first_name: string;
  last_name: string;
  year_code: string;
  start_date: string;
  end_date: string | null;
  demographics: { gender: string; ethnicity_code: string | null; sen_category: string | null; is_fsm: boolean; in_care: boolean };
}

export interface FakeExclusion {
  id: number;
  student_id: number;
  exclusion_type: 'Fixed Term' | 'Lunchtime' | 'Permanent' | 'Reinstated';
  exclusion_reason: string | null;
  exclusion_reason_2: string | null;
  exclusion_reason_3: string | null;
  start_date: string;
  start_session: 'AM' | 'PM';
  end_date: string;
  end_session: 'AM' | 'PM';
  exclusion_length: number;
}

export interface FakeMark {
  id: number;
  student_id: number;
  session_date: string;
  session_name: 'AM' | 'PM';
  attendance_mark: string;
  /** When the mark last changed (for If-Modified-Since); not sent. */
  modified: number;
}

export interface FakeRequest {
  readonly path: string;
  readonly query: Record<string, string>;
  readonly authorization: string | undefined;
  readonly accept: string | undefined;
  readonly ifModifiedSince: string | undefined;
  readonly status: number;
}

/** A fault the next matching requests get: `times` answers of `status` (429 or 5xx) for `path` (and `page`, when given). */
export interface FakeFault {
  readonly path: string;
  readonly page?: number;
  /** `hang`: the request is never answered (closing the fake drops it). */
  readonly status: 429 | 500 | 503 | 'hang';
  times: number;
  /** For a 429: the seconds Assembly's body says to wait. */
  readonly period?: number;
}

export interface FakeAssembly {
  readonly url: string;
  readonly token: string;
  readonly students: FakeStudent[];
  readonly exclusions: FakeExclusion[];
  readonly marks: FakeMark[];
  readonly requests: FakeRequest[];
  fail(fault: FakeFault): void;
  /** Drops the faults still pending: Assembly is well again. */
  recover(): void;
  /** The access tokens now accepted run out (401 from now on), as a school token does after a day. */
  expireTokens(): void;
  /** Renewals the fake's `/oauth/token` granted. */
  readonly renewals: number;
  /** Adds an attendance mark modified now. */
  mark(studentId: number, date: string, session: 'AM' | 'PM', code: string): void;
  close(): Promise<void>;
}

export const FAKE_TOKEN = 'fake-school-token-0123456789';
/** The app's credentials and the school's refresh token the fake's platform accepts. */
export const FAKE_OAUTH = { clientId: 'fake-client-id', clientSecret: 'fake-client-secret-0123456789', refreshToken: 'fake-refresh-token-0123456789' } as const;

export async function startFakeAssembly(options: { pageSize?: number; students?: FakeStudent[]; exclusions?: FakeExclusion[] } = {}): Promise<FakeAssembly> {
  const pageSize = options.pageSize ?? 2;
  const students = options.students ?? [];
  const exclusions = options.exclusions ?? [];
  const marks: FakeMark[] = [];
  const requests: FakeRequest[] = [];
  const faults: FakeFault[] = [];
  let markId = 1;
  let answered: { question: string; marks: unknown[] } | undefined;
  const accepted = new Set<string>([FAKE_TOKEN]);
  let renewals = 0;
  // Whole seconds, as HTTP dates carry: a mark made within the second of a Last-Modified counts as newer.
  let clock = Math.floor(Date.now() / 1000) * 1000;
  const tick = () => (clock += 1000);

  const server = createServer((req: IncomingMessage, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const query = Object.fromEntries(url.searchParams);
    const path = url.pathname;
    const page = Number(query.page ?? '1');
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      requests.push({ path, query, authorization: req.headers.authorization, accept: req.headers.accept, ifModifiedSince: req.headers['if-modified-since'], status });
      res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };
    if (path === '/oauth/token' && req.method === 'POST') {
      // As Assembly's platform renews a school token: the app's credentials as HTTP Basic, the refresh token in the query.
      const basic = `Basic ${Buffer.from(`${FAKE_OAUTH.clientId}:${FAKE_OAUTH.clientSecret}`).toString('base64')}`;
      if (req.headers.authorization !== basic || query.grant_type !== 'refresh_token' || query.refresh_token !== FAKE_OAUTH.refreshToken) return answer(401, { error: 'invalid_grant' });
      const token = `fake-renewed-token-${++renewals}`;
      accepted.add(token);
      return answer(200, { access_token: token, token_type: 'bearer', level: 'school', expires_in: 86400, school_id: 1, scopes: ['students.basic'] });
    }
    const bearer = req.headers.authorization?.replace(/^Bearer /, '');
    if (!bearer || !accepted.has(bearer)) return answer(401, { error: 'invalid_request', message: 'an access_token is required.' });
    if (!req.headers.accept?.includes('application/vnd.assembly+json; version=1.1')) return answer(406, { error: 'unsupported_version' });
    const fault = faults.find((f) => f.times > 0 && f.path === path && (f.page === undefined || f.page === page));
    if (fault) {
      fault.times--;
      if (fault.status === 'hang') return void requests.push({ path, query, authorization: req.headers.authorization, accept: req.headers.accept, ifModifiedSince: req.headers['if-modified-since'], status: 0 });
      if (fault.status === 429) return answer(429, { error: 'too many requests', data: { count: 601, period: fault.period ?? 1, limit: 600 } });
      return answer(fault.status, { error: 'internal_server_error' });
    }
    const paged = (all: unknown[], extra: Record<string, string> = {}) => {
      const size = Math.min(Number(query.per_page ?? '100'), pageSize);
      const pages = Math.max(1, Math.ceil(all.length / size));
      const next = page < pages ? String(page + 1) : '';
      answer(200, all.slice((page - 1) * size, page * size), {
        Page: String(page),
        Total: String(all.length),
        'Total-Pages': String(pages),
        'Per-Page': String(size),
        'Next-Page': next,
        'Prev-Page': page > 1 ? String(page - 1) : '',
        ...extra,
      });
    };
    const inRange = (date: string) => (!query.start_date || date >= query.start_date) && (!query.end_date || date <= query.end_date);
    switch (path) {
      case '/students':
        return paged(students.filter((s) => s.end_date === null).map(withoutDemographicsUnlessAsked(query)));
      case '/students/left':
        return paged(students.filter((s) => s.end_date !== null).map(withoutDemographicsUnlessAsked(query)));
      case '/exclusions':
        return paged(exclusions.filter((e) => inRange(e.start_date)));
      case '/attendances': {
        const since = req.headers['if-modified-since'] ? Date.parse(req.headers['if-modified-since']) : undefined;
        const latest = marks.reduce((max, m) => Math.max(max, m.modified), 0);
        if (since !== undefined && latest <= since) return answer(304, undefined);
        // The same question page after page: answered once (a benchmark serves hundreds of thousands of marks).
        const question = `${since}|${query.start_date}|${query.end_date}|${marks.length}|${latest}`;
        if (answered?.question !== question) answered = { question, marks: marks.filter((m) => inRange(m.session_date) && (since === undefined || m.modified > since)).map(({ modified: _, ...m }) => m) };
        return paged(answered.marks, { 'Last-Modified': new Date(latest || clock).toUTCString() });
      }
      default:
        return answer(404, { error: 'not_found' });
    }
  });
  server.listen(0, '127.0.0.1');
  await new Promise<void>((r) => server.once('listening', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    token: FAKE_TOKEN,
    students,
    exclusions,
    marks,
    requests,
    fail: (fault) => faults.push(fault),
    recover: () => void faults.splice(0),
    expireTokens: () => accepted.clear(),
    get renewals() {
      return renewals;
    },
    mark: (studentId, date, session, code) => {
      marks.push({ id: markId++, student_id: studentId, session_date: date, session_name: session, attendance_mark: code, modified: tick() });
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Demographics come only with `demographics=true`, as Assembly sends them. */
function withoutDemographicsUnlessAsked(query: Record<string, string>) {
  return (s: FakeStudent) => {
    if (query.demographics === 'true') return s;
    const { demographics: _, ...rest } = s;
    return rest;
  };
}

/** A student as Assembly lists one (names included: the product must drop them). */
export function fakeStudent(id: number, upn: string, overrides: Partial<FakeStudent> = {}): FakeStudent {
  return {
    id,
    upn,
    mis_id: `MIS${id}`,
    first_name: `Firstname${id}`,
    last_name: `Surname${id}`,
    year_code: '9',
    start_date: '2023-09-04',
    end_date: null,
    demographics: { gender: 'M', ethnicity_code: 'WBRI', sen_category: null, is_fsm: false, in_care: false },
    ...overrides,
  };
}

/** A fixed-term exclusion as Assembly lists one. */
export function fakeSuspension(id: number, studentId: number, startDate: string, sessions: number, reasons: [string, ...string[]]): FakeExclusion {
  return {
    id,
    student_id: studentId,
    exclusion_type: 'Fixed Term',
    exclusion_reason: reasons[0],
    exclusion_reason_2: reasons[1] ?? null,
    exclusion_reason_3: reasons[2] ?? null,
    start_date: startDate,
    start_session: 'AM',
    end_date: startDate,
    end_session: 'PM',
    exclusion_length: sessions,
  };
}
