/**
 * Schools and staff: who covers which schools, in which role, and how they are known in
 * Teams and Slack. Every change is audited, since it changes who can see children's cases.
 */
import { z } from 'zod';
import { AccessDenied, STAFF_ROLES, type Actor, type StaffRole } from './access.js';
import type { Clock } from './clock.js';
import type { AuditLog } from './store/auditLog.js';
import type { Db } from './store/database.js';

export const staffMemberSchema = z.strictObject({
  id: z.string().min(1),
  displayName: z.string().min(1),
  role: z.enum(STAFF_ROLES as [StaffRole, ...StaffRole[]], { error: `expected one of ${STAFF_ROLES.join(', ')}` }),
  schoolIds: z.array(z.string().min(1)).min(1, 'a member of staff covers at least one school'),
  teamsAadId: z.string().min(1).optional(),
  slackUserId: z.string().min(1).optional(),
  slackTeamId: z.string().min(1).optional(),
});
export type StaffMember = z.output<typeof staffMemberSchema>;

interface StaffRow {
  id: string;
  display_name: string;
  role: StaffRole;
  teams_aad_id: string | null;
  slack_user_id: string | null;
  slack_team_id: string | null;
}

export class StaffDirectory {
  readonly #db: Db;
  readonly #audit: AuditLog;
  readonly #now: Clock;

  constructor(db: Db, audit: AuditLog, clock: Clock) {
    this.#db = db;
    this.#audit = audit;
    this.#now = clock;
  }

  /** Adds or renames a school. */
  upsertSchool(school: { id: string; name: string }, by: Actor): void {
    this.#db.transaction(() => {
      this.#db.prepare('INSERT INTO schools (id, name) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name').run(school.id, school.name);
      this.#audit.append({ at: this.#now().toISOString(), actor: by.id, role: by.role, action: 'school-updated', data: school });
    }).immediate();
    this.#audit.anchorLatest();
  }

  /** Every school, in id order. */
  schools(): { id: string; name: string }[] {
    return this.#db.prepare<[], { id: string; name: string }>('SELECT id, name FROM schools ORDER BY id').all();
  }

  /** Adds or updates a member of staff and the schools they cover (all of them, replacing the old list). */
  upsert(member: StaffMember, by: Actor): void {
    const m = staffMemberSchema.parse(member);
    this.#db.transaction(() => {
      for (const school of m.schoolIds) {
        if (!this.#db.prepare('SELECT 1 FROM schools WHERE id = ?').get(school)) throw new Error(`no school ${school}; add the school first`);
      }
      this.#db
        .prepare(
          `INSERT INTO staff (id, display_name, role, teams_aad_id, slack_user_id, slack_team_id) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET display_name = excluded.display_name, role = excluded.role, teams_aad_id = excluded.teams_aad_id,
             slack_user_id = excluded.slack_user_id, slack_team_id = excluded.slack_team_id`,
        )
        .run(m.id, m.displayName, m.role, m.teamsAadId ?? null, m.slackUserId ?? null, m.slackTeamId ?? null);
      this.#db.prepare('DELETE FROM staff_schools WHERE staff_id = ?').run(m.id);
      for (const school of m.schoolIds) this.#db.prepare('INSERT INTO staff_schools (staff_id, school_id) VALUES (?, ?)').run(m.id, school);
      this.#audit.append({ at: this.#now().toISOString(), actor: by.id, role: by.role, action: 'staff-updated', data: { id: m.id, role: m.role, schoolIds: m.schoolIds } });
    }).immediate();
    this.#audit.anchorLatest();
  }

  /**
   * The actor for a member of staff.
   * @throws AccessDenied for someone who is not on the staff list.
   */
  actorFor(staffId: string): Actor {
    const row = this.#db.prepare<[string], StaffRow>('SELECT * FROM staff WHERE id = ?').get(staffId);
    if (!row) throw new AccessDenied(`${staffId} is not on the staff list`);
    return this.#actor(row);
  }

  /** The actor a Teams user (Azure AD object id) maps to, if any. */
  byTeamsId(aadObjectId: string): Actor | undefined {
    const row = this.#db.prepare<[string], StaffRow>('SELECT * FROM staff WHERE teams_aad_id = ?').get(aadObjectId);
    return row && this.#actor(row);
  }

  /** The actor a Slack user in a workspace maps to, if any. */
  bySlackId(teamId: string, userId: string): Actor | undefined {
    const row = this.#db.prepare<[string, string], StaffRow>('SELECT * FROM staff WHERE slack_team_id = ? AND slack_user_id = ?').get(teamId, userId);
    return row && this.#actor(row);
  }

  /** A member of staff's Slack identity (workspace and user), if they have one. */
  slackIdentity(staffId: string): { teamId: string; userId: string } | undefined {
    const row = this.#db.prepare<[string], { slack_team_id: string | null; slack_user_id: string | null }>('SELECT slack_team_id, slack_user_id FROM staff WHERE id = ?').get(staffId);
    return row?.slack_team_id && row.slack_user_id ? { teamId: row.slack_team_id, userId: row.slack_user_id } : undefined;
  }

  /** Staff of a school in a role (e.g. its headteacher, to prompt). */
  inRole(schoolId: string, role: StaffRole): string[] {
    return this.#db
      .prepare<[string, string], { id: string }>('SELECT s.id FROM staff s JOIN staff_schools ss ON ss.staff_id = s.id WHERE ss.school_id = ? AND s.role = ? ORDER BY s.id')
      .all(schoolId, role)
      .map((r) => r.id);
  }

  /**
   * Remembers how to reach a member of staff in a channel (a Teams conversation reference, say),
   * writing only when it changed — channels call this on every turn.
   * @returns true when they could not be reached in that channel before.
   */
  setAddress(staffId: string, channel: string, address: unknown): boolean {
    const json = JSON.stringify(address);
    const known = this.#db.prepare<[string, string], { address: string }>('SELECT address FROM staff_addresses WHERE staff_id = ? AND channel = ?').get(staffId, channel);
    if (known?.address === json) return false;
    this.#db
      .prepare('INSERT INTO staff_addresses (staff_id, channel, address, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (staff_id, channel) DO UPDATE SET address = excluded.address, updated_at = excluded.updated_at')
      .run(staffId, channel, json, this.#now().toISOString());
    return known === undefined;
  }

  /** How to reach a member of staff in a channel, if they have been seen there. */
  addressOf<T = unknown>(staffId: string, channel: string): T | undefined {
    const row = this.#db.prepare<[string, string], { address: string }>('SELECT address FROM staff_addresses WHERE staff_id = ? AND channel = ?').get(staffId, channel);
    return row ? (JSON.parse(row.address) as T) : undefined;
  }

  #actor(row: StaffRow): Actor {
    const schoolIds = this.#db
      .prepare<[string], { school_id: string }>('SELECT school_id FROM staff_schools WHERE staff_id = ? ORDER BY school_id')
      .all(row.id)
      .map((r) => r.school_id);
    return { id: row.id, role: row.role, schoolIds };
  }
}
