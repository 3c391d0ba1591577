/**
 * Schools and staff: who covers which schools, in which role, and how they are known in
 * Teams and Slack. Every change is audited, since it changes who can see children's cases.
 */
import { z } from 'zod';
import { identifier } from '@before-exclusion/rules';
import { AccessDenied, STAFF_ROLES, type Actor, type StaffRole } from '../access.js';
import type { Clock } from '../clock.js';
import { EventRefused } from '../errors.js';
import type { AuditedWrite } from './auditedWrite.js';
import type { Queryable } from './database.js';

export const staffMemberSchema = z.strictObject({
  id: identifier('the staff member\'s id'),
  displayName: z.string().min(1),
  role: z.enum(STAFF_ROLES as [StaffRole, ...StaffRole[]], { error: `expected one of ${STAFF_ROLES.join(', ')}` }),
  schoolIds: z.array(identifier('a school\'s id')).min(1, 'a member of staff covers at least one school'),
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
  readonly #db: Queryable;
  readonly #write: AuditedWrite;
  readonly #now: Clock;

  constructor(db: Queryable, write: AuditedWrite, clock: Clock) {
    this.#db = db;
    this.#write = write;
    this.#now = clock;
  }

  /** Adds or renames a school. */
  async upsertSchool(school: { id: string; name: string }, by: Actor): Promise<void> {
    await this.#write(async (tx) => {
      await tx.run('INSERT INTO schools (id, name) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name', [school.id, school.name]);
      await tx.audit({ at: this.#now().toISOString(), actor: by.id, role: by.role, action: 'school-updated', data: school });
    });
  }

  /** Every school, in id order. */
  schools(): Promise<{ id: string; name: string }[]> {
    return this.#db.all<{ id: string; name: string }>('SELECT id, name FROM schools ORDER BY id');
  }

  /**
   * Adds or updates a member of staff and the schools they cover (all of them, replacing the old list).
   * @throws EventRefused naming a school that is not in the store.
   */
  async upsert(member: StaffMember, by: Actor): Promise<void> {
    const m = staffMemberSchema.parse(member);
    await this.#write(async (tx) => {
      for (const school of m.schoolIds) {
        if (!(await tx.get('SELECT 1 AS found FROM schools WHERE id = ?', [school]))) throw new EventRefused(`no school ${school}; add the school first`);
      }
      await tx.run(
        `INSERT INTO staff (id, display_name, role, teams_aad_id, slack_user_id, slack_team_id) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET display_name = excluded.display_name, role = excluded.role, teams_aad_id = excluded.teams_aad_id,
           slack_user_id = excluded.slack_user_id, slack_team_id = excluded.slack_team_id`,
        [m.id, m.displayName, m.role, m.teamsAadId ?? null, m.slackUserId ?? null, m.slackTeamId ?? null],
      );
      await tx.run('DELETE FROM staff_schools WHERE staff_id = ?', [m.id]);
      for (const school of m.schoolIds) await tx.run('INSERT INTO staff_schools (staff_id, school_id) VALUES (?, ?)', [m.id, school]);
      await tx.audit({ at: this.#now().toISOString(), actor: by.id, role: by.role, action: 'staff-updated', data: { id: m.id, role: m.role, schoolIds: m.schoolIds } });
    });
  }

  /**
   * The actor for a member of staff.
   * @throws AccessDenied for someone who is not on the staff list.
   */
  async actorFor(staffId: string): Promise<Actor> {
    const row = await this.#db.get<StaffRow>('SELECT * FROM staff WHERE id = ?', [staffId]);
    if (!row) throw new AccessDenied(`${staffId} is not on the staff list`);
    return this.#actor(row);
  }

  /**
   * Everyone on the staff list, by display name: who may be chosen on the web workspace's local
   * sign-in page. Names and roles only — the schools each covers come with `actorFor`.
   */
  async list(): Promise<{ id: string; displayName: string; role: StaffRole }[]> {
    const rows = await this.#db.all<{ id: string; display_name: string; role: StaffRole }>('SELECT id, display_name, role FROM staff ORDER BY display_name, id');
    return rows.map((r) => ({ id: r.id, displayName: r.display_name, role: r.role }));
  }

  /** The actor a Teams user (Azure AD object id) maps to, if any. */
  async byTeamsId(aadObjectId: string): Promise<Actor | undefined> {
    const row = await this.#db.get<StaffRow>('SELECT * FROM staff WHERE teams_aad_id = ?', [aadObjectId]);
    return row && this.#actor(row);
  }

  /** The actor a Slack user in a workspace maps to, if any. */
  async bySlackId(teamId: string, userId: string): Promise<Actor | undefined> {
    const row = await this.#db.get<StaffRow>('SELECT * FROM staff WHERE slack_team_id = ? AND slack_user_id = ?', [teamId, userId]);
    return row && this.#actor(row);
  }

  /** A member of staff's Slack identity (workspace and user), if they have one. */
  async slackIdentity(staffId: string): Promise<{ teamId: string; userId: string } | undefined> {
    const row = await this.#db.get<{ slack_team_id: string | null; slack_user_id: string | null }>('SELECT slack_team_id, slack_user_id FROM staff WHERE id = ?', [staffId]);
    return row?.slack_team_id && row.slack_user_id ? { teamId: row.slack_team_id, userId: row.slack_user_id } : undefined;
  }

  /** Staff of a school in a role (e.g. its headteacher, to prompt). */
  async inRole(schoolId: string, role: StaffRole): Promise<string[]> {
    const rows = await this.#db.all<{ id: string }>('SELECT s.id FROM staff s JOIN staff_schools ss ON ss.staff_id = s.id WHERE ss.school_id = ? AND s.role = ? ORDER BY s.id', [schoolId, role]);
    return rows.map((r) => r.id);
  }

  /** Everyone in a role, whatever schools they cover (e.g. the inclusion officers, to alert of a broken audit trail). */
  async allInRole(role: StaffRole): Promise<string[]> {
    const rows = await this.#db.all<{ id: string }>('SELECT id FROM staff WHERE role = ? ORDER BY id', [role]);
    return rows.map((r) => r.id);
  }

  /**
   * Remembers how to reach a member of staff in a channel (a Teams conversation reference, say),
   * writing only when it changed — channels call this on every turn.
   * @returns true when they could not be reached in that channel before.
   */
  async setAddress(staffId: string, channel: string, address: unknown): Promise<boolean> {
    const json = JSON.stringify(address);
    const known = await this.#db.get<{ address: string }>('SELECT address FROM staff_addresses WHERE staff_id = ? AND channel = ?', [staffId, channel]);
    if (known?.address === json) return false;
    await this.#db.run(
      'INSERT INTO staff_addresses (staff_id, channel, address, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (staff_id, channel) DO UPDATE SET address = excluded.address, updated_at = excluded.updated_at',
      [staffId, channel, json, this.#now().toISOString()],
    );
    return known === undefined;
  }

  /** How to reach a member of staff in a channel, if they have been seen there. */
  async addressOf<T = unknown>(staffId: string, channel: string): Promise<T | undefined> {
    const row = await this.#db.get<{ address: string }>('SELECT address FROM staff_addresses WHERE staff_id = ? AND channel = ?', [staffId, channel]);
    return row ? (JSON.parse(row.address) as T) : undefined;
  }

  async #actor(row: StaffRow): Promise<Actor> {
    const rows = await this.#db.all<{ school_id: string }>('SELECT school_id FROM staff_schools WHERE staff_id = ? ORDER BY school_id', [row.id]);
    return { id: row.id, role: row.role, schoolIds: rows.map((r) => r.school_id) };
  }
}
