/**
 * What the product asks of a school's management information system (MIS), through whichever
 * service the school has connected it to (Assembly today): one pull for one school gives every
 * pupil of that school as a pupil-record/1 record — pseudonymous ids, CBDS codes, the stored
 * record merged with what changed — and a cursor that lets the next pull ask only for what
 * changed since. The pull is read-only and writes nothing: the caller commits it all-or-nothing
 * and keeps the cursor only with a committed pull, so a pull that fails half-way is simply
 * pulled again from the same cursor.
 */
import type { IsoDate, Problem, PupilRecord } from '@before-exclusion/rules';

/** What one pull needs to know besides the MIS itself. */
export interface MisPullRequest {
  /** The school's id in the product (the pupils' `schoolId`). */
  readonly schoolId: string;
  /** The cursor the last committed pull returned; undefined for the school's first pull. */
  readonly cursor: string | undefined;
  /** The first day of the academic year the pull is about (from the school's calendar): marks and exclusions from then on. */
  readonly yearStart: IsoDate;
  /** Today, on the school's calendar: marks up to it. */
  readonly today: IsoDate;
  /** The school's pupils as stored, by pupil id: what an incremental pull merges onto. */
  readonly stored: ReadonlyMap<string, PupilRecord>;
  /** Stops the pull (the service stopping). */
  readonly signal?: AbortSignal;
}

/** One school's pull, complete, ready to commit. */
export interface MisPull {
  /** Every pupil of the school the MIS knows (leavers included), as they now stand. */
  readonly records: readonly PupilRecord[];
  /** Where the next pull starts; saved only when these records are committed. */
  readonly cursor: string;
  /** HTTP requests the pull made (retries included), for the log. */
  readonly requests: number;
}

/** A connection to one school's MIS. Credentials stay inside it: never in a record, a problem or a log. */
export interface MisAdapter {
  /** The service it talks to, as stored beside the cursor (`assembly`). */
  readonly system: string;
  /**
   * Pulls one school.
   * @throws MisRefused when the MIS answers with data the product cannot take (named, nothing committed)
   * @throws MisUnavailable when it cannot be reached, or keeps failing, within the pull's bounds
   */
  pull(request: MisPullRequest): Promise<MisPull>;
}

/** The MIS could not be reached, or kept failing past the retries; try again at the next pull. */
export class MisUnavailable extends Error {
  override name = 'MisUnavailable';
}

/**
 * The MIS answered with something the product cannot take: a code it does not know, a missing
 * date, a response that is not the documented shape. Every problem is listed, with where
 * (endpoint, record id, field) and what is accepted; nothing of the pull is committed.
 */
export class MisRefused extends Error {
  override name = 'MisRefused';
  constructor(
    message: string,
    readonly problems: readonly Problem[],
  ) {
    super(message);
  }
}
