/**
 * The session cookie's content, as the workspace reads it on every request: who is signed in only
 * when the session says how and when, by a way of signing in offered now, within eight hours.
 */
import type { Request } from 'express';
import { describe, expect, it } from 'vitest';
import { SESSION_MAX_AGE_MS, endSession, sessionId, sessionUser, startSession } from './session.js';

const NOW = Date.UTC(2026, 2, 20, 9, 0, 0);
const at = (ms: number) => Math.floor(ms / 1000);
const request = (session: Record<string, unknown> | null) => ({ session }) as unknown as Request;
const ways = new Set(['local', 'oidc']);

describe('the workspace session', () => {
  it('holds a new session id, the staff id, the way and the time when someone signs in, and nothing once ended', () => {
    const req = request({ sid: 'a'.repeat(22) });
    startSession(req, 'demo-officer', 'oidc', NOW);
    expect(req.session).toEqual({ sid: expect.stringMatching(/^[\w-]{22}$/), staffId: 'demo-officer', method: 'oidc', iat: at(NOW) });
    expect(sessionId(req)).not.toBe('a'.repeat(22));
    expect(sessionUser(req, ways, NOW)).toEqual({ staffId: 'demo-officer', method: 'oidc' });
    endSession(req);
    expect(sessionUser(req, ways, NOW)).toBeUndefined();
    expect(sessionId(req)).toBe('');
  });

  it('is no one when too old, dated ahead, by a way not offered now, or in the old form (a staff id alone)', () => {
    const good = { sid: 'b'.repeat(22), staffId: 'demo-officer', method: 'local' };
    expect(sessionUser(request({ ...good, iat: at(NOW - SESSION_MAX_AGE_MS + 1000) }), ways, NOW)?.staffId).toBe('demo-officer');
    expect(sessionUser(request({ ...good, iat: at(NOW - SESSION_MAX_AGE_MS - 1000) }), ways, NOW)).toBeUndefined();
    expect(sessionUser(request({ ...good, iat: at(NOW + 10 * 60 * 1000) }), ways, NOW)).toBeUndefined();
    expect(sessionUser(request({ ...good, iat: at(NOW) }), new Set(['teams-tab']), NOW)).toBeUndefined();
    expect(sessionUser(request({ ...good, iat: String(at(NOW)) }), ways, NOW)).toBeUndefined();
    expect(sessionUser(request({ ...good, iat: at(NOW) + 0.5 }), ways, NOW)).toBeUndefined();
    expect(sessionUser(request({ staffId: 'demo-officer' }), ways, NOW)).toBeUndefined();
    expect(sessionUser(request({ ...good, method: undefined, iat: at(NOW) }), ways, NOW)).toBeUndefined();
    expect(sessionUser(request(null), ways, NOW)).toBeUndefined();
  });
});
