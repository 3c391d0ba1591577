/**
 * Reads of the figures, in the audit trail. A report names no pupil, but it is built from their
 * records and, unsuppressed, a small count can point at one child; so reading it is accounted
 * for like reading a case: who, when, which period, which schools, whether for publication, and
 * in what form (a page, a download). Ids and the period only: never a figure.
 */
import type { Term } from '@before-exclusion/rules';
import type { Actor } from '../access.js';
import type { Clock } from '../clock.js';
import type { AuditedWrite } from './auditedWrite.js';

/** The forms a report is read in. */
export const REPORT_READ_FORMS = ['page', 'csv', 'xlsx', 'json', 'board-pack'] as const;
export type ReportReadForm = (typeof REPORT_READ_FORMS)[number];

/** What the audit row of a report read holds. */
export interface ReportRead {
  readonly academicYear: string;
  readonly quarter: number | null;
  readonly term: Term | null;
  /** The one school asked for, or null for all the reader's schools. */
  readonly schoolId: string | null;
  /** The schools the report covered. */
  readonly schools: readonly string[];
  readonly forPublication: boolean;
  readonly form: ReportReadForm;
}

/** The audit action of a report read. */
export const REPORT_READ = 'report-read';

/** The audit action of a what-if run over stored pupils. */
export const WHAT_IF_READ = 'what-if-read';

/** What the audit row of a what-if holds: the date, the schools, and the settings proposed. */
export interface WhatIfRead {
  readonly asOf: string;
  readonly schools: readonly string[];
  readonly proposed: Readonly<Record<string, Readonly<Record<string, number | boolean>>>>;
}

export class ReportReads {
  readonly #write: AuditedWrite;
  readonly #now: Clock;

  constructor(write: AuditedWrite, clock: Clock) {
    this.#write = write;
    this.#now = clock;
  }

  /**
   * Appends a `what-if-read` row: a comparison of settings run over these schools' pupils (the
   * settings asked for, never a figure or a pupil).
   */
  async recordWhatIf(actor: Actor, read: WhatIfRead): Promise<void> {
    const data: WhatIfRead = { ...read, schools: [...read.schools] };
    await this.#write(async (tx) => {
      await tx.audit({ at: this.#now().toISOString(), actor: actor.id, role: actor.role, action: WHAT_IF_READ, data });
    });
  }

  /** Appends a `report-read` row to the audit trail (its own audited write: nothing else changes). */
  async record(actor: Actor, read: ReportRead): Promise<void> {
    const data: ReportRead = { ...read, schools: [...read.schools] };
    await this.#write(async (tx) => {
      await tx.audit({ at: this.#now().toISOString(), actor: actor.id, role: actor.role, action: REPORT_READ, data });
    });
  }
}
